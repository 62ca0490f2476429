// How far V8 lets the old generation grow before its next full collection. By default V8 picks a
// factor of up to 4× the heap that survived the last one, so under load a server's memory swings
// with its request rate: a refresh load that keeps a token write in flight per connection promotes
// every such request's objects, and its peak RSS measured 131 to 170 MiB over runs. A growth of
// 30% keeps it at 115 to 122 MiB at the same throughput (docs/PERFORMANCE.md). The flag cannot go
// in NODE_OPTIONS (Node refuses it there), so `latchkey serve` sets it itself; V8 reads it at
// every collection, so setting it before the server starts takes effect.
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * Bounds the old generation's growth, unless node was started with its own
 * `--heap-growing-percent` (an operator's choice wins). Returns whether it set the flag.
 */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv, setFlags: (flags: string) => void = v8.setFlagsFromString): boolean {
  if (execArgv.some((arg) => FLAG.test(arg))) return false;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
