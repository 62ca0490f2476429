// Conversions between domain values and their stored text/integer forms (schema.ts).
import type { Flag } from './schema.js';

/** Scopes are stored space-separated, as on the wire (RFC 6749 §3.3). */
export function joinScopes(scopes: readonly string[]): string {
  return scopes.join(' ');
}

export function splitScopes(text: string): string[] {
  return text.split(' ').filter((scope) => scope !== '');
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite's can), so no stored value contains it and a lookup
 * by such a string, straight from a request, finds nothing instead of failing the query.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000');
}

export function toFlag(value: boolean): Flag {
  return value ? 1 : 0;
}

export function fromFlag(value: number): boolean {
  return value === 1;
}

export function toJsonList(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** A stored JSON list of strings; anything else means the row was corrupted, a bug. */
export function fromJsonList(text: string, column: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`${column} is not a JSON list of strings`);
  }
  return value;
}
