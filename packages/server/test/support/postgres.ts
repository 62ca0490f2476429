// Which database the tests run on, and a fresh PostgreSQL database for each server or store.
// vitest.config.ts runs the integration suites a second time with LATCHKEY_TEST_DATABASE=postgres
// when LATCHKEY_TEST_POSTGRES names a cluster (.ci/run starts one); its user may create databases.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.LATCHKEY_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

/** The admin URL of the test cluster, e.g. postgres://postgres@127.0.0.1:55432/postgres. */
export function testPostgresUrl(): string {
  const url = process.env.LATCHKEY_TEST_POSTGRES;
  if (url === undefined || url === '') {
    throw new Error('LATCHKEY_TEST_POSTGRES is not set: start a cluster with `source .ci/postgres.sh && start_postgres`');
  }
  return url;
}

export interface TestDatabase {
  /** A postgres:// URL for LATCHKEY_DATABASE. */
  url: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

/** CREATE DATABASE latchkey_<random>, empty: the store migrates it like a production one. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = testPostgresUrl();
  const name = `latchkey_${randomBytes(8).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () => withAdmin(admin, (client) => client.query(`drop database if exists ${name} with (force)`)),
  };
}

async function withAdmin(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}
