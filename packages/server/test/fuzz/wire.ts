// Turns the fuzz descriptions (arbitraries.ts) into the bytes of one HTTP/1.1 request: a form,
// JSON or multipart body, framed honestly or not (RFC 9112 §6), and a request target with any
// bytes in its query (RFC 3986 §3.4).
import { framingLies, type BodyShape, type Field, type Framing, type WireValue } from './arbitraries.js';
import { buildRequest, chunked } from './raw-http.js';

/** RFC 3986 §2.1: every byte but the unreserved ones as %XX (lone surrogates become U+FFFD). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The bytes of a value, as sent. */
export function encodeValue(value: WireValue): Buffer {
  return Buffer.concat(value.map((p) => Buffer.from('pct' in p ? percentEncode(p.pct) : 'raw' in p ? p.raw : p.repeat.repeat(p.n), 'latin1')));
}

/** The value as a server that decoded it might see it: for JSON and multipart bodies. */
function plainValue(value: WireValue): string {
  return value.map((p) => ('pct' in p ? p.pct : 'raw' in p ? p.raw : p.repeat.repeat(p.n))).join('');
}

/**
 * Values known only when a run starts (a CSRF token, a fresh code) are written as placeholders
 * in the generated fields and filled here; a Map, so that a fuzzed `valueOf` finds nothing.
 */
export function fill(body: readonly Field[], values: Record<string, string>): Field[] {
  const known = new Map(Object.entries(values));
  return body.map(([name, value]) => [name, value.map((p) => ('pct' in p ? { pct: known.get(p.pct) ?? p.pct } : p))]);
}

export function formBytes(fields: readonly Field[]): Buffer {
  const parts = fields.map(([name, value]) => Buffer.concat([encodeValue(name), Buffer.from('='), encodeValue(value)]));
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('&'), p])));
}

export function bodyBytes(shape: BodyShape, fields: readonly Field[]): Buffer {
  switch (shape) {
    case 'form':
      return formBytes(fields);
    case 'json':
      return Buffer.from(JSON.stringify(Object.fromEntries(fields.map(([n, v]) => [plainValue(n), plainValue(v)]))), 'utf8');
    case 'json-broken':
      return Buffer.from(JSON.stringify(Object.fromEntries(fields.map(([n, v]) => [plainValue(n), plainValue(v)]))).slice(0, -1), 'utf8');
    case 'multipart': {
      const parts = fields.map(([n, v]) => `--zz\r\nContent-Disposition: form-data; name="${plainValue(n)}"\r\n\r\n${plainValue(v)}\r\n`);
      return Buffer.from(`${parts.join('')}--zz--\r\n`, 'latin1');
    }
    case 'garbage':
      return Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), ...fields.map(([n, v]) => Buffer.concat([encodeValue(n), encodeValue(v)]))]);
  }
}

function escapeUnsafe(bytes: Buffer): Buffer {
  return Buffer.from([...bytes].map((b) => (b < 0x21 || b >= 0x7f ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b))).join(''), 'latin1');
}

export interface RequestSpec {
  method: string;
  path: string;
  query?: readonly Field[];
  /** Send the query's bytes as they are; otherwise bytes no request line may carry (controls,
   * DEL, 0x80-0xFF) are percent-escaped, so the request reaches the route (RFC 9112 §3.2). */
  rawQuery?: boolean;
  headers?: readonly (readonly [string, string])[];
  body?: Buffer;
  contentType?: string | null;
  framing?: Framing;
  /** The Host header, when not the server's own (RFC 9112 §3.2). */
  host?: string;
}

export interface WireRequest {
  bytes: Buffer;
  /** Half-close after writing, so a short body is seen to end (RFC 9112 §6.3 rule 7 then fails). */
  endAfterWrite: boolean;
  /** Node's parser may refuse this before any route: the answer is then answerClientError's. */
  connectionLevel: boolean;
  head: boolean;
}

/** Node's default --max-http-header-size: a longer request line or header block is a 431 (the
 * estimate below is within a few bytes, hence a margin). */
const HEADER_LIMIT = 16 * 1024;

export function toWire(spec: RequestSpec, host: string): WireRequest {
  const queryBytes = spec.query === undefined || spec.query.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from('?'), formBytes(spec.query)]);
  const query = spec.rawQuery === true ? queryBytes : escapeUnsafe(queryBytes);
  const target = Buffer.concat([Buffer.from(spec.path, 'latin1'), query]);
  const headers: [string, string][] = [['host', spec.host ?? host], ['connection', 'close'], ...(spec.headers ?? []).map(([n, v]): [string, string] => [n, v])];
  if (spec.contentType !== undefined && spec.contentType !== null) headers.push(['content-type', spec.contentType]);
  const f = spec.framing ?? { kind: 'exact' };
  let body = spec.body ?? Buffer.alloc(0);
  let endAfterWrite = false;
  if (spec.body !== undefined) {
    switch (f.kind) {
      case 'exact':
        headers.push(['content-length', String(body.length)]);
        break;
      case 'chunked':
        headers.push(['transfer-encoding', 'chunked']);
        body = chunked(body, f.size);
        break;
      case 'short-then-fin':
        headers.push(['content-length', String(body.length + f.extra)]);
        endAfterWrite = true;
        break;
      case 'long':
        headers.push(['content-length', String(Math.max(0, body.length - f.less))]);
        break;
      case 'bad-length':
        headers.push(['content-length', f.value]);
        break;
      case 'absurd-length':
        // No FIN: the server must refuse on the declared length alone, not wait for 100 GB.
        headers.push(['content-length', '99999999999']);
        break;
      case 'length-and-chunked':
        headers.push(['content-length', String(body.length)], ['transfer-encoding', 'chunked']);
        break;
      case 'bad-chunks':
        headers.push(['transfer-encoding', 'chunked']);
        body = Buffer.concat([Buffer.from(`zz${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
        break;
    }
  }
  const headerBytes = headers.reduce((n, [k, v]) => n + k.length + v.length + 4, target.length + 16);
  const unsafeTarget = target.some((b) => b < 0x21 || b >= 0x7f);
  const unsafeHeader = headers.some(([, v]) => Buffer.from(v, 'latin1').some((b) => (b < 0x20 && b !== 0x09) || b === 0x7f));
  return {
    bytes: buildRequest({ method: spec.method, target, headers, body }),
    endAfterWrite,
    connectionLevel: unsafeTarget || unsafeHeader || headerBytes > HEADER_LIMIT - 512 || (spec.body !== undefined && framingLies(f)),
    head: spec.method === 'HEAD',
  };
}
