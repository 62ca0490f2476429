// The package's public API: build the app from settings and a store.
export { buildApp, type AppOptions } from './app.js';
export { loadConfig, ConfigError, SETTINGS, type Config } from './config.js';
export { createStore } from './store/index.js';
export type * from './store/repositories.js';
