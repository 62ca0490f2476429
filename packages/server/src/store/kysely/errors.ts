// Recognizes driver errors by their codes: a unique-constraint violation, so repositories can
// answer DuplicateError (repositories.ts) instead of leaking a driver error, a busy lock, and a
// database that cannot be reached, so the server answers 503 (errors.ts isUnavailable).
import { DuplicateError } from '../repositories.js';

/** Driver error codes for a violated PRIMARY KEY or UNIQUE constraint. */
const UNIQUE_VIOLATION_CODES: ReadonlySet<string> = new Set([
  // better-sqlite3 (SQLite extended result codes).
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  'SQLITE_CONSTRAINT_UNIQUE',
  // PostgreSQL's unique_violation (SQLSTATE class 23, integrity constraint violation).
  '23505',
]);

export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && UNIQUE_VIOLATION_CODES.has(code);
}

/** SQLite could not take a lock another connection holds (SQLITE_BUSY and its extended codes). */
export function isBusy(error: unknown): boolean {
  return errorCode(error)?.startsWith('SQLITE_BUSY') ?? false;
}

/** PostgreSQL ended the statement's transaction to break a deadlock (SQLSTATE 40P01); nothing of it was written. */
export function isDeadlock(error: unknown): boolean {
  return errorCode(error) === '40P01';
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

/**
 * A database that cannot be reached or cannot serve right now. `code` is one that isUnavailable
 * (src/errors.ts) recognizes, so the server answers 503; the driver's own error is the cause.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    readonly code: 'ETIMEDOUT' | '08006' | '08001',
    cause: unknown,
  ) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** pg's own errors for a lost or never-made connection carry no code, only these messages. */
const PG_TIMEOUT_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];
const PG_CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * The error a PostgreSQL query failed with, as the server should see it: an outage becomes a
 * DatabaseUnavailableError, anything else (a bug, a constraint) is returned unchanged. Errors that
 * already carry a code isUnavailable knows (ECONNREFUSED, 57P01 admin shutdown ...) pass as they are.
 */
export function asUnavailable(error: unknown): unknown {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : '';
  // 57014 query_canceled: the statement timeout fired, so the server is overloaded or stuck on a lock.
  if (code === '57014' || (code === undefined && PG_TIMEOUT_MESSAGES.includes(message))) return new DatabaseUnavailableError('ETIMEDOUT', error);
  if (code === undefined && PG_CONNECTION_LOST_MESSAGES.includes(message)) return new DatabaseUnavailableError('08006', error);
  // Class 08, connection exception; 57P02 crash shutdown; class 53, insufficient resources
  // (53300 too_many_connections): all pass once the server is back or less busy.
  if (code !== undefined && (/^08...$/.test(code) || code === '57P02' || /^53...$/.test(code)) && code !== '08006' && code !== '08001') {
    return new DatabaseUnavailableError('08006', error);
  }
  return error;
}
