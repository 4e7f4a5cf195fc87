/**
 * Kernel density surfaces of points on a regular grid ({@link RasterGrid}: row 0 on the south
 * side, values row-major), and the bandwidth and cell-size rules of thumb.
 *
 * Output scale: `intensity` (default) is expected events per unit area (per m² for metres): it
 * integrates to n (or to Σ weights), as ArcGIS Kernel Density and CrimeStat's "absolute
 * densities" report. `density` divides by n (Σ weights) and integrates to 1, as scipy, R's ks and
 * `density()` do. Multiply an intensity by the cell area for expected events per cell.
 *
 * Kernels (d = distance from the point to the cell centre):
 * - {@link kdeQuartic}: ArcGIS's quartic (biweight) kernel after Silverman (1986, eq. 4.5),
 *   3/(πR²)·(1 − d²/R²)² for d < R, 0 beyond: R is the search radius. (spatstat's
 *   `kernel = "quartic"` is the same kernel with sigma = R/√8, its per-axis SD.) No edge correction.
 * - {@link kdeGaussian}: isotropic Gaussian, exp(−d²/2σ²)/(2πσ²), truncated at `cutoff`·σ
 *   (default 8σ: the mass beyond is e^−32 ≈ 1e-14 of each point's).
 * - {@link kdeScipyGaussian}: `scipy.stats.gaussian_kde` — a Gaussian with the points' full sample
 *   covariance (ddof 1) times factor², so anisotropic and rotated; factor n^(−1/6) by Scott's rule
 *   (Silverman's rule is the same in 2-D). Truncated at Mahalanobis distance `cutoff`.
 *
 * Methods:
 * - `exact` (default): every point adds the kernel to every cell centre within the kernel's
 *   support, O(n · cells under the kernel). The quartic loops over the disc only; the Gaussian is
 *   separable, so each point needs one exp per window row and column and a multiply-add per cell.
 * - `binned`: linear binning (each point's weight shared among the 4 surrounding cell centres,
 *   Wand 1994, "Fast computation of multivariate kernel estimators", JCGS 3(4)) on a grid padded by
 *   the kernel's reach, then a convolution with the kernel sampled at cell offsets (separable for
 *   the Gaussian). O(n + cells · kernel width): the choice for millions of points. The binning
 *   error is O((cell/bandwidth)²) relative: keep the bandwidth several cells wide.
 */
import {
  MAX_GRID_CELLS,
  analysisError,
  finiteArray,
  numberInRange,
  oneOf,
  positiveBandwidth,
  sameLength,
  type NumericArray,
} from './errors.js';
import { checkGrid, type RasterGrid } from './grid.js';

/** Scale of a surface: intensity (integrates to n) or density (to 1). */
export type KdeScale = 'intensity' | 'density';

/** Options common to every kernel. */
export interface KdeOptions {
  /** A weight per point (ArcGIS's population field); default 1 each. */
  readonly weights?: NumericArray;
  /** `intensity` (default) or `density`. */
  readonly scale?: KdeScale;
  /** `exact` (default) or `binned` (see the module comment). */
  readonly method?: 'exact' | 'binned';
}

/** Options of the Gaussian kernels. */
export interface GaussianKdeOptions extends KdeOptions {
  /** Truncation radius in sigmas (or Mahalanobis units), default 8; at least 3. */
  readonly cutoff?: number;
}

interface Prepared {
  x: Float64Array;
  y: Float64Array;
  w: Float64Array | undefined;
  /** Multiplier of the kernel sums: 1 for intensity, 1/Σw for density. */
  scale: number;
  method: 'exact' | 'binned';
}

function prepare(x: NumericArray, y: NumericArray, grid: RasterGrid, options: KdeOptions): Prepared {
  checkGrid(grid);
  const px = finiteArray(x, 'x');
  const py = finiteArray(y, 'y');
  sameLength(py.length, px.length, 'y', 'x');
  const w = options.weights === undefined ? undefined : finiteArray(options.weights, 'weights');
  let total = px.length;
  if (w) {
    sameLength(w.length, px.length, 'weights', 'x');
    total = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] < 0) throw analysisError('analysis_bad_parameter', 'weights', `weights[${i}] is negative`);
      total += w[i];
    }
  }
  const scale = oneOf(options.scale, 'scale', ['intensity', 'density'], 'intensity');
  const method = oneOf(options.method, 'method', ['exact', 'binned'], 'exact');
  if (scale === 'density' && !(total > 0)) throw analysisError('analysis_bad_parameter', 'weights', 'the weights sum to 0');
  return { x: px, y: py, w, scale: scale === 'density' ? 1 / total : 1, method };
}

/** Cell-centre coordinates of the columns and rows (computed as the oracles do: xmin + (c + 0.5)·cell). */
function centres(grid: RasterGrid): { cx: Float64Array; cy: Float64Array } {
  const cx = new Float64Array(grid.cols);
  const cy = new Float64Array(grid.rows);
  for (let c = 0; c < grid.cols; c++) cx[c] = grid.xmin + (c + 0.5) * grid.cellSize;
  for (let r = 0; r < grid.rows; r++) cy[r] = grid.ymin + (r + 0.5) * grid.cellSize;
  return { cx, cy };
}

/** First index whose centre is ≥ v, clipped to 0 (plain numbers, not a tuple: these run once per kernel row). */
const firstFrom = (v: number, origin: number, cell: number): number => Math.max(0, Math.ceil((v - origin) / cell - 0.5));
/** Last index whose centre is ≤ v, clipped to count − 1. */
const lastTo = (v: number, origin: number, cell: number, count: number): number =>
  Math.min(count - 1, Math.floor((v - origin) / cell - 0.5));

/**
 * Point indices in row-major order of the cell they fall in (clamped to the grid), by counting
 * sort. The exact kernels visit points in this order so that consecutive points update the same
 * few output rows, which stay in cache: on 1M points and a 1000 × 1000 grid this is about 3×
 * faster than input order. Only the order of the floating-point additions changes (≤ 1 ulp per cell).
 */
function spatialOrder(x: Float64Array, y: Float64Array, grid: RasterGrid): Int32Array {
  const n = x.length;
  const cells = grid.rows * grid.cols;
  const cellOf = new Int32Array(n);
  const start = new Int32Array(cells + 1);
  for (let i = 0; i < n; i++) {
    const c = Math.min(grid.cols - 1, Math.max(0, Math.floor((x[i] - grid.xmin) / grid.cellSize)));
    const r = Math.min(grid.rows - 1, Math.max(0, Math.floor((y[i] - grid.ymin) / grid.cellSize)));
    cellOf[i] = r * grid.cols + c;
    start[cellOf[i] + 1]++;
  }
  for (let k = 0; k < cells; k++) start[k + 1] += start[k];
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[cellOf[i]]++] = i;
  return order;
}

/**
 * ArcGIS-style quartic kernel density with search radius `radius` (metres); see the module
 * comment. Returns one value per cell, row-major, row 0 south.
 */
export function kdeQuartic(x: NumericArray, y: NumericArray, grid: RasterGrid, radius: number, options: KdeOptions = {}): Float64Array {
  positiveBandwidth(radius, 'radius');
  const p = prepare(x, y, grid, options);
  const r2 = radius * radius;
  const invR2 = 1 / r2;
  const norm = (3 / (Math.PI * r2)) * p.scale;
  if (p.method === 'binned') {
    const reach = Math.ceil(radius / grid.cellSize);
    const taps = new Float64Array((2 * reach + 1) ** 2);
    for (let dr = -reach; dr <= reach; dr++)
      for (let dc = -reach; dc <= reach; dc++) {
        const d2 = (dr * dr + dc * dc) * grid.cellSize * grid.cellSize;
        taps[(dr + reach) * (2 * reach + 1) + dc + reach] = d2 < r2 ? norm * (1 - d2 / r2) ** 2 : 0;
      }
    return convolve2d(linearBinning(p, grid, reach), grid, reach, taps);
  }
  const out = new Float64Array(grid.rows * grid.cols);
  const { cx, cy } = centres(grid);
  const cols = grid.cols;
  const cell = grid.cellSize;
  const order = spatialOrder(p.x, p.y, grid);
  for (let o = 0; o < order.length; o++) {
    const i = order[o];
    const px = p.x[i];
    const py = p.y[i];
    const k = p.w ? norm * p.w[i] : norm;
    if (k === 0) continue;
    const r1 = lastTo(py + radius, grid.ymin, cell, grid.rows);
    for (let r = firstFrom(py - radius, grid.ymin, cell); r <= r1; r++) {
      const dy = cy[r] - py;
      const rest = r2 - dy * dy;
      if (rest <= 0) continue;
      // Only the columns inside the disc on this row; the d² < R² test below settles rounding at its rim.
      const half = Math.sqrt(rest);
      const c0 = firstFrom(px - half, grid.xmin, cell);
      const c1 = lastTo(px + half, grid.xmin, cell, cols);
      const row = r * cols;
      // (1 − d²/R²) as (rest − dx²)/R²: one subtraction of nearby values, then a multiply, no division per cell.
      for (let c = c0; c <= c1; c++) {
        const dx = cx[c] - px;
        const left = rest - dx * dx;
        if (left > 0) {
          const t = left * invR2;
          out[row + c] += k * t * t;
        }
      }
    }
  }
  return out;
}

/** Isotropic Gaussian kernel density with standard deviation `sigma` (metres); see the module comment. */
export function kdeGaussian(
  x: NumericArray,
  y: NumericArray,
  grid: RasterGrid,
  sigma: number,
  options: GaussianKdeOptions = {},
): Float64Array {
  positiveBandwidth(sigma, 'sigma');
  const cutoff = options.cutoff === undefined ? 8 : numberInRange(options.cutoff, 'cutoff', 3, 40);
  const p = prepare(x, y, grid, options);
  const norm = p.scale / (2 * Math.PI * sigma * sigma);
  const inv2s2 = 1 / (2 * sigma * sigma);
  const reachM = cutoff * sigma;
  const cell = grid.cellSize;
  if (p.method === 'binned') {
    const reach = Math.ceil(reachM / cell);
    const taps = new Float64Array(2 * reach + 1);
    for (let j = -reach; j <= reach; j++) taps[j + reach] = Math.exp(-((j * cell) ** 2) * inv2s2);
    return convolveSeparable(linearBinning(p, grid, reach), grid, reach, taps, norm);
  }
  const out = new Float64Array(grid.rows * grid.cols);
  const { cx, cy } = centres(grid);
  const cols = grid.cols;
  // Per-point factors exp(−dx²/2σ²) of the window's columns, reused for every row (the kernel is separable).
  const kx = new Float64Array(cols);
  const reach2 = reachM * reachM;
  const order = spatialOrder(p.x, p.y, grid);
  for (let o = 0; o < order.length; o++) {
    const i = order[o];
    const px = p.x[i];
    const py = p.y[i];
    const k = p.w ? norm * p.w[i] : norm;
    if (k === 0) continue;
    const c0 = firstFrom(px - reachM, grid.xmin, cell);
    const c1 = lastTo(px + reachM, grid.xmin, cell, cols);
    const r0 = firstFrom(py - reachM, grid.ymin, cell);
    const r1 = lastTo(py + reachM, grid.ymin, cell, grid.rows);
    if (c0 > c1 || r0 > r1) continue;
    for (let c = c0; c <= c1; c++) {
      const dx = cx[c] - px;
      kx[c] = Math.exp(-dx * dx * inv2s2);
    }
    for (let r = r0; r <= r1; r++) {
      const dy = cy[r] - py;
      const rest = reach2 - dy * dy;
      if (rest < 0) continue;
      const half = Math.sqrt(rest);
      const a = Math.max(c0, firstFrom(px - half, grid.xmin, cell));
      const b = Math.min(c1, lastTo(px + half, grid.xmin, cell, cols));
      const ky = k * Math.exp(-dy * dy * inv2s2);
      const row = r * cols;
      for (let c = a; c <= b; c++) out[row + c] += ky * kx[c];
    }
  }
  return out;
}

/** Options of {@link kdeScipyGaussian}. */
export interface ScipyKdeOptions {
  /** scipy's `bw_method`: `scott` (default), `silverman`, or the factor itself. */
  readonly bandwidth?: 'scott' | 'silverman' | number;
  readonly scale?: KdeScale;
  /** Truncation at this Mahalanobis distance, default 8. */
  readonly cutoff?: number;
}

/**
 * `scipy.stats.gaussian_kde(points).evaluate(cell centres)` (× n for intensity): a Gaussian whose
 * covariance is the points' sample covariance (divisor n − 1) times factor², factor =
 * n^(−1/6) for `scott` and `silverman` in 2-D. Unweighted. Throws `analysis_no_variance` when
 * the points are collinear (singular covariance), where scipy fails too.
 */
export function kdeScipyGaussian(x: NumericArray, y: NumericArray, grid: RasterGrid, options: ScipyKdeOptions = {}): Float64Array {
  const p = prepare(x, y, grid, { scale: options.scale });
  const n = p.x.length;
  if (n < 2) throw analysisError('analysis_too_few_observations', 'x', 'the sample covariance needs at least 2 points');
  const cutoff = options.cutoff === undefined ? 8 : numberInRange(options.cutoff, 'cutoff', 3, 40);
  const bw = options.bandwidth ?? 'scott';
  let factor: number;
  if (typeof bw === 'number') factor = positiveBandwidth(bw, 'bandwidth');
  else factor = oneOf(bw, 'bandwidth', ['scott', 'silverman'], 'scott') === 'scott' ? scottFactor(n) : silvermanFactor(n);
  const { sxx, syy, sxy } = sampleCovariance(p.x, p.y);
  // Kernel covariance and its inverse [[a, b], [b, c]].
  const kxx = sxx * factor * factor;
  const kyy = syy * factor * factor;
  const kxy = sxy * factor * factor;
  const det = kxx * kyy - kxy * kxy;
  if (!(det > 0) || !(kxx > 0) || !(kyy > 0) || det <= 1e-14 * kxx * kyy)
    throw analysisError('analysis_no_variance', 'x', 'the points are collinear: their covariance is singular');
  const a = kyy / det;
  const b = -kxy / det;
  const c = kxx / det;
  const norm = p.scale / (2 * Math.PI * Math.sqrt(det));
  const C2 = cutoff * cutoff;
  // q(dx, dy) = a dx² + 2b dx dy + c dy² = a (dx + b dy / a)² + (c − b²/a) dy²: per row, the cells with q ≤ C² form one interval.
  const schur = c - (b * b) / a;
  const reachY = cutoff * Math.sqrt(kyy);
  const out = new Float64Array(grid.rows * grid.cols);
  const { cx, cy } = centres(grid);
  const cell = grid.cellSize;
  const cols = grid.cols;
  const order = spatialOrder(p.x, p.y, grid);
  for (let o = 0; o < n; o++) {
    const i = order[o];
    const px = p.x[i];
    const py = p.y[i];
    const r1 = lastTo(py + reachY, grid.ymin, cell, grid.rows);
    for (let r = firstFrom(py - reachY, grid.ymin, cell); r <= r1; r++) {
      const dy = cy[r] - py;
      const rest = C2 - schur * dy * dy;
      if (rest < 0) continue;
      const centre = px - (b * dy) / a;
      const half = Math.sqrt(rest / a);
      const c0 = firstFrom(centre - half, grid.xmin, cell);
      const c1 = lastTo(centre + half, grid.xmin, cell, cols);
      const row = r * cols;
      const cdy = c * dy * dy;
      const bdy = 2 * b * dy;
      for (let col = c0; col <= c1; col++) {
        const dx = cx[col] - px;
        out[row + col] += norm * Math.exp(-0.5 * (a * dx * dx + bdy * dx + cdy));
      }
    }
  }
  return out;
}

// --- binned evaluation ---------------------------------------------------------------------------

/** A grid padded by `pad` cells on every side, holding the linearly binned weights. */
interface Binned {
  readonly data: Float64Array;
  readonly cols: number;
  readonly rows: number;
  readonly pad: number;
}

function linearBinning(p: Prepared, grid: RasterGrid, pad: number): Binned {
  const cols = grid.cols + 2 * pad + 1;
  const rows = grid.rows + 2 * pad + 1;
  if (cols * rows > MAX_GRID_CELLS) throw analysisError('analysis_bad_grid', 'grid', 'the padded grid of the binned method is too large');
  const data = new Float64Array(cols * rows);
  const cell = grid.cellSize;
  // Fractional position in units of cells, measured from the centre of padded cell (0, 0).
  const ox = grid.xmin + (0.5 - pad) * cell;
  const oy = grid.ymin + (0.5 - pad) * cell;
  for (let i = 0; i < p.x.length; i++) {
    const u = (p.x[i] - ox) / cell;
    const v = (p.y[i] - oy) / cell;
    const c = Math.floor(u);
    const r = Math.floor(v);
    // Points beyond the padding cannot reach any output cell.
    if (c < 0 || r < 0 || c >= cols - 1 || r >= rows - 1) continue;
    const fu = u - c;
    const fv = v - r;
    const w = p.w ? p.w[i] : 1;
    const at = r * cols + c;
    data[at] += w * (1 - fu) * (1 - fv);
    data[at + 1] += w * fu * (1 - fv);
    data[at + cols] += w * (1 - fu) * fv;
    data[at + cols + 1] += w * fu * fv;
  }
  return { data, cols, rows, pad };
}

/** Scatter of every non-empty binned cell through a (2·reach + 1)² stencil onto the output cells. */
function convolve2d(binned: Binned, grid: RasterGrid, reach: number, taps: Float64Array): Float64Array {
  const out = new Float64Array(grid.rows * grid.cols);
  const width = 2 * reach + 1;
  const pad = binned.pad;
  for (let br = 0; br < binned.rows; br++) {
    for (let bc = 0; bc < binned.cols; bc++) {
      const v = binned.data[br * binned.cols + bc];
      if (v === 0) continue;
      const r = br - pad;
      const c = bc - pad;
      const r0 = Math.max(0, r - reach);
      const r1 = Math.min(grid.rows - 1, r + reach);
      const c0 = Math.max(0, c - reach);
      const c1 = Math.min(grid.cols - 1, c + reach);
      for (let orow = r0; orow <= r1; orow++) {
        const tapRow = (orow - r + reach) * width - c + reach;
        const outRow = orow * grid.cols;
        for (let oc = c0; oc <= c1; oc++) out[outRow + oc] += v * taps[tapRow + oc];
      }
    }
  }
  return out;
}

/** Separable convolution: along x over the needed padded rows, then along y onto the output cells. */
function convolveSeparable(binned: Binned, grid: RasterGrid, reach: number, taps: Float64Array, norm: number): Float64Array {
  const pad = binned.pad;
  const rows = binned.rows;
  const cols = grid.cols;
  // Pass 1: each padded row convolved along x, keeping only the output columns.
  const tmp = new Float64Array(rows * cols);
  for (let br = 0; br < rows; br++) {
    const src = br * binned.cols;
    const dst = br * cols;
    for (let bc = 0; bc < binned.cols; bc++) {
      const v = binned.data[src + bc];
      if (v === 0) continue;
      const c = bc - pad;
      const c0 = Math.max(0, c - reach);
      const c1 = Math.min(cols - 1, c + reach);
      for (let oc = c0; oc <= c1; oc++) tmp[dst + oc] += v * taps[oc - c + reach];
    }
  }
  // Pass 2: along y.
  const out = new Float64Array(grid.rows * cols);
  for (let br = 0; br < rows; br++) {
    const r = br - pad;
    const r0 = Math.max(0, r - reach);
    const r1 = Math.min(grid.rows - 1, r + reach);
    const src = br * cols;
    for (let orow = r0; orow <= r1; orow++) {
      const t = taps[orow - r + reach] * norm;
      const dst = orow * cols;
      for (let c = 0; c < cols; c++) out[dst + c] += t * tmp[src + c];
    }
  }
  return out;
}

// --- bandwidth and cell-size rules ------------------------------------------------------------------

/** Scott's factor n^(−1/(d + 4)) (scipy's `scotts_factor`; d = 2 for maps). */
export function scottFactor(n: number, dimensions = 2): number {
  return n ** (-1 / (dimensions + 4));
}

/** Silverman's factor (n (d + 2) / 4)^(−1/(d + 4)) (scipy's `silverman_factor`); equal to Scott's in 2-D. */
export function silvermanFactor(n: number, dimensions = 2): number {
  return ((n * (dimensions + 2)) / 4) ** (-1 / (dimensions + 4));
}

/** Sample variances and covariance (divisor n − 1), two-pass. */
function sampleCovariance(x: Float64Array, y: Float64Array): { sxx: number; syy: number; sxy: number; mx: number; my: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return { sxx: sxx / (n - 1), syy: syy / (n - 1), sxy: sxy / (n - 1), mx, my };
}

/** The rules of thumb of {@link kdeRules}, in metres (and the dimensionless factors). */
export interface KdeRules {
  readonly n: number;
  /** ArcGIS standard distance: sqrt(Σ((x − x̄)² + (y − ȳ)²)/n). */
  readonly standardDistance: number;
  /** Median distance to the mean centre (Dm); the mean of the two middle ones for even n. */
  readonly medianDistanceToMeanCentre: number;
  /** ArcGIS Kernel Density's default search radius: 0.9 · min(SD, √(1/ln 2) · Dm) · n^−0.2. */
  readonly arcgisSearchRadius: number;
  readonly scottFactor: number;
  readonly silvermanFactor: number;
  /** scipy's per-axis kernel SDs under Scott's rule: sample SD (n − 1) × factor. */
  readonly scottBandwidthX: number;
  readonly scottBandwidthY: number;
  /** An isotropic normal-reference sigma: sqrt((s_x² + s_y²)/2) · n^(−1/6). */
  readonly normalReferenceSigma: number;
  /** Extent of the points: max − min. */
  readonly extentWidth: number;
  readonly extentHeight: number;
  /** ArcGIS's default output cell size: the shorter extent side / 250. */
  readonly arcgisCellSize: number;
  /** A coarser rule of thumb for maps: the shorter extent side / 150. */
  readonly cellShorterSideOver150: number;
}

/**
 * Bandwidth and cell-size rules of thumb for a point set (unweighted), as `kde_rules.csv`:
 * ArcGIS's default search radius (Silverman's rule of thumb made robust with the median
 * distance, "How Kernel Density works"), Scott's and Silverman's factors (Scott 1992, Silverman
 * 1986), scipy's per-axis bandwidths, and ArcGIS's default cell size.
 */
export function kdeRules(x: NumericArray, y: NumericArray): KdeRules {
  const px = finiteArray(x, 'x', 2);
  const py = finiteArray(y, 'y', 2);
  sameLength(py.length, px.length, 'y', 'x');
  const n = px.length;
  const { sxx, syy, mx, my } = sampleCovariance(px, py);
  const dist = new Float64Array(n);
  let ss = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const dx = px[i] - mx;
    const dy = py[i] - my;
    ss += dx * dx + dy * dy;
    dist[i] = Math.sqrt(dx * dx + dy * dy);
    minX = Math.min(minX, px[i]);
    maxX = Math.max(maxX, px[i]);
    minY = Math.min(minY, py[i]);
    maxY = Math.max(maxY, py[i]);
  }
  dist.sort();
  const median = n % 2 === 1 ? dist[(n - 1) / 2] : (dist[n / 2 - 1] + dist[n / 2]) / 2;
  const sd = Math.sqrt(ss / n);
  const scott = scottFactor(n);
  const shorter = Math.min(maxX - minX, maxY - minY);
  return {
    n,
    standardDistance: sd,
    medianDistanceToMeanCentre: median,
    arcgisSearchRadius: 0.9 * Math.min(sd, Math.sqrt(1 / Math.LN2) * median) * n ** -0.2,
    scottFactor: scott,
    silvermanFactor: silvermanFactor(n),
    scottBandwidthX: Math.sqrt(sxx) * scott,
    scottBandwidthY: Math.sqrt(syy) * scott,
    normalReferenceSigma: Math.sqrt((sxx + syy) / 2) * scott,
    extentWidth: maxX - minX,
    extentHeight: maxY - minY,
    arcgisCellSize: shorter / 250,
    cellShorterSideOver150: shorter / 150,
  };
}
