// Every setting is validated at start: a bad one is one line naming it, exit code 2, and nothing
// written (CONTRACTS.md).
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, latchkey, oneLine } from './run-cli.js';

describe('bad settings', () => {
  it.each([
    ['LATCHKEY_PORT', 'abc'],
    ['LATCHKEY_PORT', '70000'],
    ['LATCHKEY_CODE_TTL', '0'],
    ['LATCHKEY_CODE_TTL', '601'],
    ['LATCHKEY_ACCESS_TOKEN_TTL', '-5'],
    ['LATCHKEY_REFRESH_TOKEN_TTL', '1.5'],
    ['LATCHKEY_REFRESH_REUSE_GRACE', 'soon'],
    ['LATCHKEY_ISSUER', 'ftp://x.example'],
    ['LATCHKEY_ISSUER', 'http://as.example'],
    ['LATCHKEY_ISSUER', 'https://as.example/?q=1'],
    ['LATCHKEY_DATABASE', 'mysql://x'],
    ['LATCHKEY_DATABASE_POOL_MAX', '0'],
    ['LATCHKEY_SQLITE_SYNCHRONOUS', 'off'],
    ['LATCHKEY_TRUST_PROXY', 'maybe'],
    ['LATCHKEY_LOG_LEVEL', 'loud'],
    ['LATCHKEY_HELPER_NICE', '20'],
    ['LATCHKEY_HELPER_NICE', 'low'],
  ])('%s=%s: one line naming it, exit 2, no data folder', async (name, value) => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'latchkey-settings-')), 'data');
    for (const args of [['serve'], ['client', 'add', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--json']]) {
      const result = await latchkey(args, { LATCHKEY_DATA_DIR: dataDir, [name]: value });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(name);
      expect(existsSync(dataDir)).toBe(false);
    }
  });

  it('takes --flag equivalents, which override the environment', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'latchkey-settings-')), 'data');
    const result = await latchkey(['serve', '--port', 'abc'], { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_PORT: '4000' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('reports a PostgreSQL server that does not answer in one line and exits 1', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'latchkey-settings-')), 'data');
    const database = `postgres://latchkey@127.0.0.1:${await freePort()}/latchkey`;
    const result = await latchkey(['serve', '--log-level', 'silent'], { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DATABASE: database });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^latchkey: database migration .* failed: .*ECONNREFUSED/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
