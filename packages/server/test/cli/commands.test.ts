// The `latchkey` command exactly as CONTRACTS.md lists it: help, user add, scope add, client add.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.js';
import { createStore } from '../../src/store/index.js';
import { latchkey } from './run-cli.js';

let dataDir: string;
let env: Record<string, string>;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-'));
  env = { LATCHKEY_DATA_DIR: dataDir };
});

describe('latchkey help', () => {
  it.each([[[]], [['help']], [['--help']], [['-h']], [['--', '--help']]])('prints every command and setting for %j', async (args) => {
    const result = await latchkey(args);
    expect(result.code).toBe(0);
    for (const command of ['serve', 'user add', 'scope add', 'client add']) expect(result.stdout).toContain(`latchkey ${command}`);
    for (const setting of Object.values(SETTINGS)) {
      expect(result.stdout).toContain(setting.env);
      expect(result.stdout).toContain(`--${setting.flag}`);
    }
  });

  it('refuses an unknown command in one line with exit code 2', async () => {
    const result = await latchkey(['frobnicate'], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('unknown command');
  });
});

describe('latchkey user add', () => {
  it('creates a user from a password on standard input, usable for login', async () => {
    const result = await latchkey(['user', 'add', 'alice', '--password-stdin', '--name', 'Alice', '--email', 'alice@example.com'], env, 'wonderland\n');
    expect(result.code).toBe(0);
    const store = await createStore({ kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') });
    const user = await store.users.findByUsernameKey('alice');
    await store.close();
    expect(user).toMatchObject({ username: 'alice', name: 'Alice', email: 'alice@example.com' });
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a duplicate, also in another case (D-11), in one line with exit code 2', async () => {
    expect((await latchkey(['user', 'add', 'alice', '--password-stdin'], env, 'wonderland\n')).code).toBe(0);
    const again = await latchkey(['user', 'add', 'ALICE', '--password-stdin'], env, 'wonderland\n');
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('latchkey: user ALICE already exists\n');
  });

  it('requires --password-stdin and never takes a password as an argument', async () => {
    const result = await latchkey(['user', 'add', 'alice', '--password', 'x'], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a short password before touching the database', async () => {
    const result = await latchkey(['user', 'add', 'alice', '--password-stdin'], { LATCHKEY_DATA_DIR: path.join(dataDir, 'never') }, 'short\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('at least 8 characters');
  });
});

describe('latchkey scope add', () => {
  it('defines a scope with a resource', async () => {
    const result = await latchkey(['scope', 'add', 'calendar.read', '--description', 'See your calendar', '--resource', 'https://api.example'], env);
    expect(result.code).toBe(0);
    const store = await createStore({ kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') });
    const scopes = await store.scopes.findMany(['calendar.read']);
    await store.close();
    expect(scopes).toEqual([{ name: 'calendar.read', description: 'See your calendar', resource: 'https://api.example' }]);
  });

  it.each([
    [['scope', 'add', 'bad scope', '--description', 'x'], 'scope name'],
    [['scope', 'add', 'quote"', '--description', 'x'], 'scope name'],
    [['scope', 'add', 'a', '--description', 'x', '--resource', 'https://api.example/#frag'], 'fragment'],
    [['scope', 'add', 'a', '--description', 'x', '--resource', 'http://api.example'], 'https'],
    [['scope', 'add', 'a'], '--description is required'],
  ])('refuses %j in one line with exit code 2', async (args, reason) => {
    const result = await latchkey(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(reason);
  });

  it('refuses a scope that exists (the built-in openid)', async () => {
    const result = await latchkey(['scope', 'add', 'openid', '--description', 'again'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('latchkey: scope openid already exists\n');
  });
});

describe('latchkey client add --json', () => {
  it('prints an RFC 7591 registration response with a 256-bit secret, shown once', async () => {
    const result = await latchkey(['client', 'add', '--name', 'Mine', '--redirect-uri', 'https://mine.example/cb', '--redirect-uri', 'http://127.0.0.1:3000/cb', '--scope', 'openid profile', '--json'], env);
    expect(result.code).toBe(0);
    const registered = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(registered).toMatchObject({
      client_name: 'Mine',
      redirect_uris: ['https://mine.example/cb', 'http://127.0.0.1:3000/cb'],
      scope: 'openid profile',
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret_expires_at: 0,
    });
    expect(registered.client_id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(registered.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const store = await createStore({ kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') });
    const client = await store.clients.findById(String(registered.client_id));
    await store.close();
    // Stored as a hash, never in plain text.
    expect(client?.secretHash).not.toBe(registered.client_secret);
    expect(client?.secretHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('registers a public client without a secret', async () => {
    const result = await latchkey(['client', 'add', '--name', 'Native', '--redirect-uri', 'http://127.0.0.1/cb', '--public', '--json'], env);
    expect(result.code).toBe(0);
    const registered = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(registered.client_secret).toBeUndefined();
    expect(registered.token_endpoint_auth_method).toBe('none');
  });

  it('registers a client_credentials-only client with no redirect URI', async () => {
    const result = await latchkey(['client', 'add', '--name', 'Batch', '--grant-type', 'client_credentials', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ grant_types: ['client_credentials'], redirect_uris: [] });
  });

  it.each([
    [['--redirect-uri', 'https://a.example/cb#frag'], 'fragment'],
    [['--redirect-uri', 'http://a.example/cb'], 'must use https'],
    [['--redirect-uri', '/relative'], 'absolute'],
    [['--redirect-uri', 'javascript:alert(1)'], 'javascript'],
    [['--redirect-uri', 'https://user:pw@a.example/cb'], 'user name'],
    [[], 'at least one --redirect-uri'],
    [['--redirect-uri', 'https://a.example/cb', '--scope', 'nosuch'], 'unknown scope: nosuch'],
    [['--redirect-uri', 'https://a.example/cb', '--grant-type', 'password'], 'password is not supported'],
    [['--redirect-uri', 'https://a.example/cb', '--public', '--pkce-optional'], 'cannot be combined'],
    [['--redirect-uri', 'https://a.example/cb', '--public', '--grant-type', 'client_credentials'], 'public client cannot use client_credentials'],
  ])('refuses %j in one line with exit code 2', async (extra, reason) => {
    const result = await latchkey(['client', 'add', '--name', 'X', ...extra, '--json'], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(reason);
  });
});

describe('latchkey keys rotate', () => {
  it('adds an ES256 and an RS256 key to the database, which the server then publishes', async () => {
    const result = await latchkey(['keys', 'rotate'], env);
    expect(result.code).toBe(0);
    const added = /new signing keys: (\S+) (\S+)/.exec(result.stdout);
    expect(added).not.toBeNull();
    const store = await createStore({ kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') });
    const kids = (await store.signingKeys.listActive()).map((k) => k.kid);
    await store.close();
    expect(kids).toEqual(expect.arrayContaining([added?.[1], added?.[2]]));
  });

  it('refuses extra arguments in one line with exit code 2', async () => {
    const result = await latchkey(['keys', 'rotate', 'now'], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

