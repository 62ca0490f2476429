// Mine's settings, from the same environment as the demo (CONTRACTS.md `npm start`), parsed once,
// and its client credentials, which the demo seed writes to `<data dir>/mine-client.json`. A bad
// setting is a one-line message and exit code 2.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface MineSettings {
  port: number;
  host: string;
  /** The Calendar API's origin (API_PORT), which Mine calls with the user's access token. */
  apiUrl: string;
  /** Where `mine-client.json` is read and `mine.db` is kept. */
  dataDir: string;
}

/** What the demo seed writes to `<data dir>/mine-client.json` (packages/server/src/demo/seed.ts). */
export interface MineCredentials {
  issuer: string;
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

export class MineConfigError extends Error {}

export function readSettings(env: NodeJS.ProcessEnv): MineSettings {
  const apiUrl = value(env, 'API_URL') ?? `http://localhost:${portOf(env, 'API_PORT', 4001)}`;
  if (!URL.canParse(apiUrl)) throw new MineConfigError(`API_URL must be a URL, got ${JSON.stringify(apiUrl)}`);
  return {
    port: portOf(env, 'MINE_PORT', 3000),
    host: value(env, 'MINE_HOST') ?? '127.0.0.1',
    apiUrl: new URL(apiUrl).origin,
    dataDir: path.resolve(value(env, 'LATCHKEY_DATA_DIR') ?? '.data'),
  };
}

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, 'mine-client.json');
}

export function readCredentials(dataDir: string): MineCredentials {
  const file = credentialsPath(dataDir);
  let saved: Partial<Record<keyof MineCredentials, unknown>>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist (start the authorization server demo first: npm start)' : 'it is not JSON';
    throw new MineConfigError(`cannot read Mine's credentials from ${file}: ${reason}`);
  }
  for (const name of ['issuer', 'client_id', 'client_secret', 'redirect_uri'] as const) {
    if (typeof saved[name] !== 'string' || saved[name] === '') throw new MineConfigError(`${file} has no ${name}`);
  }
  return saved as MineCredentials;
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function portOf(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new MineConfigError(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}
