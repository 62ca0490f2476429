// Login throttling: SECURITY-CATALOG SEC-52, SEC-63 and D-5 (exponential delay from 5 failures).
import { describe, expect, it } from 'vitest';
import { useStore } from './temp-store.js';

const store = useStore('throttle');
const rule = (key: string) => [{ key, threshold: 5 }];

describe('throttle.attempt', () => {
  it('allows the threshold, then delays 2 s, then 4 s, and reset clears it', async () => {
    const t = store().throttle;
    for (let i = 1; i <= 5; i++) expect(await t.attempt(rule('alice'), 100)).toEqual({ allowed: true });
    expect(await t.attempt(rule('alice'), 100)).toEqual({ allowed: false, retryAfter: 2 });
    expect(await t.attempt(rule('alice'), 101)).toEqual({ allowed: false, retryAfter: 1 });
    expect(await t.attempt(rule('alice'), 102)).toEqual({ allowed: true });
    expect(await t.attempt(rule('alice'), 102)).toEqual({ allowed: false, retryAfter: 4 });
    await t.reset(['alice']);
    expect(await t.attempt(rule('alice'), 102)).toEqual({ allowed: true });
  });

  it('caps the delay at 15 minutes', async () => {
    const t = store().throttle;
    const delays: number[] = [];
    let now = 1_000;
    // Waiting out each block: failures 5, 6, ... 14 block for 2, 4, ... 512, then 900 (not 1024).
    while (delays.length < 10) {
      const decision = await t.attempt(rule('capped'), now);
      if (!decision.allowed) {
        delays.push(decision.retryAfter);
        now += decision.retryAfter;
      }
    }
    expect(delays).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
  });

  it('refuses when any key is blocked, with the longest wait, and counts nothing', async () => {
    const t = store().throttle;
    for (let i = 0; i < 5; i++) await t.attempt([{ key: 'ip:1', threshold: 5 }], 200);
    const both = [{ key: 'ip:1', threshold: 5 }, { key: 'bob', threshold: 5 }];
    expect(await t.attempt(both, 200)).toEqual({ allowed: false, retryAfter: 2 });
    // bob was not counted while refused: five attempts of his own still pass.
    for (let i = 0; i < 5; i++) expect(await t.attempt(rule('bob'), 300)).toEqual({ allowed: true });
  });

  it('allows exactly the threshold out of a concurrent burst of 50', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store().throttle.attempt(rule('burst'), 500)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it('resets nothing for no keys', async () => {
    await expect(store().throttle.reset([])).resolves.toBeUndefined();
  });

  it('forgets failures after an hour without attempts', async () => {
    const t = store().throttle;
    for (let i = 0; i < 4; i += 1) expect((await t.attempt(rule('old'), 1000)).allowed).toBe(true);
    // An hour later the count starts again at 1: four more attempts still pass.
    for (let i = 0; i < 4; i += 1) expect((await t.attempt(rule('old'), 1000 + 3601)).allowed).toBe(true);
    // Within the hour it keeps counting: the fifth failure blocks.
    expect((await t.attempt(rule('old'), 1000 + 3602)).allowed).toBe(true);
    expect(await t.attempt(rule('old'), 1000 + 3602)).toEqual({ allowed: false, retryAfter: 2 });
  });

  it('forgive takes back one attempt and lifts a block it alone caused', async () => {
    const t = store().throttle;
    for (let i = 0; i < 5; i += 1) await t.attempt(rule('shared'), 2000);
    expect((await t.attempt(rule('shared'), 2000)).allowed).toBe(false);
    // The fifth attempt was a success: forgiving it leaves four failures and no block.
    await t.forgive(rule('shared'));
    expect((await t.attempt(rule('shared'), 2000)).allowed).toBe(true);
    // That attempt is the fifth failure again: the block is back.
    expect((await t.attempt(rule('shared'), 2000)).allowed).toBe(false);
  });
});

