// `latchkey serve` bounds V8's old-generation growth (docs/PERFORMANCE.md: peak RSS under load),
// unless the operator started node with their own --heap-growing-percent.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, boundHeapGrowth } from '../../src/cli/heap-growth.js';
import { ROOT } from './run-cli.js';

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
    const module = pathToFileURL(path.join(ROOT, 'packages/server/dist/cli/heap-growth.js')).href;
    const script = `import(${JSON.stringify(module)}).then((m) => m.boundHeapGrowth([]))`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout + child.stderr).not.toMatch(/unrecognized|error/i);
  });
});
