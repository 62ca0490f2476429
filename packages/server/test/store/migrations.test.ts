import { existsSync } from 'node:fs';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/kysely/dialect.js';
import { isUnavailable } from '../../src/errors.js';
import { createStore } from '../../src/store/index.js';
import { migrationProvider, migrations } from '../../src/store/kysely/migrations/index.js';
import { migrateToLatest } from '../../src/store/kysely/store.js';
import { freePort } from '../support/server.js';
import { useTempDir } from './temp-store.js';

const dir = useTempDir('migrations');

describe('migrations', () => {
  it('creates the parent folder and seeds the standard scopes in plain words', async () => {
    const file = path.join(dir.file('nested'), 'deeper', 'latchkey.db');
    const store = await createStore({ kind: 'sqlite', path: file });
    try {
      expect(existsSync(file)).toBe(true);
      expect(await store.scopes.list()).toEqual([
        { name: 'email', description: 'See your email address', resource: null },
        { name: 'offline_access', description: 'Stay connected when you are not using the app', resource: null },
        { name: 'openid', description: 'Know who you are on this service (your account id)', resource: null },
        { name: 'profile', description: 'See your name and username', resource: null },
      ]);
    } finally {
      await store.close();
    }
  });

  it('is a no-op the second time: the same file opens again with its data intact', async () => {
    const file = dir.file('twice.db');
    const first = await createStore({ kind: 'sqlite', path: file });
    await first.scopes.create({ name: 'calendar.read', description: 'See your calendar', resource: 'https://api.example' });
    await first.close();

    const second = await createStore({ kind: 'sqlite', path: file });
    try {
      const names = (await second.scopes.list()).map((scope) => scope.name);
      expect(names).toEqual(['calendar.read', 'email', 'offline_access', 'openid', 'profile']);
    } finally {
      await second.close();
    }

    const db = openDatabase({ kind: 'sqlite', path: file });
    try {
      await migrateToLatest(db);
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
      // Every migration once, in order: opening again applies nothing new.
      expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrations));
    } finally {
      await db.destroy();
    }
  });

  it('003 keeps the refresh tokens issued before it: such a token rotates after the upgrade, onto a chain', async () => {
    const file = dir.file('upgrade.db');
    const db = openDatabase({ kind: 'sqlite', path: file });
    try {
      const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('002-code-challenge-index');
      expect(error).toBeUndefined();
      // A user, a client, and a family with its token, as a server at 002 stored them.
      await sql`insert into users (id, username, username_key, name, email, password_hash, created_at) values ('u1', 'u1', 'u1', null, null, 'x', 1000)`.execute(db);
      await sql`insert into clients (id, name, secret_hash, redirect_uris, scopes, grant_types, token_endpoint_auth_method, pkce_required, created_at)
        values ('c1', 'App', null, '[]', 'openid', 'refresh_token', 'none', 1, 1000)`.execute(db);
      await sql`insert into token_families (id, client_id, user_id, scopes, code_hash, created_at, revoked_at) values ('f-old', 'c1', 'u1', 'openid', null, 1000, null)`.execute(db);
      await sql`insert into refresh_tokens (token_hash, family_id, client_id, user_id, scopes, issued_at, expires_at, rotated_at) values ('old-hash', 'f-old', 'c1', 'u1', 'openid', 1000, 9000, null)`.execute(db);
    } finally {
      await db.destroy();
    }
    const store = await createStore({ kind: 'sqlite', path: file });
    try {
      const rotated = await store.refreshTokens.rotate({ tokenHash: 'old-hash', clientId: 'c1', now: 2_000, graceSeconds: 2, successor: { tokenHash: 'new-hash', expiresAt: 5_000, chain: 'ch-new' } });
      expect(rotated).toMatchObject({ outcome: 'rotated', token: { tokenHash: 'new-hash', familyId: 'f-old', scopes: ['openid'] } });
      expect(await store.refreshTokens.find('new-hash', { chain: 'ch-new', generation: 1 })).toMatchObject({ familyId: 'f-old', rotatedAt: null, expiresAt: 5_000 });
      expect((await store.refreshTokens.find('old-hash'))?.rotatedAt).toBe(2_000);
    } finally {
      await store.close();
    }
    // Another unrotated row of the same family (no server writes one) cannot start a second
    // chain: it fails closed, as reuse.
    const raw = openDatabase({ kind: 'sqlite', path: file });
    try {
      await sql`insert into refresh_tokens (token_hash, family_id, client_id, user_id, scopes, issued_at, expires_at, rotated_at) values ('stray-hash', 'f-old', 'c1', 'u1', 'openid', 1000, 9000, null)`.execute(raw);
    } finally {
      await raw.destroy();
    }
    const reopened = await createStore({ kind: 'sqlite', path: file });
    try {
      const stray = await reopened.refreshTokens.rotate({ tokenHash: 'stray-hash', clientId: 'c1', now: 2_100, graceSeconds: 2, successor: { tokenHash: 'other', expiresAt: 5_000, chain: 'ch-other' } });
      expect(stray).toEqual({ outcome: 'reused', familyId: 'f-old' });
      expect((await reopened.refreshTokens.findFamily('f-old'))?.revokedAt).toBe(2_100);
    } finally {
      await reopened.close();
    }
  });

  it('opens SQLite in WAL mode with a busy timeout, foreign keys enforced and a 2 MiB page cache', async () => {
    const db = openDatabase({ kind: 'sqlite', path: dir.file('pragmas.db') });
    try {
      const pragma = async (name: string): Promise<unknown> =>
        Object.values((await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(db)).rows[0] ?? {})[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('foreign_keys')).toBe(1);
      // SQLite's default page cache, not better-sqlite3's 16 MiB (issue 9: peak memory).
      expect(await pragma('cache_size')).toBe(-2000);
    } finally {
      await db.destroy();
    }
  });

  it('opens PostgreSQL lazily; a server that does not answer is an outage (503), not a bug', async () => {
    const db = openDatabase({ kind: 'postgres', url: `postgres://latchkey@127.0.0.1:${await freePort()}/latchkey` });
    try {
      const error = await sql`select 1`.execute(db).then(() => undefined, (e: unknown) => e);
      expect(isUnavailable(error)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('answers ping while open and stops answering once closed', async () => {
    const store = await createStore({ kind: 'sqlite', path: dir.file('ping.db') });
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});
