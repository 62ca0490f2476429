// `npm start`: the demo on an embedded SQLite database (CONTRACTS.md). This process seeds and runs
// the authorization server; scripts/start.js runs it beside the Calendar API and Mine.
import { pathToFileURL } from 'node:url';
import { runServer } from '../cli/serve.js';
import { ConfigError, loadConfig, type Config, type SettingFlags } from '../config.js';
import { createStore, UnsupportedDatabaseError } from '../store/index.js';
import { DEMO_USER, mineCredentialsPath, seedDemo } from './seed.js';
import { exitWhenFlushed } from '../cli/exit.js';

interface DemoSettings {
  config: Config;
  apiUrl: string;
  mineUrl: string;
}

/** Runs the demo until SIGINT/SIGTERM; resolves with the process exit code. */
export async function startDemo(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings: DemoSettings;
  try {
    settings = readSettings(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`latchkey demo: ${error.message}\n`);
    return 2;
  }
  try {
    await runDemo(settings, env);
    return 0;
  } catch (error) {
    process.stderr.write(`latchkey demo: ${error instanceof Error ? error.message : String(error)}\n`);
    if (env.LATCHKEY_DEBUG === '1') console.error(error);
    return error instanceof UnsupportedDatabaseError ? 2 : 1;
  }
}

function readSettings(env: NodeJS.ProcessEnv): DemoSettings {
  // The demo's own default log level is quieter than the server's: the banner says what matters.
  const flags: SettingFlags = {};
  if (env.LATCHKEY_LOG_LEVEL === undefined || env.LATCHKEY_LOG_LEVEL === '') flags.logLevel = 'warn';
  const config = loadConfig(flags, env);
  const apiUrl = `http://localhost:${port(env, 'API_PORT', 4001)}`;
  const mineUrl = `http://localhost:${port(env, 'MINE_PORT', 3000)}`;
  return { config, apiUrl, mineUrl };
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new ConfigError(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

async function runDemo({ config, apiUrl, mineUrl }: DemoSettings, env: NodeJS.ProcessEnv): Promise<void> {
  const store = await createStore(config.database);
  try {
    const options = { apiUrl, mineRedirectUri: `${mineUrl}/callback`, dataDir: config.dataDir, issuer: config.issuer };
    await seedDemo(store, options, Math.floor(Date.now() / 1000));
  } finally {
    await store.close();
  }
  await runServer(config, () => process.stdout.write(banner(config, apiUrl, mineUrl, env)));
  process.stdout.write('Latchkey demo stopped.\n');
}

function banner(config: Config, apiUrl: string, mineUrl: string, env: NodeJS.ProcessEnv): string {
  const dataDirFlag = env.LATCHKEY_DATA_DIR === undefined ? '' : `LATCHKEY_DATA_DIR=${config.dataDir} `;
  return [
    '',
    'Latchkey demo: the authorization server, the Calendar API and the client Mine',
    '',
    `  Authorization server  ${config.issuer}`,
    `  Calendar API          ${apiUrl}`,
    `  Mine (the client)     ${mineUrl}`,
    '',
    `  Demo login            ${DEMO_USER.username} / ${DEMO_USER.password}`,
    `  Mine's credentials    ${mineCredentialsPath(config.dataDir)}`,
    `  Command line          ${dataDirFlag}npx latchkey help`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

// `node packages/server/dist/demo/start.js` (what scripts/start.js runs) starts the demo server.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  exitWhenFlushed(await startDemo());
}
