// HTTP/1.1 over a bare TCP socket, for the requests no HTTP client will send: raw non-UTF-8
// bytes, NUL, a Content-Length that lies, negative or absurd lengths, chunked bodies without
// end. One request per connection (`Connection: close` is the caller's choice, not forced), and
// an answer within a deadline or a failure: a hang is a bug (RFC 9110 §9.3.3; RFC 9112 §6.3).
import { connect } from 'node:net';

export interface RawAnswer {
  /** `response`: a whole HTTP response arrived; `closed`: the server closed or reset without one. */
  kind: 'response' | 'closed';
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Every byte received, for the failure message. */
  raw: string;
}

export class RawTimeout extends Error {
  override readonly name = 'RawTimeout';
}

export interface RawOptions {
  /** Milliseconds to wait for the answer (default 5000); a request still unanswered then fails. */
  timeoutMs?: number;
  /** Half-close the connection after the last byte (FIN), so the server sees the body end early. */
  endAfterWrite?: boolean;
  /** The request was HEAD: the response has headers only (RFC 9110 §9.3.2). */
  head?: boolean;
}

/** Sends `bytes` as they are to 127.0.0.1:`port` and reads one response. */
export function sendRaw(port: number, bytes: Buffer, options: RawOptions = {}): Promise<RawAnswer> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: RawAnswer | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => {
      const received = Buffer.concat(chunks).toString('latin1');
      finish(new RawTimeout(`no answer within ${timeoutMs} ms; received ${JSON.stringify(received.slice(0, 200))}`));
    }, timeoutMs);
    const tryParse = (atEnd: boolean): void => {
      const answer = parseResponse(Buffer.concat(chunks), atEnd, options.head === true);
      if (answer !== undefined) finish(answer);
      else if (atEnd) finish(closed(Buffer.concat(chunks)));
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    // EPIPE or ECONNRESET while the body is still being written: the server answered early (or
    // not at all); whatever arrived is the answer.
    socket.on('error', () => tryParse(true));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (options.endAfterWrite === true && !socket.destroyed) socket.end();
      });
    });
  });
}

function closed(received: Buffer): RawAnswer {
  return { kind: 'closed', status: 0, headers: {}, body: '', raw: received.toString('latin1') };
}

/** A complete response in `data`, or undefined while more is needed. */
function parseResponse(all: Buffer, atEnd: boolean, head: boolean): RawAnswer | undefined {
  // RFC 9110 §15.2: interim 1xx responses (100 Continue) come before the final one.
  let data = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 13).toString('latin1'))) {
    const end = data.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    data = data.subarray(end + 4);
  }
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = data.subarray(headEnd + 4);
  let body: Buffer | undefined;
  if (head) body = Buffer.alloc(0);
  else if (headers['transfer-encoding']?.toLowerCase().includes('chunked') === true) body = dechunk(rest);
  else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length >= length) body = rest.subarray(0, length);
  } else if (status === 204 || status === 304) body = Buffer.alloc(0);
  else if (atEnd) body = rest;
  if (body === undefined) return undefined;
  return { kind: 'response', status, headers, body: body.toString('utf8'), raw: all.toString('latin1') };
}

/** RFC 9112 §7.1: the body of a complete chunked message, or undefined while incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

export interface RequestParts {
  method: string;
  /** The request target, sent byte for byte (latin1 for a string). */
  target: string | Buffer;
  /** Header lines in order; a duplicated name is sent twice. */
  headers: readonly (readonly [string, string])[];
  body?: Buffer;
}

/** The bytes of an HTTP/1.1 request; no header is added that the caller did not list. */
export function buildRequest(parts: RequestParts): Buffer {
  const target = typeof parts.target === 'string' ? Buffer.from(parts.target, 'latin1') : parts.target;
  const lines = parts.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return Buffer.concat([Buffer.from(`${parts.method} `, 'latin1'), target, Buffer.from(` HTTP/1.1\r\n${lines}\r\n`, 'latin1'), parts.body ?? Buffer.alloc(0)]);
}

/** A chunked body (RFC 9112 §7.1) of `body`, in chunks of `size` bytes, with its last chunk. */
export function chunked(body: Buffer, size = 16 * 1024): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(parts);
}
