// `latchkey client add --post-logout-redirect-uri URI --id-token-alg ES256 --json`: the OpenID
// options of a client (OpenID RP-Initiated Logout 1.0 §3.1 `post_logout_redirect_uris`, OIDC
// Dynamic Registration §2 `id_token_signed_response_alg`), recorded in the database and printed
// in the RFC 7591 response; bad values exit 2 with one line (CONTRACTS.md).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { latchkey, oneLine, useTempRoot } from './run-cli.js';

const temp = useTempRoot('oidc-options');
const BASE = ['client', 'add', '--name', 'Mine', '--redirect-uri', 'https://mine.example/cb'];

describe('latchkey client add: OpenID options', () => {
  it('records --post-logout-redirect-uri (repeatable) and --id-token-alg ES256, and prints them', async () => {
    const dataDir = temp.dataDir();
    const result = await latchkey(
      [...BASE, '--post-logout-redirect-uri', 'https://mine.example/bye', '--post-logout-redirect-uri', 'https://mine.example/bye2', '--id-token-alg', 'ES256', '--json'],
      { LATCHKEY_DATA_DIR: dataDir },
    );
    expect(result.code, result.stderr).toBe(0);
    const registered = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(registered).toMatchObject({
      post_logout_redirect_uris: ['https://mine.example/bye', 'https://mine.example/bye2'],
      id_token_signed_response_alg: 'ES256',
    });
    const store = await createStore({ kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') });
    try {
      const client = await store.clients.findById(String(registered.client_id));
      expect(client?.postLogoutRedirectUris).toEqual(['https://mine.example/bye', 'https://mine.example/bye2']);
      expect(client?.idTokenSignedResponseAlg).toBe('ES256');
    } finally {
      await store.close();
    }
  });

  it('defaults to RS256 (OIDC Core §15.1) and no post-logout redirect URI', async () => {
    const result = await latchkey([...BASE, '--json'], { LATCHKEY_DATA_DIR: temp.dataDir() });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ post_logout_redirect_uris: [], id_token_signed_response_alg: 'RS256' });
  });

  it.each([
    [['--id-token-alg', 'HS256'], /--id-token-alg HS256 is not supported/],
    [['--id-token-alg', 'none'], /--id-token-alg none is not supported/],
    [['--post-logout-redirect-uri', 'https://mine.example/bye#frag'], /post-logout redirect URI .*fragment/],
    [['--post-logout-redirect-uri', 'javascript:alert(1)'], /post-logout redirect URI/],
  ])('refuses %j: exit 2, one line, nothing written', async (extra, reason) => {
    const dataDir = temp.dataDir();
    const result = await latchkey([...BASE, ...extra, '--json'], { LATCHKEY_DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneLine(result.stderr)).toMatch(reason);
    expect(existsSync(dataDir)).toBe(false);
  });
});
