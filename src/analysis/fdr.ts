/**
 * Confidence bins of hot spot results and the False Discovery Rate correction, as ArcGIS's Hot
 * Spot Analysis writes them in its `Gi_Bin` field ("How Hot Spot Analysis (Getis-Ord Gi*) works").
 *
 * - Bins: ±3 for p < 0.01 (99 % confidence), ±2 for p < 0.05, ±1 for p < 0.10, 0 otherwise, with
 *   the sign of z.
 * - FDR: Benjamini & Hochberg (1995) step-up, applied separately at each of the three alpha
 *   levels over all tested features: sort the two-sided p-values, find the largest k with
 *   p_(k) ≤ (k/m)·α, and every p ≤ p_(k) is significant at that level. This is the "Apply False
 *   Discovery Rate (FDR) Correction" option, which Optimized Hot Spot Analysis always applies.
 *
 * NaN p-values (an undefined statistic, e.g. local Moran's conditional Z when x_i equals the mean)
 * are not tests: they are never significant and do not count in m.
 */

/** The three confidence levels of ArcGIS's bins, from the weakest: 90 %, 95 %, 99 %. */
export const BIN_ALPHAS: readonly [number, number, number] = [0.1, 0.05, 0.01];

/**
 * The Benjamini–Hochberg cutoff: the largest p_(k) with p_(k) ≤ (k/m)·alpha, or −Infinity when no
 * p-value qualifies (nothing is significant). A p-value is significant iff p ≤ cutoff.
 */
export function fdrCutoff(p: Float64Array, alpha: number): number {
  return cutoffFromSorted(sortedFinite(p), alpha);
}

/** Significance (1) of each p-value under Benjamini–Hochberg at `alpha`. */
export function fdrSignificant(p: Float64Array, alpha: number): Uint8Array {
  const cutoff = fdrCutoff(p, alpha);
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i] <= cutoff ? 1 : 0;
  return out;
}

/**
 * Benjamini–Hochberg adjusted p-values (the q-values of R's `p.adjust(p, "BH")`): the smallest
 * FDR level at which each test would be significant. NaN stays NaN.
 */
export function fdrAdjusted(p: Float64Array): Float64Array {
  const order: number[] = [];
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i])) order.push(i);
  order.sort((a, b) => p[b] - p[a] || b - a); // descending
  const m = order.length;
  const out = new Float64Array(p.length).fill(NaN);
  let running = 1;
  for (let r = 0; r < m; r++) {
    const i = order[r];
    running = Math.min(running, (p[i] * m) / (m - r));
    out[i] = running;
  }
  return out;
}

/** ArcGIS `Gi_Bin`: ±3/±2/±1 for p < 0.01/0.05/0.10 with the sign of z, else 0. */
export function confidenceBins(z: Float64Array, p: Float64Array): Int8Array {
  const out = new Int8Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const level = p[i] < 0.01 ? 3 : p[i] < 0.05 ? 2 : p[i] < 0.1 ? 1 : 0;
    out[i] = z[i] > 0 ? level : z[i] < 0 ? -level : 0;
  }
  return out;
}

/** ArcGIS `Gi_Bin` with the FDR correction: BH cutoffs at 0.10, 0.05 and 0.01 (see the module comment). */
export function confidenceBinsFdr(z: Float64Array, p: Float64Array): Int8Array {
  const sorted = sortedFinite(p);
  const cut = BIN_ALPHAS.map((alpha) => cutoffFromSorted(sorted, alpha));
  const out = new Int8Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const level = p[i] <= cut[2] ? 3 : p[i] <= cut[1] ? 2 : p[i] <= cut[0] ? 1 : 0;
    out[i] = z[i] > 0 ? level : z[i] < 0 ? -level : 0;
  }
  return out;
}

function sortedFinite(p: Float64Array): Float64Array {
  let m = 0;
  const sorted = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i])) sorted[m++] = p[i];
  return sorted.subarray(0, m).sort();
}

function cutoffFromSorted(sorted: Float64Array, alpha: number): number {
  const m = sorted.length;
  for (let k = m; k >= 1; k--) if (sorted[k - 1] <= (k / m) * alpha) return sorted[k - 1];
  return -Infinity;
}
