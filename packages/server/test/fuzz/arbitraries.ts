// Hostile inputs for the fuzz suite, as small printable descriptions (fast-check prints the
// failing one with its seed); wire.ts turns them into bytes. What they cover: RFC 6749 §3.1 and
// §3.2 (parameters, duplicates, form encoding), RFC 3986 §2.1 (percent-encoding), RFC 3629 §3
// (invalid UTF-8), RFC 9112 §6 (message framing); SECURITY-CATALOG SEC-64..SEC-67.
import fc from 'fast-check';

/** One piece of a parameter value or name, as it goes on the wire. */
export type Piece =
  /** Text percent-encoded the proper way (UTF-8 bytes, every non-unreserved byte escaped). */
  | { pct: string }
  /** Bytes sent exactly as written (latin1): bad escapes, raw NUL, raw 0xFF, `&` and `=`. */
  | { raw: string }
  /** `n` copies of one character: a value over MAX_PARAMETER_LENGTH, or of 1 MB. */
  | { repeat: string; n: number };

export type WireValue = Piece[];
export type Field = [name: WireValue, value: WireValue];

/** Escapes and byte sequences that are wrong, ambiguous or dangerous somewhere downstream. */
const NASTY = [
  '%', '%G1', '%2', '%%', '%u0041', '%FF', '%C3%28', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%F4%90%80%80', // bad escapes, invalid UTF-8
  '%00', '\x00', '\xff', '\xfe\xff', '\xc3\x28', '\x80', '\x7f', // NUL, raw invalid UTF-8, DEL
  '%0D%0ASet-Cookie:%20x=1', '%0D%0ALocation:%20https://evil.example', '\r\n', '\t', // header injection (SEC-66 d, e)
  '+', '%2B', '%20', '&', '=', '&&', '==', '%26', '%3D', '?', '#', ';', // separators
  '[]', '[0][x]', '%5B%5D', '.', '..%2F..%2F', // qs-style nesting, paths
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', // prototype keys
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '<script>alert(1)</script>', '%22%3E%3Cimg%20src%3Dx%3E', "'", '"', '\\', // markup
  '%E2%80%AE', '%E2%80%8B', '%EF%BC%91', '%F0%9F%98%80', '%CC%81', // RTL override, zero width, full width, emoji, combining
];

/** Names the endpoints read, beside anything else. */
export const OAUTH_NAMES = [
  'grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'client_id', 'client_secret', 'resource',
  'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'response_mode', 'request', 'request_uri',
  'token', 'token_type_hint', 'access_token', 'csrf', 'interaction', 'username', 'password', 'return_to', 'decision',
  'id_token_hint', 'post_logout_redirect_uri', 'login_hint',
];

export const piece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }).map((s) => ({ pct: s })) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 24 }).map((s) => ({ raw: s })) },
  { weight: 5, arbitrary: fc.constantFrom(...NASTY).map((s) => ({ raw: s })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => ({ raw: Buffer.from(b).toString('latin1') })) },
  // RFC 6749 §3.1 has no limit; Latchkey's is 4096 characters per value (params.ts).
  { weight: 1, arbitrary: fc.constantFrom(4096, 4097, 9000).map((n) => ({ repeat: 'a', n })) },
);

export const wireValue: fc.Arbitrary<WireValue> = fc.array(piece, { maxLength: 5 });

/** A known name (often), a prototype or bracket name, or anything. */
export const wireName: fc.Arbitrary<WireValue> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...OAUTH_NAMES).map((n) => [{ raw: n }]) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'client_id[]', 'scope[0][foo]', 'a.b', '').map((n) => [{ raw: n }]) },
  { weight: 1, arbitrary: wireValue },
);

/**
 * Form fields: each of `base` (a real-looking request, so the fuzz reaches past the first check)
 * kept, left out or given a hostile value, then hostile extra
 * fields, in any order, sometimes one sent twice (SEC-64).
 */
export function fields(base: Record<string, string | fc.Arbitrary<string>>, weights = { keep: 5, drop: 2, corrupt: 2 }): fc.Arbitrary<Field[]> {
  const each = Object.entries(base).map(([name, value]) =>
    fc.oneof(
      { weight: weights.keep, arbitrary: (typeof value === 'string' ? fc.constant(value) : value).map((v): Field | null => [[{ raw: name }], [{ pct: v }]]) },
      { weight: weights.drop, arbitrary: fc.constant(null) },
      { weight: weights.corrupt, arbitrary: wireValue.map((v): Field | null => [[{ raw: name }], v]) },
    ),
  );
  const extra = fc.array(fc.tuple(wireName, wireValue), { maxLength: 3 });
  return fc.tuple(fc.tuple(...each), extra, fc.option(fc.nat(), { freq: 4 })).chain(([kept, hostile, dupe]) => {
    const all: Field[] = [...kept.filter((x): x is Field => x !== null), ...hostile];
    // SEC-64: a parameter repeated with a different value.
    const field = dupe === null ? undefined : all[dupe % Math.max(all.length, 1)];
    if (field !== undefined) all.push([field[0], [...field[1], { raw: 'x' }]]);
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });
}

/** The valid value four times in five, else one of the wrong ones. */
export function mostly(valid: string, ...wrong: string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fc.constantFrom(...wrong) });
}

/** One of these values. */
export function oneOf(...values: string[]): fc.Arbitrary<string> {
  return fc.constantFrom(...values);
}

/** How a body is labelled: RFC 6749 §3.2 wants the form type; everything else must be refused. */
export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'Application/X-WWW-Form-URLEncoded', 'application/x-www-form-urlencoded;charset=ISO-8859-1', 'application/x-www-form-urlencoded ; q="a;b"') },
  { weight: 3, arbitrary: fc.constantFrom(null, 'application/json', 'application/json; charset=utf-8', 'multipart/form-data; boundary=zz', 'multipart/form-data', 'text/plain', 'application/xml', 'application/octet-stream', 'text/html') },
  { weight: 1, arbitrary: fc.constantFrom('', ';', 'application/x-www-form-urlencoded, application/json', 'application/x-www-form-urlencodedx', '\xff\xfe', '*/*', 'application/*') },
);

/** What the body holds, whatever its label says. */
export type BodyShape = 'form' | 'json' | 'json-broken' | 'multipart' | 'garbage';
export const bodyShape: fc.Arbitrary<BodyShape> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<BodyShape>('form') },
  { weight: 1, arbitrary: fc.constantFrom<BodyShape>('json', 'json-broken', 'multipart', 'garbage') },
);

/**
 * RFC 9112 §6: how the body length is told. `exact` and `chunked` are honest; the others lie or
 * are malformed, which Node's parser may reject before any route runs ("connection level").
 */
export type Framing =
  | { kind: 'exact' }
  | { kind: 'chunked'; size: number }
  | { kind: 'short-then-fin'; extra: number }
  | { kind: 'long'; less: number }
  | { kind: 'bad-length'; value: string }
  | { kind: 'absurd-length' }
  | { kind: 'length-and-chunked' }
  | { kind: 'bad-chunks' };

export const framing: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Framing>({ kind: 'exact' }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 4096 }).map((size): Framing => ({ kind: 'chunked', size })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((extra): Framing => ({ kind: 'short-then-fin', extra })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((less): Framing => ({ kind: 'long', less })) },
  { weight: 1, arbitrary: fc.constantFrom('-1', 'abc', '1e3', '0x10', '+5', '5, 6', '18446744073709551616', '').map((value): Framing => ({ kind: 'bad-length', value })) },
  { weight: 1, arbitrary: fc.constantFrom<Framing>({ kind: 'absurd-length' }, { kind: 'length-and-chunked' }, { kind: 'bad-chunks' }) },
);

/** True when the framing lies: the answer may come from the connection level (RawAnswer of answerClientError). */
export function framingLies(f: Framing): boolean {
  return f.kind !== 'exact' && f.kind !== 'chunked' && f.kind !== 'absurd-length';
}

/** How a request's body travels: label, shape and framing. */
export interface Envelope {
  type: string | null;
  shape: BodyShape;
  framing: Framing;
}

/** An honest form three times in four, else any label, shape and framing (SEC-65, SEC-66 i). */
export const envelope: fc.Arbitrary<Envelope> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Envelope>({ type: 'application/x-www-form-urlencoded', shape: 'form', framing: { kind: 'exact' } }) },
  { weight: 1, arbitrary: fc.record({ type: contentType, shape: bodyShape, framing }) },
);
