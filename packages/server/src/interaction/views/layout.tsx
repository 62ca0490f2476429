// The page frame. Every page is rendered by preact-render-to-string, which escapes every text
// and attribute value, so request input and client metadata can never become markup (SEC-51).
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import { ROUTES } from '../../routes.js';

export function Layout(props: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · Latchkey`}</title>
        <link rel="stylesheet" href={ROUTES.stylesheet} />
      </head>
      <body>
        <header class="brand">
          <a href={ROUTES.home}>Latchkey</a>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

export function renderPage(page: preact.VNode): string {
  return `<!doctype html>${render(page)}`;
}
