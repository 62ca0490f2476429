// The servers a scenario compares, measured side by side (issue 9 compares ratios of one run).
// Measured one after another, minutes apart, two servers each met whatever the shared machine's
// background load was at their minute: node-oidc-provider's refresh rate moved by a fifth between
// runs an hour apart. Here each is started fresh and warmed up, then all are measured in
// alternating rounds, the order reversed every other round, so such a change falls on all of
// them alike. Waiting their turn, the others only keep their connections and timers (and, for
// Latchkey on PostgreSQL, the cluster's background processes run as they would).
import { Problems } from './load.js';

/**
 * @typedef {import('./load.js').Measurement} Measurement
 * @typedef {import('./report.js').Row} Row
 * @typedef {{ pid: number }} Started
 * @typedef {{ run: (seconds: number, problems: Problems) => Promise<Measurement>, notes?: string[], after?: () => string[] }} Prepared
 *   `run` loads the server for that many seconds; `notes` and `after()` go into its row.
 */
/**
 * @template {Started} [S=Started]
 * @typedef {{ server: string, open: () => Promise<{ started: S, prepare: () => Promise<Prepared> }> }} Contender
 */

/**
 * One server of a side-by-side measurement: how to start it fresh and how to load it.
 * @template {Started} S
 * @param {string} server
 * @param {() => Promise<S>} start
 * @param {(server: S) => Promise<Prepared>} prepare
 * @returns {Contender<S>}
 */
export function contender(server, start, prepare) {
  return {
    server,
    open: async () => {
      const started = await start();
      return { started, prepare: () => prepare(started) };
    },
  };
}

/** The row of a measurement that could not be made. */
export function failedRow(/** @type {string} */ scenario, /** @type {string} */ server, /** @type {unknown} */ error) {
  return {
    scenario, server, requestsPerSecond: NaN, p50Ms: NaN, p99Ms: NaN, cpuMicrosPerRequest: NaN, loadCpuMicrosPerRequest: NaN, peakRssMiB: NaN, gc: null,
    valid: false, problem: error instanceof Error ? error.message : String(error), requests: 0, seconds: 0, /** @type {string[]} */ notes: [],
  };
}

/**
 * Starts each contender (in the order given; each is prepared before the next starts), warms each
 * up for `warmUpSeconds`, then measures all of them in `rounds` rounds of `durationSeconds /
 * rounds` each, alternating, and stops them all. A row sums its rounds: requests/s over the
 * measured seconds, CPU over the requests; p50 and p99 are the means of the rounds'; peak RSS is
 * read after the last round. A server that fails to start or to be prepared, or whose load
 * throws, gets a failed row and the others go on. Answers the rows in the contenders' order.
 * @template {Started} S
 * @param {string} scenario
 * @param {Contender<S>[]} contenders
 * @param {{ warmUpSeconds: number, durationSeconds: number, rounds: number, peakRss: (pid: number) => number,
 *   stop: (server: S) => Promise<void>, log?: (line: string) => void }} options
 * @returns {Promise<Row[]>}
 */
export async function sideBySide(scenario, contenders, { warmUpSeconds, durationSeconds, rounds, peakRss, stop, log = () => {} }) {
  /** @type {(Row | undefined)[]} */
  const results = contenders.map(() => undefined);
  /** @type {{ at: number, started: S, prepared: Prepared, problems: Problems, runs: Measurement[] }[]} */
  let live = [];
  /** @type {S[]} */
  const running = [];
  const fail = (/** @type {number} */ at, /** @type {unknown} */ error) => {
    const row = failedRow(scenario, contenders[at]?.server ?? '?', error);
    results[at] = row;
    live = live.filter((l) => l.at !== at);
    log(`${row.server}: FAILED: ${row.problem}`);
  };
  try {
    for (const [at, c] of contenders.entries()) {
      try {
        const opened = await c.open();
        running.push(opened.started);
        live.push({ at, started: opened.started, prepared: await opened.prepare(), problems: new Problems(), runs: [] });
      } catch (error) {
        fail(at, error);
      }
    }
    for (const l of [...live]) {
      try {
        await l.prepared.run(warmUpSeconds, l.problems);
      } catch (error) {
        fail(l.at, error);
      }
    }
    for (let round = 0; round < rounds; round += 1) {
      for (const l of round % 2 === 0 ? [...live] : [...live].reverse()) {
        try {
          l.runs.push(await l.prepared.run(durationSeconds / rounds, l.problems));
        } catch (error) {
          fail(l.at, error);
        }
      }
    }
    for (const l of [...live]) {
      try {
        const row = summarize(scenario, contenders[l.at]?.server ?? '?', l.runs, l.problems, peakRss(l.started.pid), [...(l.prepared.notes ?? []), ...(l.prepared.after?.() ?? [])]);
        results[l.at] = row;
        const p = l.problems;
        log(`${row.server}: ${row.requestsPerSecond.toFixed(0)} req/s${row.valid ? '' : `  INVALID: ${p.non2xx} non-2xx, ${p.errors} errors, ${p.timeouts} timeouts, ${p.badBodies} bad bodies; first: ${p.first}`}`);
      } catch (error) {
        // E.g. the server died after its last round: its peak RSS cannot be read.
        fail(l.at, error);
      }
    }
  } finally {
    for (const s of running) await stop(s);
  }
  return results.filter(/** @returns {row is Row} */ (row) => row !== undefined);
}

/**
 * One row from a server's measured rounds: requests/s over the measured seconds, CPU over the
 * requests, p50 and p99 the means of the rounds', garbage collections summed; valid when no load
 * went wrong (warm-up included).
 * @param {string} scenario
 * @param {string} server
 * @param {Measurement[]} runs
 * @param {Problems} problems
 * @param {number} peakRssMiB
 * @param {string[]} notes
 * @returns {Row}
 */
export function summarize(scenario, server, runs, problems, peakRssMiB, notes) {
  const sum = (/** @type {(m: Measurement) => number} */ f) => runs.reduce((a, m) => a + f(m), 0);
  const requests = sum((m) => m.requests);
  const seconds = sum((m) => m.seconds);
  return {
    scenario,
    server,
    requestsPerSecond: requests / seconds,
    p50Ms: sum((m) => m.latencies.p50) / runs.length,
    p99Ms: sum((m) => m.latencies.p99) / runs.length,
    cpuMicrosPerRequest: sum((m) => m.cpuMicros) / requests,
    loadCpuMicrosPerRequest: sum((m) => m.loadCpuMicros) / requests,
    peakRssMiB,
    // Known only when every round's were.
    gc: runs.every((m) => m.gc) ? { young: sum((m) => m.gc?.young ?? 0), full: sum((m) => m.gc?.full ?? 0) } : null,
    valid: problems.count === 0 && requests > 0,
    problem: problems.first,
    requests,
    seconds,
    notes: [...notes, ...databaseNote(runs, requests)],
  };
}

/** The database's own CPU per request, when every round read it: in neither CPU column. */
function databaseNote(/** @type {Measurement[]} */ runs, /** @type {number} */ requests) {
  const readings = runs.map((m) => m.databaseCpuMicros);
  if (runs.length === 0 || !readings.every((c) => typeof c === 'number')) return [];
  const total = readings.reduce((a, c) => a + c, 0);
  return [`the database's processes (the PostgreSQL cluster's, on the same cores) used ${(total / requests).toFixed(0)} µs of CPU per request beside the server's`];
}
