// Bad input to an administrative action (CLI or console): a one-line message that says what to fix.
export class AdminInputError extends Error {
  override readonly name: string = 'AdminInputError';
}

/** The user or scope to be created exists already (callers that seed data may skip it). */
export class AlreadyExistsError extends AdminInputError {
  override readonly name: string = 'AlreadyExistsError';
}
