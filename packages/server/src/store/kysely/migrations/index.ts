// Every migration, imported statically: no directory scan, so it works from dist and from a
// bundle alike. Kysely runs them in the order of these names; number new ones 002-, 003-, ...
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';
import * as codeChallengeIndex from './002-code-challenge-index.js';
import * as refreshChains from './003-refresh-chains.js';

export const migrations: Readonly<Record<string, Migration>> = {
  '001-initial': initial,
  '002-code-challenge-index': codeChallengeIndex,
  '003-refresh-chains': refreshChains,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
