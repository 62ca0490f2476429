// The demo client Mine: build it (tests) or run it (main.ts).
export { buildMine, type MineOptions } from './app.js';
export { main } from './main.js';
export { readCredentials, readSettings, type MineCredentials, type MineSettings } from './config.js';
export { SESSION_COOKIE } from './session.js';
export { mineDatabasePath } from './store/session-store.js';
