/**
 * Regular raster grids over projected coordinates (metres), shared by the KDE surfaces, the
 * forecast cells and the space-time cube.
 *
 * Convention (the oracles' and GDAL's "south-up" order, **not** an image's): cell (row, col) has
 * its centre at (xmin + (col + 0.5)·cell, ymin + (row + 0.5)·cell); **row 0 is on the ymin
 * (south) side**; values are stored row-major, `index = row · cols + col`. A map layer that draws
 * rows top-down must flip them. A point belongs to the cell whose half-open square
 * [x0, x0 + cell) × [y0, y0 + cell) contains it; points outside the grid belong to none.
 */
import { MAX_GRID_CELLS, analysisError, finiteArray, sameLength, type NumericArray } from './errors.js';

/** A regular grid of square cells. */
export interface RasterGrid {
  /** West edge (x of the left side of column 0), metres. */
  readonly xmin: number;
  /** South edge (y of the bottom side of row 0), metres. */
  readonly ymin: number;
  /** Side of a cell, metres. */
  readonly cellSize: number;
  readonly cols: number;
  readonly rows: number;
}

/** Checks a grid's geometry and size (throws `analysis_bad_grid`). */
export function checkGrid(grid: RasterGrid): void {
  const bad = (message: string): never => {
    throw analysisError('analysis_bad_grid', 'grid', message);
  };
  if (!grid || typeof grid !== 'object') bad('grid is missing');
  if (!Number.isFinite(grid.xmin) || !Number.isFinite(grid.ymin)) bad('grid.xmin and grid.ymin must be finite');
  if (!(Number.isFinite(grid.cellSize) && grid.cellSize > 0)) bad(`grid.cellSize must be a finite number > 0 (got ${grid.cellSize})`);
  if (!Number.isInteger(grid.cols) || !Number.isInteger(grid.rows) || grid.cols < 1 || grid.rows < 1)
    bad(`grid.cols and grid.rows must be positive integers (got ${grid.cols} × ${grid.rows})`);
  if (grid.cols * grid.rows > MAX_GRID_CELLS) bad(`grid has ${grid.cols * grid.rows} cells, more than the ${MAX_GRID_CELLS} allowed`);
}

/**
 * The grid of `cellSize` cells covering [xmin, xmax] × [ymin, ymax]: as many whole cells as
 * needed, anchored at (xmin, ymin).
 */
export function gridCovering(xmin: number, ymin: number, xmax: number, ymax: number, cellSize: number): RasterGrid {
  if (![xmin, ymin, xmax, ymax].every(Number.isFinite) || xmax < xmin || ymax < ymin)
    throw analysisError('analysis_bad_grid', 'grid', 'the extent must be finite with xmax ≥ xmin and ymax ≥ ymin');
  if (!(Number.isFinite(cellSize) && cellSize > 0)) throw analysisError('analysis_bad_grid', 'cellSize', 'cellSize must be > 0');
  const grid = {
    xmin,
    ymin,
    cellSize,
    cols: Math.max(1, Math.ceil((xmax - xmin) / cellSize - 1e-9)),
    rows: Math.max(1, Math.ceil((ymax - ymin) / cellSize - 1e-9)),
  };
  checkGrid(grid);
  return grid;
}

/** Index of the cell containing (x, y), or −1 outside the grid (and for NaN). */
export function cellIndex(grid: RasterGrid, x: number, y: number): number {
  const c = Math.floor((x - grid.xmin) / grid.cellSize);
  const r = Math.floor((y - grid.ymin) / grid.cellSize);
  return c >= 0 && c < grid.cols && r >= 0 && r < grid.rows ? r * grid.cols + c : -1;
}

/** Centres of the cells: x and y, row-major. */
export function cellCentres(grid: RasterGrid): { x: Float64Array; y: Float64Array } {
  checkGrid(grid);
  const n = grid.rows * grid.cols;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let r = 0; r < grid.rows; r++) {
    const cy = grid.ymin + (r + 0.5) * grid.cellSize;
    for (let c = 0; c < grid.cols; c++) {
      x[r * grid.cols + c] = grid.xmin + (c + 0.5) * grid.cellSize;
      y[r * grid.cols + c] = cy;
    }
  }
  return { x, y };
}

/**
 * Number of points in each cell (row-major Float64Array, so it can feed Gi* directly). Points
 * outside the grid are not counted; `weights` (e.g. victims per record) replace the count of 1.
 */
export function countPointsInGrid(grid: RasterGrid, x: NumericArray, y: NumericArray, weights?: NumericArray): Float64Array {
  checkGrid(grid);
  const px = finiteArray(x, 'x', 0);
  const py = finiteArray(y, 'y', 0);
  sameLength(py.length, px.length, 'y', 'x');
  const w = weights === undefined ? undefined : finiteArray(weights, 'weights', 0);
  if (w) sameLength(w.length, px.length, 'weights', 'x');
  const out = new Float64Array(grid.rows * grid.cols);
  for (let i = 0; i < px.length; i++) {
    const k = cellIndex(grid, px[i], py[i]);
    if (k >= 0) out[k] += w ? w[i] : 1;
  }
  return out;
}
