import { ROUTES } from '../../routes.js';
import { Layout } from './layout.js';

export function HomePage(props: { username: string | null; csrfToken: string | null }) {
  return (
    <Layout title="Latchkey">
      <h1>Latchkey</h1>
      <p class="lead">Let apps use part of your account without ever giving them your password, and take that permission back.</p>
      {props.username === null ? (
        <p>
          <a class="button" href={ROUTES.login}>
            Sign in
          </a>
        </p>
      ) : (
        <>
          <p>
            Signed in as <strong><bdi>{props.username}</bdi></strong>.
          </p>
          <nav aria-label="Your account">
            <ul class="links">
              <li>
                <a href={ROUTES.connectedApps}>Connected apps</a>
              </li>
              <li>
                <a href={ROUTES.console}>Developer console</a>
              </li>
            </ul>
          </nav>
          <form method="post" action={ROUTES.logout}>
            <input type="hidden" name="csrf" value={props.csrfToken ?? ''} />
            <button type="submit" class="secondary">
              Sign out
            </button>
          </form>
        </>
      )}
    </Layout>
  );
}
