import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The suites that run a second time on PostgreSQL when LATCHKEY_TEST_POSTGRES names a cluster
 * (.ci/run starts one): everything that opens a store through startServer() or useStore(), each
 * on a fresh database. Not the unit tests on fakes, nor the CLI and SQLite-specific store tests,
 * which open their own SQLite files.
 */
const POSTGRES_PROJECT = {
  // Not `extends: true`: that would add the root's include list to this one.
  test: {
    name: 'postgres',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    include: ['packages/server/test/**/*.test.ts'],
    exclude: [
      ...configDefaults.exclude,
      'packages/server/test/{admin,cli,oauth}/**',
      'packages/server/test/store/{migrations,multi-process}.test.ts',
    ],
    env: { LATCHKEY_TEST_DATABASE: 'postgres' },
  },
} as const;

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'e2e/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Test files run in parallel processes; each server listens on its own free port.
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'sqlite' } },
      ...(process.env.LATCHKEY_TEST_POSTGRES ? [POSTGRES_PROJECT] : []),
    ],
  },
});
