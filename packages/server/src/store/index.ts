// The store's public face: the repository interfaces and the one way to get an implementation.
export * from './repositories.js';
export { createStore } from './kysely/store.js';
export { UnsupportedDatabaseError } from './kysely/dialect.js';
export type { DatabaseConfig } from './kysely/dialect.js';
