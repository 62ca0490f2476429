// The demo's data (CONTRACTS.md `npm start`): alice / wonderland, the Calendar API's scopes, and
// "Mine" registered as a confidential client whose credentials are written to the data folder
// for the demo client to read. Idempotent: a second start reuses everything.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerClient } from '../admin/clients.js';
import { AlreadyExistsError } from '../admin/errors.js';
import { addScope } from '../admin/scopes.js';
import { addUser } from '../admin/users.js';
import { usernameKey } from '../interaction/username.js';
import type { Store } from '../store/repositories.js';

export interface DemoOptions {
  /** The Calendar API's origin, named as the resource (token `aud`) of its scopes. */
  apiUrl: string;
  /** Where the authorization server sends Mine's users back, e.g. http://localhost:3000/callback. */
  mineRedirectUri: string;
  /** Where `mine-client.json` is written. */
  dataDir: string;
  /** The authorization server's issuer, written beside Mine's credentials for discovery. */
  issuer: string;
}

/** What Mine reads from `<data dir>/mine-client.json`. */
export interface MineCredentials {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  issuer: string;
}

export const DEMO_USER = { username: 'alice', password: 'wonderland', name: 'Alice Liddell', email: 'alice@example.com' };

export const DEMO_SCOPES = [
  { name: 'calendar.read', description: 'See your calendar events' },
  { name: 'calendar.write', description: 'Add and delete events in your calendar' },
  { name: 'drive.read', description: 'See the files in your drive' },
] as const;

const MINE_SCOPES = ['openid', 'profile', 'email', 'offline_access', ...DEMO_SCOPES.map((s) => s.name)];

export function mineCredentialsPath(dataDir: string): string {
  return path.join(dataDir, 'mine-client.json');
}

export async function seedDemo(store: Store, options: DemoOptions, now: number): Promise<void> {
  await skipExisting(addUser(store, DEMO_USER, now));
  await writeDemoUser(store, options.dataDir);
  for (const scope of DEMO_SCOPES) await skipExisting(addScope(store, { ...scope, resource: options.apiUrl }, now));
  if (await mineIsRegistered(store, options)) return;

  const { client, clientSecret } = await registerClient(
    store,
    {
      name: 'Mine',
      redirectUris: [options.mineRedirectUri],
      // Mine's home page, where RP-initiated logout returns (OpenID RP-Initiated Logout §3).
      postLogoutRedirectUris: [new URL('/', options.mineRedirectUri).href],
      scopes: MINE_SCOPES,
      grantTypes: ['authorization_code', 'refresh_token'],
      public: false,
      pkceOptional: false,
    },
    now,
  );
  if (clientSecret === null) throw new TypeError('a confidential client has a secret');
  const credentials: MineCredentials = {
    client_id: client.id,
    client_secret: clientSecret,
    redirect_uri: options.mineRedirectUri,
    issuer: options.issuer,
  };
  mkdirSync(options.dataDir, { recursive: true });
  // The secret is readable by its owner only.
  writeFileSync(mineCredentialsPath(options.dataDir), `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
}

/** Mine's credentials file exists and still describes a client in this database. */
async function mineIsRegistered(store: Store, options: DemoOptions): Promise<boolean> {
  let saved: Partial<MineCredentials>;
  try {
    saved = JSON.parse(readFileSync(mineCredentialsPath(options.dataDir), 'utf8')) as Partial<MineCredentials>;
  } catch {
    return false;
  }
  if (typeof saved.client_id !== 'string' || saved.redirect_uri !== options.mineRedirectUri || saved.issuer !== options.issuer) return false;
  const client = await store.clients.findById(saved.client_id);
  return client !== undefined && client.postLogoutRedirectUris.includes(new URL('/', options.mineRedirectUri).href);
}

/**
 * The Calendar API knows users only by their tokens' `sub`: it reads alice's from
 * `<data dir>/demo-user.json` to give her demo events (examples/calendar-api/src/demo-data.ts).
 */
async function writeDemoUser(store: Store, dataDir: string): Promise<void> {
  const alice = await store.users.findByUsernameKey(usernameKey(DEMO_USER.username) ?? '');
  if (alice === undefined) throw new Error('the demo user was not created');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'demo-user.json'), `${JSON.stringify({ sub: alice.id, username: DEMO_USER.username }, null, 2)}\n`);
}

async function skipExisting(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
}
