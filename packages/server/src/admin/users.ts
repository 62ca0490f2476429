// Creating users (CLI `latchkey user add`, and the demo seed). Passwords are hashed with Argon2id.
import { hashPassword, MAX_PASSWORD_LENGTH } from '../interaction/password.js';
import { USERNAME_RULE, usernameKey } from '../interaction/username.js';
import { DuplicateError, type Store, type User } from '../store/repositories.js';
import { randomToken } from '../tokens/secrets.js';
import { AdminInputError, AlreadyExistsError } from './errors.js';

export interface NewUser {
  username: string;
  password: string;
  name?: string | null;
  email?: string | null;
}

export const MIN_PASSWORD_LENGTH = 8;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks everything that can be checked without the database, so bad input writes nothing. */
export function validateNewUser(input: NewUser): string {
  const key = usernameKey(input.username);
  if (key === null) throw new AdminInputError(`username ${JSON.stringify(input.username)} is not valid: use ${USERNAME_RULE}`);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AdminInputError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (input.password.length > MAX_PASSWORD_LENGTH) throw new AdminInputError(`the password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (input.name !== undefined && input.name !== null && (input.name.length === 0 || input.name.length > 200)) {
    throw new AdminInputError('the name must be 1 to 200 characters');
  }
  if (input.email !== undefined && input.email !== null && (!EMAIL.test(input.email) || input.email.length > 254)) {
    throw new AdminInputError(`email ${JSON.stringify(input.email)} is not a valid address`);
  }
  return key;
}

export async function addUser(store: Pick<Store, 'users'>, input: NewUser, now: number): Promise<User> {
  const key = validateNewUser(input);
  const user: User = {
    id: randomToken(16),
    username: input.username.normalize('NFC'),
    usernameKey: key,
    name: input.name ?? null,
    email: input.email ?? null,
    passwordHash: await hashPassword(input.password),
    createdAt: now,
  };
  try {
    await store.users.create(user);
  } catch (error) {
    if (error instanceof DuplicateError) throw new AlreadyExistsError(`user ${input.username} already exists`);
    throw error;
  }
  return user;
}
