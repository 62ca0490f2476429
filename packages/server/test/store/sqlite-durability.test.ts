// LATCHKEY_SQLITE_SYNCHRONOUS (issue 9): every commit is synced to disk unless the operator
// chooses `normal`, which only syncs at checkpoints (docs/PERFORMANCE.md says what each costs).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/store/kysely/dialect.js';

// SQLite's numbering: 1 is NORMAL, 2 is FULL.
async function synchronousOf(settings: Record<string, string>): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-durability-'));
  const config = loadConfig({}, { LATCHKEY_DATA_DIR: dataDir, ...settings });
  const db = openDatabase(config.database);
  try {
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db);
    return rows[0]?.synchronous ?? -1;
  } finally {
    await db.destroy();
  }
}

describe('SQLite durability setting', () => {
  it('syncs every commit (FULL) by default', async () => {
    expect(await synchronousOf({})).toBe(2);
    expect(loadConfig({}, {}).sqliteSynchronous).toBe('full');
  });

  it('uses NORMAL when LATCHKEY_SQLITE_SYNCHRONOUS=normal', async () => {
    expect(await synchronousOf({ LATCHKEY_SQLITE_SYNCHRONOUS: 'normal' })).toBe(1);
  });
});
