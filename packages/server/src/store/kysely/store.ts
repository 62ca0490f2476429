// Assembles the Store from one Kysely instance: open, migrate, hand out the repositories.
import { Migrator, sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Store } from '../repositories.js';
import { KyselyClientRepository } from './clients-repository.js';
import { KyselyCodeRepository } from './codes-repository.js';
import { openDatabase } from './dialect.js';
import type { DatabaseConfig } from './dialect.js';
import { KyselyGrantRepository } from './grants-repository.js';
import { KyselyInteractionRepository } from './interactions-repository.js';
import { migrationProvider } from './migrations/index.js';
import { KyselyRefreshTokenRepository } from './refresh-tokens-repository.js';
import type { Database } from './schema.js';
import { KyselyScopeRepository } from './scopes-repository.js';
import { KyselySecretRepository } from './secrets-repository.js';
import { KyselyRevocationRepository } from './revocations-repository.js';
import { KyselySessionRepository } from './sessions-repository.js';
import { KyselySigningKeyRepository } from './signing-keys-repository.js';
import { KyselyThrottleRepository } from './throttle-repository.js';
import { KyselyUserRepository } from './users-repository.js';

/** Opens the database, brings its schema up to date and returns the repositories over it. */
export async function createStore(config: DatabaseConfig): Promise<Store> {
  const db = openDatabase(config);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return storeOver(db);
}

/**
 * Applies the pending migrations; a no-op when there are none. Two processes starting together
 * on one fresh database race here: the loser may fail on the migration lock or on a table or row
 * the winner has just created. Its migration rolled back whole (SQLite: sqlite-dialect.ts), so
 * trying once more finds the winner's work done. A real fault fails the second time too.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  try {
    await migrateOnce(db);
  } catch {
    await migrateOnce(db);
  }
}

async function migrateOnce(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  throw new Error(`database migration ${failed ?? '(setup)'} failed`, { cause: error });
}

/** The Store over an already migrated database. */
export function storeOver(db: Kysely<Database>): Store {
  return {
    users: new KyselyUserRepository(db),
    clients: new KyselyClientRepository(db),
    scopes: new KyselyScopeRepository(db),
    grants: new KyselyGrantRepository(db),
    sessions: new KyselySessionRepository(db),
    interactions: new KyselyInteractionRepository(db),
    codes: new KyselyCodeRepository(db),
    refreshTokens: new KyselyRefreshTokenRepository(db),
    signingKeys: new KyselySigningKeyRepository(db),
    throttle: new KyselyThrottleRepository(db),
    secrets: new KyselySecretRepository(db),
    revocations: new KyselyRevocationRepository(db),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      return db.destroy();
    },
  };
}
