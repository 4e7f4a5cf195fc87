/**
 * The Knox test for near-repeat victimisation (Knox 1964; Johnson et al. 2007, "Space–time
 * patterns of risk: a cross national assessment of residential burglary victimization", J. Quant.
 * Criminol. 23; Ratcliffe's Near Repeat Calculator, 2009): how many pairs of events are close in
 * both space and time, against what chance would give.
 *
 * Every unordered pair of events is counted once, in one cell of a table of space bands × time
 * bands:
 * - space bands: `same` (d = 0), then (0, s], (s, 2s], …, ((K − 1)s, Ks], and (Ks, ∞);
 * - time bands: [0, t], (t, 2t], …, ((M − 1)t, Mt], and (Mt, ∞). With whole days, (t, 2t] is days
 *   t + 1 … 2t, as in the Near Repeat Calculator.
 * Distances are Euclidean (or Manhattan) in projected units; time differences |t_i − t_j|.
 *
 * Columns of each cell: `observed`; `expectedAnalytic` = row total × column total / pairs, the
 * contingency expectation (= the Poisson λ of R surveillance's `knox`); and from a Monte Carlo of
 * `permutations` shuffles of the times among the fixed locations: `expectedMc` (mean simulated
 * count), `knoxRatio` = observed / expectedMc, and `p` = (1 + #{simulated ≥ observed}) /
 * (permutations + 1). The shuffles come from a seeded generator (random.ts): the same seed gives
 * the same table on every machine.
 *
 * Cost: the pairs farther apart than K·s are never enumerated. Their time-band totals do not
 * change under a permutation of the times (they are fixed by the multiset of times), so the
 * last space row is the column totals (from the sorted times, O(n log n)) minus the near rows.
 * Each permutation costs O(near pairs); near pairs are found with a k-d tree (kdtree.ts).
 */
import { analysisError, finiteArray, integerInRange, oneOf, positiveBandwidth, sameLength, type NumericArray } from './errors.js';
import { buildKdTree, rangeSearch } from './kdtree.js';
import { seededRandom, shuffleInPlace } from './random.js';

/** Options of {@link knoxTest}. */
export interface KnoxOptions {
  /** Width s of a space band, metres. */
  readonly spaceBandwidth: number;
  /** Number K of finite space bands after `same`; a last band (K·s, ∞) follows. */
  readonly spaceBands: number;
  /** Width t of a time band, in the unit of the times (days). */
  readonly timeBandwidth: number;
  /** Number M of finite time bands; a last band (M·t, ∞) follows. */
  readonly timeBands: number;
  /** Monte Carlo permutations, default 999; 0 skips the simulation (MC columns NaN). */
  readonly permutations?: number;
  /** Seed of the permutations, default 1. */
  readonly seed?: number;
  /** `euclidean` (default) or `manhattan` distance. */
  readonly metric?: 'euclidean' | 'manhattan';
}

/** One cell of the Knox table. Band limits are (from, to], except `same` [0, 0] and the first time band [0, t]. */
export interface KnoxCell {
  /** 0 = same location, 1 … K the finite bands, K + 1 beyond. */
  readonly spaceBand: number;
  /** 0 … M − 1 the finite bands, M beyond. */
  readonly timeBand: number;
  readonly spaceFrom: number;
  readonly spaceTo: number;
  readonly timeFrom: number;
  readonly timeTo: number;
  readonly observed: number;
  readonly expectedAnalytic: number;
  readonly expectedMc: number;
  /** observed / expectedMc; NaN when expectedMc is 0. */
  readonly knoxRatio: number;
  /** Monte Carlo p-value (one-sided, "more pairs than chance"). */
  readonly p: number;
}

/** Result of {@link knoxTest}. */
export interface KnoxResult {
  /** Cells, space band major: `cells[spaceBand · (M + 1) + timeBand]`. */
  readonly cells: KnoxCell[];
  readonly pairs: number;
  readonly permutations: number;
  readonly seed: number;
}

/** The Knox near-repeat table with Monte Carlo significance; see the module comment. */
export function knoxTest(x: NumericArray, y: NumericArray, t: NumericArray, options: KnoxOptions): KnoxResult {
  const px = finiteArray(x, 'x', 2);
  const py = finiteArray(y, 'y', 2);
  const pt = finiteArray(t, 't', 2);
  sameLength(py.length, px.length, 'y', 'x');
  sameLength(pt.length, px.length, 't', 'x');
  if (!options || typeof options !== 'object') throw analysisError('analysis_bad_parameter', 'options', 'the band options are required');
  const s = positiveBandwidth(options.spaceBandwidth, 'spaceBandwidth');
  const K = integerInRange(options.spaceBands, 'spaceBands', 1, 250);
  const tb = positiveBandwidth(options.timeBandwidth, 'timeBandwidth');
  const M = integerInRange(options.timeBands, 'timeBands', 1, 250);
  const permutations = options.permutations === undefined ? 999 : integerInRange(options.permutations, 'permutations', 0, 1_000_000);
  const seed = options.seed === undefined ? 1 : integerInRange(options.seed, 'seed', -(2 ** 31), 2 ** 32 - 1);
  const manhattan = oneOf(options.metric, 'metric', ['euclidean', 'manhattan'], 'euclidean') === 'manhattan';
  const n = px.length;
  const pairs = (n * (n - 1)) / 2;
  const S = K + 2; // space rows: same, K finite, beyond
  const TB = M + 1; // time columns

  // Band edges as the products k·s and k·t, the definition every comparison below uses.
  const sEdge = new Float64Array(K + 1);
  for (let k = 0; k <= K; k++) sEdge[k] = k * s;
  const tEdge = new Float64Array(M + 1);
  for (let k = 0; k <= M; k++) tEdge[k] = k * tb;

  const near = nearPairs(px, py, sEdge, manhattan);
  const timeBand = timeBander(pt, tEdge, tb);

  // Column totals over all pairs, from the sorted times.
  const sorted = Float64Array.from(pt).sort();
  const within = new Float64Array(M + 1); // within[k] = pairs with dt ≤ k·t
  for (let k = 1; k <= M; k++) {
    let count = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      if (j < i + 1) j = i + 1;
      while (j < n && sorted[j] - sorted[i] <= tEdge[k]) j++;
      count += j - i - 1;
    }
    within[k] = count;
  }
  const colTotal = new Float64Array(TB);
  colTotal[0] = within[1];
  for (let k = 1; k < M; k++) colTotal[k] = within[k + 1] - within[k];
  colTotal[M] = pairs - within[M];

  // Per near pair, its row offset in the table (band · TB), so the permutation loop is one lookup and one increment.
  const pairI = near.i;
  const pairJ = near.j;
  const pairRow = Int32Array.from(near.band.subarray(0, near.length), (b) => b * TB);
  const pairCount = near.length;
  const table = timeBand.table;
  // Integer times (days) are permuted as an Int32Array: half the memory traffic of doubles, and
  // the band is a table lookup of the integer difference.
  const intTimes = table ? Int32Array.from(pt, (v) => v - timeBand.min) : undefined;
  const count = (times: Float64Array | Int32Array, out: Float64Array): void => {
    out.fill(0);
    if (table && times instanceof Int32Array) {
      for (let q = 0; q < pairCount; q++) {
        const d = times[pairI[q]] - times[pairJ[q]];
        out[pairRow[q] + table[d < 0 ? -d : d]]++;
      }
    } else {
      for (let q = 0; q < pairCount; q++) out[pairRow[q] + timeBand.band(Math.abs(times[pairI[q]] - times[pairJ[q]]))]++;
    }
    for (let c = 0; c < TB; c++) {
      let nearSum = 0;
      for (let r = 0; r < S - 1; r++) nearSum += out[r * TB + c];
      out[(S - 1) * TB + c] = colTotal[c] - nearSum;
    }
  };
  const observed = new Float64Array(S * TB);
  count(intTimes ?? pt, observed);

  const simSum = new Float64Array(S * TB);
  const atLeast = new Float64Array(S * TB);
  const sim = new Float64Array(S * TB);
  const shuffled = intTimes ? intTimes.slice() : Float64Array.from(pt);
  const random = seededRandom(seed);
  for (let k = 0; k < permutations; k++) {
    shuffleInPlace(shuffled, random);
    count(shuffled, sim);
    for (let c = 0; c < sim.length; c++) {
      simSum[c] += sim[c];
      if (sim[c] >= observed[c]) atLeast[c]++;
    }
  }

  const cells: KnoxCell[] = [];
  for (let r = 0; r < S; r++) {
    let rowTotal = 0;
    for (let c = 0; c < TB; c++) rowTotal += observed[r * TB + c];
    for (let c = 0; c < TB; c++) {
      const at = r * TB + c;
      const expectedMc = permutations > 0 ? simSum[at] / permutations : NaN;
      cells.push({
        spaceBand: r,
        timeBand: c,
        spaceFrom: r === 0 ? 0 : sEdge[r - 1],
        spaceTo: r === 0 ? 0 : r <= K ? sEdge[r] : Infinity,
        timeFrom: tEdge[c],
        timeTo: c < M ? tEdge[c + 1] : Infinity,
        observed: observed[at],
        expectedAnalytic: pairs > 0 ? (rowTotal * colTotal[c]) / pairs : NaN,
        expectedMc,
        knoxRatio: expectedMc > 0 ? observed[at] / expectedMc : NaN,
        p: permutations > 0 ? (1 + atLeast[at]) / (permutations + 1) : NaN,
      });
    }
  }
  return { cells, pairs, permutations, seed };
}

/** Pairs i < j within K·s of each other, with their space band (0 same, 1 … K), from a k-d tree. */
function nearPairs(x: Float64Array, y: Float64Array, sEdge: Float64Array, manhattan: boolean) {
  const n = x.length;
  const K = sEdge.length - 1;
  const reach = sEdge[K];
  // A Manhattan distance ≤ reach implies a Euclidean one ≤ reach: the same search finds the candidates.
  const within = rangeSearch(buildKdTree(x, y));
  let pi = new Int32Array(1024);
  let pj = new Int32Array(1024);
  let band = new Uint8Array(1024);
  let length = 0;
  let i = 0;
  const collect = (j: number, d2: number): void => {
    if (j <= i) return;
    const d = manhattan ? Math.abs(x[j] - x[i]) + Math.abs(y[j] - y[i]) : Math.sqrt(d2);
    if (d > reach) return;
    let k = 0; // same location
    if (d > 0) {
      k = Math.max(1, Math.min(K, Math.ceil(d / sEdge[1])));
      while (k > 1 && d <= sEdge[k - 1]) k--;
      while (k < K && d > sEdge[k]) k++;
    }
    if (length === pi.length) {
      pi = grow(pi, new Int32Array(pi.length * 2));
      pj = grow(pj, new Int32Array(pj.length * 2));
      band = grow(band, new Uint8Array(band.length * 2));
    }
    pi[length] = i;
    pj[length] = j;
    band[length] = k;
    length++;
  };
  // A hair wider than reach²: the exact test is d ≤ reach below, on the square root as the bands use it.
  for (i = 0; i < n; i++) within(x[i], y[i], reach * reach * (1 + 1e-12), collect);
  return { i: pi, j: pj, band, length };
}

function grow<A extends Int32Array | Uint8Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

/**
 * dt ↦ time band: the number of edges k·t (k = 1 … M) strictly below dt. With integer times over
 * a modest range (days) a lookup table indexed by dt replaces the arithmetic in the permutation loop.
 */
function timeBander(
  t: Float64Array,
  tEdge: Float64Array,
  tb: number,
): { band: (dt: number) => number; table: Uint8Array | undefined; min: number } {
  const M = tEdge.length - 1;
  const band = (dt: number): number => {
    let k = Math.max(0, Math.min(M, Math.ceil(dt / tb) - 1));
    while (k > 0 && dt <= tEdge[k]) k--;
    while (k < M && dt > tEdge[k + 1]) k++;
    return k;
  };
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  for (let i = 0; i < t.length; i++) {
    min = Math.min(min, t[i]);
    max = Math.max(max, t[i]);
    if (!Number.isInteger(t[i])) integers = false;
  }
  if (!integers || max - min > 1 << 22) return { band, table: undefined, min };
  const table = new Uint8Array(max - min + 1);
  for (let dt = 0; dt < table.length; dt++) table[dt] = band(dt);
  return { band, table, min };
}
