// The console's only script, served from the issuer's origin (CSP script-src 'self'): shows the
// "Copy secret" buttons and copies to the clipboard. Without it the secret is plain selectable text.
export const CONSOLE_SCRIPT = `'use strict';
for (const button of document.querySelectorAll('button[data-copy]')) {
  const target = document.getElementById(button.dataset.copy);
  const status = document.getElementById('copy-status');
  if (!target || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(target.textContent.trim()).then(
      () => { if (status) status.textContent = 'Copied.'; },
      () => { if (status) status.textContent = 'Could not copy: select the text and copy it.'; },
    );
  });
}
`;
