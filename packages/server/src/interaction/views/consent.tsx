import { ROUTES } from '../../routes.js';
import type { Scope } from '../../store/repositories.js';
import { Layout } from './layout.js';

export interface ConsentPageProps {
  csrfToken: string;
  interaction: string;
  clientName: string;
  redirectOrigin: string;
  username: string;
  /** The scopes the user is asked for now, each checked by default. */
  asked: Scope[];
  /** Scopes of this request that the user granted before. */
  alreadyGranted: Scope[];
}

export function ConsentPage(props: ConsentPageProps) {
  return (
    <Layout title="Allow access?">
      <h1>
        <bdi>{props.clientName}</bdi> wants to use your account
      </h1>
      <p class="lead">
        Signed in as <strong><bdi>{props.username}</bdi></strong>. After you decide, you will be sent back to{' '}
        <code>{props.redirectOrigin}</code>.
      </p>
      <form method="post" action={ROUTES.consent}>
        <input type="hidden" name="csrf" value={props.csrfToken} />
        <input type="hidden" name="interaction" value={props.interaction} />
        <fieldset>
          <legend>Choose what to allow. Uncheck anything you do not want to share.</legend>
          {props.asked.map((scope) => (
            <div class="scope">
              <input type="checkbox" id={`scope-${scope.name}`} name="scope" value={scope.name} checked />
              <label for={`scope-${scope.name}`}>
                {scope.description} <span class="scope-name">({scope.name})</span>
              </label>
            </div>
          ))}
        </fieldset>
        {props.alreadyGranted.length > 0 && (
          <div class="granted">
            <h2>Already allowed</h2>
            <ul>
              {props.alreadyGranted.map((scope) => (
                <li>
                  {scope.description} <span class="scope-name">({scope.name})</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        <p class="hint">You can take this access back at any time.</p>
        <div class="actions">
          <button type="submit" name="decision" value="allow">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </div>
      </form>
    </Layout>
  );
}
