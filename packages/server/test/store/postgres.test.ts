// PostgreSQL specifics (runs in the `postgres` vitest project only): migrations under the
// advisory lock, int8 as numbers, and the single-use rules under real concurrency at READ
// COMMITTED, with several pools standing in for several server processes.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnavailable } from '../../src/errors.js';
import { createStore, DuplicateError } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { openDatabase } from '../../src/store/kysely/dialect.js';
import { migrations } from '../../src/store/kysely/migrations/index.js';
import type { Database } from '../../src/store/kysely/schema.js';
import { storeOver } from '../../src/store/kysely/store.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/postgres.js';
import { seedParties, user } from './temp-store.js';

const PROCESSES = 4;

/** int8 read as numbers, as the server's pool does (postgres-dialect.ts). */
const int8AsNumber = ((oid: number, format?: 'text' | 'binary') =>
  oid === 20 && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

/** Polls `ready` every 20 ms, for up to 10 s. */
async function waitFor(ready: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('not ready within 10 s');
}
const CALLERS = 24;

describe.runIf(testDatabaseKind() === 'postgres')('PostgreSQL', () => {
  let database: TestDatabase;
  let stores: Store[] = [];
  /** The store of "process" i, round robin. */
  const on = (i: number): Store => stores[i % stores.length] as Store;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Processes starting together on a fresh database: every one migrates, the lock lets one work.
    stores = await Promise.all(Array.from({ length: PROCESSES }, () => createStore({ kind: 'postgres', url: database.url, poolMax: 8 })));
    await seedParties(on(0), ['u1'], ['c1']);
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database.drop();
  });

  it('migrates once when processes start together', async () => {
    const db = openDatabase({ kind: 'postgres', url: database.url });
    try {
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
    } finally {
      await db.destroy();
    }
  });

  it('prepares the hot-path templates once per connection, under their names, and no other statement', async () => {
    // One connection, so the session asked about pg_prepared_statements is the one that ran them.
    const db = openDatabase({ kind: 'postgres', url: database.url, poolMax: 1 });
    try {
      const store = storeOver(db);
      for (let i = 0; i < 3; i++) expect(await store.revocations.isAccessTokenRevoked(`jti-${i}`, 1_000)).toBe(false);
      expect(await store.users.findById('u1')).toBeDefined();
      const prepared = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db);
      const revocation = prepared.rows.filter((row) => row.statement.includes('access_token_revocations'));
      expect(revocation).toHaveLength(1);
      expect(revocation[0]?.name).toMatch(/^latchkey_\d+$/);
      // A statement built per call (here the user lookup) is not kept on the server.
      expect(prepared.rows.filter((row) => row.statement.includes('"users"'))).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('keeps running its prepared statements after a migration adds a column under it', async () => {
    const db = openDatabase({ kind: 'postgres', url: database.url, poolMax: 1 });
    try {
      const store = storeOver(db);
      const now = 1_000;
      await store.refreshTokens.createFamily({ id: 'f-added', clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: now, revokedAt: null }, null);
      expect(await store.refreshTokens.findFamily('f-added')).toMatchObject({ id: 'f-added', revokedAt: null });
      // A newer server's migration, while this one runs: with `select *` PostgreSQL would answer
      // "cached plan must not change result type" to the statement prepared above.
      await sql`alter table token_families add column added_later integer`.execute(db);
      try {
        expect(await store.refreshTokens.findFamily('f-added')).toMatchObject({ id: 'f-added', revokedAt: null });
      } finally {
        await sql`alter table token_families drop column added_later`.execute(db);
      }
    } finally {
      await db.destroy();
    }
  });

  it('returns bigint times as numbers and maps a unique violation (23505) to DuplicateError', async () => {
    await on(1).users.create(user('u-big', { createdAt: 4_102_444_800 }));
    const found = await on(2).users.findById('u-big');
    expect(found?.createdAt).toBe(4_102_444_800);
    await expect(on(3).users.create(user('u-big2', { usernameKey: 'u-big' }))).rejects.toThrow(DuplicateError);
  });

  it('codes.consume: exactly one of many concurrent callers consumes', async () => {
    await on(0).codes.create({
      codeHash: 'race', clientId: 'c1', userId: 'u1', redirectUri: 'https://app.example/cb', redirectUriSent: true,
      scopes: ['openid'], codeChallenge: null, codeChallengeMethod: null, nonce: null, authTime: null,
      createdAt: 1_000, expiresAt: 1_060, consumedAt: null,
    });
    const outcomes = await Promise.all(Array.from({ length: CALLERS }, (_, i) => on(i).codes.consume('race', 1_010)));
    expect(outcomes.filter((o) => o.outcome === 'consumed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'reused')).toHaveLength(CALLERS - 1);
  });

  it('interactions.complete: exactly one of many concurrent callers completes', async () => {
    await on(0).interactions.create({
      idHash: 'i-race', sessionIdHash: 's', createdAt: 1_000, expiresAt: 2_000, completedAt: null,
      request: { clientId: 'c1', redirectUri: 'https://app.example/cb', redirectUriSent: true, scopes: ['openid'], state: null, codeChallenge: null, codeChallengeMethod: null, nonce: null, prompt: [], maxAge: null },
    });
    const results = await Promise.all(Array.from({ length: CALLERS }, (_, i) => on(i).interactions.complete('i-race', 1_010)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refreshTokens.rotate: exactly one rotation; with no grace every other caller revokes the family', async () => {
    await on(0).refreshTokens.createFamily(
      { id: 'f-race', clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null },
      { chain: 'ch-race', tokenHash: 'rt-race', issuedAt: 1_000, expiresAt: 9_000 },
    );
    const at = { chain: 'ch-race', generation: 0 };
    const results = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) =>
        on(i).refreshTokens.rotate({ tokenHash: 'rt-race', at, clientId: 'c1', now: 1_010, graceSeconds: 0, successor: { tokenHash: `rt-next-${i}`, expiresAt: 9_000, chain: 'ch-race' } }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'reused' || (r.outcome === 'invalid' && r.reason === 'revoked'))).toHaveLength(CALLERS - 1);
    expect((await on(1).refreshTokens.findFamily('f-race'))?.revokedAt).toBe(1_010);
  });

  it('refreshTokens.rotate: within the grace window every concurrent repeat gets the one successor', async () => {
    await on(0).refreshTokens.createFamily(
      { id: 'f-grace', clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null },
      { chain: 'ch-grace', tokenHash: 'rt-grace', issuedAt: 1_000, expiresAt: 9_000 },
    );
    // Each caller recomputes the same successor (the token endpoint derives it from the old one).
    const at = { chain: 'ch-grace', generation: 0 };
    const results = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) =>
        on(i).refreshTokens.rotate({ tokenHash: 'rt-grace', at, clientId: 'c1', now: 1_010, graceSeconds: 2, successor: { tokenHash: 'rt-grace-next', expiresAt: 9_000, chain: 'ch-grace' } }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'grace')).toHaveLength(CALLERS - 1);
    expect((await on(1).refreshTokens.findFamily('f-grace'))?.revokedAt).toBeNull();
  });

  it('refreshTokens.rotate: a token from before chains rotates exactly once, concurrently, onto a chain', async () => {
    await on(0).refreshTokens.createFamily(
      { id: 'f-old', clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null },
      { tokenHash: 'rt-old', familyId: 'f-old', clientId: 'c1', userId: 'u1', scopes: ['openid'], issuedAt: 1_000, expiresAt: 9_000, rotatedAt: null },
    );
    const results = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) =>
        on(i).refreshTokens.rotate({ tokenHash: 'rt-old', clientId: 'c1', now: 1_010, graceSeconds: 2, successor: { tokenHash: 'rt-old-next', expiresAt: 9_000, chain: 'ch-old' } }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'grace')).toHaveLength(CALLERS - 1);
    expect(await on(1).refreshTokens.find('rt-old-next', { chain: 'ch-old', generation: 1 })).toMatchObject({ familyId: 'f-old', rotatedAt: null });
  });

  it('refreshTokens.rotate: the usual rotation is one statement and no transaction; the scope and family limit hold', async () => {
    // Issue 9: every statement is a round trip to another process; a rotation was five of them.
    const statements: string[] = [];
    // Like the server's pool (postgres-dialect.ts), with int8 read as numbers; plus a query log.
    const pool = new pg.Pool({ connectionString: database.url, max: 2, types: { getTypeParser: int8AsNumber } });
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query') statements.push(event.query.sql.trim().split(/\s+/)[0]?.toLowerCase() ?? '');
      },
    });
    try {
      const store = storeOver(db);
      await store.refreshTokens.createFamily(
        { id: 'f-fast', clientId: 'c1', userId: 'u1', scopes: ['openid', 'api.read'], codeHash: null, createdAt: 1_000, revokedAt: null },
        { chain: 'ch-fast', tokenHash: 'rt-fast', issuedAt: 1_000, expiresAt: 9_000 },
      );
      const at = { chain: 'ch-fast', generation: 0 };
      const then = { chain: 'ch-fast', generation: 1 };
      statements.length = 0;
      const rotated = await store.refreshTokens.rotate({
        tokenHash: 'rt-fast', at, clientId: 'c1', now: 1_010, graceSeconds: 2, familyLifetime: 5_000,
        successor: { tokenHash: 'rt-fast-next', expiresAt: 9_010, chain: 'ch-fast' },
      });
      expect(statements).toEqual(['update']);
      // The successor carries the token's own scopes and ends with the family's absolute limit
      // (createdAt + familyLifetime), not the idle one.
      const expected = { tokenHash: 'rt-fast-next', familyId: 'f-fast', clientId: 'c1', userId: 'u1', scopes: ['openid', 'api.read'], issuedAt: 1_010, expiresAt: 6_000, rotatedAt: null };
      expect(rotated).toMatchObject({ outcome: 'rotated', token: expected, family: { id: 'f-fast' } });
      expect(await on(1).refreshTokens.find('rt-fast-next', then)).toEqual(expected);
      expect((await on(1).refreshTokens.find('rt-fast', at))?.rotatedAt).toBe(1_010);

      // Already rotated: the transactional path decides (grace here), and still one successor.
      statements.length = 0;
      const again = await store.refreshTokens.rotate({ tokenHash: 'rt-fast', at, clientId: 'c1', now: 1_011, graceSeconds: 2, successor: { tokenHash: 'rt-fast-next', expiresAt: 9_011, chain: 'ch-fast' } });
      expect(again).toMatchObject({ outcome: 'grace', token: { tokenHash: 'rt-fast-next' } });
      expect(statements).toContain('begin');
      // A widened scope is refused before anything is written; a narrowed one rotates.
      expect(
        await store.refreshTokens.rotate({ tokenHash: 'rt-fast-next', at: then, clientId: 'c1', now: 1_012, graceSeconds: 2, scopes: ['api.write'], successor: { tokenHash: 'x', expiresAt: 9_012, chain: 'ch-fast' } }),
      ).toEqual({ outcome: 'widened', scopes: ['api.write'] });
      expect((await on(1).refreshTokens.find('rt-fast-next', then))?.rotatedAt).toBeNull();
      expect(
        await store.refreshTokens.rotate({ tokenHash: 'rt-fast-next', at: then, clientId: 'c1', now: 1_013, graceSeconds: 2, scopes: ['api.read'], successor: { tokenHash: 'rt-3', expiresAt: 4_000, chain: 'ch-fast' } }),
      ).toMatchObject({ outcome: 'rotated', token: { tokenHash: 'rt-3', expiresAt: 4_000, scopes: ['openid', 'api.read'] } });
    } finally {
      await db.destroy();
    }
  });

  it('refreshTokens.rotate: the rotations asked for in one turn are one statement, each answered with its own row', async () => {
    const statements: string[] = [];
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2, types: { getTypeParser: int8AsNumber } }) }),
      log: (event) => {
        if (event.level === 'query') statements.push(event.query.sql.trim().split(/\s+/)[0]?.toLowerCase() ?? '');
      },
    });
    try {
      const store = storeOver(db);
      // Chains named so that their order differs from the order asked in.
      const names = ['ch-one-z', 'ch-one-a', 'ch-one-m'];
      for (const name of names) {
        await store.refreshTokens.createFamily(
          { id: `f-${name}`, clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null },
          { chain: name, tokenHash: `rt-${name}`, issuedAt: 1_000, expiresAt: 9_000 },
        );
      }
      statements.length = 0;
      const results = await Promise.all(
        names.map((name, i) =>
          store.refreshTokens.rotate({ tokenHash: `rt-${name}`, at: { chain: name, generation: 0 }, clientId: 'c1', now: 1_010 + i, graceSeconds: 2, successor: { tokenHash: `rt-${name}-next`, expiresAt: 8_000 + i, chain: name } }),
        ),
      );
      expect(statements).toEqual(['update']);
      names.forEach((name, i) => {
        expect(results[i]).toMatchObject({ outcome: 'rotated', token: { tokenHash: `rt-${name}-next`, familyId: `f-${name}`, issuedAt: 1_010 + i, expiresAt: 8_000 + i } });
      });
    } finally {
      await db.destroy();
    }
  });

  it('revocations: the checks asked for in one turn are one statement', async () => {
    const statements: string[] = [];
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2, types: { getTypeParser: int8AsNumber } }) }),
      log: (event) => {
        if (event.level === 'query') statements.push(event.query.sql.trim().split(/\s+/)[0]?.toLowerCase() ?? '');
      },
    });
    try {
      const store = storeOver(db);
      await store.revocations.revokeAccessToken('jti-batch-listed', 9_000);
      await store.refreshTokens.createFamily({ id: 'g-batch-live', clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null }, null);
      statements.length = 0;
      const answers = await Promise.all(['jti-batch-listed', 'jti-batch-fine', 'jti-batch-listed'].map((jti) => store.revocations.isAccessTokenRevoked(jti, 2_000)));
      expect(answers).toEqual([true, false, true]);
      expect(statements).toEqual(['select']);
      statements.length = 0;
      const withGrant = await Promise.all(['g-batch-live', 'g-batch-never'].map((grant) => store.revocations.isAccessTokenOrGrantRevoked('jti-batch-fine', grant, 2_000)));
      expect(withGrant).toEqual([false, true]);
      expect(statements).toEqual(['select']);
    } finally {
      await db.destroy();
    }
  });

  it('refreshTokens.rotate: a batch chosen to break a deadlock is written again one rotation at a time', async () => {
    const store = on(0);
    for (const name of ['ch-dead-a', 'ch-dead-b']) {
      await store.refreshTokens.createFamily(
        { id: `f-${name}`, clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null },
        { chain: name, tokenHash: `rt-${name}`, issuedAt: 1_000, expiresAt: 9_000 },
      );
    }
    // Another writer holds b's row; the batch locks a, then waits for b; the writer then asks
    // for a. Its deadlock check is set later than the batch's (1 s), so the batch is the one
    // PostgreSQL ends (40P01).
    const writer = new pg.Client({ connectionString: database.url });
    await writer.connect();
    try {
      await writer.query(`set deadlock_timeout = '30s'`);
      await writer.query('begin');
      await writer.query(`update token_families set revoked_at = revoked_at where refresh_chain = 'ch-dead-b'`);
      // Settled, so that a failure is seen by the expectation below rather than as an unhandled rejection.
      const rotations = Promise.allSettled(
        ['ch-dead-a', 'ch-dead-b'].map((name) =>
          store.refreshTokens.rotate({ tokenHash: `rt-${name}`, at: { chain: name, generation: 0 }, clientId: 'c1', now: 1_010, graceSeconds: 2, successor: { tokenHash: `rt-${name}-next`, expiresAt: 8_000, chain: name } }),
        ),
      );
      await waitFor(async () => (await writer.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rowCount === 1);
      const writerLocksA = writer.query(`update token_families set revoked_at = revoked_at where refresh_chain = 'ch-dead-a'`);
      // The writer gets a once the batch has been rolled back; the rotations, tried again one by
      // one, wait for its commit.
      await writerLocksA;
      await writer.query('commit');
      const results = await rotations;
      expect(results).toMatchObject([
        { status: 'fulfilled', value: { outcome: 'rotated', token: { tokenHash: 'rt-ch-dead-a-next' } } },
        { status: 'fulfilled', value: { outcome: 'rotated', token: { tokenHash: 'rt-ch-dead-b-next' } } },
      ]);
    } finally {
      await writer.end();
    }
  });

  it('throttle.attempt: a burst gets exactly the threshold through', async () => {
    const rules = [{ key: 'burst', threshold: 5 }, { key: 'ip:burst', threshold: 20 }];
    const decisions = await Promise.all(Array.from({ length: CALLERS }, (_, i) => on(i).throttle.attempt(rules, 1_000)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('throttle.forgive: concurrent with attempts, no count is lost', async () => {
    const rules = [{ key: 'ip:shared', threshold: 100 }];
    for (let i = 0; i < 10; i++) await on(0).throttle.attempt(rules, 1_000);
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? on(i).throttle.attempt(rules, 1_000) : on(i).throttle.forgive(rules))));
    // 10 + 5 attempts - 5 forgiven: 10 failures, so 90 more before the threshold blocks.
    const decisions = [];
    for (let i = 0; i < 91; i++) decisions.push(await on(i).throttle.attempt(rules, 1_000));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(90);
  });

  it('grants.addScopes: concurrent consents keep every scope', async () => {
    // Compare-and-set: each round one writer wins, so a handful of racing consents all land.
    const scopes = Array.from({ length: 6 }, (_, i) => `s${i}`);
    await Promise.all(scopes.map((scope, i) => on(i).grants.addScopes('u1', 'c1', [scope], 1_000)));
    expect((await on(0).grants.find('u1', 'c1'))?.scopes.sort()).toEqual([...scopes].sort());
  });

  it('survives its connections being killed by the server: the next query reconnects', async () => {
    await on(0).ping();
    const admin = openDatabase({ kind: 'postgres', url: database.url });
    try {
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and application_name = 'latchkey' and pid <> pg_backend_pid()`.execute(admin);
    } finally {
      await admin.destroy();
    }
    // A dead connection the pool has not noticed yet fails its query as an outage (503) and is
    // dropped; within the pool's size the queries are answered on fresh connections again.
    const failures: unknown[] = [];
    for (let i = 0; i < 9; i++) {
      const error = await on(0).ping().then(() => undefined, (e: unknown) => e);
      if (error === undefined) break;
      failures.push(error);
    }
    expect(failures.every(isUnavailable)).toBe(true);
    await expect(on(0).ping()).resolves.toBeUndefined();
  });
});
