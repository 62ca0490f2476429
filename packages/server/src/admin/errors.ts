// Bad input to an administrative action (CLI or console): a one-line message that says what to fix.
export class AdminInputError extends Error {
  override readonly name = 'AdminInputError';
}
