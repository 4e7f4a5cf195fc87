/**
 * Filters of the map (the contract's query parameters), compiled once per query into masks and
 * indices, then one pass over the columns that yields the selected record indices.
 */
import type { Polygon } from 'geojson';
import { AppError } from '../../platform/errors.js';
import type { MessageKey } from '../../platform/i18n/messages.js';
import type { crimeScope } from '../../records/crime.service.js';
import type { Areas, AreaKind } from './areas.js';
import { dayOf } from './calendar.js';
import { FACETS_PER_NODE, type ColumnStore } from './columns.js';
import { checkDrawnPolygon, pointInPolygon, polygonAreaKm2, preparePolygon, type PreparedPolygon } from './geometry.js';

export type Scope = ReturnType<typeof crimeScope>;

/** The filter parameters as they arrive (syntax already checked by the route's zod schema). */
export interface FilterInput {
  /** Comma list of SESNSP codes at any level. */
  readonly classification?: string;
  readonly from?: string;
  readonly to?: string;
  /** `0-5,22-23`; a range may wrap past midnight (`22-3`). */
  readonly hours?: string;
  /** `1,2,3` (ISO: 1 = Monday). */
  readonly weekdays?: string;
  /** `state:09`, `municipality:09015`, `colonia:<id>`, `quadrant:<id>`. */
  readonly area?: string;
  /** A GeoJSON Polygon, as an object (POST) or JSON text (GET). */
  readonly polygon?: unknown;
}

export interface Filter {
  readonly classMask: Uint8Array | null;
  readonly fromDay: number;
  readonly toDay: number;
  readonly hourMask: Uint8Array | null;
  readonly weekdayMask: Uint8Array | null;
  /** An area: its kind, its index in areas.ts, its dictionary index in the store. */
  readonly area: { readonly kind: AreaKind; readonly areaIndex: number; readonly dictIndex: number; readonly code: string } | null;
  readonly polygon: { readonly geometry: Polygon; readonly prepared: PreparedPolygon; readonly areaKm2: number } | null;
  /** CR-1: null = every record. */
  readonly scope: { readonly state: number; readonly municipality: number; readonly owners: Uint8Array } | null;
  /** Leave out sexual crimes and family violence (public points). */
  readonly excludeSensitive: boolean;
}

export const filterError = (code: string, key: MessageKey, field: string, params: Record<string, string | number> = {}) =>
  new AppError(400, code, key, params, field);

function parseList(value: string, field: string, max: number, key: MessageKey): Uint8Array {
  const mask = new Uint8Array(max + 1);
  for (const part of value.split(',')) {
    const m = /^\s*(\d{1,2})\s*(?:-\s*(\d{1,2}))?\s*$/.exec(part);
    if (!m) throw filterError('validation', key, field, { value });
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > max || b > max) throw filterError('validation', key, field, { value });
    if (a <= b) mask.fill(1, a, b + 1);
    else {
      mask.fill(1, a, max + 1);
      mask.fill(1, 0, b + 1);
    }
  }
  return mask;
}

/** A drawn polygon's check, as the API error naming `polygon`. */
export function parsePolygon(raw: unknown): { geometry: Polygon; prepared: PreparedPolygon; areaKm2: number } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw filterError('polygon_invalid', 'error.analysis.polygon_shape', 'polygon');
    }
  }
  const checked = checkDrawnPolygon(value);
  if (!checked.ok) throw filterError(`polygon_${checked.problem}`, `error.analysis.polygon_${checked.problem}`, 'polygon', { max: 1000 });
  return { geometry: checked.polygon, prepared: preparePolygon(checked.polygon), areaKm2: polygonAreaKm2(checked.polygon) };
}

/** Parses `kind:code` into the area it names (400 `area` when it does not exist). */
export function parseArea(store: ColumnStore, areas: Areas, value: string): NonNullable<Filter['area']> {
  const m = /^(state|municipality|colonia|quadrant):(.{1,40})$/.exec(value);
  const kind = m?.[1] as AreaKind | undefined;
  const code = m?.[2] ?? '';
  const areaIndex = kind ? areas[kind].indexOf.get(code) : undefined;
  if (!kind || areaIndex === undefined) throw filterError('unknown_area', 'error.analysis.area', 'area', { value });
  return { kind, areaIndex, dictIndex: store.dict[kind].index.get(code) ?? areaIndex + 1, code };
}

/** Compiles the filter for a query by an actor whose records are limited to `scope`. */
export function compileFilter(store: ColumnStore, areas: Areas, input: FilterInput, scope: Scope, excludeSensitive = false): Filter {
  let classMask: Uint8Array | null = null;
  if (input.classification) {
    const codes = input.classification
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const m = store.classes.mask(codes);
    if ('unknown' in m)
      throw filterError('unknown_classification', 'crime.reason.unknown_classification', 'classification', { code: m.unknown });
    classMask = m.mask;
  }
  const fromDay = input.from ? dayOf(input.from) : -Infinity;
  const toDay = input.to ? dayOf(input.to) : Infinity;
  if (Number.isNaN(fromDay)) throw filterError('invalid_date', 'crime.reason.invalid_date', 'from', { value: input.from ?? '' });
  if (Number.isNaN(toDay)) throw filterError('invalid_date', 'crime.reason.invalid_date', 'to', { value: input.to ?? '' });
  if (fromDay > toDay) throw filterError('date_order', 'error.analysis.date_order', 'from', { from: input.from ?? '', to: input.to ?? '' });
  const hourMask = input.hours ? parseList(input.hours, 'hours', 23, 'error.analysis.hours') : null;
  let weekdayMask: Uint8Array | null = null;
  if (input.weekdays) {
    const iso = parseList(input.weekdays, 'weekdays', 7, 'error.analysis.weekdays');
    if (iso[0]) throw filterError('validation', 'error.analysis.weekdays', 'weekdays', { value: input.weekdays });
    weekdayMask = iso.slice(1);
  }
  const area = input.area ? parseArea(store, areas, input.area) : null;
  const polygon = input.polygon !== undefined && input.polygon !== '' ? parsePolygon(input.polygon) : null;
  let compiledScope: Filter['scope'] = null;
  if (!scope.all) {
    const owners = new Uint8Array(Math.max(1, store.dict.owner.values.length));
    for (const id of scope.ownerAgencyIds) {
      const k = store.dict.owner.index.get(id);
      if (k !== undefined) owners[k] = 1;
    }
    compiledScope = {
      state: scope.stateCode ? (store.dict.state.index.get(scope.stateCode) ?? -2) : -1,
      municipality: scope.municipalityCode ? (store.dict.municipality.index.get(scope.municipalityCode) ?? -2) : -1,
      owners,
    };
  }
  return { classMask, fromDay, toDay, hourMask, weekdayMask, area, polygon, scope: compiledScope, excludeSensitive };
}

/** {@link scan} over records already known to be in the date range (the day-sorted slice): one test fewer. */
function scanInRange(from: number, to: number, k0: number, facet: Uint16Array, facetOk: Uint8Array, out: Int32Array): number {
  let k = k0;
  for (let i = from; i < to; i++) {
    out[k] = i;
    k += facetOk[facet[i]];
  }
  return k;
}

/** Whether the filter keeps every record (no condition, every record in scope): aggregations then skip the selection. */
export const keepsEverything = (f: Filter) =>
  !f.classMask &&
  f.fromDay === -Infinity &&
  f.toDay === Infinity &&
  !f.hourMask &&
  !f.weekdayMask &&
  !f.area &&
  !f.polygon &&
  !f.scope &&
  !f.excludeSensitive;

let scratch = new Int32Array(0);

/** The branch-free pass of {@link select}, a leaf over plain typed arrays (what V8 compiles best). */
function scan(
  from: number,
  to: number,
  k0: number,
  day: Int32Array,
  facet: Uint16Array,
  lo: number,
  hi: number,
  facetOk: Uint8Array,
  out: Int32Array,
): number {
  let k = k0;
  for (let i = from; i < to; i++) {
    const d = day[i];
    // lo ≤ d ≤ hi without a branch: both differences non-negative, i.e. the sign bit of their OR clear.
    const inRange = (((d - lo) | (hi - d)) >>> 31) ^ 1;
    out[k] = i;
    k += inRange & facetOk[facet[i]];
  }
  return k;
}
const ONES = new Uint8Array(256).fill(1);

/**
 * Indices of the records the filter keeps, in store order. The array is a view of a buffer reused
 * by the next call (one query at a time per worker): copy it to keep it.
 *
 * One branch-free pass tests the date, classification, hour and weekday of every record through
 * small lookup tables (records arrive in id order, not by date, so a branch per test would be
 * mispredicted half the time); the jurisdiction, the area and the drawn polygon then thin the
 * survivors.
 */
/** What the branch-free passes need: the day bounds, the facet table and the sorted slice [a, b). */
function passes(s: ColumnStore, f: Filter) {
  // Days as int32: an open end is ±2^30 (days since 1970, far beyond any record).
  const lo = Number.isFinite(f.fromDay) ? f.fromDay | 0 : -(2 ** 30);
  const hi = Number.isFinite(f.toDay) ? f.toDay | 0 : 2 ** 30;
  let clsMask = f.classMask ?? ONES;
  if (f.excludeSensitive) clsMask = clsMask.map((v, k) => (s.classes.sensitive[k] ? 0 : v));
  const weekdayOk = f.weekdayMask ?? ONES;
  // facetOk[facetOf(node, minute, weekday)]: the classification, hour (unknown fails an hours filter) and weekday pass.
  const nodes = s.classes.nodes.length;
  const facetOk = new Uint8Array(nodes * FACETS_PER_NODE);
  for (let c = 0; c < nodes; c++) {
    if (!clsMask[c]) continue;
    for (let h = -1; h < 24; h++) {
      if (f.hourMask && (h < 0 || !f.hourMask[h])) continue;
      const at = c * FACETS_PER_NODE + (h + 1) * 7;
      for (let w = 0; w < 7; w++) facetOk[at + w] = weekdayOk[w];
    }
  }
  // The sorted part: only the slice of the date range (dayIndex); then the unsorted tail, whole.
  let a = 0;
  let b = s.sortedUpTo;
  const index = s.dayIndex;
  if (index) {
    const last = index.length - 2;
    const pos = (d: number) => index[Math.min(last + 1, Math.max(0, d - s.dayIndexLo))];
    a = pos(lo);
    b = pos(hi + 1);
  }
  return { lo, hi, facetOk, a, b, sorted: !!index };
}

/**
 * Counts per dictionary index of `col` (H3 cells, areas) of the records the filter keeps, in the same
 * branch-free pass that tests them — no index array. For filters without jurisdiction, area or polygon
 * (those go through {@link select}); null otherwise.
 */
export function countFiltered(s: ColumnStore, f: Filter, col: Uint32Array | Uint16Array | Uint8Array, size: number): Uint32Array | null {
  if (f.scope || f.area || f.polygon || !(col instanceof Uint32Array || col instanceof Uint16Array)) return null;
  const { lo, hi, facetOk, a, b, sorted } = passes(s, f);
  const counts = new Uint32Array(size);
  const { day, facet } = s;
  if (col instanceof Uint32Array) {
    if (sorted) countU32(col, counts, a, b, null, lo, hi, facet, facetOk);
    else countU32(col, counts, a, b, day, lo, hi, facet, facetOk);
    countU32(col, counts, s.sortedUpTo, s.n, day, lo, hi, facet, facetOk);
  } else {
    if (sorted) countU16(col, counts, a, b, null, lo, hi, facet, facetOk);
    else countU16(col, counts, a, b, day, lo, hi, facet, facetOk);
    countU16(col, counts, s.sortedUpTo, s.n, day, lo, hi, facet, facetOk);
  }
  return counts;
}

// Two copies (Uint32 and Uint16 unit columns): one loop over both array types would be polymorphic and slower.
function countU32(
  col: Uint32Array,
  counts: Uint32Array,
  from: number,
  to: number,
  day: Int32Array | null,
  lo: number,
  hi: number,
  facet: Uint16Array,
  facetOk: Uint8Array,
): void {
  if (day) {
    for (let i = from; i < to; i++) {
      const d = day[i];
      counts[col[i]] += ((((d - lo) | (hi - d)) >>> 31) ^ 1) & facetOk[facet[i]];
    }
  } else {
    for (let i = from; i < to; i++) counts[col[i]] += facetOk[facet[i]];
  }
}

function countU16(
  col: Uint16Array,
  counts: Uint32Array,
  from: number,
  to: number,
  day: Int32Array | null,
  lo: number,
  hi: number,
  facet: Uint16Array,
  facetOk: Uint8Array,
): void {
  if (day) {
    for (let i = from; i < to; i++) {
      const d = day[i];
      counts[col[i]] += ((((d - lo) | (hi - d)) >>> 31) ^ 1) & facetOk[facet[i]];
    }
  } else {
    for (let i = from; i < to; i++) counts[col[i]] += facetOk[facet[i]];
  }
}

export function select(s: ColumnStore, f: Filter): Int32Array {
  if (scratch.length < s.n) scratch = new Int32Array(Math.ceil(s.n * 1.25) + 1024);
  const out = scratch;
  const { day, facet } = s;
  const { lo, hi, facetOk, a, b, sorted: index } = passes(s, f);
  let k = index ? scanInRange(a, b, 0, facet, facetOk, out) : scan(a, b, 0, day, facet, lo, hi, facetOk, out);
  k = scan(s.sortedUpTo, s.n, k, day, facet, lo, hi, facetOk, out);
  const { area, polygon, scope } = f;
  if (!area && !polygon && !scope) return out.subarray(0, k);
  const areaCol = area ? s[area.kind] : null;
  const areaIdx = area ? area.dictIndex : 0;
  let j = 0;
  for (let q = 0; q < k; q++) {
    const i = out[q];
    if (scope) {
      const mine =
        scope.owners[s.owner[i]] === 1 ||
        (scope.municipality !== -1 ? s.municipality[i] === scope.municipality : scope.state !== -1 && s.state[i] === scope.state);
      if (!mine) continue;
    }
    if (areaCol && areaCol[i] !== areaIdx) continue;
    if (polygon && !pointInPolygon(polygon.prepared, s.lon[i], s.lat[i])) continue;
    out[j++] = i;
  }
  return out.subarray(0, j);
}
