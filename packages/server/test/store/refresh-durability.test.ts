// A rotation's answer and its flush to disk (issue 9): on SQLite the refresh grant learns of its
// rotation at the commit, signs the access token while the log is flushed, and answers only once
// both are done. `rotateWritten` must say when the rotation is on disk; `rotate` must wait for it.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { openSqliteFile } from '../../src/store/kysely/dialect.js';
import { migrateToLatest, storeOver } from '../../src/store/kysely/store.js';
import { WalSync } from '../../src/store/kysely/wal-sync.js';
import { seedParties } from './temp-store.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A store whose log flushes complete at once, until `hold()`: then each waits for the test. */
async function heldStore() {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'latchkey-refresh-durability-')), 'latchkey.db');
  let holding = false;
  let failNext: Error | undefined;
  const waiting: { done: () => void; fail: (error: Error) => void }[] = [];
  const flush = () =>
    new Promise<void>((resolve, reject) => {
      if (failNext !== undefined) {
        const error = failNext;
        failNext = undefined;
        reject(error);
      } else if (holding) waiting.push({ done: resolve, fail: reject });
      else resolve();
    });
  const db = openSqliteFile(file, { walSync: new WalSync(`${file}-wal`, flush) });
  await migrateToLatest(db);
  const store = storeOver(db);
  await seedParties(store, ['u1'], ['c1']);
  return {
    store,
    waiting,
    hold: () => {
      holding = true;
    },
    failNextFlush: (error: Error) => {
      failNext = error;
    },
    release: () => {
      holding = false;
      for (const w of waiting.splice(0)) w.done();
    },
  };
}

const stores: { store: Store; release: () => void }[] = [];
afterEach(async () => {
  // Held flushes are let go first: closing the store waits for the flushes under way.
  for (const { store, release } of stores.splice(0)) {
    release();
    await store.close();
  }
});

let families = 0;
async function issue(store: Store) {
  families += 1;
  const at = { chain: `ch${families}`, generation: 0 };
  await store.refreshTokens.createFamily(
    { id: `f${families}`, clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null },
    { chain: at.chain, tokenHash: `t${families}`, issuedAt: 1_000, expiresAt: 5_000 },
  );
  const input = { tokenHash: `t${families}`, at, clientId: 'c1', now: 2_000, graceSeconds: 2, successor: { tokenHash: `t${families}-next`, expiresAt: 5_600, chain: at.chain } };
  return input;
}

describe('refresh token rotation and the flush to disk (SQLite)', () => {
  it('rotateWritten answers at the commit, and its `durable` resolves only after the flush', async () => {
    const held = await heldStore();
    stores.push(held);
    const input = await issue(held.store);
    held.hold();
    const { result, durable } = await held.store.refreshTokens.rotateWritten(input);
    expect(result).toMatchObject({ outcome: 'rotated', token: { tokenHash: 't1-next' } });
    let onDisk = false;
    const flushed = durable.then(() => {
      onDisk = true;
    });
    for (let i = 0; i < 5 && held.waiting.length === 0; i++) await tick();
    expect(held.waiting).toHaveLength(1);
    expect(onDisk).toBe(false);
    held.release();
    await flushed;
    expect(onDisk).toBe(true);
  });

  it('rotate waits for the flush before it answers', async () => {
    const held = await heldStore();
    stores.push(held);
    const input = await issue(held.store);
    held.hold();
    let answered = false;
    const rotating = held.store.refreshTokens.rotate(input).then((result) => {
      answered = true;
      return result;
    });
    for (let i = 0; i < 5 && held.waiting.length === 0; i++) await tick();
    expect(held.waiting).toHaveLength(1);
    await tick();
    expect(answered).toBe(false);
    held.release();
    expect(await rotating).toMatchObject({ outcome: 'rotated' });
  });

  it('gives every rotation of one batch the same flush, and a failed flush rejects each one\'s `durable` (and rotate)', async () => {
    const held = await heldStore();
    stores.push(held);
    const inputs = [await issue(held.store), await issue(held.store), await issue(held.store)];
    held.failNextFlush(new Error('EIO'));
    const written = await Promise.all(inputs.map((input) => held.store.refreshTokens.rotateWritten(input)));
    expect(written.map((w) => w.result.outcome)).toEqual(['rotated', 'rotated', 'rotated']);
    for (const w of written) await expect(w.durable).rejects.toThrow('EIO');
    const next = await issue(held.store);
    held.failNextFlush(new Error('EIO'));
    await expect(held.store.refreshTokens.rotate(next)).rejects.toThrow('EIO');
  });

  it('makes a repeat within the grace window wait for the first rotation\'s flush: it hands out the same successor', async () => {
    const held = await heldStore();
    stores.push(held);
    const input = await issue(held.store);
    held.hold();
    const first = await held.store.refreshTokens.rotateWritten(input);
    expect(first.result.outcome).toBe('rotated');
    // The first request's rotation is committed but not yet on disk; the repeat reads it.
    const repeat = await held.store.refreshTokens.rotateWritten(input);
    expect(repeat.result).toMatchObject({ outcome: 'grace', token: { tokenHash: input.successor.tokenHash } });
    let onDisk = false;
    const flushed = repeat.durable.then(() => {
      onDisk = true;
    });
    for (let i = 0; i < 5; i++) await tick();
    expect(onDisk).toBe(false);
    held.release();
    await flushed;
    await first.durable;
    expect(onDisk).toBe(true);
  });

  it('answers a refusal with nothing to wait for', async () => {
    const held = await heldStore();
    stores.push(held);
    const input = await issue(held.store);
    held.hold();
    const { result, durable } = await held.store.refreshTokens.rotateWritten({ ...input, clientId: 'c2' });
    expect(result).toEqual({ outcome: 'invalid', reason: 'wrong_client' });
    await expect(durable).resolves.toBeUndefined();
    held.release();
  });
});
