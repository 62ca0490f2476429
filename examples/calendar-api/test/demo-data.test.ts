// Demo data (CONTRACTS.md `npm start`): the demo seed names alice's `sub` in demo-user.json, and
// the API gives her events and files on its first start, once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUserPath } from '../src/demo-data.js';
import { ALICE, BOB, startIssuer, type Issuer } from '../../../packages/resource/test/support/issuer.js';
import { call, startApi, subOf } from './support.js';

let issuer: Issuer;
let alice: string;

beforeAll(async () => {
  issuer = await startIssuer();
  alice = await issuer.token(ALICE);
});
afterAll(async () => issuer.close());

describe('demo data for the demo user', () => {
  it('is written on the first start only, for that user only', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'calendar-demo-'));
    writeFileSync(demoUserPath(dataDir), JSON.stringify({ sub: subOf(alice), username: 'alice' }));
    const first = await startApi(issuer, { dataDir });
    const events = await call(first, 'GET', '/calendar/events', { token: alice });
    const titles = (events.json.events as { title: string }[]).map((e) => e.title);
    expect(titles).toEqual(['Tea party with the Mad Hatter', 'Croquet with the Queen of Hearts', 'Follow the White Rabbit']);
    expect((await call(first, 'GET', '/drive/files', { token: alice })).json.files).toHaveLength(2);
    expect((await call(first, 'GET', '/calendar/events', { token: await issuer.token(BOB) })).json.events).toEqual([]);
    await first.close();

    const second = await startApi(issuer, { dataDir });
    expect((await call(second, 'GET', '/calendar/events', { token: alice })).json.events).toEqual(events.json.events);
    await second.close();
  });
});

describe('logs', () => {
  it('never contain a token, even one sent in the query string', async () => {
    const lines: string[] = [];
    const api = await startApi(issuer, { logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } });
    expect((await call(api, 'GET', `/calendar/events?access_token=${alice}`)).status).toBe(200);
    expect((await call(api, 'GET', '/calendar/events', { token: `${alice}x` })).status).toBe(401);
    await api.close();
    const log = lines.join('');
    expect(log).toContain('access_token=[redacted]');
    expect(log).not.toContain(alice.split('.')[2]);
  });
});
