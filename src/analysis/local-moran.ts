/**
 * Local Moran's I (Anselin 1995, "Local indicators of spatial association — LISA",
 * Geographical Analysis 27(2)), the cluster and outlier statistic behind ArcGIS's "Cluster and
 * Outlier Analysis (Anselin Local Moran's I)", GeoDa's LISA and spdep's `localmoran`.
 *
 *   I_i = (z_i / s²) Σ_j w_ij z_j,   z = x − x̄,   self excluded (w_ii = 0)
 *
 * - Weights: row-standardised by default (style "W", as GeoDa and the spdep examples). The lag is
 *   computed as Σ_j w_ij z_j / Σ_j w_ij from the weights as given, which keeps it exact for
 *   integer counts (see "Quadrants" below).
 * - s²: Σz²/n (`varianceDivisor: 'n'`, spdep's `mlvar = TRUE`, the default) or Σz²/(n − 1).
 * - Moments under the randomisation null, with m2 = Σz²/n, W_i = Σ_j w_ij, W_i2 = Σ_j w_ij²:
 *   - `conditional` (default; Sokal, Oden & Thomson 1998, "Local spatial autocorrelation in a
 *     biological model", Geographical Analysis 30(4); spdep ≥ 1.2's default): x_i held fixed,
 *     E = −z_i² W_i / ((n − 1) m2),
 *     Var = (z_i/m2)² · n/(n − 2) · (W_i2 − W_i²/(n − 1)) · (m2 − z_i²/(n − 1)).
 *     When x_i equals the mean exactly, Var = 0 and Z is undefined (NaN).
 *   - `total` (Anselin 1995, the moments ArcGIS prints in "How Cluster and Outlier Analysis
 *     works"): E = −W_i/(n − 1), Var = A·W_i2 + B·(W_i² − W_i2) − E², with b2 = m4/s²² (the
 *     kurtosis, divisor as `varianceDivisor`), A = (n − b2)/(n − 1), B = (2b2 − n)/((n − 1)(n − 2)).
 * - Z = (I − E)/√Var, p two-sided normal. (Current ArcGIS Pro reports permutation pseudo
 *   p-values for this tool instead; these analytic ones match spdep.)
 * - Quadrants: HH/LL/HL/LH from the signs of z_i and of its lag; `--` when either is exactly 0
 *   (x_i at the mean, or neighbours averaging exactly the mean). Cluster = the quadrant when
 *   p < alpha (default 0.05), else NS; NA when p is undefined.
 */
import { analysisError, finiteArray, numberInRange, oneOf, type NumericArray } from './errors.js';
import { populationMoments } from './gistar.js';
import { twoSidedP } from './normal.js';
import { checkWeights, type SpatialWeights } from './weights.js';

/** Options of {@link localMoran}. */
export interface LocalMoranOptions {
  /** Randomisation moments: `conditional` (Sokal et al. 1998, default) or `total` (Anselin 1995). */
  readonly moments?: 'conditional' | 'total';
  /** Divisor of s² (and of the kurtosis): `n` (default, spdep `mlvar = TRUE`) or `n-1`. */
  readonly varianceDivisor?: 'n' | 'n-1';
  /** `row` (default): row-standardise the weights; `none`: use them as given. */
  readonly standardise?: 'row' | 'none';
  /** Significance level of the cluster labels; default 0.05. */
  readonly alpha?: number;
}

/** Quadrant labels, indexed by the codes of {@link LocalMoranResult.quadrant}. */
export const QUADRANT_LABELS = ['--', 'HH', 'LL', 'HL', 'LH'] as const;
export type QuadrantLabel = (typeof QUADRANT_LABELS)[number];

/** Result of {@link localMoran}; arrays indexed like the input values. */
export interface LocalMoranResult {
  readonly I: Float64Array;
  readonly expected: Float64Array;
  readonly variance: Float64Array;
  /** (I − E)/√Var; NaN where Var = 0. */
  readonly z: Float64Array;
  /** Two-sided normal p-value; NaN where z is. */
  readonly p: Float64Array;
  /** Spatial lag of the deviations, Σ_j w_ij z_j with the weights used. */
  readonly lag: Float64Array;
  /** 0 `--`, 1 HH, 2 LL, 3 HL, 4 LH (see {@link QUADRANT_LABELS}). */
  readonly quadrant: Uint8Array;
  /** The quadrant code when p < alpha, 0 (NS) otherwise, −1 (NA) when p is undefined. */
  readonly cluster: Int8Array;
}

/** Local Moran's I of every observation; see the module comment. */
export function localMoran(values: NumericArray, weights: SpatialWeights, options: LocalMoranOptions = {}): LocalMoranResult {
  const x = finiteArray(values, 'values', 3);
  checkWeights(weights, x.length);
  const moments = oneOf(options.moments, 'moments', ['conditional', 'total'], 'conditional');
  const divisor = oneOf(options.varianceDivisor, 'varianceDivisor', ['n', 'n-1'], 'n');
  const standardise = oneOf(options.standardise, 'standardise', ['row', 'none'], 'row');
  const alpha = options.alpha === undefined ? 0.05 : numberInRange(options.alpha, 'alpha', 0, 1, 'open');
  const n = x.length;
  const { mean } = populationMoments(x);

  const dev = new Float64Array(n);
  let sum2 = 0;
  let sum4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    dev[i] = d;
    sum2 += d * d;
    sum4 += d * d * d * d;
  }
  if (!(sum2 > 0)) throw analysisError('analysis_no_variance', 'values', 'all values are equal: local Moran is undefined');
  const m2 = sum2 / n;
  const s2 = divisor === 'n' ? m2 : sum2 / (n - 1);
  const b2 = sum4 / (divisor === 'n' ? n : n - 1) / (s2 * s2);
  const A = (n - b2) / (n - 1);
  const B = (2 * b2 - n) / ((n - 1) * (n - 2));

  const I = new Float64Array(n);
  const expected = new Float64Array(n);
  const variance = new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const lag = new Float64Array(n);
  const quadrant = new Uint8Array(n);
  const cluster = new Int8Array(n);
  const { offsets, neighbours, weights: w } = weights;
  for (let i = 0; i < n; i++) {
    let sw = 0;
    let sw2 = 0;
    let swz = 0;
    for (let q = offsets[i]; q < offsets[i + 1]; q++) {
      const wq = w[q];
      sw += wq;
      sw2 += wq * wq;
      swz += wq * dev[neighbours[q]];
    }
    // Row standardisation applied to the sums, not to each weight: Σ w z / Σ w stays exact for counts.
    let Wi = sw;
    let Wi2 = sw2;
    let lz = swz;
    if (standardise === 'row') {
      Wi = sw > 0 ? 1 : 0;
      Wi2 = sw > 0 ? sw2 / (sw * sw) : 0;
      lz = sw > 0 ? swz / sw : 0;
    }
    const zi = dev[i];
    const Ii = (zi / s2) * lz;
    let E: number;
    let V: number;
    if (moments === 'conditional') {
      E = -(zi * zi * Wi) / ((n - 1) * m2);
      V = (zi / m2) ** 2 * (n / (n - 2)) * (Wi2 - (Wi * Wi) / (n - 1)) * (m2 - (zi * zi) / (n - 1));
    } else {
      E = -Wi / (n - 1);
      V = A * Wi2 + B * (Wi * Wi - Wi2) - E * E;
    }
    I[i] = Ii;
    expected[i] = E;
    variance[i] = V;
    lag[i] = lz;
    z[i] = V > 0 ? (Ii - E) / Math.sqrt(V) : NaN;
    p[i] = twoSidedP(z[i]);
    const quad = zi === 0 || lz === 0 ? 0 : zi > 0 ? (lz > 0 ? 1 : 3) : lz < 0 ? 2 : 4;
    quadrant[i] = quad;
    cluster[i] = Number.isNaN(p[i]) ? -1 : p[i] < alpha ? quad : 0;
  }
  return { I, expected, variance, z, p, lag, quadrant, cluster };
}
