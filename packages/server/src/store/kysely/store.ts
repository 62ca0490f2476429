// Assembles the Store from one Kysely instance: open, migrate, hand out the repositories.
import { Migrator, SqliteAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Store } from '../repositories.js';
import { KyselyClientRepository } from './clients-repository.js';
import { KyselyCodeRepository } from './codes-repository.js';
import { openDatabase } from './dialect.js';
import type { DatabaseConfig } from './dialect.js';
import { KyselyGrantRepository } from './grants-repository.js';
import { KyselyInteractionRepository } from './interactions-repository.js';
import { migrationProvider } from './migrations/index.js';
import { openPostgres } from './postgres-dialect.js';
import { KyselyRefreshTokenRepository } from './refresh-tokens-repository.js';
import type { Database } from './schema.js';
import { KyselyScopeRepository } from './scopes-repository.js';
import { KyselySecretRepository } from './secrets-repository.js';
import { KyselyRevocationRepository } from './revocations-repository.js';
import { KyselyClientAdminRepository } from './client-admin-repository.js';
import { KyselyAuthorizationFailureRepository } from './authorization-failures-repository.js';
import { KyselySessionRepository } from './sessions-repository.js';
import { KyselySigningKeyRepository } from './signing-keys-repository.js';
import { KyselyThrottleRepository } from './throttle-repository.js';
import { KyselyUserRepository } from './users-repository.js';
import { sweepExpired } from './sweeper.js';

/** Opens the database, brings its schema up to date and returns the repositories over it. */
export async function createStore(config: DatabaseConfig): Promise<Store> {
  const db = openDatabase(config);
  try {
    if (config.kind === 'postgres') await migratePostgres(config.url);
    else await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return storeOver(db);
}

/**
 * Applies the pending migrations; a no-op when there are none. Each migration runs in one
 * transaction under a lock: on SQLite `BEGIN IMMEDIATE` (sqlite-dialect.ts), on PostgreSQL
 * Kysely's advisory lock (`pg_advisory_lock`, taken inside the migration transaction), so
 * processes starting together migrate once and the others wait, then find the work done. Before
 * the lock, creating Kysely's own bookkeeping tables can still race on a fresh database; the
 * loser's attempt rolled back whole, so trying once more finds the winner's work done. A real
 * fault fails the second time too.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  try {
    await migrateOnce(db);
  } catch {
    await migrateOnce(db);
  }
}

/**
 * On PostgreSQL, over connections of their own without the statement timeout that guards
 * requests: a migration may build an index on a big table, and a process may wait for another
 * one's migration for as long as that takes.
 */
async function migratePostgres(url: string): Promise<void> {
  const db = openPostgres({ url, poolMax: 2, statementTimeout: false });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

async function migrateOnce(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  const reason = error instanceof Error ? `: ${error.message}` : '';
  throw new Error(`database migration ${failed ?? '(setup)'} failed${reason}`, { cause: error });
}

/** The Store over an already migrated database. */
export function storeOver(db: Kysely<Database>): Store {
  // One connection, in this process (SQLite), or a pool of them to a server (PostgreSQL).
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return {
    users: new KyselyUserRepository(db),
    clients: new KyselyClientRepository(db),
    scopes: new KyselyScopeRepository(db),
    grants: new KyselyGrantRepository(db),
    sessions: new KyselySessionRepository(db),
    interactions: new KyselyInteractionRepository(db),
    codes: new KyselyCodeRepository(db),
    refreshTokens: new KyselyRefreshTokenRepository(db, { batchRotations: sqlite ? 'transaction' : 'statement' }),
    signingKeys: new KyselySigningKeyRepository(db),
    throttle: new KyselyThrottleRepository(db),
    secrets: new KyselySecretRepository(db),
    revocations: new KyselyRevocationRepository(db, { batchReads: !sqlite }),
    clientAdmin: new KyselyClientAdminRepository(db),
    authorizationFailures: new KyselyAuthorizationFailureRepository(db),
    sweep(now: number) {
      return sweepExpired(db, now);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      return db.destroy();
    },
  };
}
