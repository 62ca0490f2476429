// The console's URLs, from the route table (routes.ts), with the per-app actions below an app's page.
import { ROUTES } from '../routes.js';

export function appPath(clientId: string): string {
  return ROUTES.consoleApp.replace(':clientId', encodeURIComponent(clientId));
}

export const APP_ACTIONS = {
  addRedirectUri: 'redirect-uris',
  removeRedirectUri: 'redirect-uris/remove',
  rotateSecret: 'secret',
  delete: 'delete',
} as const;

export function appActionPath(clientId: string, action: keyof typeof APP_ACTIONS): string {
  return `${appPath(clientId)}/${APP_ACTIONS[action]}`;
}

export const ACCOUNT_ACTIONS = {
  removeAccess: `${ROUTES.connectedApps}/remove`,
  signOutOthers: '/account/sessions/sign-out-others',
} as const;

/** A Unix time for people: `2026-11-28 03:21 UTC`. */
export function formatTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
