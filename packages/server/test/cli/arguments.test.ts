// Argument handling common to every command: bad arguments are one line and exit 2 with nothing
// written (validated before the database is opened), setting flags work on every command, and
// --password-stdin strips exactly one trailing newline.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/interaction/password.js';
import { createStore } from '../../src/store/index.js';
import { latchkey, oneLine, useTempRoot } from './run-cli.js';

const temp = useTempRoot('args');

describe('bad arguments write nothing', () => {
  it.each([
    [['user', 'add', 'alice', '--password-stdin', '--bogus'], 'wonderland\n', /^latchkey: Unknown option '--bogus'; usage: latchkey user add/],
    [['user', 'add', '--password-stdin'], 'wonderland\n', /^latchkey: missing argument; usage: latchkey user add USERNAME/],
    [['user', 'add', 'alice', 'bob', '--password-stdin'], 'wonderland\n', /^latchkey: unexpected argument "bob"/],
    [['user', 'add', 'al ice', '--password-stdin'], 'wonderland\n', /^latchkey: username "al ice" is not valid: use 1 to 64 letters/],
    [['user', 'add', 'alice', '--password-stdin'], '', /^latchkey: the password must be at least 8 characters$/],
    [['user', 'add', 'alice', '--password-stdin'], `${'x'.repeat(1025)}\n`, /^latchkey: the password must be at most 1024 characters$/],
    [['user', 'add', 'alice', '--password-stdin', '--email', 'not-an-address'], 'wonderland\n', /^latchkey: email "not-an-address" is not a valid address$/],
    [['user', 'remove', 'alice'], '', /^latchkey: unknown command "user remove"; run latchkey help$/],
    [['scope', 'add', 'a', '--description', ''], '', /^latchkey: the description must be 1 to 200 characters$/],
    [['scope', 'add', 'a', '--description', 'x', '--resource', 'api'], '', /^latchkey: resource "api" is not an absolute URI$/],
    [['client', 'add', '--redirect-uri', 'https://a.example/cb'], '', /^latchkey: --name is required/],
    [['client', 'add', '--name', '', '--redirect-uri', 'https://a.example/cb'], '', /^latchkey: the client name must be 1 to 100 characters$/],
    [['client', 'add', '--name', 'A', '--name', 'B', '--redirect-uri', 'https://a.example/cb'], '', /^latchkey: --name is given more than once/],
    [['client', 'add', '--name'], '', /^latchkey: Option '--name <value>' argument missing/],
    [['client', 'add', '--name', 'A', '--redirect-uri', 'https://a.example/cb', '--grant-type', 'refresh_token'], '', /refresh_token grant needs the authorization_code grant/],
    [['client', 'add', '--name', 'A', '--redirect-uri', 'myapp:/cb'], '', /reverse-domain private-use scheme/],
  ])('%j: one line, exit 2, no data folder', async (args, input, message) => {
    const dataDir = temp.dataDir();
    const result = await latchkey(args, { LATCHKEY_DATA_DIR: dataDir }, input);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneLine(result.stderr)).toMatch(message);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('--help after a command', () => {
  it.each([[['serve', '--help']], [['client', 'add', '-h']], [['--', 'user', 'add', '--help']]])('%j prints the help and exits 0', async (args) => {
    const dataDir = temp.dataDir();
    const result = await latchkey(args, { LATCHKEY_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('latchkey client add --name N');
    expect(result.stdout).toContain('Exit codes: 0 success; 2 bad arguments');
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('setting flags on every command', () => {
  it('--data-dir overrides LATCHKEY_DATA_DIR', async () => {
    const fromEnv = temp.dataDir();
    const fromFlag = temp.dataDir();
    const result = await latchkey(['scope', 'add', 'notes.read', '--description', 'Read notes', '--data-dir', fromFlag], { LATCHKEY_DATA_DIR: fromEnv });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(fromFlag, 'latchkey.db'))).toBe(true);
    expect(existsSync(fromEnv)).toBe(false);
  });

  it('--database names the database file', async () => {
    const file = path.join(temp.dataDir(), 'elsewhere.db');
    const result = await latchkey(['client', 'add', '--name', 'Batch', '--grant-type', 'client_credentials', '--database', `sqlite:${file}`], {});
    expect(result.code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('a bad setting flag is one line naming the setting and its flag', async () => {
    const dataDir = temp.dataDir();
    const result = await latchkey(['user', 'add', 'alice', '--password-stdin', '--code-ttl', '0'], { LATCHKEY_DATA_DIR: dataDir }, 'wonderland\n');
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toBe('latchkey: LATCHKEY_CODE_TTL (--code-ttl) must be between 1 and 600, got 0');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('names the setting exactly as the contract shows', async () => {
    const result = await latchkey(['serve'], { LATCHKEY_DATA_DIR: temp.dataDir(), LATCHKEY_PORT: 'abc' });
    expect(oneLine(result.stderr)).toBe('latchkey: LATCHKEY_PORT (--port) must be a whole number, got "abc"');
  });
});

describe('--password-stdin', () => {
  it.each([
    ['wonderland\n', 'wonderland'],
    ['wonderland\r\n', 'wonderland'],
    ['wonderland', 'wonderland'],
    ['two lines\nhere\n\n', 'two lines\nhere\n'],
    ['  spaced out  \n', '  spaced out  '],
  ])('reads %j as the password %j', async (input, password) => {
    const dataDir = temp.dataDir();
    const result = await latchkey(['user', 'add', 'carol', '--password-stdin'], { LATCHKEY_DATA_DIR: dataDir }, input);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created user carol \(id [A-Za-z0-9_-]{22}\)\n$/);
    const store = await createStore({ kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') });
    try {
      const user = await store.users.findByUsernameKey('carol');
      expect(await verifyPassword(password, user?.passwordHash)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('client add without --json', () => {
  it('prints a short summary with the secret, once', async () => {
    const result = await latchkey(['client', 'add', '--name', 'Legacy', '--redirect-uri', 'https://legacy.example/cb', '--pkce-optional'], { LATCHKEY_DATA_DIR: temp.dataDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^registered Legacy\n/);
    expect(result.stdout).toMatch(/client_id: +[A-Za-z0-9_-]{22}\n/);
    expect(result.stdout).toMatch(/client_secret: +[A-Za-z0-9_-]{43} /);
    expect(result.stdout).toMatch(/PKCE: +optional/);
  });

  it('--pkce-optional is recorded in the JSON answer (D-1)', async () => {
    const result = await latchkey(['client', 'add', '--name', 'Legacy', '--redirect-uri', 'https://legacy.example/cb', '--pkce-optional', '--json'], { LATCHKEY_DATA_DIR: temp.dataDir() });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ pkce_required: false, token_endpoint_auth_method: 'client_secret_basic', response_types: ['code'] });
  });

  it('the JSON answer is one object and nothing else', async () => {
    const result = await latchkey(['client', 'add', '--name', 'App', '--redirect-uri', 'com.example.app:/oauth', '--public', '--json'], { LATCHKEY_DATA_DIR: temp.dataDir() });
    expect(result.code).toBe(0);
    const registered = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(registered).sort()).toEqual(
      [
        'client_id', 'client_id_issued_at', 'client_name', 'grant_types', 'id_token_signed_response_alg', 'pkce_required',
        'post_logout_redirect_uris', 'redirect_uris', 'response_types', 'scope', 'token_endpoint_auth_method',
      ].sort(),
    );
    expect(registered.client_id_issued_at).toBeTypeOf('number');
    expect(registered.scope).toBe('openid profile email offline_access');
  });
});
