// `npm start`: the demo on an embedded SQLite database (CONTRACTS.md). This version runs the
// authorization server; the Calendar API and Mine join it in later issues.
import { runServer } from '../cli/serve.js';
import { ConfigError, loadConfig } from '../config.js';
import { createStore } from '../store/index.js';
import { DEMO_USER, seedDemo } from './seed.js';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new ConfigError(`${name} must be a port number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export async function startDemo(): Promise<number> {
  let config;
  let apiPort: number;
  let minePort: number;
  try {
    config = loadConfig();
    apiPort = port('API_PORT', 4001);
    minePort = port('MINE_PORT', 3000);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`latchkey demo: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const apiUrl = `http://localhost:${apiPort}`;
  const mineUrl = `http://localhost:${minePort}`;
  const store = await createStore(config.database);
  try {
    await seedDemo(store, { dataDir: config.dataDir, issuer: config.issuer, apiUrl, mineUrl }, Math.floor(Date.now() / 1000));
  } finally {
    await store.close();
  }
  await runServer({ ...config, logLevel: process.env.LATCHKEY_LOG_LEVEL === undefined ? 'warn' : config.logLevel }, () => {
    process.stdout.write(
      [
        '',
        'Latchkey demo',
        `  Authorization server  ${config.issuer}`,
        `  Calendar API          ${apiUrl}   (not in this version yet)`,
        `  Mine (the client)     ${mineUrl}   (not in this version yet)`,
        `  Demo login            ${DEMO_USER.username} / ${DEMO_USER.password}`,
        `  Data folder           ${config.dataDir}`,
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  });
  process.stdout.write('Stopped.\n');
  return 0;
}
