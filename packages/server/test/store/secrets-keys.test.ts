import { describe, expect, it } from 'vitest';
import type { SigningKey } from '../../src/store/index.js';
import { useStore } from './temp-store.js';

const store = useStore('secrets');

describe('secrets.getOrCreate', () => {
  it('agrees on one value among concurrent callers, and keeps it', async () => {
    let made = 0;
    const values = await Promise.all(Array.from({ length: 10 }, () => store().secrets.getOrCreate('rotation', () => `v${++made}`)));
    expect(new Set(values).size).toBe(1);
    expect(await store().secrets.getOrCreate('rotation', () => 'other')).toBe(values[0]);
    expect(await store().secrets.getOrCreate('another', () => 'fresh')).toBe('fresh');
  });
});

describe('signingKeys.listActive', () => {
  it('lists keys not retired, oldest first, then by kid', async () => {
    const key = (kid: string, createdAt: number, retiredAt: number | null = null): SigningKey => ({
      kid, alg: 'ES256', privateJwk: `{"kid":"${kid}","d":"..."}`, publicJwk: `{"kid":"${kid}"}`, createdAt, retiredAt,
    });
    await store().signingKeys.insert(key('k-b', 200));
    await store().signingKeys.insert(key('k-old', 100, 150));
    await store().signingKeys.insert({ ...key('k-a', 200), alg: 'RS256' });
    await store().signingKeys.insert(key('k-first', 150));
    const active = await store().signingKeys.listActive();
    expect(active.map((k) => k.kid)).toEqual(['k-first', 'k-a', 'k-b']);
    expect(active[1]).toEqual({ ...key('k-a', 200), alg: 'RS256' });
  });
});
