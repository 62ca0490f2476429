// `npm run profile:summary -w bench -- DIR_OR_FILE... [--top N]`: the heaviest functions by
// self time in V8 .cpuprofile files (from `node --cpu-prof`, or `BENCH_PROFILE_DIR=... npm run
// bench`), and the same time grouped by where the code lives (a package, Latchkey's own dist,
// Node's internals). Idle time and the garbage collector are listed as V8 names them.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex === -1 ? 25 : Number(args[topIndex + 1]);
const inputs = args.filter((_a, i) => topIndex === -1 || (i !== topIndex && i !== topIndex + 1));
if (inputs.length === 0) {
  console.error('usage: node src/profile-summary.js DIR_OR_FILE... [--top N]');
  process.exit(2);
}

/** @returns {string[]} */
const files = (/** @type {string} */ p) =>
  statSync(p).isDirectory() ? readdirSync(p).flatMap((f) => files(path.join(p, f))) : p.endsWith('.cpuprofile') ? [p] : [];

/** Where a script lives, short: node_modules/<package>, latchkey:<dist path>, node:<internal>. */
function place(/** @type {string} */ url) {
  if (url === '') return '(V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (nm) return `${nm[1]} ${nm[2]}`;
  const dist = /packages\/([^/]+)\/dist\/(.*)$/.exec(url);
  if (dist) return `latchkey ${dist[1]}/${dist[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

for (const file of inputs.flatMap(files)) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  /** @type {Map<number, { functionName: string, url: string, lineNumber: number }>} */
  const frames = new Map(profile.nodes.map((/** @type {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number } }} */ n) => [n.id, n.callFrame]));
  /** @type {Map<number, number>} */
  const selfByNode = new Map();
  // Each sample's time is the delta to the next one (timeDeltas[i + 1]).
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfByNode.set(profile.samples[i], (selfByNode.get(profile.samples[i]) ?? 0) + delta);
  }
  /** @type {Map<string, number>} */
  const byFunction = new Map();
  /** @type {Map<string, number>} */
  const byPlace = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfByNode) {
    const frame = frames.get(id);
    if (frame === undefined) continue;
    total += micros;
    if (frame.functionName === '(idle)') idle += micros;
    const name = `${frame.functionName || '(anonymous)'}  ${place(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    // Grouped by package, or by folder of Latchkey's dist.
    const at = place(frame.url);
    const where = frame.url === '' ? frame.functionName : at.startsWith('latchkey ') ? at.replace(/^(latchkey [^/]+\/[^/]+\/).*$/, '$1') : at.split(' ')[0];
    byPlace.set(where, (byPlace.get(where) ?? 0) + micros);
  }
  const busy = total - idle;
  const line = (/** @type {string} */ name, /** @type {number} */ micros) =>
    `${(micros / 1000).toFixed(0).padStart(8)} ms ${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${name}`;
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle (percentages are of that)`);
  console.log('  by function (self time):');
  for (const [name, micros] of [...byFunction].filter(([n]) => !n.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${line(name, micros)}`);
  console.log('  by place:');
  for (const [name, micros] of [...byPlace].filter(([n]) => n !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${line(name, micros)}`);
}
