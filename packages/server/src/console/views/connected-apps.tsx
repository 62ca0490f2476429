import { Layout } from '../../interaction/views/layout.js';
import { ROUTES } from '../../routes.js';
import type { Scope, Session } from '../../store/repositories.js';
import { ACCOUNT_ACTIONS, formatTime, isoTime } from '../paths.js';

export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: Scope[];
  grantedAt: number;
}

export interface ConnectedAppsPageProps {
  csrfToken: string;
  username: string;
  apps: ConnectedApp[];
  sessions: Session[];
  currentSessionIdHash: string;
  notice: string | null;
}

export function ConnectedAppsPage(props: ConnectedAppsPageProps) {
  const csrf = <input type="hidden" name="csrf" value={props.csrfToken} />;
  const others = props.sessions.filter((s) => s.idHash !== props.currentSessionIdHash).length;
  return (
    <Layout title="Connected apps">
      <div class="console">
        <h1>Connected apps</h1>
        <p class="lead">
          Signed in as <strong><bdi>{props.username}</bdi></strong>. These apps can use part of your account. Removing access takes effect at once.
        </p>
        {props.notice !== null && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        {props.apps.length === 0 ? (
          <p class="hint">No app has access to your account.</p>
        ) : (
          props.apps.map((app, index) => (
            <section class="card" aria-labelledby={`app-${index}`}>
              <h2 id={`app-${index}`}>
                <bdi>{app.name}</bdi>
              </h2>
              <p class="hint">
                Allowed on <time datetime={isoTime(app.grantedAt)}>{formatTime(app.grantedAt)}</time>. It can:
              </p>
              <ul>
                {app.scopes.map((scope) => (
                  <li>
                    {scope.description} <span class="scope-name">({scope.name})</span>
                  </li>
                ))}
              </ul>
              <form method="post" action={ACCOUNT_ACTIONS.removeAccess}>
                {csrf}
                <input type="hidden" name="client_id" value={app.clientId} />
                <button type="submit" class="danger" aria-describedby={`app-${index}`}>
                  Remove access
                </button>
              </form>
            </section>
          ))
        )}
        <section aria-labelledby="sessions-heading">
          <h2 id="sessions-heading">Where you are signed in</h2>
          <p class="hint" id="others-count">
            {others === 1 ? '1 other session' : `${others} other sessions`}
          </p>
          <ul class="rows">
            {props.sessions.map((session) => (
              <li>
                <span>
                  Signed in <time datetime={isoTime(session.createdAt)}>{formatTime(session.createdAt)}</time>, until{' '}
                  <time datetime={isoTime(session.expiresAt)}>{formatTime(session.expiresAt)}</time>
                </span>
                {session.idHash === props.currentSessionIdHash && <strong>This browser</strong>}
              </li>
            ))}
          </ul>
          <div class="actions">
            <form method="post" action={ROUTES.logout}>
              {csrf}
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
            <form method="post" action={ACCOUNT_ACTIONS.signOutOthers}>
              {csrf}
              <button type="submit" class="secondary" aria-describedby="others-count">
                Sign out everywhere else
              </button>
            </form>
          </div>
        </section>
      </div>
    </Layout>
  );
}
