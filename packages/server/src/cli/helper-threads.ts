// The event loop's thread is where every request is parsed, checked and answered: on a loaded
// server it is the bottleneck, while the process's other threads (libuv's pool, which signs
// tokens and syncs the SQLite log; V8's garbage-collector helpers) do short jobs it hands them.
// Each job wakes a helper, and Linux's scheduler often runs a woken thread on the waker's core,
// preempting the event loop for it even when the other core is free. Traced under the refresh
// load, that kept the event loop off its core about a tenth of the time while the machine was a
// fifth idle (docs/PERFORMANCE.md). With the helpers at a lower priority they stop preempting it
// and run beside it: measured +18 to +28% client_credentials tokens/s and +8 to +14% refresh
// grants/s (issue 9, alternating pairs). Linux only: there `setpriority` on a thread id sets that
// thread's niceness alone; elsewhere it would set the whole process's.
import { randomFill } from 'node:crypto';
import { readdirSync } from 'node:fs';
import os from 'node:os';

export interface ThreadSystem {
  platform: NodeJS.Platform;
  /** The event loop's thread id: the process id. */
  pid: number;
  /** The ids of this process's threads. */
  threads(): string[];
  getPriority(tid?: number): number;
  setPriority(tid: number, priority: number): void;
  /** Resolves once libuv's thread pool has run a job (so all its threads exist). */
  startPool(): Promise<void>;
}

const thisProcess: ThreadSystem = {
  platform: process.platform,
  pid: process.pid,
  threads: () => readdirSync('/proc/self/task'),
  getPriority: (tid) => os.getPriority(tid),
  setPriority: (tid, priority) => os.setPriority(tid, priority),
  // libuv starts its whole pool at the first job queued.
  startPool: () => new Promise((resolve, reject) => randomFill(Buffer.alloc(1), (error) => (error ? reject(error) : resolve()))),
};

/** Linux's lowest priority. */
const NICEST = 19;

/**
 * Sets every thread of this process but the event loop's `by` steps nicer than the event loop
 * (at most 19); threads started later keep the event loop's priority. Returns how many it set.
 * `by` 0, or a platform other than Linux, changes nothing.
 */
export async function lowerHelperThreads(by: number, system: ThreadSystem = thisProcess): Promise<number> {
  if (by === 0 || system.platform !== 'linux') return 0;
  await system.startPool();
  const priority = Math.min(NICEST, system.getPriority(system.pid) + by);
  let lowered = 0;
  for (const id of system.threads()) {
    const tid = Number(id);
    if (tid === system.pid) continue;
    try {
      system.setPriority(tid, priority);
      lowered++;
    } catch {
      // The thread ended since the list was read, or the system refuses: it keeps its priority.
    }
  }
  return lowered;
}
