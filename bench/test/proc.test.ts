// Reading CPU time from /proc for a process and its children: how the bench counts a PostgreSQL
// cluster's backends beside the server under load (they are children of the postmaster).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandName, cpuMicros, familyCpuMicros, parentPid } from '../src/lib/proc.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** A child that burns about `ms` of CPU, says so on stdout, then idles (alive, so it is counted). */
async function burner(ms: number): Promise<number> {
  // Burns CPU time, not wall time: on a busy machine the two differ.
  const script = `const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) / 1000 < ${ms}); console.log('done'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return child.pid as number;
}

describe('CPU of a process and its children', () => {
  it("names a process's parent and command, and none for a process that is not there", async () => {
    const pid = await burner(0);
    expect(parentPid(pid)).toBe(process.pid);
    // Linux keeps the first 15 bytes of the executable's name.
    expect(commandName(pid)).toBe(path.basename(process.execPath).slice(0, 15));
    expect(parentPid(2 ** 22 + 1)).toBeUndefined();
    expect(commandName(2 ** 22 + 1)).toBeUndefined();
  });

  it("adds the children's CPU to the parent's", async () => {
    const childrenBefore = familyCpuMicros(process.pid) - cpuMicros(process.pid);
    await burner(300);
    const childrenAfter = familyCpuMicros(process.pid) - cpuMicros(process.pid);
    // About 300 ms burnt by the child (the clock ticks are 10 ms); the parent's own time is taken out.
    expect(childrenAfter - childrenBefore).toBeGreaterThanOrEqual(200_000);
  });
});
