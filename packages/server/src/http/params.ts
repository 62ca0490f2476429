// Request parameters, parsed once at the edge. RFC 6749 §3.1 and §3.2: parameters sent without
// a value are treated as omitted, and a parameter must not appear more than once.
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../errors.js';

/** Longest value accepted for any single parameter; longer ones are `invalid_request`. */
export const MAX_PARAMETER_LENGTH = 4096;

export class Params {
  private constructor(
    private readonly values: ReadonlyMap<string, string>,
    /** Names sent more than once: each is an error wherever it is read. */
    readonly duplicates: ReadonlySet<string>,
    private readonly multi: ReadonlyMap<string, readonly string[]>,
  ) {}

  static from(source: unknown): Params {
    const values = new Map<string, string>();
    const multi = new Map<string, string[]>();
    const duplicates = new Set<string>();
    if (typeof source === 'object' && source !== null) {
      for (const [name, raw] of Object.entries(source)) {
        const list = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
        multi.set(name, list);
        const nonEmpty = list.filter((v) => v !== '');
        if (nonEmpty.length > 1) duplicates.add(name);
        if (nonEmpty.length === 1 && nonEmpty[0] !== undefined) values.set(name, nonEmpty[0]);
      }
    }
    return new Params(values, duplicates, multi);
  }

  /** The single value of `name`, or undefined when absent or empty. Throws on duplicates. */
  get(name: string): string | undefined {
    if (this.duplicates.has(name)) {
      throw new OAuthError('invalid_request', `the '${name}' parameter must not be provided more than once`);
    }
    const value = this.values.get(name);
    if (value !== undefined && value.length > MAX_PARAMETER_LENGTH) {
      throw new OAuthError('invalid_request', `the '${name}' parameter is longer than ${MAX_PARAMETER_LENGTH} characters`);
    }
    return value;
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new OAuthError('invalid_request', `the '${name}' parameter is required`);
    return value;
  }

  /** Every value of a parameter that may legitimately repeat (consent checkboxes). */
  all(name: string): readonly string[] {
    return this.multi.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.values.has(name) || this.duplicates.has(name);
  }
}

/** RFC 6749 §3.2, §4.1.3: the token endpoint takes only form-encoded POST bodies. */
export function requireFormBody(request: FastifyRequest): Params {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError(
      'invalid_request',
      `the request body must be application/x-www-form-urlencoded, got ${type === '' || type === undefined ? 'none' : type}`,
    );
  }
  return Params.from(request.body);
}
