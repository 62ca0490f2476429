// REL-02 (SECURITY-CATALOG §13): a crash in the middle of a security state change. `latchkey
// serve` is killed with SIGKILL while many code redemptions and refresh-token rotations run at
// once, each sent several times (a retrying client, or an attacker racing it); after the restart
// the database never holds "tokens issued while the code is still redeemable" nor "two active
// refresh tokens in one family", whatever instant the kill hit. Checked both from the outside
// (introspection, redemption) and in the database (grey-box: responses lost in the crash hide
// nothing). Mirrors fosite's transaction tests. SQLite, and PostgreSQL in the PostgreSQL pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../support/browser.js';
import {
  createDeployment,
  familiesFromUnconsumedCodes,
  familiesWithTwoActiveTokens,
  freshCode,
  introspect,
  issueGrant,
  post,
  signedInBrowser,
  type Answer,
  type Deployment,
  type Tokens,
} from './deployment.js';

const ROUNDS = 3;
const CODES = 12;
const REFRESHES = 12;

/** Every other code and refresh token is sent three times at once, the others once. */
const copiesOf = (i: number): number => (i % 2 === 0 ? 1 : 3);

type Sent = { copies: number; answers: (Answer | null)[] } & ({ kind: 'code'; code: string; verifier: string } | { kind: 'refresh'; tokens: Tokens });

describe('REL-02: SIGKILL during code redemptions and refresh rotations', () => {
  let deployment: Deployment;
  let browser: Browser;
  beforeAll(async () => {
    // No grace window: every second presentation of a refresh token is reuse, the harshest case.
    deployment = await createDeployment({ settings: { LATCHKEY_CODE_TTL: '600', LATCHKEY_REFRESH_REUSE_GRACE: '0' } });
  });
  afterAll(async () => deployment?.close());

  it(`${ROUNDS} crashes: never a redeemable code with tokens issued, never two active refresh tokens in a family`, { timeout: 90_000 }, async () => {
    let server = await deployment.start();
    browser = await signedInBrowser(deployment);
    for (let round = 0; round < ROUNDS; round += 1) {
      const sent: Sent[] = [];
      for (let i = 0; i < CODES; i += 1) sent.push({ kind: 'code', ...(await freshCode(deployment, browser)), copies: copiesOf(i), answers: [] });
      for (let i = 0; i < REFRESHES; i += 1) sent.push({ kind: 'refresh', tokens: await issueGrant(deployment, browser), copies: copiesOf(i), answers: [] });

      const url = deployment.issuer;
      const requests = sent.flatMap((s) =>
        Array.from({ length: s.copies }, async () => {
          const form: Record<string, string> =
            s.kind === 'code'
              ? { grant_type: 'authorization_code', code: s.code, redirect_uri: 'https://mine.example/cb', code_verifier: s.verifier }
              : { grant_type: 'refresh_token', refresh_token: s.tokens.refreshToken };
          const answer = await post(url, '/token', deployment.client, form).catch(() => null);
          s.answers.push(answer);
          return answer;
        }),
      );
      // Kill once a few answers are back: the rest are somewhere between parse and commit.
      let answered = 0;
      await new Promise<void>((resolve) => {
        for (const r of requests) {
          void r.then(() => {
            answered += 1;
            if (answered === 4 + round * 6) resolve();
          });
        }
        void Promise.all(requests).then(() => resolve());
      });
      server.kill('SIGKILL');
      await Promise.all(requests);
      expect(await server.exited).toBeNull();
      const all = sent.flatMap((s) => s.answers).filter((a): a is Answer => a !== null);
      expect(all.filter((a) => a.status >= 500 && a.status !== 503).map((a) => a.text)).toEqual([]);

      // Grey-box, before anyone touches the data again.
      const db = deployment.openDatabase();
      try {
        expect(await familiesWithTwoActiveTokens(db, Math.floor(Date.now() / 1000))).toEqual([]);
        expect(await familiesFromUnconsumedCodes(db)).toEqual([]);
      } finally {
        await db.destroy();
      }

      server = await deployment.start();
      for (const s of sent) {
        const successes = s.answers.filter((a) => a?.status === 200);
        if (s.kind === 'code') {
          // Single use: at most one 200 however many copies raced the crash.
          expect(successes.length).toBeLessThanOrEqual(1);
          if (s.copies === 1 && successes.length === 1) {
            // Nothing raced it, so the grant it answered 200 for survived the crash.
            expect((await introspect(url, deployment, String(successes[0]?.json.refresh_token))).active).toBe(true);
          }
          const replay = await post(url, '/token', deployment.client, { grant_type: 'authorization_code', code: s.code, redirect_uri: 'https://mine.example/cb', code_verifier: s.verifier });
          // A code that issued tokens before the crash is spent after it.
          if (successes.length === 1) expect({ status: replay.status, error: replay.json.error }).toEqual({ status: 400, error: 'invalid_grant' });
          else expect([200, 400]).toContain(replay.status);
        } else {
          expect(successes.length).toBeLessThanOrEqual(1);
          // The presented token and every successor handed out: at most one still active.
          const candidates = [s.tokens.refreshToken, ...successes.map((a) => String(a?.json.refresh_token))];
          const active = [];
          for (const token of candidates) if ((await introspect(url, deployment, token)).active === true) active.push(token);
          expect(active.length).toBeLessThanOrEqual(1);
          // A rotation answered 200 that nothing raced is durable: its successor is the active one.
          if (s.copies === 1 && successes.length === 1) expect(active).toEqual([String(successes[0]?.json.refresh_token)]);
        }
      }
    }
    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
