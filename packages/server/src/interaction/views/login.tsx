import { ROUTES } from '../../routes.js';
import { Layout } from './layout.js';

export interface LoginPageProps {
  csrfToken: string;
  interaction: string | null;
  clientName: string | null;
  username: string;
  error: string | null;
  /** The account or console page to return to after signing in (console/return-to.ts). */
  returnTo?: string | null;
}

export function LoginPage(props: LoginPageProps) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {props.clientName !== null && (
        <p class="lead">
          to continue to <strong><bdi>{props.clientName}</bdi></strong>
        </p>
      )}
      {props.error !== null && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      <form method="post" action={ROUTES.login}>
        <input type="hidden" name="csrf" value={props.csrfToken} />
        {props.interaction !== null && <input type="hidden" name="interaction" value={props.interaction} />}
        {props.returnTo !== undefined && props.returnTo !== null && <input type="hidden" name="return_to" value={props.returnTo} />}
        <label for="username">Username</label>
        <input id="username" name="username" type="text" autocomplete="username" required autofocus value={props.username} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
