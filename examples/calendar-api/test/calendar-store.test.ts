// The Calendar API's store on its own: the listing's order, its compiled statements, and the
// index that serves the listing (issue 9: the route's speed came from these two).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { calendarDatabasePath, openCalendarStore, type CalendarStore } from '../src/store/calendar-store.js';

const LISTING_SQL = 'select "id", "title", "start", "end" from "events" where "sub" = ? order by "start", "id"';

let dir: string;
let file: string;
let store: CalendarStore | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'calendar-store-test-'));
  file = calendarDatabasePath(dir);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const event = (title: string, start: string) => ({ title, start, end: start.replace('T09', 'T10') });

describe('listing events', () => {
  it('lists by start, then by id for events that start together, and only the owner’s', async () => {
    store = await openCalendarStore(file);
    await store.createEvent('alice', event('later', '2026-06-02T09:00:00.000Z'), 0);
    const tied = [await store.createEvent('alice', event('tie one', '2026-06-01T09:00:00.000Z'), 0), await store.createEvent('alice', event('tie two', '2026-06-01T09:00:00.000Z'), 0)];
    await store.createEvent('bob', event('bob’s', '2026-05-01T09:00:00.000Z'), 0);

    const listed = await store.listEvents('alice');

    expect(listed.map((e) => e.title)).toEqual([...tied].sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => e.title).concat('later'));
  });

  it('compiles the listing once and still sees every change', async () => {
    store = await openCalendarStore(file);
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    const first = await store.createEvent('alice', event('one', '2026-06-01T09:00:00.000Z'), 0);
    expect(await store.listEvents('alice')).toHaveLength(1);
    await store.createEvent('alice', event('two', '2026-06-02T09:00:00.000Z'), 0);
    expect(await store.listEvents('alice')).toHaveLength(2);
    await store.deleteEvent('alice', first.id);
    expect((await store.listEvents('alice')).map((e) => e.title)).toEqual(['two']);

    // A cached statement answers from the rows as they are now, not as when it was compiled.
    expect(prepare.mock.calls.filter(([sql]) => sql === LISTING_SQL)).toHaveLength(1);
    // Each shape once: the insert, the listing, the delete.
    expect(prepare).toHaveBeenCalledTimes(3);
  });
});

describe('the listing’s index', () => {
  it('reads the rows in order, with no sort per request', async () => {
    store = await openCalendarStore(file);
    await store.close();
    store = undefined;

    const plan = planOf(file);

    expect(plan).toContain('USING INDEX events_by_owner_in_order');
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('replaces the index of an older database, whose events stay', async () => {
    store = await openCalendarStore(file);
    await store.createEvent('alice', event('kept', '2026-06-01T09:00:00.000Z'), 0);
    await store.close();
    store = undefined;
    // The index this store made before it covered the listing's whole order.
    const old = new Database(file);
    old.exec('DROP INDEX events_by_owner_in_order; CREATE INDEX events_by_owner ON events (sub, start)');
    old.close();
    expect(planOf(file)).toContain('TEMP B-TREE');

    store = await openCalendarStore(file);

    expect((await store.listEvents('alice')).map((e) => e.title)).toEqual(['kept']);
    expect(indexesOf(file)).toEqual(['events_by_owner_in_order', 'files_by_owner']);
    expect(planOf(file)).not.toContain('TEMP B-TREE');
  });
});

function planOf(databaseFile: string): string {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${LISTING_SQL}`).all('alice') as { detail: string }[]).map((row) => row.detail).join('\n');
  } finally {
    db.close();
  }
}

function indexesOf(databaseFile: string): string[] {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  } finally {
    db.close();
  }
}
