// The API's settings, from the same environment as the demo (CONTRACTS.md `npm start`), parsed
// once. A bad one is a one-line message and exit code 2.
import path from 'node:path';

export interface ApiSettings {
  port: number;
  host: string;
  issuer: string;
  audience: string;
  dataDir: string;
}

export class ApiConfigError extends Error {}

export function readSettings(env: NodeJS.ProcessEnv): ApiSettings {
  const port = portOf(env, 'API_PORT', 4001);
  const issuer = value(env, 'LATCHKEY_ISSUER') ?? `http://localhost:${portOf(env, 'LATCHKEY_PORT', 4000)}`;
  const audience = value(env, 'API_AUDIENCE') ?? `http://localhost:${port}`;
  for (const [name, url] of [['LATCHKEY_ISSUER', issuer], ['API_AUDIENCE', audience]] as const) {
    if (!URL.canParse(url)) throw new ApiConfigError(`${name} must be a URL, got ${JSON.stringify(url)}`);
  }
  return {
    port,
    host: value(env, 'API_HOST') ?? '127.0.0.1',
    issuer,
    audience,
    dataDir: path.resolve(value(env, 'LATCHKEY_DATA_DIR') ?? '.data'),
  };
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function portOf(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new ApiConfigError(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}
