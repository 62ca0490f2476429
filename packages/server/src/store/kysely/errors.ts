// Recognizes driver errors by their codes: a unique-constraint violation, so repositories can
// answer DuplicateError (repositories.ts) instead of leaking a driver error, and a busy lock.
import { DuplicateError } from '../repositories.js';

/** Driver error codes for a violated PRIMARY KEY or UNIQUE constraint. */
const UNIQUE_VIOLATION_CODES: ReadonlySet<string> = new Set([
  // better-sqlite3 (SQLite extended result codes).
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  'SQLITE_CONSTRAINT_UNIQUE',
  // PostgreSQL's unique_violation, '23505', joins here with the pg dialect.
]);

export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && UNIQUE_VIOLATION_CODES.has(code);
}

/** SQLite could not take a lock another connection holds (SQLITE_BUSY and its extended codes). */
export function isBusy(error: unknown): boolean {
  return errorCode(error)?.startsWith('SQLITE_BUSY') ?? false;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Runs an insert; a unique violation becomes DuplicateError(message), anything else is rethrown. */
export async function insertUnique(insert: () => Promise<unknown>, message: string): Promise<void> {
  try {
    await insert();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateError(message, { cause: error });
    throw error;
  }
}
