// User passwords: Argon2id (ARCHITECTURE "Store secrets as hashes"), with @node-rs/argon2's
// defaults (m=19 MiB, t=2, p=1: OWASP's minimum for Argon2id). Passwords are NFC-normalized
// first so that the same password typed on different keyboards matches (SEC-68 f).
import { hash, verify } from '@node-rs/argon2';

// Verified against for unknown users, so a login takes the same time whether or not the
// account exists (SEC-53).
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'));
}

export async function verifyPassword(password: string, passwordHash: string | undefined): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hash('latchkey-dummy-password');
    await verify(await dummyHash, password.normalize('NFC'));
    return false;
  }
  try {
    return await verify(passwordHash, password.normalize('NFC'));
  } catch {
    return false;
  }
}

export const MAX_PASSWORD_LENGTH = 1024;
