// Settings, parsed once at start from flags and the environment into a frozen Config. A bad
// setting is a ConfigError naming it; the CLI prints it on one line and exits 2 before anything
// is written.
import path from 'node:path';
import type { DatabaseConfig, SqliteSynchronous } from './store/kysely/dialect.js';
import { isHttpsOrLoopback } from './urls.js';

export interface Config {
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  /** PostgreSQL only: connections in this process's pool (also in `database.poolMax`). */
  readonly databasePoolMax: number;
  /** SQLite only: `full` answers a write once it is on disk (group commit), `normal` once the OS has it (also in `database.synchronous`). */
  readonly sqliteSynchronous: SqliteSynchronous;
  readonly port: number;
  readonly host: string;
  /** The issuer identifier (RFC 8414 §2): https (or http on a loopback host), no query or fragment, no trailing slash. */
  readonly issuer: string;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  /** D-7: however often it is refreshed, a grant's refresh tokens end this long after sign-in. */
  readonly refreshTokenMaxLifetime: number;
  readonly codeTtl: number;
  readonly refreshReuseGrace: number;
  /** Trust X-Forwarded-* from a TLS-terminating proxy (RFC 9700 §4.13); off by default. */
  readonly trustProxy: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Linux: how many steps nicer than the event loop `serve` sets its helper threads (cli/helper-threads.ts); 0 leaves them. */
  readonly helperNice: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface Setting {
  env: string;
  flag: string;
  description: string;
  default: string;
}

/** Every setting, in the order `--help` and the README list them. */
export const SETTINGS = {
  dataDir: { env: 'LATCHKEY_DATA_DIR', flag: 'data-dir', default: './.data', description: 'where the default database lives' },
  database: { env: 'LATCHKEY_DATABASE', flag: 'database', default: 'sqlite:<data dir>/latchkey.db', description: 'sqlite:PATH or a postgres:// URL' },
  databasePoolMax: { env: 'LATCHKEY_DATABASE_POOL_MAX', flag: 'database-pool-max', default: '10', description: 'PostgreSQL connections per server process' },
  sqliteSynchronous: {
    env: 'LATCHKEY_SQLITE_SYNCHRONOUS',
    flag: 'sqlite-synchronous',
    default: 'full',
    description: 'SQLite only: full (a write is answered once on disk) or normal (once the OS has it; a power loss may undo the last commits)',
  },
  port: { env: 'LATCHKEY_PORT', flag: 'port', default: '4000', description: 'the port `serve` listens on' },
  host: { env: 'LATCHKEY_HOST', flag: 'host', default: '127.0.0.1', description: 'the address `serve` listens on' },
  issuer: { env: 'LATCHKEY_ISSUER', flag: 'issuer', default: 'http://localhost:<port>', description: 'the issuer identifier; every endpoint URL derives from it' },
  accessTokenTtl: { env: 'LATCHKEY_ACCESS_TOKEN_TTL', flag: 'access-token-ttl', default: '600', description: 'access token lifetime, seconds' },
  refreshTokenTtl: { env: 'LATCHKEY_REFRESH_TOKEN_TTL', flag: 'refresh-token-ttl', default: '2592000', description: 'refresh token lifetime, seconds' },
  refreshTokenMaxLifetime: {
    env: 'LATCHKEY_REFRESH_TOKEN_MAX_LIFETIME',
    flag: 'refresh-token-max-lifetime',
    default: '31536000',
    description: 'seconds after the code exchange when a grant\'s refresh tokens end, however often rotated',
  },
  codeTtl: { env: 'LATCHKEY_CODE_TTL', flag: 'code-ttl', default: '60', description: 'authorization code lifetime, seconds' },
  refreshReuseGrace: { env: 'LATCHKEY_REFRESH_REUSE_GRACE', flag: 'refresh-reuse-grace', default: '2', description: 'seconds in which a refresh token presented again gets the same successor' },
  trustProxy: { env: 'LATCHKEY_TRUST_PROXY', flag: 'trust-proxy', default: 'false', description: 'trust X-Forwarded-For/-Proto from a reverse proxy (true or false)' },
  logLevel: { env: 'LATCHKEY_LOG_LEVEL', flag: 'log-level', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  helperNice: {
    env: 'LATCHKEY_HELPER_NICE',
    flag: 'helper-nice',
    default: '10',
    description: 'Linux: how much lower (nicer, 0-19) than the event loop\'s the priority of `serve`\'s helper threads is (token signing, disk syncs, garbage collection); 0 leaves them alone',
  },
} as const satisfies Record<keyof Config, Setting>;

export type SettingName = keyof typeof SETTINGS;
/** Raw values as given on the command line (`--port 4000`), keyed by setting name. */
export type SettingFlags = Partial<Record<SettingName, string>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(flags: SettingFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const raw = (name: SettingName): string | undefined => {
    const flag = flags[name];
    if (flag !== undefined) return flag;
    const value = env[SETTINGS[name].env];
    return value === undefined || value === '' ? undefined : value;
  };
  const label = (name: SettingName): string => `${SETTINGS[name].env} (--${SETTINGS[name].flag})`;

  const integer = (name: SettingName, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) throw new ConfigError(`${label(name)} must be a whole number, got ${JSON.stringify(value)}`);
    const n = Number(value);
    if (n < min || n > max) throw new ConfigError(`${label(name)} must be between ${min} and ${max}, got ${n}`);
    return n;
  };

  const dataDir = path.resolve(raw('dataDir') ?? './.data');
  const port = integer('port', 4000, 0, 65535);
  const host = raw('host') ?? '127.0.0.1';
  const databasePoolMax = integer('databasePoolMax', 10, 1, 1000);
  const parsedDatabase = parseDatabase(raw('database'), dataDir, label('database'));
  const sqliteSynchronous = raw('sqliteSynchronous') ?? 'full';
  if (!isSqliteSynchronous(sqliteSynchronous)) {
    throw new ConfigError(`${label('sqliteSynchronous')} must be full or normal, got ${JSON.stringify(sqliteSynchronous)}`);
  }
  const database = parsedDatabase.kind === 'postgres' ? { ...parsedDatabase, poolMax: databasePoolMax } : { ...parsedDatabase, synchronous: sqliteSynchronous };
  const issuer = parseIssuer(raw('issuer') ?? `http://localhost:${port}`, label('issuer'));
  // RFC 6749 §4.1.2: a code lives at most 10 minutes.
  const codeTtl = integer('codeTtl', 60, 1, 600);
  const accessTokenTtl = integer('accessTokenTtl', 600, 1, 86_400);
  const refreshTokenTtl = integer('refreshTokenTtl', 2_592_000, 1, 31_536_000);
  const refreshTokenMaxLifetime = integer('refreshTokenMaxLifetime', 31_536_000, 1, 315_360_000);
  const refreshReuseGrace = integer('refreshReuseGrace', 2, 0, 60);
  const trustProxy = parseBoolean(raw('trustProxy') ?? 'false', label('trustProxy'));
  const logLevel = raw('logLevel') ?? 'info';
  if (!isLogLevel(logLevel)) throw new ConfigError(`${label('logLevel')} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  const helperNice = integer('helperNice', 10, 0, 19);

  return Object.freeze({
    dataDir, database, databasePoolMax, sqliteSynchronous, port, host, issuer, accessTokenTtl, refreshTokenTtl, refreshTokenMaxLifetime, codeTtl,
    refreshReuseGrace, trustProxy, logLevel, helperNice,
  });
}

function isSqliteSynchronous(value: string): value is SqliteSynchronous {
  return value === 'full' || value === 'normal';
}

function isLogLevel(value: string): value is Config['logLevel'] {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function parseBoolean(value: string, label: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${label} must be true or false, got ${JSON.stringify(value)}`);
}

function parseDatabase(value: string | undefined, dataDir: string, label: string): DatabaseConfig {
  if (value === undefined) return { kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') };
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length);
    if (file === '') throw new ConfigError(`${label} needs a file after sqlite:, e.g. sqlite:./.data/latchkey.db`);
    return { kind: 'sqlite', path: path.resolve(file) };
  }
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    if (!URL.canParse(value)) throw new ConfigError(`${label} is not a valid postgres:// URL`);
    return { kind: 'postgres', url: value };
  }
  throw new ConfigError(`${label} must be sqlite:PATH or a postgres:// URL, got ${JSON.stringify(value)}`);
}

/** RFC 8414 §2: an https URL with no query or fragment; plain http only on a loopback host. */
function parseIssuer(value: string, label: string): string {
  if (!URL.canParse(value)) throw new ConfigError(`${label} must be an absolute URL, got ${JSON.stringify(value)}`);
  const url = new URL(value);
  if (!isHttpsOrLoopback(url)) {
    throw new ConfigError(`${label} must use https (http is allowed only on localhost), got ${JSON.stringify(value)}`);
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new ConfigError(`${label} must not have a query or fragment, got ${JSON.stringify(value)}`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${label} must not contain credentials`);
  return url.href.replace(/\/+$/, '');
}
