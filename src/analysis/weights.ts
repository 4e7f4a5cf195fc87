/**
 * Spatial weights: who is whose neighbour, and how much. Built once per layer and reused by
 * Gi*, local Moran and the space-time Gi* of emerging hot spots.
 *
 * Representation: compressed sparse rows (CSR) over typed arrays. Row i's neighbours are
 * `neighbours[offsets[i] … offsets[i + 1] − 1]`, in increasing index order, with the weights at
 * the same positions. **Self is never stored** (w_ii = 0): Gi* adds i itself explicitly. Rows may
 * be empty (an island). The arrays are shared between derived weights (`rowStandardise` keeps the
 * same `offsets` and `neighbours`): treat them as read-only.
 *
 * Builders and their conventions (ArcGIS names in brackets):
 * - {@link latticeContiguity}, {@link gridContiguity}: regular grid cells, queen (edges and
 *   corners, [CONTIGUITY_EDGES_CORNERS]) or rook (edges only, [CONTIGUITY_EDGES_ONLY]).
 * - {@link adjacencyWeights}: polygons, given as adjacency lists computed elsewhere (queen or
 *   rook contiguity is a property of the polygons, decided by whoever has them).
 * - {@link distanceBandWeights}: j is a neighbour of i if 0 ≤ d_ij ≤ D, binary
 *   ([FIXED_DISTANCE_BAND]); coincident points are neighbours.
 * - {@link knnWeights}: the k nearest other points, binary ([K_NEAREST_NEIGHBORS]); ties in
 *   distance go to the lowest index (as spdep's `knearneigh` and the oracles), so the result is
 *   deterministic. On a regular grid ties are the rule, not the exception: prefer contiguity there.
 *
 * Distance band and kNN search a k-d tree (kdtree.ts): O(n log n + neighbours) instead of O(n²),
 * also on data mixing dense centres and sparse outskirts.
 */
import { analysisError, finiteArray, integerInRange, positiveBandwidth, sameLength, type NumericArray } from './errors.js';
import { buildKdTree, nearestSearch, rangeSearch } from './kdtree.js';

/** Sparse spatial weights in CSR form; see the module comment. */
export interface SpatialWeights {
  /** Number of observations (rows). */
  readonly n: number;
  /** Length n + 1; row i spans `offsets[i] … offsets[i + 1] − 1`. */
  readonly offsets: Int32Array;
  /** Neighbour indices, increasing within each row; never i itself. */
  readonly neighbours: Int32Array;
  /** Weight of each neighbour (1 for binary weights). */
  readonly weights: Float64Array;
}

/** Contiguity rule on a grid. */
export type ContiguityRule = 'queen' | 'rook';

// Queen offsets in increasing (row, col) order, so rows come out sorted on a row-major lattice.
const QUEEN: readonly (readonly [number, number])[] = [
  [-1, -1],
  [-1, 0],
  [-1, 1],
  [0, -1],
  [0, 1],
  [1, -1],
  [1, 0],
  [1, 1],
];
const ROOK: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, -1],
  [0, 1],
  [1, 0],
];

function rule(value: ContiguityRule): readonly (readonly [number, number])[] {
  if (value === 'queen') return QUEEN;
  if (value === 'rook') return ROOK;
  throw analysisError('analysis_unsupported_option', 'rule', `rule: unsupported value "${String(value)}" (expected queen, rook)`);
}

/** Amortised-doubling Int32 buffer for outputs of unknown size. */
interface IntBuffer {
  data: Int32Array;
  length: number;
}
const intBuffer = (capacity: number): IntBuffer => ({ data: new Int32Array(Math.max(16, capacity)), length: 0 });
function push(buffer: IntBuffer, value: number): void {
  if (buffer.length === buffer.data.length) {
    const next = new Int32Array(buffer.data.length * 2);
    next.set(buffer.data);
    buffer.data = next;
  }
  buffer.data[buffer.length++] = value;
}

function binary(n: number, offsets: Int32Array, neighbours: Int32Array): SpatialWeights {
  return { n, offsets, neighbours, weights: new Float64Array(neighbours.length).fill(1) };
}

/**
 * Contiguity on a full `rows × cols` lattice whose cells are numbered row-major
 * (`index = row · cols + col`), binary weights.
 */
export function latticeContiguity(rows: number, cols: number, contiguity: ContiguityRule): SpatialWeights {
  integerInRange(rows, 'rows', 1, 2 ** 26);
  integerInRange(cols, 'cols', 1, 2 ** 26);
  const offsetsList = rule(contiguity);
  const n = rows * cols;
  if (n > 2 ** 28) throw analysisError('analysis_bad_grid', 'rows', `a ${rows} × ${cols} lattice is too large`);
  const offsets = new Int32Array(n + 1);
  const neighbours = new Int32Array(n * offsetsList.length);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      offsets[r * cols + c] = at;
      for (const [dr, dc] of offsetsList) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols) neighbours[at++] = rr * cols + cc;
      }
    }
  }
  offsets[n] = at;
  return binary(n, offsets, neighbours.slice(0, at));
}

/**
 * Contiguity among grid cells given by their integer (row, col), e.g. the non-empty cells of a
 * study area: cells absent from the list are simply not neighbours. Binary weights; each row's
 * neighbours in increasing index order. Duplicate (row, col) pairs are rejected.
 */
export function gridContiguity(row: NumericArray, col: NumericArray, contiguity: ContiguityRule): SpatialWeights {
  const r = finiteArray(row, 'row');
  const c = finiteArray(col, 'col');
  sameLength(c.length, r.length, 'col', 'row');
  const offsetsList = rule(contiguity);
  const n = r.length;
  let minR = Infinity;
  let maxR = -Infinity;
  let minC = Infinity;
  let maxC = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(r[i]) || !Number.isInteger(c[i]) || Math.abs(r[i]) > 2 ** 30 || Math.abs(c[i]) > 2 ** 30)
      throw analysisError('analysis_bad_parameter', 'row', `cell ${i}: row and col must be integers (got ${r[i]}, ${c[i]})`);
    minR = Math.min(minR, r[i]);
    maxR = Math.max(maxR, r[i]);
    minC = Math.min(minC, c[i]);
    maxC = Math.max(maxC, c[i]);
  }
  // Lookup (row, col) → index: a dense table over the bounding box when it is not much larger
  // than the cell list (the usual case), a Map otherwise (scattered cells over a large area).
  const width = maxC - minC + 3; // one spare column on each side: neighbours of border cells need no bounds check
  const height = maxR - minR + 3;
  const dense = width * height <= Math.max(4 * n, 1 << 20);
  const table = dense ? new Int32Array(width * height).fill(-1) : undefined;
  const map = dense ? undefined : new Map<number, number>();
  const key = (rr: number, cc: number): number => (rr - minR + 1) * width + (cc - minC + 1);
  for (let i = 0; i < n; i++) {
    const k = key(r[i], c[i]);
    const seen = table ? table[k] : (map!.get(k) ?? -1);
    if (seen >= 0) throw analysisError('analysis_bad_parameter', 'row', `cells ${seen} and ${i} have the same row and col`);
    if (table) table[k] = i;
    else map!.set(k, i);
  }
  const offsets = new Int32Array(n + 1);
  const out = intBuffer(n * offsetsList.length);
  const scratch = new Int32Array(8);
  for (let i = 0; i < n; i++) {
    offsets[i] = out.length;
    let m = 0;
    for (const [dr, dc] of offsetsList) {
      const k = key(r[i] + dr, c[i] + dc);
      const j = table ? table[k] : (map!.get(k) ?? -1);
      if (j >= 0) scratch[m++] = j;
    }
    scratch.subarray(0, m).sort();
    for (let q = 0; q < m; q++) push(out, scratch[q]);
  }
  offsets[n] = out.length;
  return binary(n, offsets, out.data.slice(0, out.length));
}

/**
 * Binary weights from adjacency lists (polygons sharing an edge or a vertex, decided by the
 * caller). The relation is made symmetric (j ∈ adj(i) implies i ∈ adj(j)) and duplicates are
 * dropped; an index out of range or a polygon listed as its own neighbour is an error.
 */
export function adjacencyWeights(adjacency: readonly (readonly number[] | Int32Array)[]): SpatialWeights {
  if (!Array.isArray(adjacency) || adjacency.length === 0) throw analysisError('analysis_empty_input', 'adjacency', 'adjacency is empty');
  const n = adjacency.length;
  const degree = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const list = adjacency[i];
    if (!list || typeof list.length !== 'number') throw analysisError('analysis_bad_weights', 'adjacency', `adjacency[${i}] is not a list`);
    for (let q = 0; q < list.length; q++) {
      const j = list[q];
      if (!Number.isInteger(j) || j < 0 || j >= n)
        throw analysisError('analysis_bad_weights', 'adjacency', `adjacency[${i}] holds ${j}, not an index in 0 … ${n - 1}`);
      if (j === i) throw analysisError('analysis_bad_weights', 'adjacency', `adjacency[${i}] lists ${i} as its own neighbour`);
      degree[i]++;
      degree[j]++;
    }
  }
  // Both directions of every listed pair, then sort and deduplicate each row.
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i] + degree[i];
  const fill = start.slice(0, n);
  const all = new Int32Array(start[n]);
  for (let i = 0; i < n; i++) {
    const list = adjacency[i];
    for (let q = 0; q < list.length; q++) {
      const j = list[q];
      all[fill[i]++] = j;
      all[fill[j]++] = i;
    }
  }
  const offsets = new Int32Array(n + 1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = at;
    const row = all.subarray(start[i], start[i + 1]).sort();
    for (let q = 0; q < row.length; q++) if (q === 0 || row[q] !== row[q - 1]) all[at++] = row[q];
  }
  offsets[n] = at;
  return binary(n, offsets, all.slice(0, at));
}

function points(x: NumericArray, y: NumericArray, minLength = 1): { x: Float64Array; y: Float64Array } {
  const px = finiteArray(x, 'x', minLength);
  const py = finiteArray(y, 'y', minLength);
  sameLength(py.length, px.length, 'y', 'x');
  return { x: px, y: py };
}

/**
 * Fixed distance band: j ≠ i is a neighbour of i when the Euclidean distance d_ij ≤ `threshold`
 * (compared as d² ≤ threshold², no square root), binary weights. Coordinates in projected
 * units (metres), never degrees.
 */
export function distanceBandWeights(x: NumericArray, y: NumericArray, threshold: number): SpatialWeights {
  const p = points(x, y);
  positiveBandwidth(threshold, 'threshold');
  const n = p.x.length;
  const t2 = threshold * threshold;
  const within = rangeSearch(buildKdTree(p.x, p.y));
  const offsets = new Int32Array(n + 1);
  const out = intBuffer(n * 8);
  let self = 0;
  const collect = (j: number): void => {
    if (j !== self) push(out, j);
  };
  for (let i = 0; i < n; i++) {
    offsets[i] = out.length;
    self = i;
    within(p.x[i], p.y[i], t2, collect);
    out.data.subarray(offsets[i], out.length).sort(); // the tree returns them in no particular order
  }
  offsets[n] = out.length;
  return binary(n, offsets, out.data.slice(0, out.length));
}

/**
 * The k nearest other points of each point, binary weights; ties in distance go to the lowest
 * index. Each row's neighbours are returned in increasing index order (not by distance). kNN
 * weights are not symmetric. k must be an integer in 1 … n − 1.
 */
export function knnWeights(x: NumericArray, y: NumericArray, k: number): SpatialWeights {
  const p = points(x, y, 2);
  const n = p.x.length;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k >= n)
    throw analysisError('analysis_bad_k', 'k', `k must be an integer in 1 … ${n - 1} (n − 1) (got ${String(k)})`);
  const neighbours = new Int32Array(n * k);
  const { search, idx } = nearestSearch(buildKdTree(p.x, p.y), k);
  for (let i = 0; i < n; i++) {
    search(p.x[i], p.y[i], i);
    neighbours.set(idx, i * k);
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) offsets[i] = i * k;
  for (let i = 0; i < n; i++) neighbours.subarray(i * k, (i + 1) * k).sort();
  return binary(n, offsets, neighbours);
}

/**
 * The smallest distance band that gives every point at least one neighbour: the largest
 * nearest-neighbour distance. (ArcGIS documents this as its default distance band; the oracles'
 * README notes it has not re-checked that claim.)
 */
export function minimumConnectingDistance(x: NumericArray, y: NumericArray): number {
  const p = points(x, y, 2);
  const { search, d2 } = nearestSearch(buildKdTree(p.x, p.y), 1);
  let max = 0;
  for (let i = 0; i < p.x.length; i++) {
    search(p.x[i], p.y[i], i);
    if (d2[0] > max) max = d2[0];
  }
  return Math.sqrt(max);
}

/**
 * Row-standardised weights (style "W"): each row divided by its sum, so that a spatial lag is
 * the weighted mean of the neighbours. Empty rows stay empty. Shares `offsets` and `neighbours`.
 */
export function rowStandardise(w: SpatialWeights): SpatialWeights {
  checkWeights(w, w?.n);
  const weights = new Float64Array(w.weights.length);
  for (let i = 0; i < w.n; i++) {
    let sum = 0;
    for (let q = w.offsets[i]; q < w.offsets[i + 1]; q++) sum += w.weights[q];
    if (sum > 0) for (let q = w.offsets[i]; q < w.offsets[i + 1]; q++) weights[q] = w.weights[q] / sum;
  }
  return { n: w.n, offsets: w.offsets, neighbours: w.neighbours, weights };
}

/** Number of neighbours of each observation (self not counted). */
export function neighbourCounts(w: SpatialWeights): Int32Array {
  const out = new Int32Array(w.n);
  for (let i = 0; i < w.n; i++) out[i] = w.offsets[i + 1] - w.offsets[i];
  return out;
}

/** Spatial lag Σ_j w_ij x_j of every observation. */
export function spatialLag(w: SpatialWeights, values: NumericArray): Float64Array {
  const x = finiteArray(values, 'values');
  checkWeights(w, x.length);
  const out = new Float64Array(w.n);
  for (let i = 0; i < w.n; i++) {
    let s = 0;
    for (let q = w.offsets[i]; q < w.offsets[i + 1]; q++) s += w.weights[q] * x[w.neighbours[q]];
    out[i] = s;
  }
  return out;
}

/**
 * Checks that `w` is well-formed CSR for `n` observations: sizes, increasing offsets, indices in
 * range and never self, finite non-negative weights. O(nnz), cheap next to any statistic.
 */
export function checkWeights(w: SpatialWeights, n: number): void {
  const bad = (message: string): never => {
    throw analysisError('analysis_bad_weights', 'weights', message);
  };
  if (!w || !(w.offsets instanceof Int32Array) || !(w.neighbours instanceof Int32Array) || !(w.weights instanceof Float64Array))
    bad('weights must be a SpatialWeights object (CSR typed arrays)');
  if (w.n !== n) bad(`weights are for ${w.n} observations but there are ${n}`);
  if (w.offsets.length !== n + 1 || w.offsets[0] !== 0) bad('weights.offsets must have n + 1 entries starting at 0');
  const nnz = w.offsets[n];
  if (w.neighbours.length !== nnz || w.weights.length !== nnz) bad('weights.neighbours and weights.weights must have offsets[n] entries');
  for (let i = 0; i < n; i++) {
    if (w.offsets[i + 1] < w.offsets[i]) bad(`weights.offsets decrease at row ${i}`);
    for (let q = w.offsets[i]; q < w.offsets[i + 1]; q++) {
      const j = w.neighbours[q];
      if (j < 0 || j >= n) bad(`row ${i} has neighbour ${j}, out of range`);
      if (j === i) bad(`row ${i} lists itself as a neighbour (self is added by the statistics that need it)`);
      const v = w.weights[q];
      if (!(v >= 0) || v === Infinity) bad(`row ${i} has a weight that is negative or not finite (${v})`);
    }
  }
}
