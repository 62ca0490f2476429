// The demo's data (CONTRACTS.md `npm start`): alice / wonderland, the Calendar API's scopes, and
// "Mine" registered as a confidential client whose credentials are written to the data folder
// for the demo client to read. Idempotent: a second start reuses everything.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AdminInputError } from '../admin/errors.js';
import { registerClient } from '../admin/clients.js';
import { addScope } from '../admin/scopes.js';
import { addUser } from '../admin/users.js';
import type { Store } from '../store/repositories.js';

export interface DemoOptions {
  dataDir: string;
  issuer: string;
  apiUrl: string;
  mineUrl: string;
}

export const DEMO_USER = { username: 'alice', password: 'wonderland', name: 'Alice Liddell', email: 'alice@example.com' };

const DEMO_SCOPES = [
  { name: 'calendar.read', description: 'See your calendar events' },
  { name: 'calendar.write', description: 'Add and delete events in your calendar' },
  { name: 'drive.read', description: 'See the files in your drive' },
];

export function mineCredentialsPath(dataDir: string): string {
  return path.join(dataDir, 'mine-client.json');
}

export async function seedDemo(store: Store, options: DemoOptions, now: number): Promise<void> {
  await ignoreExisting(addUser(store, DEMO_USER, now));
  for (const scope of DEMO_SCOPES) await ignoreExisting(addScope(store, { ...scope, resource: options.apiUrl }, now));

  const credentials = mineCredentialsPath(options.dataDir);
  if (existsSync(credentials)) return;
  const redirectUri = `${options.mineUrl}/callback`;
  const { client, clientSecret } = await registerClient(
    store,
    {
      name: 'Mine',
      redirectUris: [redirectUri],
      scopes: ['openid', 'profile', 'email', 'offline_access', 'calendar.read', 'calendar.write', 'drive.read'],
      grantTypes: ['authorization_code', 'refresh_token'],
      public: false,
      pkceOptional: false,
    },
    now,
  );
  mkdirSync(options.dataDir, { recursive: true });
  const body = { issuer: options.issuer, client_id: client.id, client_secret: clientSecret, redirect_uri: redirectUri };
  writeFileSync(credentials, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
}

async function ignoreExisting(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    if (!(error instanceof AdminInputError && error.message.endsWith('already exists'))) throw error;
  }
}
