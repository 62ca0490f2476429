// Rows that one transaction or statement locks are taken in the order of their keys, the same in
// every process, so two that lock some of the same rows queue up behind each other instead of
// each holding a row the other waits for (a deadlock).

/** `items` sorted by `key`, compared by UTF-16 code units: an order that no locale changes. */
export function inLockOrder<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
