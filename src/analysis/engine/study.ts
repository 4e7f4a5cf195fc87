/**
 * What a job works on, drawn from the store by the store worker and handed to a job worker: the
 * study region's units with their counts (zeros included), a space-time cube, or the events
 * themselves. Only plain arrays travel (typed arrays are transferred, not copied).
 *
 * The study region: the units with at least one selected record, plus every unit of the study area
 * with none — the filter's area (a jurisdiction or the drawn polygon) or, without one, the convex
 * hull of the selected records. Zeros matter: Gi* and local Moran compare each unit with all the
 * others, and a map of only non-empty cells would call the whole city hot.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { polygonToCells } from 'h3-js';
import type { AreaKind } from './areas.js';
import { monthStart, nextMonth, weekStart } from './calendar.js';
import { h3Column } from './columns.js';
import { compileFilter, filterError, select, type Filter, type FilterInput, type Scope } from './filter.js';
import { convexHull, pointInPolygon, polygonAreaKm2, preparePolygon, type PreparedPolygon } from './geometry.js';
import { project, unproject } from './projection.js';
import type { EngineContext } from './queries.js';
import { countUnits, gridCol, gridKey, gridRow, unitInfo, type UnitKind, type UnitSpec } from './units.js';

export const JOB_METHODS = ['gistar', 'localmoran', 'kde', 'emerging', 'knox', 'forecast'] as const;
export type JobMethod = (typeof JOB_METHODS)[number];

/** A job's parameters (the contract's POST body; `forecast` is what GET /forecast runs). */
export interface JobParams extends FilterInput {
  readonly method: JobMethod;
  readonly unit?: UnitKind;
  readonly resolution?: number;
  readonly cellSize?: number;
  readonly weights?: 'queen' | 'rook' | 'distance' | 'knn';
  readonly distance?: number;
  readonly k?: number;
  readonly fdr?: boolean;
  readonly kernel?: 'quartic' | 'gaussian';
  readonly bandwidth?: number | 'rule';
  readonly timeStep?: 'week' | 'month';
  readonly spaceBands?: number;
  readonly spaceBandwidth?: number;
  readonly timeBands?: number;
  readonly timeBandwidth?: number;
  readonly permutations?: number;
  /** forecast: area coverage (fraction) and the held-out period in weeks. */
  readonly coverage?: number;
  readonly weeks?: number;
}

/** Most units of a study region. */
export const MAX_STUDY_UNITS = 250_000;
/** Most events of a Knox test (its cost grows with the near pairs: ~n² in a dense city). */
export const MAX_KNOX_EVENTS = 20_000;
/** Most bins of a space-time cube. */
export const MAX_CUBE_BINS = 20_000_000;

/** The units of a study region: ids, counts, and what weights and maps need. */
export interface LatticeInput {
  readonly unit: UnitKind;
  readonly resolution: number | null;
  readonly cellSize: number | null;
  /** Unit ids (H3 cells, grid `size:col:row`, area codes). */
  readonly ids: string[];
  readonly counts: Float64Array;
  /** Area units: names, population, area, geometry text, neighbours (shared borders), centroids in EPSG:6372. */
  readonly names?: (string | null)[];
  readonly population?: (number | null)[];
  readonly areaKm2?: Float64Array;
  readonly geometry?: (string | null)[];
  readonly adjacency?: number[][];
  readonly x?: Float64Array;
  readonly y?: Float64Array;
}

export type JobInput =
  | { kind: 'lattice'; params: JobParams; lattice: LatticeInput }
  | {
      kind: 'cube';
      params: JobParams;
      lattice: LatticeInput;
      /** Location-major counts: values[loc · steps + t]. */
      cube: Float64Array;
      steps: number;
      /** First day of each step (day numbers). */
      stepStarts: number[];
    }
  | {
      kind: 'events';
      params: JobParams;
      lon: Float64Array;
      lat: Float64Array;
      /** EPSG:6372 metres. */
      x: Float64Array;
      y: Float64Array;
      /** Day numbers. */
      t: Float64Array;
      /** The study area (for the KDE extent and the forecast cells); null = the events' hull. */
      studyArea: Polygon | MultiPolygon | null;
      /** Last day with data in the store (for the forecast's held-out period). */
      lastDay: number;
    };

const transferOf = (...arrays: (ArrayBufferView | undefined)[]) =>
  arrays.filter((a): a is ArrayBufferView => !!a).map((a) => a.buffer as ArrayBuffer);

/** The study area's geometry: the filter's area or polygon, else the hull of the selection. */
function studyArea(ctx: EngineContext, f: Filter, sel: Int32Array): { geometry: Polygon | MultiPolygon; prepared: PreparedPolygon } | null {
  if (f.polygon) return { geometry: f.polygon.geometry, prepared: f.polygon.prepared };
  if (f.area) {
    const layer = ctx.areas[f.area.kind];
    return { geometry: layer.geometry(f.area.areaIndex), prepared: layer.prepared(f.area.areaIndex) };
  }
  const lon = Float64Array.from(sel, (i) => ctx.store.lon[i]);
  const lat = Float64Array.from(sel, (i) => ctx.store.lat[i]);
  const hull = convexHull(lon, lat);
  if (!hull) return null;
  const geometry: Polygon = { type: 'Polygon', coordinates: [hull] };
  return { geometry, prepared: preparePolygon(geometry) };
}

function tooMany(units: number, field = 'resolution'): never {
  throw filterError('too_many_cells', 'error.analysis.too_many_cells', field, { cells: Math.round(units), max: MAX_STUDY_UNITS });
}

/** Sorted unique union of two key lists. */
function union(a: Float64Array, b: number[]): Float64Array {
  const all = Float64Array.from(new Set([...a, ...b])).sort();
  return all;
}

/** The study region's unit keys (dictionary indices or packed grid cells) for a spec. */
function regionKeys(ctx: EngineContext, spec: UnitSpec, withData: Float64Array, area: ReturnType<typeof studyArea>): Float64Array {
  const s = ctx.store;
  if (!area) return withData;
  const km2 = polygonAreaKm2(area.geometry);
  if (spec.unit === 'h3') {
    const r = spec.resolution ?? 9;
    // Average hexagon areas (km²) at 7–10: refuse before asking h3-js for millions of cells.
    const hexKm2 = [5.161, 0.737, 0.105, 0.015][r - 7];
    if (km2 / hexKm2 > MAX_STUDY_UNITS) tooMany(km2 / hexKm2);
    const polys = area.geometry.type === 'Polygon' ? [area.geometry.coordinates] : area.geometry.coordinates;
    const dict = s.dict.h3[r - 7];
    const extra: number[] = [];
    for (const poly of polys) {
      for (const cell of polygonToCells(poly, r, true)) {
        let k = dict.index.get(cell);
        if (k === undefined) {
          // A cell with no record yet joins the dictionary: the store's columns never point at it.
          k = dict.values.length;
          dict.values.push(cell);
          dict.index.set(cell, k);
        }
        extra.push(k);
      }
    }
    return union(withData, extra);
  }
  if (spec.unit === 'grid') {
    const size = spec.cellSize ?? 250;
    if (km2 / ((size * size) / 1e6) > MAX_STUDY_UNITS) tooMany(km2 / ((size * size) / 1e6), 'cellSize');
    const [w, so, e, n] = area.prepared.bbox;
    const corners = [project(w, so), project(e, so), project(e, n), project(w, n)];
    const c0 = Math.floor(Math.min(...corners.map((c) => c[0])) / size);
    const c1 = Math.floor(Math.max(...corners.map((c) => c[0])) / size);
    const r0 = Math.floor(Math.min(...corners.map((c) => c[1])) / size);
    const r1 = Math.floor(Math.max(...corners.map((c) => c[1])) / size);
    const extra: number[] = [];
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const [lon, lat] = unproject((c + 0.5) * size, (r + 0.5) * size);
        if (pointInPolygon(area.prepared, lon, lat)) extra.push(gridKey(c, r));
      }
    }
    return union(withData, extra);
  }
  const kind = spec.unit as AreaKind;
  const layer = ctx.areas[kind];
  const extra: number[] = [];
  for (let i = 0; i < layer.codes.length; i++)
    if (pointInPolygon(area.prepared, layer.centroidLon[i], layer.centroidLat[i])) extra.push(i + 1);
  return union(withData, extra);
}

/** The lattice of a study region: every unit with its count (zeros included) and what its weights need. */
function lattice(ctx: EngineContext, spec: UnitSpec, sel: Int32Array, f: Filter): { lattice: LatticeInput; keys: Float64Array } {
  const counted = countUnits(ctx.store, sel, spec);
  const keys = regionKeys(ctx, spec, counted.keys, studyArea(ctx, f, sel));
  if (keys.length > MAX_STUDY_UNITS) tooMany(keys.length, spec.unit === 'grid' ? 'cellSize' : 'resolution');
  const byKey = new Map<number, number>();
  counted.keys.forEach((k, p) => byKey.set(k, counted.counts[p]));
  const counts = Float64Array.from(keys, (k) => byKey.get(k) ?? 0);
  const info = unitInfo(ctx.store, ctx.areas, spec);
  const base = {
    unit: spec.unit,
    resolution: spec.unit === 'h3' ? (spec.resolution ?? 9) : null,
    cellSize: spec.unit === 'grid' ? (spec.cellSize ?? 250) : null,
    ids: Array.from(keys, (k) => info.id(k)),
    counts,
  };
  if (spec.unit === 'h3' || spec.unit === 'grid') return { lattice: base, keys };
  const kind = spec.unit as AreaKind;
  const layer = ctx.areas[kind];
  const position = new Map<number, number>();
  keys.forEach((k, p) => position.set(k - 1, p));
  const adjacencyAll = layer.adjacency();
  const xy = Array.from(keys, (k) => info.centre(k)).map(([lon, lat]) => (Number.isFinite(lon) ? project(lon, lat) : [NaN, NaN]));
  return {
    keys,
    lattice: {
      ...base,
      names: Array.from(keys, (k) => info.name(k)),
      population: Array.from(keys, (k) => info.population(k)),
      areaKm2: Float64Array.from(keys, (k) => info.areaKm2(k)),
      geometry: Array.from(keys, (k) => info.geometryJson(k)),
      adjacency: Array.from(keys, (k) =>
        (adjacencyAll[k - 1] ?? []).map((a) => position.get(a)).filter((p): p is number => p !== undefined),
      ),
      x: Float64Array.from(xy, (p) => p[0]),
      y: Float64Array.from(xy, (p) => p[1]),
    },
  };
}

/** Step index of every day of [first, last]: ISO weeks or calendar months. */
function steps(first: number, last: number, step: 'week' | 'month'): number[] {
  const starts: number[] = [];
  for (let d = step === 'week' ? weekStart(first) : monthStart(first); d <= last; d = step === 'week' ? d + 7 : nextMonth(d))
    starts.push(d);
  return starts;
}

/** Draws a job's input from the store (runs in the store worker). */
export function jobInput(ctx: EngineContext, params: JobParams, scope: Scope): { input: JobInput; transfer: ArrayBuffer[] } {
  const s = ctx.store;
  const f = compileFilter(s, ctx.areas, params, scope);
  const sel = select(s, f);
  if (sel.length === 0) throw filterError('no_data', 'error.analysis.no_data', 'classification');
  const spec: UnitSpec = { unit: params.unit ?? 'h3', resolution: params.resolution, cellSize: params.cellSize };
  switch (params.method) {
    case 'gistar':
    case 'localmoran': {
      const { lattice: l } = lattice(ctx, spec, sel, f);
      return { input: { kind: 'lattice', params, lattice: l }, transfer: transferOf(l.counts, l.areaKm2, l.x, l.y) };
    }
    case 'emerging': {
      const { lattice: l, keys } = lattice(ctx, spec, sel, f);
      const step = params.timeStep ?? 'month';
      let first = Infinity;
      let last = -Infinity;
      for (let k = 0; k < sel.length; k++) {
        const d = s.day[sel[k]];
        if (d < first) first = d;
        if (d > last) last = d;
      }
      if (Number.isFinite(f.fromDay)) first = f.fromDay;
      if (Number.isFinite(f.toDay)) last = Math.min(f.toDay, last);
      const starts = steps(first, last, step);
      const T = starts.length;
      if (T < 3 || T > 520) throw filterError('too_few', 'error.analysis.steps', 'from', { steps: T, max: 520 });
      if (keys.length * T > MAX_CUBE_BINS) tooMany(keys.length * T);
      const position = new Map<number, number>();
      keys.forEach((k, p) => position.set(k, p));
      const stepOfDay = new Int32Array(last - starts[0] + 1).fill(-1);
      for (let t = 0; t < T; t++) {
        const end = t + 1 < T ? starts[t + 1] : last + 1;
        for (let d = Math.max(starts[t], first); d < end && d <= last; d++) stepOfDay[d - starts[0]] = t;
      }
      const cube = new Float64Array(keys.length * T);
      const key = unitKeyOf(ctx, spec);
      for (let k = 0; k < sel.length; k++) {
        const i = sel[k];
        const off = s.day[i] - starts[0];
        const t = off >= 0 && off < stepOfDay.length ? stepOfDay[off] : -1;
        const p = position.get(key(i));
        if (t >= 0 && p !== undefined) cube[p * T + t]++;
      }
      return {
        input: { kind: 'cube', params, lattice: l, cube, steps: T, stepStarts: starts },
        transfer: transferOf(l.counts, l.areaKm2, l.x, l.y, cube),
      };
    }
    case 'kde':
    case 'knox':
    case 'forecast': {
      if (params.method === 'knox' && sel.length > MAX_KNOX_EVENTS)
        throw filterError('too_many_events', 'error.analysis.too_many_events', 'from', { count: sel.length, max: MAX_KNOX_EVENTS });
      const lon = Float64Array.from(sel, (i) => s.lon[i]);
      const lat = Float64Array.from(sel, (i) => s.lat[i]);
      const x = Float64Array.from(sel, (i) => s.x[i]);
      const y = Float64Array.from(sel, (i) => s.y[i]);
      const t = Float64Array.from(sel, (i) => s.day[i]);
      const area = f.polygon ? f.polygon.geometry : f.area ? ctx.areas[f.area.kind].geometry(f.area.areaIndex) : null;
      return {
        input: {
          kind: 'events',
          params,
          lon,
          lat,
          x,
          y,
          t,
          studyArea: area,
          lastDay: Number.isFinite(f.toDay) ? Math.min(f.toDay, s.maxDay) : s.maxDay,
        },
        transfer: transferOf(lon, lat, x, y, t),
      };
    }
  }
}

/** The unit key of record i under a spec (as countUnits computes it). */
export function unitKeyOf(ctx: EngineContext, spec: UnitSpec): (i: number) => number {
  const s = ctx.store;
  if (spec.unit === 'h3') {
    const col = h3Column(s, spec.resolution ?? 9);
    return (i) => col[i];
  }
  if (spec.unit === 'grid') {
    const size = spec.cellSize ?? 250;
    return (i) => gridKey(Math.floor(s.x[i] / size), Math.floor(s.y[i] / size));
  }
  const col = s[spec.unit as AreaKind];
  return (i) => col[i];
}

export { gridCol, gridRow };
