// Mine's own store: Kysely over its SQLite file (`<data dir>/mine.db`). One row per browser
// session, keyed by the SHA-256 hash of the `mine_session` cookie, never by the cookie itself.
// The user's tokens live here, server-side: the browser only ever holds the cookie.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Generated } from 'kysely';

/** A sign-in in progress: what the callback must check (openid-client makes the values). */
export interface PendingAuthorization {
  state: string;
  nonce: string;
  codeVerifier: string;
  scopes: string[];
  /** A local path to return to after the callback, e.g. `/calendar`. */
  returnTo: string;
}

export interface SignedInUser {
  sub: string;
  name: string | null;
  email: string | null;
}

/** What Latchkey gave Mine for this user. */
export interface HeldTokens {
  accessToken: string;
  /** Unix seconds. */
  accessExpiresAt: number;
  refreshToken: string | null;
  idToken: string | null;
  scopes: string[];
  /** When the user last signed in (or allowed more), unix seconds. */
  obtainedAt: number;
  refreshCount: number;
  lastRefreshAt: number | null;
}

export interface Flash {
  kind: 'info' | 'warning';
  text: string;
}

export interface MineSession {
  idHash: string;
  csrfToken: string;
  createdAt: number;
  pending: PendingAuthorization | null;
  user: SignedInUser | null;
  tokens: HeldTokens | null;
  flash: Flash | null;
}

export type SessionPatch = Partial<Pick<MineSession, 'pending' | 'user' | 'tokens' | 'flash'>>;

export interface SessionStore {
  create(session: MineSession): Promise<void>;
  find(idHash: string): Promise<MineSession | undefined>;
  update(idHash: string, patch: SessionPatch): Promise<void>;
  delete(idHash: string): Promise<void>;
  close(): Promise<void>;
}

interface SessionsTable {
  id_hash: string;
  csrf_token: string;
  created_at: number;
  pending: string | null;
  user: string | null;
  tokens: string | null;
  flash: string | null;
  row: Generated<number>;
}

interface MineDatabase {
  sessions: SessionsTable;
}

export function mineDatabasePath(dataDir: string): string {
  return path.join(dataDir, 'mine.db');
}

export async function openSessionStore(file: string): Promise<SessionStore> {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<MineDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  await db.schema
    .createTable('sessions')
    .ifNotExists()
    .addColumn('row', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('id_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('pending', 'text')
    .addColumn('user', 'text')
    .addColumn('tokens', 'text')
    .addColumn('flash', 'text')
    .execute();
  return {
    async create(session) {
      await db
        .insertInto('sessions')
        .values({ id_hash: session.idHash, csrf_token: session.csrfToken, created_at: session.createdAt, ...toColumns(session) })
        .execute();
    },
    async find(idHash) {
      const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        idHash: row.id_hash,
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        pending: fromJson<PendingAuthorization>(row.pending),
        user: fromJson<SignedInUser>(row.user),
        tokens: fromJson<HeldTokens>(row.tokens),
        flash: fromJson<Flash>(row.flash),
      };
    },
    async update(idHash, patch) {
      const columns = toColumns(patch);
      if (Object.keys(columns).length === 0) return;
      await db.updateTable('sessions').set(columns).where('id_hash', '=', idHash).execute();
    },
    async delete(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    close: () => db.destroy(),
  };
}

function toColumns(patch: SessionPatch): Partial<Pick<SessionsTable, 'pending' | 'user' | 'tokens' | 'flash'>> {
  const columns: Partial<Pick<SessionsTable, 'pending' | 'user' | 'tokens' | 'flash'>> = {};
  for (const key of ['pending', 'user', 'tokens', 'flash'] as const) {
    if (key in patch) columns[key] = patch[key] === null || patch[key] === undefined ? null : JSON.stringify(patch[key]);
  }
  return columns;
}

function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
