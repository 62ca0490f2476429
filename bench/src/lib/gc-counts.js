// The line a server's gc-counter.js writes (bench/src/gc-counter.js) and the bench reads
// (children.js): this mark, then JSON {"young":n,"full":n}.

export const GC_COUNTS_MARK = 'bench-gc-counts ';

/** The counts a gc-counter.js line carries (the text after the mark), or null for anything else. */
export function parseGcCounts(/** @type {string} */ text) {
  try {
    const { young, full } = JSON.parse(text);
    return Number.isInteger(young) && Number.isInteger(full) ? { young, full } : null;
  } catch {
    return null;
  }
}
