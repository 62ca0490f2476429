// What every endpoint module receives: the validated settings, the store, the key ring and the
// clock. Built once in app.ts; no module keeps state of its own.
import type { Config } from './config.js';
import type { Store } from './store/repositories.js';
import type { KeyRing } from './tokens/keys.js';

export interface ServerContext {
  readonly config: Config;
  readonly store: Store;
  readonly keys: KeyRing;
  /** Unix seconds; injectable so tests control time. */
  now(): number;
  /** Server-wide secret that derives a refresh token's successor (see grants/refresh-token.ts). */
  readonly rotationSecret: string;
}
