// Route names -> paths, read by app.ts to register routes and by oauth/metadata.ts to publish
// them, so the metadata cannot drift from what is served.
export const ROUTES = {
  home: '/',
  authorization: '/authorize',
  token: '/token',
  jwks: '/jwks',
  userinfo: '/userinfo',
  revocation: '/revoke',
  introspection: '/introspect',
  login: '/login',
  logout: '/logout',
  consent: '/consent',
  stylesheet: '/assets/latchkey.css',
  consoleScript: '/assets/console.js',
  // The developer console and the account pages (console/).
  console: '/console',
  consoleApp: '/console/apps/:clientId',
  connectedApps: '/account/apps',
  health: '/healthz',
  ready: '/readyz',
  oauthMetadata: '/.well-known/oauth-authorization-server',
  openidMetadata: '/.well-known/openid-configuration',
} as const;

export type RouteName = keyof typeof ROUTES;

export function endpointUrl(issuer: string, name: RouteName): string {
  return `${issuer}${ROUTES[name]}`;
}
