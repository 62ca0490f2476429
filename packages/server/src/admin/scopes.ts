// Defining scopes (CLI `latchkey scope add`). A scope may name the resource server that tokens
// carrying it are meant for (RFC 8707 §2; RFC 9068 `aud`).
import { DuplicateError, type Scope, type Store } from '../store/repositories.js';
import { SCOPE_TOKEN } from '../oauth/scope.js';
import { isHttpsOrLoopback } from '../urls.js';
import { AdminInputError, AlreadyExistsError } from './errors.js';

const MAX_SCOPE_NAME = 64;

export interface NewScope {
  name: string;
  description: string;
  resource?: string | null;
}

export function validateNewScope(input: NewScope): void {
  if (!SCOPE_TOKEN.test(input.name) || input.name.length > MAX_SCOPE_NAME) {
    throw new AdminInputError(`scope name ${JSON.stringify(input.name)} is not valid: 1 to 64 printable ASCII characters, no spaces, quotes or backslashes (RFC 6749 section 3.3)`);
  }
  if (input.description.trim().length === 0 || input.description.length > 200) throw new AdminInputError('the description must be 1 to 200 characters');
  const resource = input.resource;
  if (resource !== undefined && resource !== null) {
    if (!URL.canParse(resource)) throw new AdminInputError(`resource ${JSON.stringify(resource)} is not an absolute URI`);
    const url = new URL(resource);
    if (resource.length > 2000) throw new AdminInputError('the resource must be at most 2000 characters');
    if (resource.includes('#')) throw new AdminInputError('the resource must not contain a fragment (RFC 8707 section 2)');
    if (url.username !== '' || url.password !== '') throw new AdminInputError('the resource must not contain a user name or password');
    if (!isHttpsOrLoopback(url)) {
      throw new AdminInputError('the resource must use https (http is allowed only on localhost, 127.0.0.1 or [::1])');
    }
  }
}

export async function addScope(store: Pick<Store, 'scopes'>, input: NewScope, _now: number): Promise<Scope> {
  validateNewScope(input);
  const scope: Scope = { name: input.name, description: input.description.trim(), resource: input.resource ?? null };
  try {
    await store.scopes.create(scope);
  } catch (error) {
    if (error instanceof DuplicateError) throw new AlreadyExistsError(`scope ${input.name} already exists`);
    throw error;
  }
  return scope;
}
