/**
 * Spatial units of a map — H3 cells (resolutions 7–10), square cells of a grid in EPSG:6372 metres,
 * states, municipalities, colonias, quadrants — and counting a selection of records into them.
 * A unit has an id, a name (areas), a population (where published), an area and a polygon.
 */
import { cellArea, cellToBoundary, cellToLatLng } from 'h3-js';
import type { AreaKind, Areas } from './areas.js';
import { h3Column, type ColumnStore } from './columns.js';
import { countFiltered, filterError, keepsEverything, select, type Filter } from './filter.js';
import { ringAreaM2 } from './geometry.js';
import { project, unproject } from './projection.js';

export const UNIT_KINDS = ['h3', 'grid', 'colonia', 'quadrant', 'municipality', 'state'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface UnitSpec {
  readonly unit: UnitKind;
  /** H3 resolution 7–10 (unit `h3`). */
  readonly resolution?: number;
  /** Cell side in metres, 50–5000 (unit `grid`). */
  readonly cellSize?: number;
}

/** Most features one answer may hold. */
export const MAX_FEATURES = 200_000;

/** Units with their counts: `keys[i]` is a dictionary index (H3, areas) or a packed grid cell. */
export interface UnitCounts {
  readonly spec: UnitSpec;
  readonly keys: Float64Array;
  readonly counts: Float64Array;
  readonly total: number;
}

/** Grid cells packed in one number: col · 2^24 + row (EPSG:6372 covers Mexico with cols and rows below 2^24 even at 50 m… and far beyond). */
const PACK = 2 ** 24;
export const gridKey = (col: number, row: number) => col * PACK + row;
export const gridCol = (key: number) => Math.floor(key / PACK);
export const gridRow = (key: number) => key - Math.floor(key / PACK) * PACK;

function tooMany(cells: number): never {
  throw filterError('too_many_cells', 'error.analysis.too_many_cells', 'resolution', { cells, max: MAX_FEATURES });
}

/** The store column and dictionary size a unit counts on (H3 and areas). */
function dictColumn(s: ColumnStore, spec: UnitSpec): { col: Uint32Array | Uint16Array | Uint8Array; size: number } {
  if (spec.unit === 'h3') {
    const r = spec.resolution ?? 9;
    return { col: h3Column(s, r), size: s.dict.h3[r - 7].values.length };
  }
  const kind = spec.unit as AreaKind;
  return { col: s[kind], size: s.dict[kind].values.length };
}

/**
 * Counts the selected records per unit (`sel` null: every record, without an index array); units
 * with no record are left out.
 */
export function countUnits(s: ColumnStore, sel: Int32Array | null, spec: UnitSpec): UnitCounts {
  if (spec.unit === 'grid') return countGrid(s, sel, spec.cellSize ?? 250, spec);
  const { col, size } = dictColumn(s, spec);
  const counts = new Uint32Array(size);
  // One loop per array type: a loop that has seen Uint8, Uint16 and Uint32 columns is polymorphic and slower.
  if (col instanceof Uint32Array) countU32(col, sel, s.n, counts);
  else if (col instanceof Uint16Array) countU16(col, sel, s.n, counts);
  else countU8(col, sel, s.n, counts);
  return unitCounts(spec, counts);
}

function countU32(col: Uint32Array, sel: Int32Array | null, n: number, counts: Uint32Array): void {
  if (sel) for (let k = 0; k < sel.length; k++) counts[col[sel[k]]]++;
  else for (let i = 0; i < n; i++) counts[col[i]]++;
}
function countU16(col: Uint16Array, sel: Int32Array | null, n: number, counts: Uint32Array): void {
  if (sel) for (let k = 0; k < sel.length; k++) counts[col[sel[k]]]++;
  else for (let i = 0; i < n; i++) counts[col[i]]++;
}
function countU8(col: Uint8Array, sel: Int32Array | null, n: number, counts: Uint32Array): void {
  if (sel) for (let k = 0; k < sel.length; k++) counts[col[sel[k]]]++;
  else for (let i = 0; i < n; i++) counts[col[i]]++;
}

/**
 * Counts per unit of the records a filter keeps: counted in the filter's own pass where it can
 * (filter.ts `countFiltered`), else through the selected indices.
 */
export function countUnitsFiltered(s: ColumnStore, f: Filter, spec: UnitSpec): UnitCounts {
  if (keepsEverything(f)) return countUnits(s, null, spec);
  if (spec.unit !== 'grid') {
    const { col, size } = dictColumn(s, spec);
    const counts = countFiltered(s, f, col, size);
    if (counts) return unitCounts(spec, counts);
  }
  return countUnits(s, select(s, f), spec);
}

function unitCounts(spec: UnitSpec, counts: Uint32Array): UnitCounts {
  const size = counts.length;
  // Index 0 of an area dictionary is "no area" (a record outside the colonias, say): not a unit.
  const first = spec.unit === 'h3' ? 0 : 1;
  let m = 0;
  for (let k = first; k < size; k++) if (counts[k] > 0) m++;
  if (m > MAX_FEATURES) tooMany(m);
  const keys = new Float64Array(m);
  const out = new Float64Array(m);
  let j = 0;
  let total = 0;
  for (let k = first; k < size; k++) {
    if (counts[k] > 0) {
      keys[j] = k;
      out[j++] = counts[k];
      total += counts[k];
    }
  }
  return { spec, keys, counts: out, total };
}

/** Most cells of the dense counting array of a grid (64 MiB of counts); beyond it a hash map counts. */
const DENSE_GRID_CELLS = 1 << 24;

function countGrid(s: ColumnStore, sel: Int32Array | null, cellSize: number, spec: UnitSpec): UnitCounts {
  const { x, y } = s;
  const count = sel ? sel.length : s.n;
  if (!count) return { spec, keys: new Float64Array(0), counts: new Float64Array(0), total: 0 };
  // EPSG:6372 coordinates are positive over Mexico (false easting 2,500 km; the origin is south of
  // the country): truncation is floor, and the store's extent bounds every cell.
  // Division, not a multiplication by 1/size: the same cell as floor(x / size) everywhere else, at the edges too.
  const c0 = Math.floor(s.xMin / cellSize);
  const r0 = Math.floor(s.yMin / cellSize);
  const cols = Math.floor(s.xMax / cellSize) - c0 + 1;
  const rows = Math.floor(s.yMax / cellSize) - r0 + 1;
  const pairs: [number, number][] = [];
  if (cols * rows <= DENSE_GRID_CELLS && s.xMin > 0 && s.yMin > 0) {
    const counts = new Uint32Array(cols * rows);
    if (sel) {
      for (let k = 0; k < sel.length; k++) {
        const i = sel[k];
        counts[(((y[i] / cellSize) | 0) - r0) * cols + (((x[i] / cellSize) | 0) - c0)]++;
      }
    } else {
      const n = s.n;
      for (let i = 0; i < n; i++) counts[(((y[i] / cellSize) | 0) - r0) * cols + (((x[i] / cellSize) | 0) - c0)]++;
    }
    for (let k = 0; k < counts.length; k++) {
      if (counts[k] > 0) {
        if (pairs.length >= MAX_FEATURES) tooMany(pairs.length + 1);
        pairs.push([gridKey(c0 + (k % cols), r0 + Math.floor(k / cols)), counts[k]]);
      }
    }
  } else {
    const map = new Map<number, number>();
    for (let k = 0; k < count; k++) {
      const i = sel ? sel[k] : k;
      const key = gridKey(Math.floor(x[i] / cellSize), Math.floor(y[i] / cellSize));
      map.set(key, (map.get(key) ?? 0) + 1);
      if (map.size > MAX_FEATURES) tooMany(map.size);
    }
    for (const [key, n] of map) pairs.push([key, n]);
    pairs.sort((a, b) => a[0] - b[0]);
  }
  const keys = Float64Array.from(pairs, (p) => p[0]);
  const counts = Float64Array.from(pairs, (p) => p[1]);
  return { spec, keys, counts, total: count };
}

// ── what a unit is ──────────────────────────────────────────────────────────

/** Describes units of one spec: id, name, population, area, polygon, centre. */
export interface UnitInfo {
  id(key: number): string;
  name(key: number): string | null;
  population(key: number): number | null;
  areaKm2(key: number): number;
  /** GeoJSON geometry text, or null for an area code without boundary data. */
  geometryJson(key: number): string | null;
  /** [lon, lat] of the unit's centre. */
  centre(key: number): [number, number];
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
const ringJson = (ring: number[][]) => `{"type":"Polygon","coordinates":[${JSON.stringify(ring.map(([a, b]) => [round6(a), round6(b)]))}]}`;

const h3Cache = new Map<string, { json: string; area: number }>();
function h3Cell(cell: string) {
  let c = h3Cache.get(cell);
  if (!c) {
    c = { json: ringJson(cellToBoundary(cell, true)), area: cellArea(cell, 'km2') };
    if (h3Cache.size > 400_000) h3Cache.clear();
    h3Cache.set(cell, c);
  }
  return c;
}

const gridCache = new Map<string, { json: string; area: number }>();
function gridCell(size: number, key: number) {
  const id = `${size}:${key}`;
  let c = gridCache.get(id);
  if (!c) {
    const ring = gridRing(gridCol(key), gridRow(key), size);
    c = { json: ringJson(ring), area: ringAreaM2(ring.flat()) / 1e6 };
    if (gridCache.size > 400_000) gridCache.clear();
    gridCache.set(id, c);
  }
  return c;
}

/** The corners of grid cell (col, row) as a closed lon/lat ring (counter-clockwise). */
export function gridRing(col: number, row: number, cellSize: number): number[][] {
  const x0 = col * cellSize;
  const y0 = row * cellSize;
  const corners = [
    [x0, y0],
    [x0 + cellSize, y0],
    [x0 + cellSize, y0 + cellSize],
    [x0, y0 + cellSize],
    [x0, y0],
  ];
  return corners.map(([x, y]) => unproject(x, y));
}

export function unitInfo(s: ColumnStore, areas: Areas, spec: UnitSpec): UnitInfo {
  if (spec.unit === 'h3') {
    const dict = s.dict.h3[(spec.resolution ?? 9) - 7].values;
    return {
      id: (k) => dict[k],
      name: () => null,
      population: () => null,
      areaKm2: (k) => h3Cell(dict[k]).area,
      geometryJson: (k) => h3Cell(dict[k]).json,
      centre: (k) => {
        const [lat, lon] = cellToLatLng(dict[k]);
        return [lon, lat];
      },
    };
  }
  if (spec.unit === 'grid') {
    const size = spec.cellSize ?? 250;
    return {
      id: (k) => `${size}:${gridCol(k)}:${gridRow(k)}`,
      name: () => null,
      population: () => null,
      areaKm2: (k) => gridCell(size, k).area,
      geometryJson: (k) => gridCell(size, k).json,
      centre: (k) => unproject((gridCol(k) + 0.5) * size, (gridRow(k) + 0.5) * size),
    };
  }
  const kind = spec.unit;
  const layer = areas[kind];
  const dict = s.dict[kind].values;
  // Dictionary index k is area k − 1 for the catalogue's areas; later entries have no boundary.
  const area = (k: number) => (k >= 1 && k <= layer.codes.length ? k - 1 : -1);
  return {
    id: (k) => dict[k],
    name: (k) => (area(k) >= 0 ? layer.names[area(k)] : null),
    population: (k) => (area(k) >= 0 ? layer.population[area(k)] : null),
    areaKm2: (k) => (area(k) >= 0 ? layer.areaKm2[area(k)] : 0),
    geometryJson: (k) => (area(k) >= 0 ? layer.geometryJson(area(k)) : null),
    centre: (k) => (area(k) >= 0 ? [layer.centroidLon[area(k)], layer.centroidLat[area(k)]] : [NaN, NaN]),
  };
}

/** The grid cell holding a lon/lat point. */
export function gridCellOf(lon: number, lat: number, cellSize: number): number {
  const [x, y] = project(lon, lat);
  return gridKey(Math.floor(x / cellSize), Math.floor(y / cellSize));
}
