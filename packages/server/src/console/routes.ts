// The console's and account pages' routes, registered inside the HTML pages' plugin (app.ts),
// so their errors are answered as pages.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ROUTES } from '../routes.js';
import { removeAccess, showConnectedApps, signOutOthers } from './account.js';
import { addRedirectUri, deleteApp, removeRedirectUri, rotateSecret, showApp, showConsole, submitRegistration } from './apps.js';
import { ACCOUNT_ACTIONS, APP_ACTIONS } from './paths.js';
import { CONSOLE_SCRIPT } from './script.js';

type AppRequest = { Params: { clientId: string } };

export function registerConsoleRoutes(pages: FastifyInstance, ctx: ServerContext): void {
  pages.get(ROUTES.consoleScript, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CONSOLE_SCRIPT),
  );
  pages.get(ROUTES.console, (request, reply) => showConsole(ctx, request, reply));
  pages.post(ROUTES.console, (request, reply) => submitRegistration(ctx, request, reply));
  pages.get<AppRequest>(ROUTES.consoleApp, (request, reply) => showApp(ctx, request, reply));
  pages.post<AppRequest>(`${ROUTES.consoleApp}/${APP_ACTIONS.addRedirectUri}`, (request, reply) => addRedirectUri(ctx, request, reply));
  pages.post<AppRequest>(`${ROUTES.consoleApp}/${APP_ACTIONS.removeRedirectUri}`, (request, reply) => removeRedirectUri(ctx, request, reply));
  pages.post<AppRequest>(`${ROUTES.consoleApp}/${APP_ACTIONS.rotateSecret}`, (request, reply) => rotateSecret(ctx, request, reply));
  pages.post<AppRequest>(`${ROUTES.consoleApp}/${APP_ACTIONS.delete}`, (request, reply) => deleteApp(ctx, request, reply));
  pages.get(ROUTES.connectedApps, (request, reply) => showConnectedApps(ctx, request, reply));
  pages.post(ACCOUNT_ACTIONS.removeAccess, (request, reply) => removeAccess(ctx, request, reply));
  pages.post(ACCOUNT_ACTIONS.signOutOthers, (request, reply) => signOutOthers(ctx, request, reply));
}
