// One place that answers errors, per surface (Fastify scopes an error handler to its plugin):
// JSON for back-channel endpoints (RFC 6749 §5.2) and an HTML page for the browser pages.
// Anything that is not an OAuthError or PageError is a bug or an outage: logged with its cause
// and answered server_error (500) or temporarily_unavailable (503), with nothing internal shown.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailable, OAuthError, PageError } from '../errors.js';
import { ErrorPage } from '../interaction/views/error.js';
import { renderPage } from '../interaction/views/layout.js';

/** Errors Fastify raises while reading a request (bad JSON, wrong media type, body too large). */
function requestError(error: FastifyError): OAuthError | undefined {
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const description =
    status === 413 ? 'the request body is too large'
    : status === 415 ? 'unsupported content type: send application/x-www-form-urlencoded'
    : error.code === 'FST_ERR_BAD_URL' ? 'the request target is not a valid path: malformed URL or percent-encoding'
    : 'the request could not be read: malformed body or parameters';
  return new OAuthError('invalid_request', description, { status: status === 413 ? 413 : 400 });
}

/** Answers whether the database is reachable, to tell an outage from a bug. */
export type DatabaseProbe = () => Promise<boolean>;

async function classify(error: unknown, request: FastifyRequest, databaseUp: DatabaseProbe): Promise<OAuthError> {
  if (error instanceof OAuthError) return error;
  if (error instanceof PageError) return new OAuthError('invalid_request', error.detail, { status: error.status });
  const fastifyError = error as FastifyError;
  const known = requestError(fastifyError);
  if (known !== undefined) return known;
  // A driver error we do not recognise is still an outage when the database does not answer.
  if (isUnavailable(error) || !(await databaseUp())) {
    request.log.error({ err: error }, 'database unavailable');
    return new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable; try again shortly', { headers: { 'retry-after': '5' } });
  }
  request.log.error({ err: error }, 'unexpected error');
  return new OAuthError('server_error', 'an unexpected error occurred');
}

export async function jsonErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply, databaseUp: DatabaseProbe): Promise<FastifyReply> {
  const oauth = await classify(error, request, databaseUp);
  return reply
    .status(oauth.status)
    .headers({ ...oauth.headers, 'cache-control': 'no-store', pragma: 'no-cache' })
    .type('application/json; charset=utf-8')
    .send(oauth.toJSON());
}

const TITLES: Record<number, string> = { 403: 'Request refused', 413: 'Request too large', 503: 'Temporarily unavailable', 500: 'Something went wrong' };

export async function pageErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply, databaseUp: DatabaseProbe): Promise<FastifyReply> {
  let page: PageError;
  if (error instanceof PageError) page = error;
  else {
    const oauth = await classify(error, request, databaseUp);
    const status = oauth.status === 415 ? 400 : oauth.status;
    const detail = oauth.code === 'server_error' ? 'An unexpected error occurred. Try again later.' : oauth.description;
    page = new PageError(status, TITLES[status] ?? 'Invalid request', detail.charAt(0).toUpperCase() + detail.slice(1), oauth.headers);
  }
  return reply
    .status(page.status)
    .headers({ ...page.headers, 'cache-control': 'no-store' })
    .type('text/html; charset=utf-8')
    .send(renderPage(ErrorPage({ title: page.title, detail: page.detail })));
}

/**
 * Requests Node's HTTP parser rejects before any route, and so any surface, is known (SEC-66 i,
 * SEC-67): a Content-Length that is negative, not a number, repeated, or longer than the body
 * the client ended; a bad chunked encoding; Content-Length with Transfer-Encoding; control bytes
 * in the request line; headers over the size limit. RFC 9112 §6.3: the message boundary is lost,
 * so the answer is a JSON invalid_request and the connection is closed. Registered as Fastify's
 * `clientErrorHandler`, whose default answered a non-OAuth body (`{"error":"Bad Request"}`).
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // ECONNRESET: the client is gone. A response already started on this connection must not be
  // interleaved with a second one.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (error.code === 'ECONNRESET' || socket.destroyed || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const [status, reason, description] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'the request line or headers are too large']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'the request was not received in time']
    : [400, 'Bad Request', 'the request is not valid HTTP/1.1: malformed request line, headers or body framing'];
  const body = JSON.stringify(new OAuthError('invalid_request', description, { status }).toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
