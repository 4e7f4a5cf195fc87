/**
 * How good is a crime forecast map? Hit rate, PAI, PEI and RRI at fixed coverages (Chainey,
 * Tompson & Uhlig 2008, "The utility of hotspot mapping for predicting spatial patterns of crime",
 * Security Journal 21; Hunt 2016 for PEI; Levine 2008 for RRI), and the forecasts to evaluate:
 * a time-decayed KDE and the two naive baselines every forecast must beat — last period's counts
 * and the long-run counts — so that the portal can show honest accuracy next to each map.
 *
 * Evaluation ({@link forecastAccuracy}), per coverage c (a fraction of the study area):
 * - Cells are ranked by predicted risk per unit area, pred/area, highest first; ties are broken
 *   **pessimistically**, the cell with fewer observed events first (as R's `ptools::pai`), then by
 *   index, so a forecast full of ties (a baseline of counts) earns no credit from lucky ordering.
 * - Whole cells are taken until their area reaches c·A (A = total area).
 * - hits n = observed events in the taken cells, N = all observed events; hit rate = n/N;
 *   PAI = (n/N)/(a/A) with a the taken area.
 * - PEI = n/n_best, where n_best is what a perfect ranking (by observed events per area) captures with the
 *   same area; PAI_max = (n_best/N)/(a_best/A) is the PAI of that perfect ranking.
 * - RRI (Levine 2008, "recapture rate index") = (n2/n1)/(N2/N1), n1/N1 the events of the base
 *   period (the one the map was built from) in the taken cells / overall, n2/N2 the same for the
 *   observed period: above 1 when the map's cells keep more than their share. Needs `base`.
 * - predOverObs = Σ pred of the taken cells / n (what `ptools` calls "RRI"): a calibration check
 *   when pred is an expected count.
 */
import { analysisError, finiteArray, numberInRange, oneOf, positiveBandwidth, sameLength, type NumericArray } from './errors.js';
import { countPointsInGrid, checkGrid, type RasterGrid } from './grid.js';
import { kdeGaussian, kdeQuartic } from './kde.js';

/** The cells of a forecast and what happened in them. */
export interface ForecastCells {
  /** Predicted risk (any scale; only pred/area ranks the cells). */
  readonly pred: NumericArray;
  /** Observed events in the evaluation period. */
  readonly obs: NumericArray;
  /** Cell areas, default 1 each. */
  readonly area?: NumericArray;
  /** Events of the base period (for RRI). */
  readonly base?: NumericArray;
}

/** Accuracy at one coverage. */
export interface CoverageAccuracy {
  readonly coverage: number;
  /** Cells taken. */
  readonly cells: number;
  /** a/A: area taken over total area. */
  readonly areaFraction: number;
  /** n: observed events in the taken cells. */
  readonly hits: number;
  /** N: all observed events. */
  readonly total: number;
  readonly hitRate: number;
  readonly pai: number;
  readonly paiMax: number;
  readonly pei: number;
  /** NaN without `base`. */
  readonly rriLevine: number;
  readonly predOverObs: number;
}

/** The coverages of `pai.csv`: 1 %, 5 %, 10 % and 20 % of the area. */
export const DEFAULT_COVERAGES: readonly number[] = [0.01, 0.05, 0.1, 0.2];

/** Hit rate, PAI, PEI and RRI of a forecast at each coverage; see the module comment. */
export function forecastAccuracy(cells: ForecastCells, coverages: readonly number[] = DEFAULT_COVERAGES): CoverageAccuracy[] {
  if (!cells || typeof cells !== 'object') throw analysisError('analysis_empty_input', 'cells', 'cells are required');
  const pred = finiteArray(cells.pred, 'pred');
  const n = pred.length;
  const obs = finiteArray(cells.obs, 'obs');
  sameLength(obs.length, n, 'obs', 'pred');
  const area = cells.area === undefined ? new Float64Array(n).fill(1) : finiteArray(cells.area, 'area');
  sameLength(area.length, n, 'area', 'pred');
  const base = cells.base === undefined ? undefined : finiteArray(cells.base, 'base');
  if (base) sameLength(base.length, n, 'base', 'pred');
  for (let i = 0; i < n; i++) {
    if (obs[i] < 0) throw analysisError('analysis_bad_parameter', 'obs', `obs[${i}] is negative`);
    if (!(area[i] > 0)) throw analysisError('analysis_bad_parameter', 'area', `area[${i}] must be > 0`);
    if (base && base[i] < 0) throw analysisError('analysis_bad_parameter', 'base', `base[${i}] is negative`);
  }
  if (!Array.isArray(coverages) || coverages.length === 0) throw analysisError('analysis_empty_input', 'coverages', 'no coverage given');
  for (const c of coverages) numberInRange(c, 'coverages', 0, 1, 'open-min');

  let A = 0;
  let N = 0;
  let N1 = 0;
  for (let i = 0; i < n; i++) {
    A += area[i];
    N += obs[i];
    if (base) N1 += base[i];
  }
  const density = (v: Float64Array, i: number): number => v[i] / area[i];
  const byForecast = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => density(pred, b) - density(pred, a) || obs[a] - obs[b] || a - b, // pessimistic ties
  );
  const byTruth = Array.from({ length: n }, (_, i) => i).sort((a, b) => density(obs, b) - density(obs, a) || area[a] - area[b] || a - b);

  /** Cells of `order` taken until their area reaches `target` (a relative 1e-12 absorbs rounding in the sums). */
  const take = (order: number[], target: number) => {
    let k = 0;
    let a = 0;
    let hits = 0;
    let sumPred = 0;
    let sumBase = 0;
    while (k < n && a < target * (1 - 1e-12)) {
      const i = order[k++];
      a += area[i];
      hits += obs[i];
      sumPred += pred[i];
      if (base) sumBase += base[i];
    }
    return { k, a, hits, sumPred, sumBase };
  };

  return coverages.map((coverage) => {
    const got = take(byForecast, coverage * A);
    const best = take(byTruth, got.a);
    const hitRate = N > 0 ? got.hits / N : NaN;
    return {
      coverage,
      cells: got.k,
      areaFraction: got.a / A,
      hits: got.hits,
      total: N,
      hitRate,
      pai: hitRate / (got.a / A),
      paiMax: N > 0 ? best.hits / N / (best.a / A) : NaN,
      pei: best.hits > 0 ? got.hits / best.hits : NaN,
      rriLevine: base && got.sumBase > 0 && N1 > 0 && N > 0 ? got.hits / got.sumBase / (N / N1) : NaN,
      predOverObs: got.hits > 0 ? got.sumPred / got.hits : NaN,
    };
  });
}

/** Events with a time (days, or any unit used consistently with the options). */
export interface TimedEvents {
  readonly x: NumericArray;
  readonly y: NumericArray;
  readonly t: NumericArray;
}

function events(e: TimedEvents): { x: Float64Array; y: Float64Array; t: Float64Array } {
  if (!e || typeof e !== 'object') throw analysisError('analysis_empty_input', 'events', 'events are required');
  const x = finiteArray(e.x, 'x', 0);
  const y = finiteArray(e.y, 'y', 0);
  const t = finiteArray(e.t, 't', 0);
  sameLength(y.length, x.length, 'y', 'x');
  sameLength(t.length, x.length, 't', 'x');
  return { x, y, t };
}

function period(start: number, end: number): void {
  numberInRange(start, 'start', -Number.MAX_VALUE, Number.MAX_VALUE);
  numberInRange(end, 'end', -Number.MAX_VALUE, Number.MAX_VALUE);
  if (!(end > start)) throw analysisError('analysis_bad_parameter', 'end', 'end must be after start');
}

/** Indices of the events with start ≤ t < end. */
function inPeriod(t: Float64Array, start: number, end: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) if (t[i] >= start && t[i] < end) out.push(i);
  return Int32Array.from(out);
}

/** Naive baseline: the counts of the last period (start ≤ t < end) per cell, as the forecast of the next one. */
export function lastPeriodForecast(
  grid: RasterGrid,
  e: TimedEvents,
  options: { readonly start: number; readonly end: number },
): Float64Array {
  const ev = events(e);
  period(options.start, options.end);
  const idx = inPeriod(ev.t, options.start, options.end);
  return countPointsInGrid(
    grid,
    Float64Array.from(idx, (i) => ev.x[i]),
    Float64Array.from(idx, (i) => ev.y[i]),
  );
}

/**
 * Naive baseline: the long-run mean count per period (all events with start ≤ t < end, divided
 * by the number of periods of `periodLength` in that span) per cell.
 */
export function longRunForecast(
  grid: RasterGrid,
  e: TimedEvents,
  options: { readonly start: number; readonly end: number; readonly periodLength: number },
): Float64Array {
  const ev = events(e);
  period(options.start, options.end);
  positiveBandwidth(options.periodLength, 'periodLength');
  const idx = inPeriod(ev.t, options.start, options.end);
  const counts = countPointsInGrid(
    grid,
    Float64Array.from(idx, (i) => ev.x[i]),
    Float64Array.from(idx, (i) => ev.y[i]),
  );
  const periods = (options.end - options.start) / options.periodLength;
  for (let k = 0; k < counts.length; k++) counts[k] /= periods;
  return counts;
}

/** Options of {@link decayedKdeForecast}. */
export interface DecayedKdeOptions {
  /** Events with t < asOf are used; their age is asOf − t. */
  readonly asOf: number;
  /** Age at which an event weighs half as much as a fresh one, in time units. */
  readonly halfLife: number;
  /** Ignore events older than this (default: use all). */
  readonly lookback?: number;
  /** `quartic` (default, radius = bandwidth) or `gaussian` (sigma = bandwidth). */
  readonly kernel?: 'quartic' | 'gaussian';
  readonly bandwidth: number;
  /** KDE method, default `exact`. */
  readonly method?: 'exact' | 'binned';
}

/**
 * Next-period risk per cell from a KDE of past events weighted by 2^(−age/halfLife) (the
 * "prospective" hot spotting of Bowers, Johnson & Pease 2004, with exponential decay): the
 * decay-weighted kernel intensity × cell area, i.e. decay-weighted events expected in the cell.
 * For PAI/PEI only the ranking matters.
 */
export function decayedKdeForecast(grid: RasterGrid, e: TimedEvents, options: DecayedKdeOptions): Float64Array {
  checkGrid(grid);
  const ev = events(e);
  numberInRange(options.asOf, 'asOf', -Number.MAX_VALUE, Number.MAX_VALUE);
  positiveBandwidth(options.halfLife, 'halfLife');
  if (options.lookback !== undefined) positiveBandwidth(options.lookback, 'lookback');
  const kernel = oneOf(options.kernel, 'kernel', ['quartic', 'gaussian'], 'quartic');
  positiveBandwidth(options.bandwidth, 'bandwidth');
  const used: number[] = [];
  for (let i = 0; i < ev.t.length; i++) {
    const age = options.asOf - ev.t[i];
    if (age > 0 && (options.lookback === undefined || age <= options.lookback)) used.push(i);
  }
  const cellArea = grid.cellSize * grid.cellSize;
  if (used.length === 0) return new Float64Array(grid.rows * grid.cols);
  const x = Float64Array.from(used, (i) => ev.x[i]);
  const y = Float64Array.from(used, (i) => ev.y[i]);
  const weights = Float64Array.from(used, (i) => 2 ** (-(options.asOf - ev.t[i]) / options.halfLife));
  const surface =
    kernel === 'quartic'
      ? kdeQuartic(x, y, grid, options.bandwidth, { weights, method: options.method })
      : kdeGaussian(x, y, grid, options.bandwidth, { weights, method: options.method });
  for (let k = 0; k < surface.length; k++) surface[k] *= cellArea;
  return surface;
}

/** Options of {@link compareForecasts}. */
export interface CompareForecastsOptions {
  /** The forecast is made at `testStart` from the events before it. */
  readonly testStart: number;
  /** End of the evaluated period (exclusive). */
  readonly testEnd: number;
  /** Start of the history used by the long-run baseline and the KDE (default: all events before testStart). */
  readonly historyStart?: number;
  readonly halfLife: number;
  readonly bandwidth: number;
  readonly kernel?: 'quartic' | 'gaussian';
  readonly method?: 'exact' | 'binned';
  readonly coverages?: readonly number[];
}

/** Accuracy of the decayed KDE and of both baselines over the same cells and period. */
export interface ForecastComparison {
  readonly decayedKde: CoverageAccuracy[];
  /** Counts of the period of the same length just before the test period. */
  readonly lastPeriod: CoverageAccuracy[];
  readonly longRun: CoverageAccuracy[];
}

/**
 * Evaluates the time-decayed KDE against the naive baselines on one train/test split: the last
 * period is the span of the test period's length just before it; the long run is everything
 * from `historyStart`. Each forecast gets `base` = last period's counts for RRI.
 */
export function compareForecasts(grid: RasterGrid, e: TimedEvents, options: CompareForecastsOptions): ForecastComparison {
  checkGrid(grid);
  const ev = events(e);
  period(options.testStart, options.testEnd);
  const length = options.testEnd - options.testStart;
  let first = Infinity;
  for (let i = 0; i < ev.t.length; i++) first = Math.min(first, ev.t[i]);
  const historyStart = options.historyStart ?? Math.min(first, options.testStart - length);
  if (!(historyStart < options.testStart))
    throw analysisError('analysis_bad_parameter', 'historyStart', 'historyStart must be before testStart');
  const obsIdx = inPeriod(ev.t, options.testStart, options.testEnd);
  const obs = countPointsInGrid(
    grid,
    Float64Array.from(obsIdx, (i) => ev.x[i]),
    Float64Array.from(obsIdx, (i) => ev.y[i]),
  );
  const last = lastPeriodForecast(grid, ev, { start: options.testStart - length, end: options.testStart });
  const longRun = longRunForecast(grid, ev, { start: historyStart, end: options.testStart, periodLength: length });
  const kde = decayedKdeForecast(grid, ev, {
    asOf: options.testStart,
    halfLife: options.halfLife,
    lookback: options.testStart - historyStart,
    kernel: options.kernel,
    bandwidth: options.bandwidth,
    method: options.method,
  });
  const coverages = options.coverages ?? DEFAULT_COVERAGES;
  const evaluate = (pred: Float64Array) => forecastAccuracy({ pred, obs, base: last }, coverages);
  return { decayedKde: evaluate(kde), lastPeriod: evaluate(last), longRun: evaluate(longRun) };
}
