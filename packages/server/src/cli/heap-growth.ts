// V8 heap settings `latchkey serve` makes for itself, each unless node was started with its own
// (an operator's choice wins). Neither flag is allowed in NODE_OPTIONS (Node refuses them there),
// so `serve` sets them with v8.setFlagsFromString before the server starts; V8 reads both at every
// collection, so they take effect from then on.
//
// How far the old generation grows before its next full collection. By default V8 picks a factor
// of up to 4× the heap that survived the last one, so under load a server's memory swings with its
// request rate: a refresh load that keeps a token write in flight per connection promotes every
// such request's objects, and its peak RSS measured 131 to 170 MiB over runs. A growth of 30% keeps
// it at 115 to 122 MiB at the same throughput (docs/PERFORMANCE.md).
//
// Pretenuring: when nearly all objects made at one place in the code (an allocation site) survive a
// young collection, V8 allocates that site's later objects straight in the old generation, for
// good. A request's objects live until its answer, and under load that is often past a young
// collection. If, at the one collection that decides, 85% of a site's objects were still waiting
// for their answer (a slow moment at warm-up), every later request's objects of that site go to
// the old generation, where they die and bring full collections about eight times as often. Under
// the refresh load, 1 run in 5 to 15 settled there (about 24 instead of 3 full collections in 6 s,
// a p99 of 12 to 19 ms). Without pretenuring, objects reach the old generation only by surviving
// two young collections (docs/PERFORMANCE.md, issue 9).
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;

const GROWTH_FLAG = /^--heap[-_]growing[-_]percent(=|$)/;
const PRETENURING_FLAG = /^--(no-?)?allocation[-_]site[-_]pretenuring(=|$)/;

type SetFlags = (flags: string) => void;

/** Sets `flags` unless node's own command line has a flag that `operatorFlag` matches. */
function unlessOperatorSet(operatorFlag: RegExp, flags: string, execArgv: readonly string[], setFlags: SetFlags): boolean {
  if (execArgv.some((arg) => operatorFlag.test(arg))) return false;
  setFlags(flags);
  return true;
}

/** Bounds the old generation's growth. Returns whether it set the flag. */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv, setFlags: SetFlags = v8.setFlagsFromString): boolean {
  return unlessOperatorSet(GROWTH_FLAG, `--heap-growing-percent=${HEAP_GROWING_PERCENT}`, execArgv, setFlags);
}

/** Turns V8's allocation-site pretenuring off. Returns whether it set the flag. */
export function stopPretenuring(execArgv: readonly string[] = process.execArgv, setFlags: SetFlags = v8.setFlagsFromString): boolean {
  return unlessOperatorSet(PRETENURING_FLAG, '--no-allocation-site-pretenuring', execArgv, setFlags);
}
