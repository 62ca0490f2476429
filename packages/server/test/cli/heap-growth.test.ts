// `latchkey serve` sets two V8 heap flags for itself (docs/PERFORMANCE.md: peak RSS under load,
// and full collections after a slow warm-up), each unless the operator started node with their own.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, boundHeapGrowth, stopPretenuring } from '../../src/cli/heap-growth.js';
import { ROOT } from './run-cli.js';

const MODULE = pathToFileURL(path.join(ROOT, 'packages/server/dist/cli/heap-growth.js')).href;

/** Runs `script` in a child node (ES module) with `nodeArgs`; answers its exit status and output. */
function child(script: string, nodeArgs: string[] = []): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('serve: heap growth bound', () => {
  it('sets --heap-growing-percent when node was started without it', () => {
    const set: string[] = [];
    expect(boundHeapGrowth(['--max-semi-space-size=4'], (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it.each([['--heap-growing-percent=80'], ['--heap_growing_percent=10'], ['--heap-growing-percent']])('leaves an operator\'s own %s alone', (flag) => {
    const set: string[] = [];
    expect(boundHeapGrowth(['--max-semi-space-size=4', flag], (flags) => set.push(flags))).toBe(false);
    expect(set).toEqual([]);
  });

  it('is not fooled by a flag that only starts alike', () => {
    const set: string[] = [];
    expect(boundHeapGrowth(['--heap-growing-percentage-of-nothing=1'], (flags) => set.push(flags))).toBe(true);
    expect(set).toHaveLength(1);
  });

  it('sets a flag V8 accepts', () => {
    // V8 ignores a misspelt flag and only prints "unrecognized flag" to stdout, so ask a child node
    // that calls boundHeapGrowth for what it printed: a typo in the flag's name fails here.
    const run = child(`import(${JSON.stringify(MODULE)}).then((m) => m.boundHeapGrowth([]))`);
    expect(run.status).toBe(0);
    expect(run.output).not.toMatch(/unrecognized|error/i);
  });
});

describe('serve: no allocation-site pretenuring', () => {
  it('turns it off when node was started without a say on it', () => {
    const set: string[] = [];
    expect(stopPretenuring(['--max-semi-space-size=4'], (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual(['--no-allocation-site-pretenuring']);
  });

  it.each([['--allocation-site-pretenuring'], ['--no-allocation-site-pretenuring'], ['--noallocation_site_pretenuring'], ['--allocation_site_pretenuring']])(
    'leaves an operator\'s own %s alone',
    (flag) => {
      const set: string[] = [];
      expect(stopPretenuring(['--max-semi-space-size=4', flag], (flags) => set.push(flags))).toBe(false);
      expect(set).toEqual([]);
    },
  );

  it('is not fooled by a flag that only starts alike', () => {
    const set: string[] = [];
    expect(stopPretenuring(['--allocation-site-pretenuring-ratio=1'], (flags) => set.push(flags))).toBe(true);
    expect(set).toHaveLength(1);
  });

  // What the flag is for, seen from V8 itself: objects of one site that all survive young
  // collections get that site pretenured ("=> tenure" in V8's own trace) unless stopPretenuring ran
  // first. A 1 MiB young generation fixed in size makes V8 decide at once; without the call, the
  // same child must show the decision, so a flag V8 ignored (or read only at start) fails here.
  const survivors = `
    const keep = [];
    const make = (i) => [i, i + 1, i + 2];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 20000; i++) keep.push(make(i));
      for (let i = 0; i < 20000; i++) { const x = { a: i, b: [i] }; if (x.a < 0) keep.push(x); }
    }
    console.log('kept', keep.length);`;
  const traced = ['--max-semi-space-size=1', '--min-semi-space-size=1', '--trace-pretenuring-statistics'];

  it('keeps V8 from pretenuring an allocation site whose objects all survive', () => {
    const stopped = child(`const m = await import(${JSON.stringify(MODULE)}); m.stopPretenuring([]);${survivors}`, traced);
    expect(stopped.status).toBe(0);
    expect(stopped.output).toContain('kept 800000');
    expect(stopped.output).not.toMatch(/=> tenure/);
    expect(stopped.output).not.toMatch(/unrecognized|error/i);

    const left = child(survivors, traced);
    expect(left.status).toBe(0);
    expect(left.output).toMatch(/=> tenure/);
  });
});
