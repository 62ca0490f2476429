// The bench's verdicts (issue 9): a ratio target is compared with the ceiling measured in the same
// run, so a report says when a target asks for more than any server answers on the machine.
import { describe, expect, it } from 'vitest';
import { checks, checksText, table, type Row } from '../src/lib/report.js';

const row = (scenario: string, server: string, requestsPerSecond: number, extra: Partial<Row> = {}): Row => ({
  scenario, server, requestsPerSecond, p50Ms: 3, p99Ms: 8, cpuMicrosPerRequest: 100, loadCpuMicrosPerRequest: 30, peakRssMiB: 90, gc: null, valid: true, problem: null, requests: requestsPerSecond * 8, seconds: 8, notes: [], ...extra,
});
const LIMITS = { p99LimitMs: 10, rssLimitMiB: 120 };

describe('bench report: targets beside the ceilings of the same run', () => {
  it('marks a client_credentials target above the bare signer as out of reach', () => {
    const rows = [
      row('client_credentials', 'bare ES256 signer', 11_000),
      row('client_credentials', 'oidc-provider 9', 4_000),
      row('client_credentials', 'latchkey (sqlite)', 7_000),
    ];
    const check = checks(rows, LIMITS).find((c) => c.name === 'client_credentials: latchkey (sqlite) / oidc-provider 9');
    expect(check?.pass).toBe(false);
    expect(check?.ceiling).toEqual({ server: 'bare ES256 signer', requestsPerSecond: 11_000, needed: 12_000, reachable: false });
    expect(checksText(checks(rows, LIMITS))).toContain('ABOVE the bare ES256 signer\'s 11000: out of reach on this machine');
  });

  it('says a target is under the ceiling when it is, and judges the refresh grant against the signer too', () => {
    const rows = [
      row('client_credentials', 'bare ES256 signer', 15_000),
      row('refresh_token', 'oidc-provider 9', 2_000),
      row('refresh_token', 'latchkey (sqlite)', 6_500),
    ];
    const check = checks(rows, LIMITS).find((c) => c.name.startsWith('refresh_token: latchkey'));
    expect(check?.pass).toBe(true);
    expect(check?.ceiling).toMatchObject({ needed: 6_000, reachable: true });
    expect(check?.detail).toContain('under the bare ES256 signer');
  });

  it('judges introspection against Fastify answering a fixed body, not the bare server', () => {
    const rows = [
      row('introspection', 'bare node:http, fixed answer', 20_000),
      row('introspection', 'Fastify, fixed answer', 14_000),
      row('introspection', 'oidc-provider 9', 4_500),
      row('introspection', 'latchkey (sqlite)', 9_000),
    ];
    const check = checks(rows, LIMITS).find((c) => c.name.startsWith('introspection: latchkey'));
    expect(check?.ceiling).toMatchObject({ server: 'Fastify, fixed answer', needed: 15_750, reachable: false });
  });

  it('leaves out the ceiling when it was not measured or its measurement is invalid', () => {
    const rows = [
      row('client_credentials', 'bare ES256 signer', 11_000, { valid: false }),
      row('client_credentials', 'oidc-provider 9', 4_000),
      row('client_credentials', 'latchkey (sqlite)', 7_000),
    ];
    const list = checks(rows, LIMITS);
    expect(list.find((c) => c.name.endsWith('/ oidc-provider 9'))?.ceiling).toBeUndefined();
    // The share of an invalid signer run is no verdict either.
    expect(list.find((c) => c.name.endsWith('/ bare ES256 signer'))?.pass).toBeNull();
  });
});

describe('bench report: the share of the bare signer beside the other signer peers', () => {
  it('bounds the share of the bare signer by the fastest signer peer of the same run', () => {
    const rows = [
      row('client_credentials', 'bare ES256 signer', 10_000),
      row('client_credentials', 'Fastify ES256 signer', 7_800),
      row('client_credentials', 'latchkey (sqlite)', 6_000),
    ];
    const check = checks(rows, LIMITS).find((c) => c.name === 'client_credentials: latchkey (sqlite) / bare ES256 signer');
    expect(check?.display).toBe('60%');
    expect(check?.ceiling).toEqual({ server: 'bare ES256 signer', requestsPerSecond: 10_000, needed: 8_000, reachable: true });
  });

  it('takes the signer on the thread pool as the ceiling when it is the fastest, and reports the share of each peer', () => {
    const rows = [
      row('client_credentials', 'bare ES256 signer', 10_000),
      row('client_credentials', 'bare ES256 signer, thread pool', 12_500),
      row('client_credentials', 'Fastify ES256 signer', 9_000),
      row('client_credentials', 'oidc-provider 9', 4_000),
      row('client_credentials', 'latchkey (sqlite)', 11_000),
    ];
    const list = checks(rows, LIMITS);
    expect(list.find((c) => c.name.endsWith('/ oidc-provider 9'))?.ceiling).toEqual({ server: 'bare ES256 signer, thread pool', requestsPerSecond: 12_500, needed: 12_000, reachable: true });
    expect(list.find((c) => c.name === 'client_credentials: latchkey (sqlite) / bare ES256 signer')).toMatchObject({ display: '110%', pass: true });
    expect(list.find((c) => c.name === 'client_credentials: latchkey (sqlite) / bare ES256 signer, thread pool')).toMatchObject({ display: '88%', pass: 'info' });
    expect(list.find((c) => c.name === 'client_credentials: latchkey (sqlite) / Fastify ES256 signer')).toMatchObject({ display: '122%', pass: 'info' });
  });
});

describe('bench report: peak memory', () => {
  it("holds each Latchkey server and the demo API's process to the limit, and no peer", () => {
    const rows = [
      row('client_credentials', 'oidc-provider 9', 4_000, { peakRssMiB: 400 }),
      row('client_credentials', 'latchkey (sqlite)', 12_000, { peakRssMiB: 110 }),
      row('GET /calendar/events unchecked', 'calendar-api (fastify)', 14_000, { peakRssMiB: 125 }),
      row('GET /calendar/events checked', 'calendar-api (fastify)', 13_000, { peakRssMiB: 125 }),
    ];
    const memory = checks(rows, LIMITS).filter((c) => c.name.startsWith('peak RSS'));
    // The API's two routes share one process: one verdict for it.
    expect(memory.map((c) => [c.name, c.pass])).toEqual([
      ['peak RSS: client_credentials, latchkey (sqlite)', true],
      ['peak RSS: GET /calendar/events checked, calendar-api (fastify)', false],
    ]);
  });
});

describe('bench report: the table', () => {
  it("puts the load generator's CPU per request beside the server's, with a dash for a failed measurement", () => {
    const lines = table([
      row('refresh_token', 'latchkey (sqlite)', 15_000, { cpuMicrosPerRequest: 84.4, loadCpuMicrosPerRequest: 28.6 }),
      row('refresh_token', 'oidc-provider 9', Number.NaN, { cpuMicrosPerRequest: Number.NaN, loadCpuMicrosPerRequest: Number.NaN, valid: false }),
    ]).split('\n');
    const head = lines[0] ?? '';
    expect(head).toMatch(/CPU µs\/req +load gen CPU µs\/req +peak RSS MiB/);
    // Each value ends where its (right-aligned) column's heading ends.
    const end = (heading: string) => head.indexOf(heading) + heading.length;
    const ours = lines[2] ?? '';
    expect(ours.slice(0, end('load gen CPU µs/req')).trimEnd()).toMatch(/ 84 +29$/);
    // No garbage-collection counts for this row: a dash in that column.
    expect(ours).toMatch(/ 90\.0 +- {2}yes$/);
    expect((lines[3] ?? '').slice(0, end('load gen CPU µs/req')).trimEnd()).toMatch(/ - +-$/);
    expect(lines[3]).toMatch(/INVALID$/);
  });
});
