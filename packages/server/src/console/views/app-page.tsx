import { Layout } from '../../interaction/views/layout.js';
import { ROUTES } from '../../routes.js';
import type { AuthorizationFailure, Client, Scope } from '../../store/repositories.js';
import { appActionPath, formatTime, isoTime } from '../paths.js';

export interface AppPageProps {
  csrfToken: string;
  app: Client;
  scopes: Scope[];
  failures: AuthorizationFailure[];
  /** A secret just issued (registration or rotation): shown on this page only. */
  newSecret: string | null;
  notice: string | null;
  error: string | null;
  /** The redirect URI being added, kept after an error. */
  pendingUri: string;
}

export function AppPage(props: AppPageProps) {
  const { app } = props;
  const confidential = app.tokenEndpointAuthMethod !== 'none';
  const csrf = <input type="hidden" name="csrf" value={props.csrfToken} />;
  return (
    <Layout title={app.name}>
      <div class="console">
        <p class="crumbs">
          <a href={ROUTES.console}>Developer console</a>
        </p>
        <h1>
          <bdi>{app.name}</bdi>
        </h1>
        {props.notice !== null && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        {props.error !== null && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <dl class="facts">
          <dt>Client ID</dt>
          <dd>
            <code id="client-id">{app.id}</code>
          </dd>
          <dt>Type</dt>
          <dd>{confidential ? 'Confidential (client_secret_basic)' : 'Public (no secret; PKCE required)'}</dd>
          <dt>Registered</dt>
          <dd>
            <time datetime={isoTime(app.createdAt)}>{formatTime(app.createdAt)}</time>
          </dd>
        </dl>
        {props.newSecret !== null && (
          <section class="secret" aria-labelledby="secret-heading">
            <h2 id="secret-heading">Client secret</h2>
            <p>Copy it now and keep it on your server. It is shown only once: after you leave this page nobody can see it again, not even you.</p>
            <p>
              <code id="client-secret" class="select-all">
                {props.newSecret}
              </code>{' '}
              <button type="button" class="secondary small" data-copy="client-secret" hidden>
                Copy secret
              </button>{' '}
              <span role="status" aria-live="polite" class="hint" id="copy-status"></span>
            </p>
          </section>
        )}
        <section aria-labelledby="uris-heading">
          <h2 id="uris-heading">Redirect URIs</h2>
          {app.redirectUris.length === 0 ? (
            <p class="hint">None registered.</p>
          ) : (
            <ul class="rows">
              {app.redirectUris.map((uri) => (
                <li>
                  <code>{uri}</code>
                  <form method="post" action={appActionPath(app.id, 'removeRedirectUri')} class="inline">
                    {csrf}
                    <input type="hidden" name="redirect_uri" value={uri} />
                    <button type="submit" class="secondary small" aria-label={`Remove ${uri}`}>
                      Remove
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          )}
          <form method="post" action={appActionPath(app.id, 'addRedirectUri')}>
            {csrf}
            <label for="new-redirect-uri">Add a redirect URI</label>
            <input id="new-redirect-uri" name="redirect_uri" type="text" required value={props.pendingUri} />
            <button type="submit" class="secondary">
              Add redirect URI
            </button>
          </form>
        </section>
        <section aria-labelledby="scopes-heading">
          <h2 id="scopes-heading">Scopes</h2>
          <ul class="rows">
            {props.scopes.map((scope) => (
              <li>
                <code>{scope.name}</code> <span class="hint">{scope.description}</span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="secret-rotation">
          <h2 id="secret-rotation">Secret rotation</h2>
          {confidential ? (
            <form method="post" action={appActionPath(app.id, 'rotateSecret')}>
              {csrf}
              <p class="hint">A new secret replaces the old one at once: the old secret stops working immediately.</p>
              <button type="submit">Rotate secret</button>
            </form>
          ) : (
            <p class="hint">A public app has no secret.</p>
          )}
        </section>
        <section aria-labelledby="attempts-heading">
          <h2 id="attempts-heading">Recent failed authorization attempts</h2>
          {props.failures.length === 0 ? (
            <p class="hint">No failed attempts.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Why it failed</th>
                </tr>
              </thead>
              <tbody>
                {props.failures.map((failure) => (
                  <tr>
                    <td>
                      <time datetime={isoTime(failure.createdAt)}>{formatTime(failure.createdAt)}</time>
                    </td>
                    <td class="reason">{failure.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="delete-heading" class="danger">
          <h2 id="delete-heading">Delete this app</h2>
          <form method="post" action={appActionPath(app.id, 'delete')}>
            {csrf}
            <div class="scope">
              <input type="checkbox" id="confirm-delete" name="confirm" value="yes" required />
              <label for="confirm-delete">Delete it, and end the access of everyone who connected it</label>
            </div>
            <button type="submit" class="danger">
              Delete app
            </button>
          </form>
        </section>
      </div>
      <script src={ROUTES.consoleScript} defer></script>
    </Layout>
  );
}
