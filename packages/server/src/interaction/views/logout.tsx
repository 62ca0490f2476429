import { ROUTES } from '../../routes.js';
import { Layout } from './layout.js';

export interface LogoutPageProps {
  csrfToken: string;
  clientName: string | null;
  /** The RP-initiated logout parameters, posted back as they came. */
  hidden: Record<string, string>;
}

export function LogoutPage(props: LogoutPageProps) {
  return (
    <Layout title="Sign out?">
      <h1>Sign out of Latchkey?</h1>
      <p class="lead">
        {props.clientName === null ? (
          'You asked to sign out.'
        ) : (
          <>
            <strong><bdi>{props.clientName}</bdi></strong> asked to sign you out.
          </>
        )}{' '}
        Apps you have allowed keep their access until you remove it.
      </p>
      <form method="post" action={ROUTES.logout}>
        <input type="hidden" name="csrf" value={props.csrfToken} />
        {Object.entries(props.hidden).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <div class="actions">
          <button type="submit">Sign out</button>
          <a class="button secondary" href={ROUTES.home}>
            Stay signed in
          </a>
        </div>
      </form>
    </Layout>
  );
}
