// The printed table, the ratios with their targets (issue 9), and the JSON record.

/**
 * @typedef {{ scenario: string, server: string, requestsPerSecond: number, p50Ms: number, p99Ms: number,
 *   cpuMicrosPerRequest: number, loadCpuMicrosPerRequest: number, peakRssMiB: number, gc: { young: number, full: number } | null,
 *   valid: boolean, problem: string | null, requests: number, seconds: number, notes: string[] }} Row
 * (`cpuMicrosPerRequest` is the server's, `loadCpuMicrosPerRequest` the load generator's: both
 * run on the same cores, so together they bound what the machine can answer; `gc` the server's
 * garbage collections in the measured windows, null when not known)
 * @typedef {{ name: string, value: number | null, display: string, target: string, pass: boolean | 'info' | null, detail?: string,
 *   ceiling?: { server: string, requestsPerSecond: number, needed: number, reachable: boolean } }} Check
 */

/** The signer peers' names (bench/src/peers): the ceilings of a token endpoint. */
export const BARE_SIGNER = 'bare ES256 signer';
export const POOL_SIGNER = 'bare ES256 signer, thread pool';
export const FASTIFY_SIGNER = 'Fastify ES256 signer';
const SIGNERS = [BARE_SIGNER, POOL_SIGNER, FASTIFY_SIGNER];

const num = (/** @type {number} */ n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** @param {Row[]} rows */
export function table(rows) {
  const head = ['scenario', 'server', 'requests/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'load gen CPU µs/req', 'peak RSS MiB', 'GCs young/full', 'valid'];
  const body = rows.map((r) => [
    r.scenario,
    r.server,
    num(r.requestsPerSecond),
    num(r.p50Ms, 1),
    num(r.p99Ms, 1),
    num(r.cpuMicrosPerRequest),
    num(r.loadCpuMicrosPerRequest),
    num(r.peakRssMiB, 1),
    r.gc === null ? '-' : `${r.gc.young}/${r.gc.full}`,
    r.valid ? 'yes' : 'INVALID',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const right = new Set([2, 3, 4, 5, 6, 7, 8]);
  const line = (/** @type {string[]} */ cells) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * The targets of issue 9, from one run's rows.
 * @param {Row[]} rows
 * @param {{ p99LimitMs: number, rssLimitMiB: number }} limits
 * @returns {Check[]}
 */
export function checks(rows, { p99LimitMs, rssLimitMiB }) {
  /** @type {Check[]} */
  const out = [];
  const find = (/** @type {string} */ scenario, /** @type {string} */ server) => rows.find((r) => r.scenario === scenario && r.server === server);
  const latchkeys = [...new Set(rows.map((r) => r.server).filter((s) => s.startsWith('latchkey')))];
  const oidc = rows.find((r) => r.server.startsWith('oidc-provider'))?.server ?? 'oidc-provider';

  // The fastest any server answers each scenario on this machine, in this run. A token endpoint
  // (client_credentials, and refresh, which also signs a token) cannot outrun the fastest signer
  // peer: the bare signer signing on the event loop, the same signing on libuv's thread pool
  // (as Latchkey does), or the signer inside Fastify. Latchkey's introspection cannot outrun
  // Fastify answering a fixed body to the same request (ARCHITECTURE.md: Latchkey is built on Fastify).
  const signer = rows
    .filter((r) => r.scenario === 'client_credentials' && SIGNERS.includes(r.server) && r.valid)
    .reduce((/** @type {Row | undefined} */ best, r) => (best === undefined || r.requestsPerSecond > best.requestsPerSecond ? r : best), undefined);
  const ceilings = {
    client_credentials: signer,
    refresh_token: signer,
    introspection: rows.find((r) => r.scenario === 'introspection' && r.server.startsWith('Fastify')),
  };
  const ratio = (/** @type {string} */ name, /** @type {Row | undefined} */ a, /** @type {Row | undefined} */ b, /** @type {number} */ min, percent = false) => {
    if (a === undefined || b === undefined) return;
    const value = a.requestsPerSecond / b.requestsPerSecond;
    const valid = a.valid && b.valid;
    const limit = ceilings[/** @type {keyof typeof ceilings} */ (a.scenario)];
    const needed = min * b.requestsPerSecond;
    const ceiling = limit === undefined || !limit.valid ? undefined : { server: limit.server, requestsPerSecond: limit.requestsPerSecond, needed, reachable: needed <= limit.requestsPerSecond };
    out.push({
      name,
      value,
      display: percent ? `${(value * 100).toFixed(0)}%` : `${value.toFixed(2)}×`,
      target: percent ? `≥ ${(min * 100).toFixed(0)}%` : `≥ ${min}×`,
      pass: valid ? value >= min : null,
      detail:
        `${num(a.requestsPerSecond)} / ${num(b.requestsPerSecond)} req/s` +
        (ceiling === undefined
          ? ''
          : `; the target needs ${num(needed)} req/s, ${ceiling.reachable ? 'under' : 'ABOVE'} the ${ceiling.server}'s ${num(ceiling.requestsPerSecond)}${ceiling.reachable ? '' : ': out of reach on this machine'}`),
      ...(ceiling === undefined ? {} : { ceiling }),
    });
  };
  for (const lk of latchkeys) {
    ratio(`client_credentials: ${lk} / ${oidc}`, find('client_credentials', lk), find('client_credentials', oidc), 3);
    ratio(`client_credentials: ${lk} / ${BARE_SIGNER}`, find('client_credentials', lk), find('client_credentials', BARE_SIGNER), 0.8, true);
    // Context, no target: the bare signer signing on the thread pool, as Latchkey does, and the
    // signer inside Fastify, Latchkey's framework.
    const ours = find('client_credentials', lk);
    for (const [server, what] of [[POOL_SIGNER, 'signing on the thread pool, as Latchkey does'], [FASTIFY_SIGNER, "the framework's floor"]]) {
      const peer = find('client_credentials', server);
      if (peer === undefined || ours === undefined) continue;
      out.push({
        name: `client_credentials: ${lk} / ${peer.server}`,
        value: ours.requestsPerSecond / peer.requestsPerSecond,
        display: `${((ours.requestsPerSecond / peer.requestsPerSecond) * 100).toFixed(0)}%`,
        target: 'none',
        pass: ours.valid && peer.valid ? 'info' : null,
        detail: `${num(ours.requestsPerSecond)} / ${num(peer.requestsPerSecond)} req/s; ${what}`,
      });
    }
    ratio(`introspection: ${lk} / ${oidc}`, find('introspection', lk), find('introspection', oidc), 3.5);
    ratio(`refresh_token: ${lk} / ${oidc}`, find('refresh_token', lk), find('refresh_token', oidc), 3);
  }
  const checked = rows.find((r) => r.scenario === 'GET /calendar/events checked');
  const unchecked = rows.find((r) => r.scenario === 'GET /calendar/events unchecked');
  if (checked !== undefined && unchecked !== undefined) {
    const cost = 1 - checked.requestsPerSecond / unchecked.requestsPerSecond;
    out.push({
      name: 'resource server: throughput lost to token verification (1 - checked/unchecked)',
      value: cost,
      display: `${(cost * 100).toFixed(1)}%`,
      target: '< 15%',
      pass: checked.valid && unchecked.valid ? cost < 0.15 : null,
      detail: `${num(checked.requestsPerSecond)} / ${num(unchecked.requestsPerSecond)} req/s`,
    });
  }
  // p99 at 50 connections: the four targeted measurements; the whole code flow is two requests
  // plus a session lookup per iteration, so it is reported and not held to it.
  for (const r of rows) {
    const targeted = (r.server.startsWith('latchkey') && ['client_credentials', 'introspection', 'refresh_token'].includes(r.scenario)) || r === checked;
    if (!targeted) continue;
    out.push({
      name: `p99: ${r.scenario}, ${r.server}`,
      value: r.p99Ms,
      display: `${num(r.p99Ms, 1)} ms`,
      target: `≤ ${p99LimitMs} ms`,
      pass: r.valid ? r.p99Ms <= p99LimitMs : null,
      // Many full collections in the window point at the collector, not at the machine (docs/PERFORMANCE.md, "p99").
      ...(r.gc === null ? {} : { detail: `${r.gc.full} full and ${r.gc.young} young garbage collections in the measured windows` }),
    });
  }
  // Latchkey's servers, and the demo API (its two routes share one process, so one verdict).
  for (const r of rows) {
    if (!r.server.startsWith('latchkey') && r !== checked) continue;
    out.push({
      name: `peak RSS: ${r.scenario}, ${r.server}`,
      value: r.peakRssMiB,
      display: `${num(r.peakRssMiB, 1)} MiB`,
      target: `≤ ${rssLimitMiB} MiB`,
      pass: r.valid ? r.peakRssMiB <= rssLimitMiB : null,
    });
  }
  return out;
}

/** @param {Check[]} list */
export function checksText(list) {
  const width = Math.max(...list.map((c) => c.name.length));
  return list
    .map((c) => {
      const verdict = c.pass === null ? 'INVALID' : c.pass === 'info' ? 'INFO' : c.pass ? 'PASS' : 'MISS';
      return `${c.name.padEnd(width)}  ${c.display.padStart(8)}  target ${c.target.padEnd(8)}  ${verdict}${c.detail ? `  (${c.detail})` : ''}`;
    })
    .join('\n');
}
