// The Calendar API's store: Kysely over its own SQLite file (`<data dir>/calendar.db`). Every
// query takes the owner's `sub`, so one user's rows are never read or changed by another.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import type { CalendarDatabase } from './schema.js';

export interface CalendarEvent {
  id: string;
  title: string;
  start: string;
  end: string;
}

export interface DriveFile {
  id: string;
  name: string;
  size: number;
  modified: string;
}

export interface CalendarStore {
  listEvents(sub: string): Promise<CalendarEvent[]>;
  createEvent(sub: string, event: Omit<CalendarEvent, 'id'>, now: number): Promise<CalendarEvent>;
  /** Deletes the user's event; false when no event of this user has this id. */
  deleteEvent(sub: string, id: string): Promise<boolean>;
  listFiles(sub: string): Promise<DriveFile[]>;
  /** Writes the user's demo data once; a second call does nothing. */
  seedOnce(sub: string, events: Omit<CalendarEvent, 'id'>[], files: Omit<DriveFile, 'id'>[], now: number): Promise<boolean>;
  close(): Promise<void>;
}

export function calendarDatabasePath(dataDir: string): string {
  return path.join(dataDir, 'calendar.db');
}

export async function openCalendarStore(file: string): Promise<CalendarStore> {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<CalendarDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  await migrate(db);
  return {
    listEvents: (sub) => db.selectFrom('events').select(['id', 'title', 'start', 'end']).where('sub', '=', sub).orderBy('start').orderBy('id').execute(),
    async createEvent(sub, event, now) {
      const row = { id: randomUUID(), sub, ...event, created_at: now };
      await db.insertInto('events').values(row).execute();
      return { id: row.id, title: row.title, start: row.start, end: row.end };
    },
    async deleteEvent(sub, id) {
      const result = await db.deleteFrom('events').where('id', '=', id).where('sub', '=', sub).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    listFiles: (sub) => db.selectFrom('files').select(['id', 'name', 'size', 'modified']).where('sub', '=', sub).orderBy('name').execute(),
    seedOnce: (sub, events, files, now) =>
      db.transaction().execute(async (trx) => {
        const marked = await trx.insertInto('demo_seeded').values({ sub, seeded_at: now }).onConflict((c) => c.column('sub').doNothing()).executeTakeFirst();
        if (marked.numInsertedOrUpdatedRows === 0n) return false;
        if (events.length > 0) await trx.insertInto('events').values(events.map((e) => ({ id: randomUUID(), sub, ...e, created_at: now }))).execute();
        if (files.length > 0) await trx.insertInto('files').values(files.map((f) => ({ id: randomUUID(), sub, ...f }))).execute();
        return true;
      }),
    close: () => db.destroy(),
  };
}

/**
 * Kysely's SQLite driver asks better-sqlite3 to prepare every query, which compiles its SQL each
 * time: a tenth of a `GET /calendar/events` in a CPU profile (docs/PERFORMANCE.md). The store runs
 * a handful of query shapes, so each is compiled once. Kysely runs one query at a time on the
 * connection, so a cached statement is never in use twice; SQLite recompiles one by itself after
 * a schema change. Latchkey's own store does the same (packages/server/src/store/kysely/
 * dialect.ts); this example keeps its own copy so that it stands alone, as an API's would.
 */
function withStatementCache(sqlite: Database.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        // Bounded all the same: a multi-row insert's SQL varies with its row count.
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value ?? '');
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

const STATEMENT_CACHE_SIZE = 100;

async function migrate(db: Kysely<CalendarDatabase>): Promise<void> {
  await db.schema
    .createTable('events')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('start', 'text', (c) => c.notNull())
    .addColumn('end', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();
  // The listing's whole order (start, then id for events that start together), so SQLite reads the
  // rows in order instead of sorting them for each request. Replaces events_by_owner (sub, start).
  await db.schema.createIndex('events_by_owner_in_order').ifNotExists().on('events').columns(['sub', 'start', 'id']).execute();
  await db.schema.dropIndex('events_by_owner').ifExists().execute();
  await db.schema
    .createTable('files')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('modified', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_by_owner').ifNotExists().on('files').columns(['sub', 'name']).execute();
  await db.schema
    .createTable('demo_seeded')
    .ifNotExists()
    .addColumn('sub', 'text', (c) => c.primaryKey().notNull())
    .addColumn('seeded_at', 'integer', (c) => c.notNull())
    .execute();
}
