// "Access": what the user granted Mine, and what OAuth did, in plain words.
import type { HeldTokens } from '../store/session-store.js';
import { Layout, type Frame } from './layout.js';

const SCOPE_WORDS: Record<string, string> = {
  openid: 'know who you are at Latchkey (sign you in)',
  profile: 'see your name',
  email: 'see your email address',
  offline_access: 'keep access while you are away (a refresh token)',
  'calendar.read': 'see your calendar events',
  'calendar.write': 'add and delete events in your calendar',
  'drive.read': 'see the files in your drive',
};

export function AccessPage(props: { frame: Frame; tokens: HeldTokens; wanted: string[]; issuer: string; apiUrl: string; now: number }) {
  const { tokens, now } = props;
  const missing = props.wanted.filter((s) => !tokens.scopes.includes(s));
  const left = tokens.accessExpiresAt - now;
  return (
    <Layout title="Access" frame={props.frame}>
      <h1>What you allowed Mine to do</h1>
      <p class="lead">
        When you clicked "Sign in with Latchkey", Mine sent you to Latchkey ({props.issuer}). You signed in there, so Mine never saw your password, and you chose what Mine may do. Latchkey sent you back with a one-time code,
        and Mine's server exchanged it, with Mine's own secret and a PKCE proof, for tokens. The tokens stay on Mine's server: your browser holds only Mine's session cookie.
      </p>
      <h2>Permissions you granted</h2>
      <ul class="items scopes">
        {tokens.scopes.map((s) => (
          <li key={s}>
            <code>{s}</code>: {SCOPE_WORDS[s] ?? s}
          </li>
        ))}
      </ul>
      {missing.length > 0 ? (
        <>
          <h2>Permissions you did not grant</h2>
          <ul class="items">
            {missing.map((s) => (
              <li key={s}>
                <code>{s}</code>: {SCOPE_WORDS[s] ?? s}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <dl>
        <dt>Access token</dt>
        <dd class="access-token">
          {left > 0
            ? `Mine shows it to the Calendar API (${props.apiUrl}) on each request. It expires at ${clock(tokens.accessExpiresAt)}, in ${duration(left)}.`
            : `It expired at ${clock(tokens.accessExpiresAt)}, ${duration(-left)} ago. The next time Mine calls the Calendar API, the API will refuse it, and Mine will use the refresh token to get a new one.`}
        </dd>
        <dt>Refresh token</dt>
        <dd class="refresh-token">
          {tokens.refreshToken !== null
            ? 'Mine holds a refresh token: it lets Mine get a new access token from Latchkey without asking you again, until you disconnect Mine or remove its access at Latchkey.'
            : 'Mine holds no refresh token: when the access token expires, you will have to sign in again.'}
        </dd>
        <dt>Refreshes</dt>
        <dd class="refreshes">
          {tokens.refreshCount === 0
            ? 'Mine has not refreshed the access token since you signed in.'
            : `Mine refreshed the access token ${tokens.refreshCount} ${tokens.refreshCount === 1 ? 'time' : 'times'} since you signed in, last at ${clock(tokens.lastRefreshAt ?? now)}: the old access token had expired, so Mine traded its refresh token for a new pair (Latchkey rotates the refresh token on each use).`}
        </dd>
      </dl>
      <h2>Disconnect</h2>
      <p>Disconnecting asks Latchkey to revoke Mine's refresh token (RFC 7009) and makes Mine forget your tokens. Mine will need you to sign in again to show your calendar.</p>
      <form method="post" action="/disconnect">
        <input type="hidden" name="csrf" value={props.frame.csrfToken ?? ''} />
        <button type="submit" class="secondary">Disconnect</button>
      </form>
    </Layout>
  );
}

function clock(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(11, 19)} UTC`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}
