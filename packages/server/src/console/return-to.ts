// Where the login page sends a user back to when no authorization request is pending: only the
// server's own account and console pages, as a path, so no value can redirect anywhere else
// (SEC-54 b: an external or ambiguous target falls back to the home page).
const OWN_PAGE = /^\/(console|account)(\/[A-Za-z0-9_-]+)*$/;

export function safeReturnTo(value: string | undefined): string | null {
  return value !== undefined && value.length <= 200 && OWN_PAGE.test(value) ? value : null;
}
