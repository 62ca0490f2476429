// The page frame. preact-render-to-string escapes every text and attribute value, so event
// titles, file names and error descriptions from other servers can never become markup.
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import type { Flash, SignedInUser } from '../store/session-store.js';

export const STYLESHEET_PATH = '/assets/mine.css';

export interface Frame {
  /** The signed-in user, for the navigation; null shows the Sign in link. */
  user: SignedInUser | null;
  csrfToken: string | null;
  flash?: Flash | null;
}

export function Layout(props: { title: string; frame: Frame; children: ComponentChildren }) {
  const { user, csrfToken, flash } = props.frame;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · Mine`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
      </head>
      <body>
        <header class="brand">
          <a href="/">Mine</a>
          {user !== null && csrfToken !== null ? (
            <nav>
              <a href="/calendar">Your calendar</a>
              <a href="/files">Your files</a>
              <a href="/access">Access</a>
              <form method="post" action="/signout">
                <input type="hidden" name="csrf" value={csrfToken} />
                <button type="submit" class="link">Sign out</button>
              </form>
            </nav>
          ) : null}
        </header>
        <main>
          {flash !== null && flash !== undefined ? (
            <p class={`flash ${flash.kind}`} role="status">
              {flash.text}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function renderPage(page: preact.VNode): string {
  return `<!doctype html>${render(page)}`;
}

export function SignInLink(props: { returnTo?: string }) {
  const href = props.returnTo === undefined || props.returnTo === '/' ? '/signin' : `/signin?return_to=${encodeURIComponent(props.returnTo)}`;
  return (
    <a class="button" href={href}>
      Sign in with Latchkey
    </a>
  );
}

export const STYLESHEET = `
:root { color-scheme: light; --ink: #1f2430; --muted: #5d6575; --accent: #0f7b5f; --line: #d9dde4; --warn: #9a3412; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f4f7f5; }
.brand { display: flex; align-items: center; justify-content: space-between; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); }
.brand > a { font-weight: 800; color: var(--accent); text-decoration: none; font-size: 1.2rem; }
nav { display: flex; gap: 16px; align-items: center; }
nav a { color: var(--ink); }
nav form { margin: 0; }
main { max-width: 680px; margin: 32px auto; padding: 28px; background: #fff; border: 1px solid var(--line); border-radius: 12px; }
h1 { font-size: 1.5rem; margin: 0 0 8px; }
h2 { font-size: 1.1rem; margin: 24px 0 6px; }
.lead, .hint { color: var(--muted); }
label { display: block; margin: 10px 0 4px; font-weight: 600; }
input[type=text], input[type=datetime-local] { width: 100%; padding: 9px; border: 1px solid var(--line); border-radius: 8px; font: inherit; }
button, .button { display: inline-block; margin-top: 14px; padding: 9px 16px; border: 0; border-radius: 8px; background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; }
button.secondary { background: #e7ebef; color: var(--ink); }
button.link { margin: 0; padding: 0; background: none; color: var(--ink); font-weight: 400; text-decoration: underline; }
.flash { padding: 10px 14px; border-radius: 8px; background: #eaf6f1; }
.flash.warning { background: #fff4e5; color: var(--warn); }
.notice { padding: 12px 14px; border: 1px dashed var(--warn); border-radius: 8px; }
ul.items { padding-left: 20px; }
dt { font-weight: 600; margin-top: 10px; }
dd { margin-left: 0; }
code { background: #eef1f4; padding: 1px 5px; border-radius: 4px; word-break: break-all; }
`;
