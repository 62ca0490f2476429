// The garbage collections the bench counts in each server it starts (gc-counter.js, loaded with
// `node --import`): read before and after each measured window, so that a run slowed by many full
// collections can be told apart from one the shared machine slowed (docs/PERFORMANCE.md, "p99").
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, stopServer, type Server } from '../src/lib/children.js';
import { GC_COUNTS_MARK, parseGcCounts } from '../src/lib/gc-counts.js';
import { cannon, gcBetween, Problems, type Measurement } from '../src/lib/load.js';
import { table } from '../src/lib/report.js';
import { summarize } from '../src/lib/side-by-side.js';

/** A server stand-in that makes garbage and forces a full collection every 20 ms. */
const CHURNER = `
console.log('{"ready":true}');
let junk;
setInterval(() => {
  for (let i = 0; i < 100000; i++) junk = { i };
  globalThis.gc();
}, 20);
`;

const started: Server[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await stopServer(server);
});

/** A server stand-in answering every request at once. */
const ANSWERER = `
import http from 'node:http';
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port })));
`;

async function churner(): Promise<Server> {
  const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-gc-')), 'churner.mjs');
  writeFileSync(script, CHURNER);
  const server = await startServer(script, [], process.env, { line: (l) => l.startsWith('{'), nodeArgs: ['--expose-gc'] });
  started.push(server);
  return server;
}

describe('garbage collection counts', () => {
  it("reads a server's young and full collections so far, and they grow while it works", async () => {
    const server = await churner();
    const first = await server.gcCounts();
    expect(first).not.toBeNull();
    await sleep(400);
    const second = await server.gcCounts();
    const between = gcBetween(first, second);
    // About 20 forced full collections in 400 ms; the bound leaves room for a slow machine.
    expect(between?.full).toBeGreaterThanOrEqual(3);
    expect(between?.young).toBeGreaterThanOrEqual(0);
    expect(second?.young).toBeGreaterThan(0);
  });

  it('answers null for a server that has exited, and the server is not harmed by being asked', async () => {
    const server = await churner();
    expect(await server.gcCounts()).not.toBeNull();
    expect(server.child.exitCode).toBeNull();
    await stopServer(server);
    expect(await server.gcCounts()).toBeNull();
  });

  it('answers null at once for a counts line that does not parse', async () => {
    const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-gc-')), 'garbler.mjs');
    // Answers in place of gc-counter.js, with the mark and no counts after it.
    writeFileSync(script, `process.removeAllListeners('SIGUSR2');
process.on('SIGUSR2', () => console.log('${GC_COUNTS_MARK}not counts'));
setInterval(() => {}, 1000);
console.log('{"ready":true}');
`);
    const server = await startServer(script, [], process.env, { line: (l) => l.startsWith('{') });
    started.push(server);
    const asked = Date.now();
    expect(await server.gcCounts()).toBeNull();
    // Not the 30 s safety timeout, which would also answer null.
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(server.child.exitCode).toBeNull();
  });

  it("measures a load for the seconds asked, counts read around it (a timer of the load's length, set before it, had stretched autocannon's 2 s to 3)", async () => {
    const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-gc-')), 'answerer.mjs');
    writeFileSync(script, ANSWERER);
    const server = await startServer(script, [], process.env, { line: (l) => l.startsWith('{') });
    started.push(server);
    const { url } = JSON.parse(server.line) as { url: string };
    const measured = await cannon({ url }, { seconds: 2, connections: 4, pid: server.pid, problems: new Problems(), gc: server.gcCounts });
    expect(measured.requests).toBeGreaterThan(0);
    expect(measured.gc).not.toBeNull();
    expect(measured.seconds).toBeLessThan(2.6);
  });

  it('takes only a counts line for counts', () => {
    expect(parseGcCounts('{"young":12,"full":3}')).toEqual({ young: 12, full: 3 });
    expect(parseGcCounts('{"young":12}')).toBeNull();
    expect(parseGcCounts('{"young":"12","full":3}')).toBeNull();
    expect(parseGcCounts('not json')).toBeNull();
    expect(gcBetween({ young: 10, full: 2 }, null)).toBeNull();
    expect(gcBetween({ young: 10, full: 2 }, { young: 25, full: 5 })).toEqual({ young: 15, full: 3 });
  });

  it("sums a row's collections over its rounds, shows them in the table, and shows none when a round lacks them", () => {
    const round = (gc: Measurement['gc']): Measurement => ({
      requests: 1000, seconds: 1, cpuMicros: 50_000, loadCpuMicros: 20_000, latencies: { p50: 2, p99: 5 }, non2xx: 0, errors: 0, timeouts: 0, gc,
    });
    const known = summarize('refresh_token', 'latchkey (sqlite)', [round({ young: 300, full: 2 }), round({ young: 310, full: 40 })], new Problems(), 99, []);
    expect(known.gc).toEqual({ young: 610, full: 42 });
    const unknown = summarize('refresh_token', 'oidc-provider', [round({ young: 300, full: 2 }), round(null)], new Problems(), 99, []);
    expect(unknown.gc).toBeNull();
    const lines = table([known, unknown]).split('\n');
    expect(lines[0]).toContain('GCs young/full');
    expect(lines[2]).toMatch(/610\/42\s+yes$/);
    expect(lines[3]).toMatch(/-\s+yes$/);
  });
});
