// Latchkey (in process, on a fresh store), the Calendar API and Mine, each on 127.0.0.1 and a free
// port, wired as the demo wires them: Mine registered as a confidential client with the calendar
// scopes, whose resource is the API.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../calendar-api/src/app.js';
import { addScope } from '../../../packages/server/src/admin/scopes.js';
import { usernameKey } from '../../../packages/server/src/interaction/username.js';
import { addClient, freePort, seed, startServer, type TestServer } from '../../../packages/server/test/support/server.js';
import { ALICE } from '../../../packages/server/test/support/users.js';
import { buildMine } from '../src/app.js';
import type { MineCredentials } from '../src/config.js';

export interface Demo {
  server: TestServer;
  api: FastifyInstance;
  apiUrl: string;
  mine: FastifyInstance;
  mineUrl: string;
  dataDir: string;
  credentials: MineCredentials;
  close(): Promise<void>;
}

export async function startDemo(settings: { accessTokenTtl?: string } = {}): Promise<Demo> {
  const server = await startServer(settings);
  await seed(server);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mine-test-'));
  const [apiPort, minePort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const mineUrl = `http://127.0.0.1:${minePort}`;
  const now = server.now();
  await addScope(server.store, { name: 'calendar.read', description: 'See your calendar events', resource: apiUrl }, now);
  await addScope(server.store, { name: 'calendar.write', description: 'Add and delete events in your calendar', resource: apiUrl }, now);
  await addScope(server.store, { name: 'drive.read', description: 'See the files in your drive', resource: apiUrl }, now);
  const { client, secret } = await addClient(server, {
    name: 'Mine',
    redirectUris: [`${mineUrl}/callback`],
    postLogoutRedirectUris: [`${mineUrl}/`],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'calendar.read', 'calendar.write', 'drive.read'],
  });
  const alice = await server.store.users.findByUsernameKey(usernameKey(ALICE.username) ?? '');
  writeFileSync(path.join(dataDir, 'demo-user.json'), JSON.stringify({ sub: alice?.id, username: ALICE.username }));
  // No clock tolerance, so a two-second token is refused as soon as it expires.
  const api = await buildApi({ issuer: server.url, audience: apiUrl, dataDir, verifier: { clockTolerance: 0 } });
  await api.listen({ host: '127.0.0.1', port: apiPort });
  const credentials: MineCredentials = { issuer: server.url, client_id: client.id, client_secret: secret ?? '', redirect_uri: `${mineUrl}/callback` };
  writeFileSync(path.join(dataDir, 'mine-client.json'), JSON.stringify(credentials));
  const mine = await buildMine({ dataDir, apiUrl });
  await mine.listen({ host: '127.0.0.1', port: minePort });
  return {
    server,
    api,
    apiUrl,
    mine,
    mineUrl,
    dataDir,
    credentials,
    close: async () => {
      await mine.close();
      await api.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
