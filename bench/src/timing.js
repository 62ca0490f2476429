// SEC-25 (a), timing: does the time Latchkey takes to refuse a client secret depend on where the
// secret differs from the real one? A comparison that stops at the first differing byte would
// answer "wrong at byte 0" sooner than "wrong at the last byte", and let an attacker find the
// secret byte by byte (RFC 6819 §5.1.4.1.3; OWASP: compare with safe functions).
//
// `npm run bench:timing -w bench` (after `npm run build`). Not part of `npm test`: a statistical
// test on a shared machine would fail by chance now and then. Two measurements, each of
// interleaved pairs in random order (so drift in the machine's load hits both sides alike):
//
// 1. Black box, as the catalog asks: POST /token (client_credentials, HTTP Basic) against
//    `latchkey serve` on SQLite, with the secret changed at its first or at its last character
//    (same length). Each refusal is a 401. Failures are throttled per client after 10 (SEC-24),
//    which would stop the comparison from running at all, so the real client is cloned (same
//    secret hash) and each clone takes 4 pairs.
// 2. The same for PKCE: codes redeemed with the code_verifier changed at its first or last
//    character (each a fresh code: a wrong verifier burns it).
// 3. The comparison itself (`secretMatches`), called in-process, where a difference of a few
//    nanoseconds would show.
//
// Over HTTP: the medians, their difference, the same for two halves of one side (the noise
// floor), and the two-sided Mann–Whitney p; PASS when p > 0.01 (the catalog: no significant
// difference) or the medians differ by less than the noise floor. In process: a control first
// measures a comparison that does leak (it stops at the first differing character), whose two
// medians must differ; PASS when Latchkey's differ by under a quarter of that. Exit 1 otherwise.
// Env: TIMING_PAIRS (client-secret pairs, default 2000), TIMING_PKCE_PAIRS (default 1000),
// TIMING_CALLS (in-process pairs, default 200000).
import { randomBytes, randomInt } from 'node:crypto';
import path from 'node:path';
import { URLSearchParams, pathToFileURL } from 'node:url';
import { ROOT, stopServer } from './lib/children.js';
import { Browser, authorizeInteractive, basic, pkce, prepareLatchkey, REDIRECT_URI, startLatchkey } from './lib/latchkey.js';
import { mannWhitney, median } from './lib/stats.js';

const PAIRS = Number(process.env.TIMING_PAIRS ?? 2_000);
const PKCE_PAIRS = Number(process.env.TIMING_PKCE_PAIRS ?? 1_000);
const CALLS = Number(process.env.TIMING_CALLS ?? 200_000);
const PAIRS_PER_CLIENT = 4;
const ALPHA = 0.01;

/** The secret with one character replaced by another of the base64url alphabet. */
function changedAt(/** @type {string} */ secret, /** @type {number} */ index) {
  const replacement = secret[index] === 'A' ? 'B' : 'A';
  return secret.slice(0, index) + replacement + secret.slice(index + 1);
}

/**
 * Runs `pairs` pairs of (first, last) in a random order each time; `measure` returns one timing.
 * @param {number} pairs
 * @param {(side: 'first' | 'last', pair: number) => Promise<number> | number} measure
 */
async function interleaved(pairs, measure) {
  /** @type {number[]} */ const first = [];
  /** @type {number[]} */ const last = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const order = randomInt(2) === 0 ? /** @type {const} */ (['first', 'last']) : /** @type {const} */ (['last', 'first']);
    for (const side of order) (side === 'first' ? first : last).push(await measure(side, pair));
  }
  return { first, last };
}

/** The medians, the noise floor (two halves of one side, split at random) and the test. */
function verdict(/** @type {string} */ label, /** @type {string} */ unit, /** @type {{ first: number[], last: number[] }} */ samples) {
  const { first, last } = samples;
  const shuffled = [...first];
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [shuffled[i], shuffled[j]] = [/** @type {number} */ (shuffled[j]), /** @type {number} */ (shuffled[i])];
  }
  const half = shuffled.length >> 1;
  const noise = Math.abs(median(shuffled.slice(0, half)) - median(shuffled.slice(half)));
  const delta = median(last) - median(first);
  const { p } = mannWhitney(first, last);
  const pass = p > ALPHA || Math.abs(delta) < noise;
  const f = (/** @type {number} */ v) => v.toFixed(unit === 'µs' ? 1 : 0);
  process.stdout.write(
    `${label}: ${first.length} + ${last.length} samples; median differing at the first character ${f(median(first))} ${unit}, at the last ${f(median(last))} ${unit}; ` +
      `difference ${f(delta)} ${unit} (noise floor ${f(noise)} ${unit}); Mann-Whitney p = ${p.toFixed(3)}  ${pass ? 'PASS' : 'DIFFERENT'}\n`,
  );
  return pass;
}

async function overHttp() {
  const instance = await prepareLatchkey({ audience: 'https://api.bench.example' });
  const server = await startLatchkey(instance);
  try {
    const { createStore } = await import(pathToFileURL(path.join(ROOT, 'packages/server/dist/store/index.js')).href);
    const store = await createStore({ kind: 'sqlite', path: path.join(instance.dataDir, 'latchkey.db') });
    /** @type {string[]} */
    const clients = [];
    try {
      const real = await store.clients.findById(instance.service.client_id);
      // One more than the pairs need: the first takes the warm-up.
      for (let i = 0; i * PAIRS_PER_CLIENT < PAIRS + PAIRS_PER_CLIENT; i += 1) {
        const id = `timing-${i}-${randomBytes(6).toString('hex')}`;
        await store.clients.create({ ...real, id });
        clients.push(id);
      }
    } finally {
      await store.close();
    }
    const secret = instance.service.client_secret;
    const wrong = { first: changedAt(secret, 0), last: changedAt(secret, secret.length - 1) };
    const url = `${instance.issuer}/token`;
    const post = async (/** @type {string} */ clientId, /** @type {string} */ clientSecret) => {
      const started = process.hrtime.bigint();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic({ client_id: clientId, client_secret: clientSecret }) },
        body: 'grant_type=client_credentials',
      });
      await response.arrayBuffer();
      const elapsed = Number(process.hrtime.bigint() - started) / 1_000;
      if (response.status !== 401) throw new Error(`a wrong secret was answered ${response.status}, not 401: the measurement is invalid`);
      return elapsed;
    };
    const [warm, ...measured] = clients;
    for (let i = 0; i < 2 * PAIRS_PER_CLIENT; i += 1) await post(/** @type {string} */ (warm), wrong.first);
    return verdict('POST /token, wrong client secret (401)', 'µs', await interleaved(PAIRS, (side, pair) => post(/** @type {string} */ (measured[Math.floor(pair / PAIRS_PER_CLIENT)]), wrong[side])));
  } finally {
    await stopServer(server);
    await instance.dispose();
  }
}

/**
 * The same over HTTP for PKCE (catalog: "repeat for PKCE verifiers"): each pair redeems two fresh
 * codes of a signed-in, consenting user with the verifier changed at its first or its last
 * character; each is refused with invalid_grant (a wrong verifier burns its code, so every
 * sample needs its own). Only the token request is timed.
 */
async function pkceOverHttp() {
  const instance = await prepareLatchkey({ audience: 'https://api.bench.example' });
  const server = await startLatchkey(instance);
  try {
    const browser = new Browser(instance.issuer);
    const client = instance.web;
    const redeem = async (/** @type {'first' | 'last'} */ side) => {
      const { verifier, challenge } = pkce();
      const code = await authorizeInteractive(browser, client, 'openid api.read', challenge);
      const presented = side === 'first' ? changedAt(verifier, 0) : changedAt(verifier, verifier.length - 1);
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: presented });
      const started = process.hrtime.bigint();
      const response = await fetch(`${instance.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
        body,
      });
      const answer = await response.json();
      const elapsed = Number(process.hrtime.bigint() - started) / 1_000;
      if (response.status !== 400 || answer.error !== 'invalid_grant') throw new Error(`a wrong verifier was answered ${response.status} ${JSON.stringify(answer)}: the measurement is invalid`);
      return elapsed;
    };
    for (let i = 0; i < 10; i += 1) await redeem('first');
    return verdict('POST /token, wrong PKCE code_verifier (400 invalid_grant)', 'µs', await interleaved(PKCE_PAIRS, (side) => redeem(side)));
  } finally {
    await stopServer(server);
    await instance.dispose();
  }
}

async function inProcess() {
  const { hashSecret, randomToken, secretMatches } = await import(pathToFileURL(path.join(ROOT, 'packages/server/dist/tokens/secrets.js')).href);
  const secret = randomToken();
  const stored = hashSecret(secret);
  const wrong = { first: changedAt(secret, 0), last: changedAt(secret, secret.length - 1) };
  /** Interleaved timings, in ns, of `compare` called with each wrong secret. */
  const timings = async (/** @type {(presented: string) => boolean} */ compare) => {
    for (let i = 0; i < 10_000; i += 1) compare(wrong.first);
    return interleaved(CALLS, (side) => {
      const started = process.hrtime.bigint();
      const matched = compare(wrong[side]);
      const elapsed = Number(process.hrtime.bigint() - started);
      if (matched) throw new Error('a wrong secret matched');
      return elapsed;
    });
  };
  // The control: a comparison that stops at the first differing character, on the same strings,
  // measured the same way. Its medians must differ, or the measurement is too coarse to vouch
  // for anything.
  const leaky = (/** @type {string} */ presented) => {
    if (presented.length !== secret.length) return false;
    for (let i = 0; i < presented.length; i += 1) if (presented.charCodeAt(i) !== secret.charCodeAt(i)) return false;
    return true;
  };
  const control = await timings(leaky);
  const real = await timings((presented) => secretMatches(presented, stored));
  const leak = median(control.last) - median(control.first);
  const delta = median(real.last) - median(real.first);
  // In process, with this many samples, Mann-Whitney flags even two copies of one string (where
  // they sit in memory changes the time by a few ns), so the criterion is the medians against the
  // control's: Latchkey's comparison must show under a quarter of the leak the control shows.
  const conclusive = leak >= 20;
  const pass = conclusive && Math.abs(delta) < leak / 4;
  process.stdout.write(
    `control, a character-by-character comparison in process: ${CALLS} + ${CALLS} calls; median differing at the first character ${median(control.first)} ns, at the last ${median(control.last)} ns; difference ${leak} ns${conclusive ? '' : '  INCONCLUSIVE: the clock cannot see it'}\n` +
      `secretMatches in process: ${CALLS} + ${CALLS} calls; median differing at the first character ${median(real.first)} ns, at the last ${median(real.last)} ns; difference ${delta} ns  ${pass ? 'PASS' : 'DIFFERENT'}\n`,
  );
  return pass;
}

process.stdout.write(`SEC-25 (a): refusal time by the position of the wrong character; Node ${process.version}\n`);
const results = [await overHttp(), await pkceOverHttp(), await inProcess()];
process.exitCode = results.every(Boolean) ? 0 : 1;
