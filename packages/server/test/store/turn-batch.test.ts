// The calls of one turn of the event loop, run together at its end (issue 9, turn-batch.ts): on
// SQLite the refresh grant's rotations share one transaction this way.
import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/store/kysely/turn-batch.js';

/** A batch that doubles numbers, recording how it was called. */
function doubler(options: { failAll?: unknown; miscount?: boolean } = {}) {
  const calls: string[] = [];
  const batch = new TurnBatch<number, number>(
    (input) => {
      calls.push(`one ${input}`);
      if (input < 0) throw new Error('negative');
      return Promise.resolve(input * 2);
    },
    (inputs) => {
      calls.push(`all ${inputs.join(',')}`);
      if (options.failAll !== undefined) return Promise.reject(options.failAll);
      return Promise.resolve(options.miscount === true ? inputs.slice(1) : inputs.map((input) => input * 2));
    },
  );
  return { batch, calls };
}

describe('TurnBatch', () => {
  it('runs the calls of one turn together, in order, at its end, and answers each its own output', async () => {
    const { batch, calls } = doubler();
    const answers = Promise.all([batch.run(1), batch.run(2), batch.run(3)]);
    expect(calls).toEqual([]);
    expect(await answers).toEqual([2, 4, 6]);
    expect(calls).toEqual(['all 1,2,3']);
    // The next turn is a batch of its own; a call alone runs alone.
    expect(await batch.run(5)).toBe(10);
    expect(calls).toEqual(['all 1,2,3', 'one 5']);
  });

  it('fails every call of a batch that fails, and runs the next turn afresh', async () => {
    const failure = new Error('the transaction failed');
    const { batch } = doubler({ failAll: failure });
    const results = await Promise.allSettled([batch.run(1), batch.run(2)]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
    expect(await batch.run(4)).toBe(8);
  });

  it('fails every call when the batch answers a different number of outputs than it was given', async () => {
    const { batch } = doubler({ miscount: true });
    const results = await Promise.allSettled([batch.run(1), batch.run(2), batch.run(3)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(results[0]).toMatchObject({ reason: { message: 'a batch of 3 calls answered 2 outputs' } });
  });

  it('rejects a lone call whose function throws at once, as if it had failed later', async () => {
    const { batch } = doubler();
    await expect(batch.run(-1)).rejects.toThrow('negative');
  });
});
