/**
 * Emerging hot spot analysis, as ArcGIS's Space Time Pattern Mining tool describes it ("How
 * Emerging Hot Spot Analysis works"): a space-time Gi* for every bin of a space-time cube, a
 * Mann-Kendall trend test on each location's series of z-scores, and a pattern per location.
 *
 * Space-time cube: L locations × T time steps, stored location-major (`values[loc · T + t]`).
 * {@link spaceTimeCubeFromEvents} builds one from events on a {@link RasterGrid}.
 *
 * Space-time Gi* (bin (i, t)): the neighbours are the locations N(i) ∪ {i} at the time steps
 * t − timeLag … t (backward looking: a bin never sees the future), with the spatial weights of
 * N(i) (binary for contiguity), weight 1 for i itself and the same weight at every lagged step.
 * The mean and SD are those of all L·T bins; the formula is Gi*'s (gistar.ts) with n = L·T.
 * Significance: Benjamini–Hochberg FDR at `alpha` over all bins (ArcGIS applies FDR here), or
 * plain p < alpha with `fdr: false`. A hot bin is significant with z > 0, a cold one with z < 0.
 *
 * Mann-Kendall (Mann 1945, Kendall 1975) on each location's z series: S = Σ_{i<j} sign(z_j − z_i),
 * Var(S) = [T(T−1)(2T+5) − Σ_ties t(t−1)(2t+5)]/18 (ties: exactly equal z-scores), the
 * continuity-corrected Z = (S − sign(S))/√Var, two-sided p, tau = S / (T(T−1)/2). The trend is
 * significant when p < alpha.
 *
 * Patterns (ArcGIS's definitions; "90 %" means at least 90 % of the T steps). ArcGIS does not
 * publish the precedence between overlapping definitions; this one is (for hot, cold mirrored):
 * 1. Final step hot:
 *    - hot in ≥ 90 % of the steps: **intensifying** (significant upward trend), **diminishing**
 *      (significant downward trend), else **persistent**;
 *    - otherwise, with any earlier cold step: **oscillating**;
 *    - otherwise, hot only in the final step: **new**;
 *    - otherwise, the hot steps are one uninterrupted final run (≥ 2): **consecutive**;
 *    - otherwise: **sporadic** (on and off, never cold).
 * 2. Final step not significant (neither hot nor cold): hot in ≥ 90 % of the steps: **historical**
 *    hot spot (cold mirrored).
 * 3. Otherwise: no pattern detected.
 * This precedence agrees with R sfdep's where its definitions do not overlap (new and consecutive
 * exclude earlier significant bins of either sign; oscillating needs an earlier cold bin), and
 * with the oracle (`ehsa_queen_tlag1.csv`); sfdep differs for a location hot ≥ 90 % of the time
 * but not in the final step (it may call it persistent; here it is historical, which is what
 * ArcGIS's wording "the most recent time period is not hot" says).
 */
import { analysisError, finiteArray, integerInRange, numberInRange, sameLength, type NumericArray } from './errors.js';
import { fdrCutoff } from './fdr.js';
import { cellIndex, checkGrid, type RasterGrid } from './grid.js';
import { twoSidedP } from './normal.js';
import { checkWeights, type SpatialWeights } from './weights.js';

/** A space-time cube: `values[loc · steps + t]`. */
export interface SpaceTimeCube {
  readonly locations: number;
  readonly steps: number;
  readonly values: Float64Array;
}

/** Wraps location-major values as a cube, checking the size and that every value is finite. */
export function spaceTimeCube(values: NumericArray, locations: number, steps: number): SpaceTimeCube {
  integerInRange(locations, 'locations', 1, 2 ** 28);
  integerInRange(steps, 'steps', 1, 2 ** 20);
  const v = finiteArray(values, 'values');
  sameLength(v.length, locations * steps, 'values', 'locations × steps');
  return { locations, steps, values: v };
}

/** Time binning of {@link spaceTimeCubeFromEvents}: step k holds start + k·stepLength ≤ t < start + (k + 1)·stepLength. */
export interface TimeBinning {
  readonly start: number;
  readonly stepLength: number;
  readonly steps: number;
}

/**
 * Counts of events per grid cell (location = row-major cell index) and time step. Events outside
 * the grid or the time range are not counted. Pair it with `latticeContiguity(grid.rows, grid.cols, …)`.
 */
export function spaceTimeCubeFromEvents(
  grid: RasterGrid,
  x: NumericArray,
  y: NumericArray,
  t: NumericArray,
  time: TimeBinning,
): SpaceTimeCube {
  checkGrid(grid);
  const px = finiteArray(x, 'x', 0);
  const py = finiteArray(y, 'y', 0);
  const pt = finiteArray(t, 't', 0);
  sameLength(py.length, px.length, 'y', 'x');
  sameLength(pt.length, px.length, 't', 'x');
  numberInRange(time.start, 'start', -Number.MAX_VALUE, Number.MAX_VALUE);
  numberInRange(time.stepLength, 'stepLength', 0, Number.MAX_VALUE, 'open-min');
  integerInRange(time.steps, 'steps', 1, 2 ** 20);
  const locations = grid.rows * grid.cols;
  if (locations * time.steps > 2 ** 28) throw analysisError('analysis_bad_grid', 'steps', 'the cube has too many bins');
  const values = new Float64Array(locations * time.steps);
  for (let i = 0; i < px.length; i++) {
    const loc = cellIndex(grid, px[i], py[i]);
    const k = Math.floor((pt[i] - time.start) / time.stepLength);
    if (loc >= 0 && k >= 0 && k < time.steps) values[loc * time.steps + k]++;
  }
  return { locations, steps: time.steps, values };
}

/** Options of {@link spaceTimeGiStar} and {@link emergingHotSpots}. */
export interface SpaceTimeOptions {
  /** Number of earlier time steps in each bin's neighbourhood; default 1 (ArcGIS's default). */
  readonly timeLag?: number;
  /** Significance level of the bins and of the trend; default 0.05. */
  readonly alpha?: number;
  /** Benjamini–Hochberg over all bins (default true), or plain p < alpha. */
  readonly fdr?: boolean;
}

/** Space-time Gi* of every bin, location-major like the cube. */
export interface SpaceTimeGiResult {
  readonly z: Float64Array;
  readonly p: Float64Array;
  /** 1 when the bin is significant (see the module comment). */
  readonly significant: Uint8Array;
}

function checkOptions(cube: SpaceTimeCube, weights: SpatialWeights, options: SpaceTimeOptions) {
  if (!cube || !(cube.values instanceof Float64Array)) throw analysisError('analysis_empty_input', 'cube', 'cube is missing');
  spaceTimeCube(cube.values, cube.locations, cube.steps);
  checkWeights(weights, cube.locations);
  const timeLag = options.timeLag === undefined ? 1 : integerInRange(options.timeLag, 'timeLag', 0, cube.steps - 1);
  const alpha = options.alpha === undefined ? 0.05 : numberInRange(options.alpha, 'alpha', 0, 1, 'open');
  if (options.fdr !== undefined && typeof options.fdr !== 'boolean')
    throw analysisError('analysis_unsupported_option', 'fdr', 'fdr must be true or false');
  return { timeLag, alpha, fdr: options.fdr ?? true };
}

/** Space-time Gi* of every bin of the cube; see the module comment. */
export function spaceTimeGiStar(cube: SpaceTimeCube, weights: SpatialWeights, options: SpaceTimeOptions = {}): SpaceTimeGiResult {
  const { timeLag, alpha, fdr } = checkOptions(cube, weights, options);
  const L = cube.locations;
  const T = cube.steps;
  const N = L * T;
  if (N < 2) throw analysisError('analysis_too_few_observations', 'cube', 'the cube needs at least 2 bins');
  const x = cube.values;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < N; k++) {
    sum += x[k];
    if (x[k] < min) min = x[k];
    if (x[k] > max) max = x[k];
  }
  if (min === max) throw analysisError('analysis_no_variance', 'cube', 'all bins have the same value: z-scores are undefined');
  const mean = sum / N;
  let ss = 0;
  for (let k = 0; k < N; k++) ss += (x[k] - mean) * (x[k] - mean);
  const sd = Math.sqrt(ss / N);

  // Window sums over t − timeLag … t of each location, so each bin costs one pass over N(i).
  const window = new Float64Array(N);
  for (let loc = 0; loc < L; loc++) {
    const base = loc * T;
    let s = 0;
    for (let t = 0; t < T; t++) {
      s += x[base + t];
      if (t > timeLag) s -= x[base + t - timeLag - 1];
      window[base + t] = s;
    }
  }
  // Recomputing each window directly would cost timeLag more per bin; the running sum is exact for
  // integer counts and within a few ulps otherwise.
  const z = new Float64Array(N);
  const p = new Float64Array(N);
  const acc = new Float64Array(T);
  const { offsets, neighbours, weights: w } = weights;
  for (let i = 0; i < L; i++) {
    let sw = 1;
    let sw2 = 1;
    const base = i * T;
    for (let t = 0; t < T; t++) acc[t] = window[base + t];
    for (let q = offsets[i]; q < offsets[i + 1]; q++) {
      const wq = w[q];
      sw += wq;
      sw2 += wq * wq;
      const nb = neighbours[q] * T;
      for (let t = 0; t < T; t++) acc[t] += wq * window[nb + t];
    }
    for (let t = 0; t < T; t++) {
      const m = Math.min(t, timeLag) + 1; // time steps in this bin's window
      const W = m * sw;
      const W2 = m * sw2;
      const den = sd * Math.sqrt((N * W2 - W * W) / (N - 1));
      const zi = den > 0 ? (acc[t] - mean * W) / den : NaN;
      z[base + t] = zi;
      p[base + t] = twoSidedP(zi);
    }
  }
  const significant = new Uint8Array(N);
  const cutoff = fdr ? fdrCutoff(p, alpha) : alpha;
  for (let k = 0; k < N; k++) significant[k] = fdr ? (p[k] <= cutoff ? 1 : 0) : p[k] < alpha ? 1 : 0;
  return { z, p, significant };
}

/** Result of {@link mannKendall}. */
export interface MannKendallResult {
  /** Kendall's S = Σ_{i<j} sign(x_j − x_i). */
  readonly s: number;
  /** Var(S) with the tie correction. */
  readonly variance: number;
  /** S / (n(n − 1)/2) (Kendall's tau-a). */
  readonly tau: number;
  /** Continuity-corrected z: (S − sign(S))/√Var; 0 when S = 0. */
  readonly z: number;
  /** Two-sided normal p-value of z. */
  readonly p: number;
}

/** Mann-Kendall trend test of a series (in time order); see the module comment. At least 3 values. */
export function mannKendall(series: NumericArray): MannKendallResult {
  const x = finiteArray(series, 'series', 3);
  return mannKendallUnchecked(x, new Float64Array(x.length));
}

function mannKendallUnchecked(x: Float64Array, scratch: Float64Array): MannKendallResult {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i];
    for (let j = i + 1; j < n; j++) s += x[j] > xi ? 1 : x[j] < xi ? -1 : 0;
  }
  scratch.set(x);
  scratch.sort();
  let ties = 0;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && scratch[j] === scratch[i]) j++;
    const t = j - i;
    if (t > 1) ties += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = s === 0 || !(variance > 0) ? 0 : (s - Math.sign(s)) / Math.sqrt(variance);
  return { s, variance, tau: s / ((n * (n - 1)) / 2), z, p: twoSidedP(z) };
}

/** The patterns of emerging hot spot analysis (ArcGIS's categories). */
export const EMERGING_PATTERNS = [
  'new_hot_spot',
  'consecutive_hot_spot',
  'intensifying_hot_spot',
  'persistent_hot_spot',
  'diminishing_hot_spot',
  'sporadic_hot_spot',
  'oscillating_hot_spot',
  'historical_hot_spot',
  'new_cold_spot',
  'consecutive_cold_spot',
  'intensifying_cold_spot',
  'persistent_cold_spot',
  'diminishing_cold_spot',
  'sporadic_cold_spot',
  'oscillating_cold_spot',
  'historical_cold_spot',
  'no_pattern_detected',
] as const;
export type EmergingPattern = (typeof EMERGING_PATTERNS)[number];

/**
 * The pattern of one location from its hot and cold steps (1 = significant hot / cold bin, in
 * time order) and its trend; see the module comment for the rules and their precedence.
 */
export function classifyEmergingPattern(
  hot: ArrayLike<number>,
  cold: ArrayLike<number>,
  trend: { readonly significant: boolean; readonly increasing: boolean },
): EmergingPattern {
  const T = hot.length;
  if (T === 0 || cold.length !== T)
    throw analysisError('analysis_length_mismatch', 'cold', 'hot and cold must have the same, non-zero length');
  let nHot = 0;
  let nCold = 0;
  for (let t = 0; t < T; t++) {
    if (hot[t]) nHot++;
    if (cold[t]) nCold++;
  }
  const mostly = (count: number): boolean => count * 10 >= 9 * T; // ≥ 90 %, in integers
  const side = (own: ArrayLike<number>, nOwn: number, nOther: number, towards: boolean, kind: 'hot' | 'cold'): EmergingPattern => {
    if (mostly(nOwn)) {
      if (!trend.significant) return `persistent_${kind}_spot`;
      return trend.increasing === towards ? `intensifying_${kind}_spot` : `diminishing_${kind}_spot`;
    }
    if (nOther > 0) return `oscillating_${kind}_spot`;
    if (nOwn === 1) return `new_${kind}_spot`;
    let run = 0;
    while (run < T && own[T - 1 - run]) run++;
    return run === nOwn ? `consecutive_${kind}_spot` : `sporadic_${kind}_spot`;
  };
  if (hot[T - 1]) return side(hot, nHot, nCold, true, 'hot');
  if (cold[T - 1]) return side(cold, nCold, nHot, false, 'cold');
  if (mostly(nHot)) return 'historical_hot_spot';
  if (mostly(nCold)) return 'historical_cold_spot';
  return 'no_pattern_detected';
}

/** Per-location summary of {@link emergingHotSpots}. */
export interface EmergingLocation {
  /** Significant hot / cold bins. */
  readonly nHot: number;
  readonly nCold: number;
  /** z-score and significance of the last time step. */
  readonly finalZ: number;
  readonly finalSignificant: boolean;
  /** Mann-Kendall test of the location's z series. */
  readonly trend: MannKendallResult;
  readonly pattern: EmergingPattern;
}

/** Result of {@link emergingHotSpots}. */
export interface EmergingHotSpotsResult {
  readonly bins: SpaceTimeGiResult;
  readonly locations: EmergingLocation[];
}

/**
 * Emerging hot spot analysis of a cube with the locations' spatial weights (self excluded, as
 * everywhere in this library): space-time Gi*, Mann-Kendall, pattern. At least 3 time steps
 * (ArcGIS asks for 10 for a meaningful trend).
 */
export function emergingHotSpots(cube: SpaceTimeCube, weights: SpatialWeights, options: SpaceTimeOptions = {}): EmergingHotSpotsResult {
  const { alpha } = checkOptions(cube, weights, options);
  const T = cube.steps;
  if (T < 3) throw analysisError('analysis_too_few_observations', 'steps', 'emerging hot spots need at least 3 time steps');
  const bins = spaceTimeGiStar(cube, weights, options);
  const hot = new Uint8Array(T);
  const cold = new Uint8Array(T);
  const scratch = new Float64Array(T);
  const locations: EmergingLocation[] = [];
  for (let loc = 0; loc < cube.locations; loc++) {
    const base = loc * T;
    let nHot = 0;
    let nCold = 0;
    for (let t = 0; t < T; t++) {
      const sig = bins.significant[base + t] === 1;
      hot[t] = sig && bins.z[base + t] > 0 ? 1 : 0;
      cold[t] = sig && bins.z[base + t] < 0 ? 1 : 0;
      nHot += hot[t];
      nCold += cold[t];
    }
    const trend = mannKendallUnchecked(bins.z.subarray(base, base + T), scratch);
    locations.push({
      nHot,
      nCold,
      finalZ: bins.z[base + T - 1],
      finalSignificant: bins.significant[base + T - 1] === 1,
      trend,
      pattern: classifyEmergingPattern(hot, cold, { significant: trend.p < alpha, increasing: trend.s > 0 }),
    });
  }
  return { bins, locations };
}
