// The servers of a scenario measured side by side (issue 9 compares ratios of one run): warmed up,
// then measured in alternating rounds, so the machine's changing load falls on all of them alike.
import { describe, expect, it } from 'vitest';
import type { Measurement, Problems } from '../src/lib/load.js';
import { Problems as ProblemCounts } from '../src/lib/load.js';
import { contender, sideBySide, summarize } from '../src/lib/side-by-side.js';

interface Fake {
  pid: number;
  name: string;
}

const measurement = (requests: number, seconds: number, p99: number): Measurement => ({
  requests,
  seconds,
  cpuMicros: requests * 50,
  loadCpuMicros: requests * 20,
  latencies: { p50: p99 / 2, p99 },
  non2xx: 0,
  errors: 0,
  timeouts: 0,
});

/** Fake servers: each load is recorded, and answers what `answer` gives for its call number. */
function fakes(names: string[], answer: (name: string, call: number, problems: Problems) => Measurement = (_, call) => measurement(1000 * (call + 1), 0.5, 4)) {
  const calls: string[] = [];
  const stopped: string[] = [];
  const contenders = names.map((name, index) =>
    contender(
      name,
      async (): Promise<Fake> => {
        if (name.startsWith('broken')) throw new Error(`${name} did not start`);
        return { pid: 1000 + index, name };
      },
      async (server) => {
        if (name.startsWith('unready')) throw new Error(`${name} could not be prepared`);
        let call = 0;
        return {
          run: async (seconds: number, problems: Problems) => {
            calls.push(`${server.name} ${seconds}`);
            return answer(server.name, call++, problems);
          },
          notes: [`${server.name} note`],
          after: () => [`${server.name} after ${call} loads`],
        };
      },
    ),
  );
  const options = {
    warmUpSeconds: 3,
    durationSeconds: 8,
    rounds: 4,
    peakRss: (pid: number) => {
      if (names[pid - 1000]?.startsWith('gone')) throw new Error(`ENOENT: /proc/${pid}/status`);
      return pid / 10;
    },
    stop: async (server: Fake) => {
      stopped.push(server.name);
    },
  };
  return { calls, stopped, contenders, options };
}

describe('bench: the servers of a scenario side by side', () => {
  it('warms each up, then measures all in alternating rounds, the order reversed every other round', async () => {
    const { calls, stopped, contenders, options } = fakes(['a', 'b', 'c']);
    await sideBySide('client_credentials', contenders, options);
    expect(calls).toEqual([
      'a 3', 'b 3', 'c 3',
      'a 2', 'b 2', 'c 2',
      'c 2', 'b 2', 'a 2',
      'a 2', 'b 2', 'c 2',
      'c 2', 'b 2', 'a 2',
    ]);
    expect(stopped).toEqual(['a', 'b', 'c']);
  });

  it('sums the measured rounds, not the warm-up, into one row per server', async () => {
    const { contenders, options } = fakes(['a', 'b'], (name, call) => (call === 0 ? measurement(999_999, 2, 99) : measurement(name === 'a' ? 1000 * call : 500, 0.5, 2 * call)));
    const [a, b] = await sideBySide('refresh_token', contenders, options);
    // a's rounds: 1000, 2000, 3000 and 4000 requests in 0.5 s each.
    expect(a).toMatchObject({
      scenario: 'refresh_token',
      server: 'a',
      requests: 10_000,
      seconds: 2,
      requestsPerSecond: 5000,
      p99Ms: 5, // the mean of 2, 4, 6 and 8
      p50Ms: 2.5,
      cpuMicrosPerRequest: 50,
      loadCpuMicrosPerRequest: 20,
      peakRssMiB: 100,
      valid: true,
      notes: ['a note', 'a after 5 loads'],
    });
    expect(b).toMatchObject({ server: 'b', requests: 2000, requestsPerSecond: 1000, peakRssMiB: 100.1 });
  });

  it('marks a server whose answers went wrong in any load, warm-up included, invalid', async () => {
    const { contenders, options } = fakes(['a', 'b'], (name, call, problems) => {
      if (name === 'b' && call === 0) {
        problems.non2xx += 1;
        problems.note('HTTP 500: boom');
      }
      return measurement(1000, 0.5, 4);
    });
    const [a, b] = await sideBySide('introspection', contenders, options);
    expect(a?.valid).toBe(true);
    expect(b).toMatchObject({ valid: false, problem: 'HTTP 500: boom' });
  });

  it('gives a server that does not start a failed row in its place and measures the others', async () => {
    const { calls, stopped, contenders, options } = fakes(['a', 'broken', 'c']);
    const rows = await sideBySide('client_credentials', contenders, options);
    expect(rows.map((r) => [r.server, r.valid])).toEqual([['a', true], ['broken', false], ['c', true]]);
    expect(rows[1]?.problem).toBe('broken did not start');
    expect(Number.isNaN(rows[1]?.requestsPerSecond)).toBe(true);
    expect(calls.filter((c) => c.startsWith('a'))).toHaveLength(5);
    expect(stopped).toEqual(['a', 'c']);
  });

  it('drops a server whose load throws from the later rounds, and still stops it', async () => {
    const { calls, stopped, contenders, options } = fakes(['a', 'b'], (name, call) => {
      if (name === 'b' && call === 2) throw new Error('connection refused');
      return measurement(1000, 0.5, 4);
    });
    const [a, b] = await sideBySide('refresh_token', contenders, options);
    expect(b).toMatchObject({ server: 'b', valid: false, problem: 'connection refused' });
    expect(a).toMatchObject({ server: 'a', valid: true, requests: 4000 });
    // b: the warm-up, its first round and the one that threw; a: the warm-up and four rounds.
    expect(calls.filter((c) => c.startsWith('b'))).toHaveLength(3);
    expect(calls.filter((c) => c.startsWith('a'))).toHaveLength(5);
    expect(stopped).toEqual(['a', 'b']);
  });

  it('stops a server that started but could not be prepared, with a failed row', async () => {
    const { calls, stopped, contenders, options } = fakes(['a', 'unready']);
    const rows = await sideBySide('introspection', contenders, options);
    expect(rows.map((r) => [r.server, r.valid, r.problem])).toEqual([['a', true, null], ['unready', false, 'unready could not be prepared']]);
    expect(calls.some((c) => c.startsWith('unready'))).toBe(false);
    expect(stopped).toEqual(['a', 'unready']);
  });

  it('gives a server whose row cannot be made (its peak RSS unreadable) a failed row, and keeps the others', async () => {
    const { stopped, contenders, options } = fakes(['a', 'gone']);
    const rows = await sideBySide('refresh_token', contenders, options);
    expect(rows.map((r) => [r.server, r.valid])).toEqual([['a', true], ['gone', false]]);
    expect(rows[1]?.problem).toBe('ENOENT: /proc/1001/status');
    expect(stopped).toEqual(['a', 'gone']);
  });
});

describe("a row's note of the database's CPU (Latchkey on PostgreSQL)", () => {
  it('gives the CPU of the database per request over the measured rounds', () => {
    const runs = [
      { ...measurement(1000, 1, 4), databaseCpuMicros: 20_000 },
      { ...measurement(3000, 1, 4), databaseCpuMicros: 80_000 },
    ];
    const row = summarize('refresh_token', 'latchkey (postgres)', runs, new ProblemCounts(), 90, ['created beforehand']);
    expect(row.notes).toEqual(['created beforehand', "the database's processes (the PostgreSQL cluster's, on the same cores) used 25 µs of CPU per request beside the server's"]);
  });

  it('says nothing when a round could not read it, or for a server with no database of its own', () => {
    const partial = [{ ...measurement(1000, 1, 4), databaseCpuMicros: 20_000 }, { ...measurement(1000, 1, 4), databaseCpuMicros: null }];
    expect(summarize('refresh_token', 'latchkey (postgres)', partial, new ProblemCounts(), 90, []).notes).toEqual([]);
    expect(summarize('refresh_token', 'latchkey (sqlite)', [measurement(1000, 1, 4)], new ProblemCounts(), 90, []).notes).toEqual([]);
  });
});
