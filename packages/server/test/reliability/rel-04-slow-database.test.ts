// REL-04 (SECURITY-CATALOG §13), scaled: the database is slow because another connection holds a
// lock the server needs. A code redemption then fails within the store's own deadline with 503
// `temporarily_unavailable` and `Retry-After` (SQLite: busy_timeout, 5 s; PostgreSQL: the
// statement timeout, 10 s), with nothing internal in the body and no secret in the log; once the
// lock goes, the same code redeems exactly once: the failed attempt changed nothing. On SQLite the
// lock is a write transaction of another process on the same file; on PostgreSQL an ACCESS
// EXCLUSIVE lock on the codes table.
import BetterSqlite from 'better-sqlite3';
import pg from 'pg';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/postgres.js';
import { createDeployment, freshCode, redeem, signedInBrowser, type Deployment, type ServeProcess } from './deployment.js';

/** Holds a lock on the deployment's database until released. */
async function holdLock(deployment: Deployment): Promise<{ release(): Promise<void> }> {
  const url = deployment.env.LATCHKEY_DATABASE;
  if (testDatabaseKind() === 'postgres' && url !== undefined) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('begin');
    await client.query('lock table authorization_codes in access exclusive mode');
    return {
      release: async () => {
        await client.query('rollback');
        await client.end();
      },
    };
  }
  const db = new BetterSqlite(path.join(deployment.env.LATCHKEY_DATA_DIR ?? '', 'latchkey.db'));
  db.exec('begin immediate');
  return {
    release: async () => {
      db.exec('rollback');
      db.close();
    },
  };
}

describe('REL-04: a lock held elsewhere makes the database slow', () => {
  let deployment: Deployment;
  let server: ServeProcess;
  beforeAll(async () => {
    deployment = await createDeployment({ settings: { LATCHKEY_CODE_TTL: '600' } });
    server = await deployment.start();
  });
  afterAll(async () => {
    server?.kill('SIGTERM');
    await server?.exited;
    await deployment?.close();
  });

  it('a write that cannot get its lock is answered 503 with Retry-After; afterwards the code is still single use', { timeout: 60_000 }, async () => {
    const browser = await signedInBrowser(deployment);
    const { code, verifier } = await freshCode(deployment, browser);
    const lock = await holdLock(deployment);
    let blocked;
    try {
      blocked = await redeem(deployment.issuer, deployment, code, verifier);
    } finally {
      await lock.release();
    }
    expect({ status: blocked.status, error: blocked.json.error }).toEqual({ status: 503, error: 'temporarily_unavailable' });
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(blocked.headers.get('cache-control')).toBe('no-store');
    expect(blocked.text).not.toMatch(/\bat .+:\d+:\d+|SQLITE|lock|postgres:\/\/|statement timeout/i);

    // The process serves again, and the failed attempt did not consume the code.
    expect((await fetch(`${deployment.issuer}/readyz`)).status).toBe(200);
    const first = await redeem(deployment.issuer, deployment, code, verifier);
    expect(first.status, first.text).toBe(200);
    const again = await redeem(deployment.issuer, deployment, code, verifier);
    expect({ status: again.status, error: again.json.error }).toEqual({ status: 400, error: 'invalid_grant' });

    // The outage was logged (REL-09: without the code, the verifier or the client secret).
    const output = server.output();
    expect(output).toMatch(/database unavailable/);
    for (const secret of [code, verifier, deployment.client.secret]) expect(output).not.toContain(secret);
  });
});
