// The Express/Connect adapter: `requireScopes(verifier, 'a', 'b')` is a middleware that verifies
// the request's token, puts the caller on `req.auth` and calls next(), or answers per RFC 6750 §3.
// It uses only Node's own request and response, so it runs under Connect as well. Mount a body
// parser (express.urlencoded()) before it for the form-body method (RFC 6750 §2.2).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerAnswer } from './challenge.js';
import type { BearerAuth, Verifier } from './verifier.js';

export interface BearerIncomingMessage extends IncomingMessage {
  query?: unknown;
  body?: unknown;
  auth?: BearerAuth;
}

export type Middleware = (req: BearerIncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export function requireScopes(verifier: Verifier, ...scopes: string[]): Middleware {
  return (req, res, next) => {
    // Express parses the query string; under bare Connect, read it from the URL.
    const query = req.query ?? new URL(req.url ?? '/', 'http://localhost').searchParams;
    verifier.verify({ headers: req.headers, query, body: req.body }, { scopes }).then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (error: unknown) => {
        const answer = bearerAnswer(error, verifier.realm);
        if (answer === undefined) return next(error);
        res.statusCode = answer.status;
        for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(answer.body));
      },
    );
  };
}
