// Statistics for the timing measurement (SEC-25 a): the Mann–Whitney U test, which asks whether
// one sample tends to be larger than another without assuming any distribution (request times
// are skewed, with long tails), and medians.

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(/** @type {readonly number[]} */ values) {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[middle]) : (/** @type {number} */ (sorted[middle - 1]) + /** @type {number} */ (sorted[middle])) / 2;
}

/**
 * Two-sided Mann–Whitney U test with the normal approximation, corrected for ties and for
 * continuity (valid for samples of more than about 20 each, far fewer than used here).
 * @returns {{ u: number, z: number, p: number }} U of the first sample, its z score, and p.
 */
export function mannWhitney(/** @type {readonly number[]} */ a, /** @type {readonly number[]} */ b) {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('Mann-Whitney needs two non-empty samples');
  const n = n1 + n2;
  const all = [...a.map((value) => ({ value, first: true })), ...b.map((value) => ({ value, first: false }))];
  all.sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && /** @type {{ value: number }} */ (all[j + 1]).value === /** @type {{ value: number }} */ (all[i]).value) j += 1;
    // Ranks i+1 .. j+1 share their average.
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k += 1) if (/** @type {{ first: boolean }} */ (all[k]).first) rankSumA += rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance === 0) return { u, z: 0, p: 1 };
  const distance = Math.max(0, Math.abs(u - mean) - 0.5);
  const z = Math.sign(u - mean) * (distance / Math.sqrt(variance));
  return { u, z, p: z === 0 ? 1 : Math.min(1, 2 * normalTail(Math.abs(z))) };
}

/** P(Z > z) for a standard normal Z, z ≥ 0: erfc by Abramowitz and Stegun 7.1.26 (error < 1.5e-7). */
export function normalTail(/** @type {number} */ z) {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return (poly * Math.exp(-x * x)) / 2;
}
