// Loaded into every server the bench starts (`node --import`): counts the process's garbage
// collections, young (scavenges) and full (mark-compact), and on SIGUSR2 writes the counts so far
// as one line on stdout, which the bench reads before and after each measured window. A run slowed
// by many full collections (docs/PERFORMANCE.md, "p99") can then be told apart from one slowed by
// something else on the shared machine. node's own --trace-gc would say the same, but its lines go
// through C's stdout buffer, which on a pipe reaches the bench in 4 KiB chunks, seconds late.
import { writeSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { GC_COUNTS_MARK } from './lib/gc-counts.js';
const counts = { young: 0, full: 0 };

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = /** @type {{ kind?: number }} */ (entry.detail)?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.young += 1;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.full += 1;
  }
}).observe({ entryTypes: ['gc'] });

// Written at once (not through the stream, which could hold it behind the server's own output).
process.on('SIGUSR2', () => writeSync(1, `${GC_COUNTS_MARK}${JSON.stringify(counts)}\n`));
