// `latchkey serve` lowers the priority of its threads other than the event loop's
// (cli/helper-threads.ts, LATCHKEY_HELPER_NICE): on Linux only, never the event loop's own.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lowerHelperThreads, type ThreadSystem } from '../../src/cli/helper-threads.js';
import { BIN, freePort, spawnNode, useTempRoot, waitFor } from './run-cli.js';

/** A process of threads 100 (the event loop) to 105, whose priorities the test reads back. */
function fakeSystem(overrides: Partial<ThreadSystem> = {}) {
  const priorities = new Map<number, number>([100, 101, 102, 103, 104, 105].map((t) => [t, 0]));
  const events: string[] = [];
  const system: ThreadSystem = {
    platform: 'linux',
    pid: 100,
    threads: () => {
      events.push('threads');
      return [...priorities.keys()].map(String);
    },
    getPriority: (tid) => priorities.get(tid ?? 100) ?? 0,
    setPriority: (tid, priority) => void priorities.set(tid, priority),
    startPool: async () => void events.push('pool'),
    ...overrides,
  };
  return { system, priorities, events };
}

describe('lowerHelperThreads', () => {
  it('sets every thread but the event loop\'s that many steps nicer, after starting the thread pool', async () => {
    const { system, priorities, events } = fakeSystem();
    expect(await lowerHelperThreads(10, system)).toBe(5);
    expect(Object.fromEntries(priorities)).toEqual({ 100: 0, 101: 10, 102: 10, 103: 10, 104: 10, 105: 10 });
    // The pool's threads must exist when the list is read.
    expect(events).toEqual(['pool', 'threads']);
  });

  it('counts from the event loop\'s own niceness, up to 19', async () => {
    const { system, priorities } = fakeSystem();
    priorities.set(100, 15);
    await lowerHelperThreads(10, system);
    expect(priorities.get(100)).toBe(15);
    expect(priorities.get(101)).toBe(19);
  });

  it('changes nothing with 0, or on a system other than Linux', async () => {
    for (const [by, platform] of [[0, 'linux'], [10, 'darwin'], [10, 'win32']] as const) {
      const { system, priorities, events } = fakeSystem({ platform });
      expect(await lowerHelperThreads(by, system)).toBe(0);
      expect([...priorities.values()]).toEqual([0, 0, 0, 0, 0, 0]);
      expect(events).toEqual([]);
    }
  });

  it('skips a thread it may not change, or that ended, and goes on with the rest', async () => {
    const { system, priorities } = fakeSystem();
    const set = system.setPriority;
    system.setPriority = (tid, priority) => {
      if (tid === 102) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      set(tid, priority);
    };
    expect(await lowerHelperThreads(10, system)).toBe(4);
    expect(priorities.get(102)).toBe(0);
    expect(priorities.get(103)).toBe(10);
  });
});

/** Each thread's niceness from /proc (field 19 of stat, counted after the command's closing parenthesis). */
function threadNiceness(pid: number): Map<number, number> {
  const result = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    result.set(Number(tid), Number(fields[16]));
  }
  return result;
}

describe.skipIf(process.platform !== 'linux')('latchkey serve on Linux', () => {
  const temp = useTempRoot('helper-threads');

  async function serveThreads(extra: Record<string, string>): Promise<{ main: number; helpers: number[] }> {
    const port = await freePort();
    const server = spawnNode([BIN, 'serve'], { LATCHKEY_DATA_DIR: temp.dataDir(), LATCHKEY_PORT: String(port), ...extra });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      const pid = server.child.pid ?? 0;
      const niceness = threadNiceness(pid);
      return { main: niceness.get(pid) ?? NaN, helpers: [...niceness].filter(([tid]) => tid !== pid).map(([, n]) => n) };
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }

  it('runs its helper threads (libuv\'s pool among them) 10 steps nicer than the event loop by default', async () => {
    const { main, helpers } = await serveThreads({});
    // libuv's 4 pool threads and V8's helpers at least.
    expect(helpers.length).toBeGreaterThanOrEqual(4);
    expect(new Set(helpers)).toEqual(new Set([Math.min(19, main + 10)]));
  });

  it('leaves every thread at the event loop\'s priority with LATCHKEY_HELPER_NICE=0', async () => {
    const { main, helpers } = await serveThreads({ LATCHKEY_HELPER_NICE: '0' });
    expect(helpers.length).toBeGreaterThanOrEqual(4);
    expect(new Set(helpers)).toEqual(new Set([main]));
  });
});
