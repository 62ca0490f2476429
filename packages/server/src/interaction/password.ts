// User passwords: Argon2id (ARCHITECTURE "Store secrets as hashes"), with @node-rs/argon2's
// defaults (m=19 MiB, t=2, p=1: OWASP's minimum for Argon2id). Passwords are NFC-normalized
// first so that the same password typed on different keyboards matches (SEC-68 f).
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2 runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
 * also signs every token (tokens/jws.ts) and syncs the write-ahead log (store/kysely/wal-sync.ts).
 * The pool is first come, first served: 40 logins at once held a token's signature back about
 * 200 ms behind them. At most this many hashes are handed to it at once, which leaves threads
 * free for the token endpoint; more would not hash faster than the cores allow anyway.
 */
export const HASHES_AT_ONCE = Math.max(1, Math.min(availableParallelism(), threadPoolSize() - 2));

function threadPoolSize(): number {
  const size = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` once fewer than HASHES_AT_ONCE hashes are running; the others wait in order. */
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASHES_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next waiter, so `running` counts it without a gap.
    const next = waiting.shift();
    if (next === undefined) running -= 1;
    else next();
  }
}

// Verified against for unknown users, so a login takes the same time whether or not the
// account exists (SEC-53).
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return limited(() => hash(password.normalize('NFC')));
}

export async function verifyPassword(password: string, passwordHash: string | undefined): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hashPassword('latchkey-dummy-password');
    const dummy = await dummyHash;
    await limited(() => verify(dummy, password.normalize('NFC')));
    return false;
  }
  try {
    return await limited(() => verify(passwordHash, password.normalize('NFC')));
  } catch {
    return false;
  }
}

export const MAX_PASSWORD_LENGTH = 1024;
