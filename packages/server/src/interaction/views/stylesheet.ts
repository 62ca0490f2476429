// Served from the issuer's own origin: the CSP allows styles from 'self' only (SEC-50, SEC-51).
export const STYLESHEET = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --accent: #2a5bd7; --line: #d8dce5; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f5f6f8; }
.brand { padding: 14px 24px; background: #fff; border-bottom: 1px solid var(--line); font-weight: 700; }
.brand a { color: var(--ink); text-decoration: none; }
main { max-width: 460px; margin: 40px auto; padding: 28px; background: #fff; border: 1px solid var(--line); border-radius: 12px; }
h1 { font-size: 1.5rem; margin: 0 0 8px; }
h2 { font-size: 1rem; margin: 16px 0 4px; }
.lead { color: var(--muted); margin-top: 0; }
label { display: block; margin: 12px 0 4px; font-weight: 600; }
input[type=text], input[type=password] { width: 100%; padding: 10px; border: 1px solid var(--line); border-radius: 8px; font: inherit; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
fieldset { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px 12px; margin: 16px 0; }
legend { padding: 0 6px; color: var(--muted); }
.scope { display: flex; gap: 10px; align-items: baseline; }
.scope label { display: inline; font-weight: 500; margin: 6px 0; }
.scope-name, .hint { color: var(--muted); font-size: 0.875rem; }
button, .button { display: inline-block; margin-top: 16px; padding: 10px 18px; border: 0; border-radius: 8px; background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; }
button.secondary { background: #e8ebf1; color: var(--ink); }
.actions { display: flex; gap: 12px; }
.error { color: var(--bad); }
code { background: #f0f2f6; padding: 1px 5px; border-radius: 4px; word-break: break-all; }
main:has(.console) { max-width: 760px; }
textarea { width: 100%; padding: 10px; border: 1px solid var(--line); border-radius: 8px; font: 0.95rem/1.4 ui-monospace, monospace; }
textarea:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
section { margin-top: 28px; }
section.card { border: 1px solid var(--line); border-radius: 10px; padding: 4px 18px 16px; margin-top: 16px; }
.links, .cards, .rows { list-style: none; padding: 0; }
.links li, .cards li { margin: 8px 0; }
.rows li { display: flex; gap: 12px; align-items: center; justify-content: space-between; padding: 8px 0; border-bottom: 1px solid var(--line); }
form.inline { margin: 0; }
button.small { margin-top: 0; padding: 4px 12px; font-size: 0.875rem; }
button.danger, .danger button { background: var(--bad); color: #fff; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.secret { background: #fff8e1; border: 1px solid #f0d48a; border-radius: 10px; padding: 4px 18px 14px; }
.select-all { user-select: all; font-size: 0.95rem; }
.notice { color: #146c2e; }
.crumbs { margin: 0 0 6px; font-size: 0.875rem; }
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.reason { font-family: ui-monospace, monospace; word-break: break-all; }
[hidden] { display: none !important; }
`;
