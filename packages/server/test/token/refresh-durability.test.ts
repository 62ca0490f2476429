// The refresh grant signs its access token while the rotation is flushed to disk (issue 9), but
// answers only once the rotation is on disk: a client must never hold a refresh token that a crash
// could make the server forget. A flush that fails fails the request, with no token in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshTokenRepository, Store } from '../../src/store/repositories.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, newClient, refresh, tokensFor, type TestClient } from './fixtures.js';

/** What the next rotation's flush does: settle when the test says. */
let gate: { promise: Promise<void>; open: () => void; fail: (error: Error) => void } | undefined;
let rotationsWritten = 0;

function holdNextFlush() {
  let open = () => {};
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  gate = { promise, open, fail };
  return gate;
}

/** The store's rotations, each `durable` also waiting for the gate when one is set. */
function heldRotations(real: RefreshTokenRepository): RefreshTokenRepository {
  const rotateWritten: RefreshTokenRepository['rotateWritten'] = async (input) => {
    const written = await real.rotateWritten(input);
    rotationsWritten += 1;
    const held = gate?.promise;
    gate = undefined;
    return held === undefined ? written : { ...written, durable: Promise.all([written.durable, held]).then(() => undefined) };
  };
  return new Proxy(real, {
    get(target, property) {
      if (property === 'rotateWritten') return rotateWritten;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let server: TestServer;
let c1: TestClient;
beforeAll(async () => {
  server = await startServer({}, { wrapStore: (store: Store) => ({ ...store, refreshTokens: heldRotations(store.refreshTokens) }) });
  await seed(server);
  c1 = await newClient(server);
});
afterAll(async () => server.close());

describe('the refresh grant and the flush to disk', () => {
  it('does not answer before the rotation is on disk, then answers with the successor', async () => {
    const { refreshToken } = await tokensFor(server, c1);
    const held = holdNextFlush();
    const before = rotationsWritten;
    let answered = false;
    const call = refresh(server, c1, refreshToken).then((result) => {
      answered = true;
      return result;
    });
    // The rotation is written (and its access token signed meanwhile); the answer still waits.
    const deadline = Date.now() + 5_000;
    while (rotationsWritten === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(rotationsWritten).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    held.open();
    const result = await call;
    expectSuccess(result);
    expect(typeof result.json.refresh_token).toBe('string');
    // The successor works: the rotation was written.
    expectSuccess(await refresh(server, c1, String(result.json.refresh_token)));
  });

  it('fails the request with server_error and hands out no token when the flush fails', async () => {
    const { refreshToken } = await tokensFor(server, c1);
    const held = holdNextFlush();
    const call = refresh(server, c1, refreshToken);
    const before = rotationsWritten;
    const deadline = Date.now() + 5_000;
    while (rotationsWritten === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    held.fail(new Error('EIO: the disk refused the write'));
    const result = await call;
    expectError(result, 500, 'server_error');
    expect(result.json.access_token).toBeUndefined();
    expect(result.json.refresh_token).toBeUndefined();
    expect(JSON.stringify(result.json)).not.toContain('EIO');
  });
});
