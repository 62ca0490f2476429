import { Layout } from '../../interaction/views/layout.js';
import { ROUTES } from '../../routes.js';
import type { Client, Scope } from '../../store/repositories.js';
import { appPath } from '../paths.js';

export interface RegisterForm {
  name: string;
  redirectUris: string;
  scopes: readonly string[];
  kind: 'confidential' | 'public';
}

export interface ConsolePageProps {
  csrfToken: string;
  username: string;
  apps: Client[];
  scopes: Scope[];
  form: RegisterForm;
  error: string | null;
}

export function ConsolePage(props: ConsolePageProps) {
  return (
    <Layout title="Developer console">
      <div class="console">
        <h1>Developer console</h1>
        <p class="lead">
          Signed in as <strong><bdi>{props.username}</bdi></strong>. Register the apps that ask people for access to their accounts.
        </p>
        <section aria-labelledby="your-apps">
          <h2 id="your-apps">Your apps</h2>
          {props.apps.length === 0 ? (
            <p class="hint">You have not registered any apps yet.</p>
          ) : (
            <ul class="cards">
              {props.apps.map((app) => (
                <li>
                  <a href={appPath(app.id)}>
                    <bdi>{app.name}</bdi>
                  </a>{' '}
                  <span class="hint">
                    {app.tokenEndpointAuthMethod === 'none' ? 'Public' : 'Confidential'} · client id <code>{app.id}</code>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="register">
          <h2 id="register">Register an app</h2>
          {props.error !== null && (
            <p class="error" role="alert" id="register-error">
              {props.error}
            </p>
          )}
          <form method="post" action={ROUTES.console} aria-describedby={props.error === null ? undefined : 'register-error'}>
            <input type="hidden" name="csrf" value={props.csrfToken} />
            <label for="app-name">Name</label>
            <input id="app-name" name="name" type="text" required maxLength={100} value={props.form.name} autofocus={props.error !== null} />
            <label for="redirect-uris">Redirect URIs</label>
            <textarea id="redirect-uris" name="redirect_uris" rows={3} aria-describedby="redirect-uris-hint">
              {props.form.redirectUris}
            </textarea>
            <p class="hint" id="redirect-uris-hint">
              One per line, matched exactly. https, or http on localhost, 127.0.0.1 or [::1].
            </p>
            <fieldset>
              <legend>Scopes the app may ask for</legend>
              {props.scopes.map((scope) => (
                <div class="scope">
                  <input type="checkbox" id={`scope-${scope.name}`} name="scope" value={scope.name} checked={props.form.scopes.includes(scope.name)} />
                  <label for={`scope-${scope.name}`}>
                    {scope.name} <span class="scope-name">{scope.description}</span>
                  </label>
                </div>
              ))}
            </fieldset>
            <fieldset>
              <legend>Client type</legend>
              <div class="scope">
                <input type="radio" id="kind-confidential" name="kind" value="confidential" checked={props.form.kind === 'confidential'} />
                <label for="kind-confidential">
                  Confidential <span class="scope-name">a server-side app that can keep a secret</span>
                </label>
              </div>
              <div class="scope">
                <input type="radio" id="kind-public" name="kind" value="public" checked={props.form.kind === 'public'} />
                <label for="kind-public">
                  Public <span class="scope-name">a browser or native app: no secret, PKCE only</span>
                </label>
              </div>
            </fieldset>
            <button type="submit">Register app</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
