// The statistics behind the SEC-25 (a) timing measurement (bench/src/timing.js).
import { describe, expect, it } from 'vitest';
import { mannWhitney, median, normalTail } from '../src/lib/stats.js';

describe('mannWhitney', () => {
  it('matches the textbook value for two fully separated samples (scipy: U=0, p=0.0122)', () => {
    const result = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(result.u).toBe(0);
    expect(result.z).toBeCloseTo(-2.5067, 3);
    expect(result.p).toBeCloseTo(0.01219, 4);
  });

  it('gives p = 1 for samples with the same ranks, ties included', () => {
    expect(mannWhitney([1, 2, 2, 3], [3, 2, 2, 1]).p).toBe(1);
    expect(mannWhitney([5, 5, 5], [5, 5, 5]).p).toBe(1);
  });

  it('finds a shift of a tenth of the spread in large samples, and none where there is none', () => {
    // A deterministic spread (no randomness in a test): values 0..999 in a scrambled order.
    const spread = Array.from({ length: 2_000 }, (_, i) => (i * 7_919) % 1_000);
    expect(mannWhitney(spread, spread.map((v) => v + 100)).p).toBeLessThan(1e-6);
    expect(mannWhitney(spread.slice(0, 1_000), spread.slice(1_000)).p).toBeGreaterThan(0.5);
  });

  it('refuses an empty sample', () => {
    expect(() => mannWhitney([], [1])).toThrow(/non-empty/);
  });
});

describe('median and normalTail', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it('gives the standard normal tail', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 6);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(3)).toBeCloseTo(0.0013499, 6);
  });
});
