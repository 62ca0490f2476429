// A server process's CPU time and peak memory, from Linux's /proc (proc(5)).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
export const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after comm: index 0 is field 3 (state). */
function statFields(/** @type {number | string} */ pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) is in parentheses and may hold spaces: count fields from the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User plus system CPU time of the whole process (all its threads), in microseconds. */
export function cpuMicros(/** @type {number} */ pid) {
  const fields = statFields(pid);
  const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15: utime, stime
  return (ticks * 1_000_000) / CLK_TCK;
}

/** The parent's process id (field 4 of /proc/<pid>/stat), or undefined for a process not here. */
export function parentPid(/** @type {number} */ pid) {
  try {
    return Number(statFields(pid)[1]);
  } catch {
    return undefined;
  }
}

/** The process's command name (/proc/<pid>/comm), or undefined for a process not here. */
export function commandName(/** @type {number} */ pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * CPU time, in microseconds, of a process and its living children, such as a PostgreSQL
 * cluster's postmaster with its backends and background workers. A child that exited is not
 * counted: read around a window in which they all live.
 */
export function familyCpuMicros(/** @type {number} */ parent) {
  let total = cpuMicros(parent);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(entry)[1]) === parent) total += cpuMicros(Number(entry));
    } catch {
      // It exited while the list was read.
    }
  }
  return total;
}

/** VmHWM: the peak resident set size over the process's whole life so far, in MiB. */
export function peakRssMiB(/** @type {number} */ pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
