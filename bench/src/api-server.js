// The bench's API process: the Calendar API as `npm start` builds it (token verified by
// @latchkey/resource) and, beside it, the same routes and store with no token check (the caller is
// fixed), so the difference between the two is the cost of verification. Prints one JSON line
// with both URLs when ready; stops on SIGTERM/SIGINT.
import Fastify from 'fastify';
import { buildApi, calendarDatabasePath, calendarRoutes, openCalendarStore } from '@latchkey/calendar-api';

const { BENCH_ISSUER: issuer, BENCH_AUDIENCE: audience, BENCH_DATA_DIR: dataDir, BENCH_SUB: sub } = process.env;
if (!issuer || !audience || !dataDir || !sub) throw new TypeError('BENCH_ISSUER, BENCH_AUDIENCE, BENCH_DATA_DIR and BENCH_SUB are required');

const checked = await buildApi({ issuer, audience, dataDir, allowQueryToken: true });
const store = await openCalendarStore(calendarDatabasePath(dataDir));
for (let i = 0; i < 5; i += 1) {
  await store.createEvent(sub, { title: `Bench event ${i}`, start: `2026-06-0${i + 1}T09:00:00.000Z`, end: `2026-06-0${i + 1}T10:00:00.000Z` }, 0);
}
const unchecked = Fastify({ logger: false });
unchecked.decorateRequest('auth', null);
unchecked.addHook('onRequest', async (request) => {
  request.auth = { sub, clientId: 'bench', scopes: ['calendar.read'], claims: {}, method: 'header' };
});
await unchecked.register(calendarRoutes, { store, realm: audience });
unchecked.addHook('onClose', async () => store.close());

const port = Number(new URL(audience).port);
const urls = {
  checked: await checked.listen({ host: '127.0.0.1', port }),
  unchecked: await unchecked.listen({ host: '127.0.0.1', port: 0 }),
};
process.stdout.write(`${JSON.stringify(urls)}\n`);

const stop = async () => {
  await Promise.all([checked.close(), unchecked.close()]);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
