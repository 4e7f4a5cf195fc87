/**
 * Errors of the analysis library: plain `Error` objects carrying a stable `code` and the `field`
 * at fault, so that the HTTP layer can map them to localized messages (see platform/errors.ts)
 * without this pure library depending on it. Also the input checks every public function runs
 * before its heavy loops, so that those loops can assume clean typed arrays.
 */

/** Every code an analysis function throws. */
export type AnalysisErrorCode =
  /** No observations (or no cells / no time steps). */
  | 'analysis_empty_input'
  /** Parallel arrays (x and y, values and weights, pred and obs…) have different lengths. */
  | 'analysis_length_mismatch'
  /** NaN or ±Infinity where a number is needed. */
  | 'analysis_non_finite'
  /** A kernel bandwidth, radius or sigma that is ≤ 0 or not finite. */
  | 'analysis_bad_bandwidth'
  /** k of k-nearest neighbours not an integer in 1 … n − 1. */
  | 'analysis_bad_k'
  /** A numeric parameter out of its range (alpha, coverage, band width, permutations, seed…). */
  | 'analysis_bad_parameter'
  /** An option value the function does not support (an unknown kernel, rule or method). */
  | 'analysis_unsupported_option'
  /** Spatial weights that do not fit the data (size), or malformed ones (bad CSR, negative weight, self-neighbour). */
  | 'analysis_bad_weights'
  /** Fewer observations than the statistic needs (Gi* needs 2, local Moran 3, Mann-Kendall 3). */
  | 'analysis_too_few_observations'
  /** All values are equal: the standard deviation is 0 and z-scores are undefined. */
  | 'analysis_no_variance'
  /** A raster grid with a bad geometry or more cells than {@link MAX_GRID_CELLS}. */
  | 'analysis_bad_grid';

/** An error thrown by the analysis library. */
export interface AnalysisError extends Error {
  readonly name: 'AnalysisError';
  readonly code: AnalysisErrorCode;
  /** The input or option at fault, e.g. `bandwidth`, `x`, `weights`. */
  readonly field: string;
}

/** Builds (does not throw) an {@link AnalysisError}. */
export function analysisError(code: AnalysisErrorCode, field: string, message: string): AnalysisError {
  return Object.assign(new Error(message), { name: 'AnalysisError' as const, code, field });
}

/** Whether `e` was thrown by the analysis library. */
export function isAnalysisError(e: unknown): e is AnalysisError {
  return e instanceof Error && e.name === 'AnalysisError' && typeof (e as { code?: unknown }).code === 'string';
}

/** Largest raster the library allocates (2^27 cells = 1 GiB of Float64): a guard against a typo in a cell size. */
export const MAX_GRID_CELLS = 2 ** 27;

/** Numbers as accepted by the public functions; converted once to Float64Array before the loops. */
export type NumericArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | readonly number[];

/**
 * The values as a Float64Array (the same object when it already is one: no copy), after checking
 * that there is at least `minLength` of them and that every one is finite.
 */
export function finiteArray(values: NumericArray, field: string, minLength = 1): Float64Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number')
    throw analysisError('analysis_empty_input', field, `${field}: expected an array of numbers`);
  if (values.length < minLength) {
    throw values.length === 0
      ? analysisError('analysis_empty_input', field, `${field} is empty`)
      : analysisError('analysis_too_few_observations', field, `${field}: ${values.length} values, at least ${minLength} needed`);
  }
  const out = values instanceof Float64Array ? values : Float64Array.from(values);
  for (let i = 0; i < out.length; i++) {
    // `x - x` is NaN for NaN and ±Infinity and 0 otherwise: one test for both.
    if (out[i] - out[i] !== 0) throw analysisError('analysis_non_finite', field, `${field}[${i}] is not a finite number (${out[i]})`);
  }
  return out;
}

/** Throws `analysis_length_mismatch` unless `length === expected`. */
export function sameLength(length: number, expected: number, field: string, against: string): void {
  if (length !== expected)
    throw analysisError('analysis_length_mismatch', field, `${field} has ${length} values but ${against} has ${expected}`);
}

/** A kernel bandwidth (radius, sigma): finite and > 0. */
export function positiveBandwidth(value: number, field = 'bandwidth'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw analysisError('analysis_bad_bandwidth', field, `${field} must be a finite number > 0 (got ${String(value)})`);
  return value;
}

/** A finite number in [min, max] (`open` excludes the ends). */
export function numberInRange(
  value: number,
  field: string,
  min: number,
  max: number,
  open: 'closed' | 'open' | 'open-min' = 'closed',
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (open === 'closed' ? value >= min && value <= max : open === 'open' ? value > min && value < max : value > min && value <= max);
  if (!ok) {
    const range = open === 'closed' ? `[${min}, ${max}]` : open === 'open' ? `(${min}, ${max})` : `(${min}, ${max}]`;
    throw analysisError('analysis_bad_parameter', field, `${field} must be in ${range} (got ${String(value)})`);
  }
  return value;
}

/** An integer in [min, max]. */
export function integerInRange(value: number, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw analysisError('analysis_bad_parameter', field, `${field} must be an integer in [${min}, ${max}] (got ${String(value)})`);
  return value;
}

/** One of the allowed string options. */
export function oneOf<T extends string>(value: T | undefined, field: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value))
    throw analysisError(
      'analysis_unsupported_option',
      field,
      `${field}: unsupported value "${String(value)}" (expected ${allowed.join(', ')})`,
    );
  return value;
}
