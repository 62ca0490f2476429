// The demo Calendar API (CONTRACTS.md) against a real authorization server over real HTTP: the
// three token methods of RFC 6750 §2, its §3 answers, RFC 9068 checks, scopes, and per-user data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, signWithUnknownKey, startIssuer, tamper, unsignedToken, type Issuer } from '../../../packages/resource/test/support/issuer.js';
import { call, EVENT, startApi, type RunningApi } from './support.js';

let issuer: Issuer;
let api: RunningApi;
let alice: string;
let bob: string;
let aliceReadOnly: string;

beforeAll(async () => {
  issuer = await startIssuer();
  api = await startApi(issuer);
  alice = await issuer.token(ALICE);
  bob = await issuer.token(BOB);
  aliceReadOnly = await issuer.token(ALICE, 'calendar.read');
});
afterAll(async () => {
  await api.close();
  await issuer.close();
});

describe('RFC 6750 §2: the three ways to send the token', () => {
  it('reads events with the Authorization header', async () => {
    const created = await call(api, 'POST', '/calendar/events', { token: alice, json: EVENT });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(String), title: EVENT.title, start: '2026-05-04T12:00:00.000Z', end: '2026-05-04T13:00:00.000Z' });
    const list = await call(api, 'GET', '/calendar/events', { token: alice });
    expect(list.status).toBe(200);
    expect(list.json.events).toContainEqual(created.json);
  });

  it('reads events with ?access_token= (enabled in this API, §2.3)', async () => {
    const list = await call(api, 'GET', `/calendar/events?access_token=${alice}`);
    expect(list.status).toBe(200);
    expect((list.json.events as { title: string }[]).map((e) => e.title)).toContain(EVENT.title);
  });

  it('creates an event from a form body that carries the token (§2.2)', async () => {
    const created = await call(api, 'POST', '/calendar/events', { form: { ...EVENT, title: 'Form-made', access_token: alice } });
    expect(created.status).toBe(201);
    expect(created.json.title).toBe('Form-made');
  });

  it('answers two methods at once with 400 invalid_request', async () => {
    const response = await call(api, 'GET', `/calendar/events?access_token=${alice}`, { token: alice });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(response.json).toEqual({ error: 'invalid_request', error_description: 'the access token was sent 2 ways (header, query); use exactly one (RFC 6750 §2)' });
  });

  it('answers no token with a bare 401 challenge (§3.1)', async () => {
    const response = await call(api, 'GET', '/calendar/events');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="https://calendar.example"');
    expect(response.json.error).toBeUndefined();
    expect(response.json.events).toBeUndefined();
  });
});

describe('RFC 9068 §4: tokens the API must refuse (401 invalid_token)', () => {
  const cases: [string, () => Promise<string> | string, string][] = [
    ['a tampered signature', () => tamper(alice), 'signature does not verify'],
    ['another issuer', () => issuer.sign({ iss: 'https://evil.example' }), 'was not issued by'],
    ['another audience', () => issuer.sign({ aud: 'https://other-api.example' }), 'not meant for this API'],
    ['alg none', () => unsignedToken(issuer), 'must be signed with ES256 or RS256'],
    ['an unknown kid', () => signWithUnknownKey(issuer), "no key of the issuer matches the access token's kid"],
    ['an expired token', () => issuer.sign({ iat: Math.floor(Date.now() / 1000) - 700, exp: Math.floor(Date.now() / 1000) - 100 }), 'expired'],
    ['an ID token (typ JWT)', () => issuer.sign({}, { typ: 'JWT' }), 'typ header must be at+jwt'],
  ];
  it.each(cases)('refuses %s', async (_name, make, says) => {
    const token = await make();
    const response = await call(api, 'GET', '/calendar/events', { token });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="https:\/\/calendar\.example", error="invalid_token", error_description="[^"]+"$/);
    expect(challenge).toContain(says);
    expect(response.json.error).toBe('invalid_token');
    expect(JSON.stringify(response.json)).not.toContain(token);
    expect(response.json.events).toBeUndefined();
  });
});

describe('scopes', () => {
  it('refuses to create or delete without calendar.write (403 insufficient_scope)', async () => {
    for (const [method, path] of [['POST', '/calendar/events'], ['DELETE', '/calendar/events/any']] as const) {
      const response = await call(api, method, path, { token: aliceReadOnly, json: EVENT });
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer realm="https://calendar.example", error="insufficient_scope", error_description="the access token lacks the scope calendar.write that this request needs", scope="calendar.write"',
      );
    }
  });

  it('lists drive files with drive.read only', async () => {
    expect((await call(api, 'GET', '/drive/files', { token: alice })).json).toEqual({ files: [] });
    expect((await call(api, 'GET', '/drive/files', { token: aliceReadOnly })).status).toBe(403);
  });
});

describe("one user's data is theirs alone", () => {
  it('answers a token a client got for itself with 403: it names no user (SEC-43 c)', async () => {
    const machine = await issuer.clientToken();
    for (const [method, path] of [['GET', '/calendar/events'], ['POST', '/calendar/events'], ['GET', '/drive/files']] as const) {
      const response = await call(api, method, path, { token: machine, json: method === 'POST' ? EVENT : undefined });
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(response.json).toEqual({ error: 'insufficient_scope', error_description: expect.stringContaining('client_credentials') });
    }
  });

  it('alice cannot see or delete bob’s events (404, like an unknown id)', async () => {
    const bobs = await call(api, 'POST', '/calendar/events', { token: bob, json: { ...EVENT, title: "Bob's secret" } });
    const id = String(bobs.json.id);
    const aliceList = await call(api, 'GET', '/calendar/events', { token: alice });
    expect((aliceList.json.events as { id: string }[]).map((e) => e.id)).not.toContain(id);

    const stolen = await call(api, 'DELETE', `/calendar/events/${id}`, { token: alice });
    expect(stolen.status).toBe(404);
    const unknown = await call(api, 'DELETE', '/calendar/events/no-such-event', { token: alice });
    expect(unknown).toMatchObject({ status: 404, json: stolen.json });

    const bobList = await call(api, 'GET', '/calendar/events', { token: bob });
    expect(bobList.json.events).toEqual([bobs.json]);
    expect((await call(api, 'DELETE', `/calendar/events/${id}`, { token: bob })).status).toBe(204);
    expect((await call(api, 'GET', '/calendar/events', { token: bob })).json.events).toEqual([]);
  });
});

describe('input validation: 400 with JSON that says what to fix', () => {
  const post = (json: unknown) => call(api, 'POST', '/calendar/events', { token: alice, json });

  it('names every missing field', async () => {
    const response = await post({});
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error: 'invalid_event',
      error_description: 'title: is required; start: is required; end: is required',
      problems: [
        { field: 'title', message: 'is required' },
        { field: 'start', message: 'is required' },
        { field: 'end', message: 'is required' },
      ],
    });
  });

  it('limits the title to 1..200 characters', async () => {
    expect((await post({ ...EVENT, title: '   ' })).json.problems).toEqual([{ field: 'title', message: 'must be 1 to 200 characters (got 0)' }]);
    expect((await post({ ...EVENT, title: 'x'.repeat(201) })).json.problems).toEqual([{ field: 'title', message: 'must be 1 to 200 characters (got 201)' }]);
    expect((await post({ ...EVENT, title: 'x'.repeat(200) })).status).toBe(201);
  });

  it('wants ISO 8601 date-times with a zone', async () => {
    for (const start of ['tomorrow', '2026-05-04', '2026-05-04T12:00:00', '2026-02-30T12:00:00Z', '2026-05-04T25:00:00Z']) {
      const response = await post({ ...EVENT, start });
      expect(response.status).toBe(400);
      expect(response.json.problems).toEqual([{ field: 'start', message: expect.stringContaining('must be an ISO 8601 date-time with a time zone') }]);
    }
    expect((await post({ ...EVENT, start: 42 })).json.problems).toEqual([{ field: 'start', message: 'must be a string' }]);
  });

  it('wants end after start', async () => {
    const response = await post({ ...EVENT, start: '2026-05-04T14:00:00+02:00', end: '2026-05-04T12:00:00Z' });
    expect(response.json.problems).toEqual([{ field: 'end', message: 'must be after start' }]);
  });

  it('answers a body that is not a JSON object, or not JSON at all', async () => {
    expect((await post(['a'])).json).toMatchObject({ error: 'invalid_event', problems: [{ field: 'body', message: expect.any(String) }] });
    const response = await fetch(`${api.url}/calendar/events`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, body: '{"title":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('answers an unknown path with a JSON 404', async () => {
    expect(await call(api, 'GET', '/calendar/nothing', { token: alice })).toMatchObject({ status: 404, json: { error: 'not_found' } });
  });
});
