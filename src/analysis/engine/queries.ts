/**
 * The map's questions, answered from the column store: each takes the validated query and the
 * actor's scope and returns the answer's JSON text (see geojson.ts for why text). These run in the
 * store worker (store-worker.ts); the benchmark and the unit tests call them directly.
 */
import { cellToLatLng } from 'h3-js';
import type { Areas } from './areas.js';
import { breakdown, hourWeekdayMatrix, latest, timeSeries, type Interval } from './aggregate.js';
import { dateOf, timeOf } from './calendar.js';
import { idOf, type ColumnStore } from './columns.js';
import { compileFilter, select, type Filter, type FilterInput, type Scope } from './filter.js';
import { num, pointCollection, unitFeatureCollection } from './geojson.js';
import { countUnitsFiltered, unitInfo, type UnitSpec } from './units.js';

export interface EngineContext {
  readonly store: ColumnStore;
  readonly areas: Areas;
  readonly publicMap: { readonly snap: 'h3' | 'quadrant'; readonly minCount: number };
}

export type AggregateQuery = FilterInput & UnitSpec;

/** The area of the filter's area or polygon (km²), for `meta.areaKm2`; undefined without one. */
function filterArea(ctx: EngineContext, f: Filter): number | undefined {
  if (f.polygon) return f.polygon.areaKm2;
  if (f.area) return ctx.areas[f.area.kind].areaKm2[f.area.areaIndex];
  return undefined;
}

/** (1) and the public (9): counts per unit as a FeatureCollection. */
export function aggregate(ctx: EngineContext, q: AggregateQuery, scope: Scope, minCount = 0): string {
  const f = compileFilter(ctx.store, ctx.areas, q, scope);
  const units = countUnitsFiltered(ctx.store, f, q);
  const info = unitInfo(ctx.store, ctx.areas, q);
  return unitFeatureCollection(
    units,
    info,
    {
      unit: q.unit,
      resolution: q.unit === 'h3' ? (q.resolution ?? 9) : null,
      cellSize: q.unit === 'grid' ? (q.cellSize ?? 250) : null,
      areaKm2: filterArea(ctx, f),
    },
    { minCount },
  ).text;
}

/** (2): the most recent points, with the record's id, classification, date, time and violence. */
export function points(ctx: EngineContext, q: FilterInput & { limit?: number }, scope: Scope): string {
  const s = ctx.store;
  const f = compileFilter(s, ctx.areas, q, scope);
  const sel = select(s, f);
  const limit = q.limit ?? 10_000;
  const picked = latest(s, sel, limit);
  const codes = s.classes.nodes;
  return pointCollection(
    picked.length,
    (k) => {
      const i = picked[k];
      return {
        lon: s.lon[i],
        lat: s.lat[i],
        props: `"id":"${idOf(s, i)}","classificationCode":"${codes[s.cls[i]].code}","occurredOn":"${dateOf(s.day[i])}","occurredTime":${JSON.stringify(timeOf(s.minute[i]))},"violent":${s.violent[i] === 1}`,
      };
    },
    { total: sel.length, returned: picked.length, limit },
  );
}

const centreCache = new WeakMap<ColumnStore, { lon: Float64Array; lat: Float64Array }>();

/** Centre of record i's H3 resolution-9 cell (cached per cell). */
function cellCentre(s: ColumnStore, i: number): [number, number] {
  let c = centreCache.get(s);
  const size = s.dict.h3[2].values.length;
  if (!c || c.lon.length < size) {
    const lon = new Float64Array(Math.max(1024, size * 2)).fill(NaN);
    const lat = new Float64Array(lon.length).fill(NaN);
    if (c) {
      lon.set(c.lon);
      lat.set(c.lat);
    }
    c = { lon, lat };
    centreCache.set(s, c);
  }
  const k = s.h3r9[i];
  if (Number.isNaN(c.lon[k])) {
    const [la, lo] = cellToLatLng(s.dict.h3[2].values[k]);
    c.lon[k] = lo;
    c.lat[k] = la;
  }
  return [c.lon[k], c.lat[k]];
}

/**
 * Public (9) points: sexual crimes and family violence left out, every location moved to the centre
 * of its H3 resolution-9 cell (~0.1 km², 174 m edge) or of its police quadrant (config), no record
 * id and no time of day.
 */
export function publicPoints(ctx: EngineContext, q: FilterInput & { limit?: number }): string {
  const s = ctx.store;
  const f = compileFilter(s, ctx.areas, q, { all: true }, true);
  const sel = select(s, f);
  const limit = q.limit ?? 5000;
  const picked = latest(s, sel, limit);
  const codes = s.classes.nodes;
  const quadrants = ctx.areas.quadrant;
  return pointCollection(
    picked.length,
    (k) => {
      const i = picked[k];
      let lon: number;
      let lat: number;
      const qi = s.quadrant[i] - 1;
      if (ctx.publicMap.snap === 'quadrant' && qi >= 0 && qi < quadrants.codes.length) {
        lon = num(quadrants.centroidLon[qi], 6)!;
        lat = num(quadrants.centroidLat[qi], 6)!;
      } else {
        [lon, lat] = cellCentre(s, i);
      }
      return {
        lon,
        lat,
        props: `"classificationCode":"${codes[s.cls[i]].code}","occurredOn":"${dateOf(s.day[i])}","violent":${s.violent[i] === 1}`,
      };
    },
    { total: sel.length, returned: picked.length, limit, snap: ctx.publicMap.snap },
  );
}

/** (3) and public (9): counts per day, ISO week or month; the public one suppresses small counts. */
export function timeseries(ctx: EngineContext, q: FilterInput & { interval?: Interval }, scope: Scope, minCount = 0): string {
  const f = compileFilter(ctx.store, ctx.areas, q, scope);
  const sel = select(ctx.store, f);
  const interval = q.interval ?? 'month';
  const buckets = timeSeries(ctx.store, sel, interval, f.fromDay, f.toDay);
  if (minCount > 0) {
    const shown = buckets.map((b) =>
      b.count > 0 && b.count < minCount ? { start: b.start, count: null, suppressed: true } : { ...b, suppressed: false },
    );
    return JSON.stringify({ interval, buckets: shown });
  }
  return JSON.stringify({ interval, buckets });
}

/** (4): hour × weekday. */
export function matrix(ctx: EngineContext, q: FilterInput, scope: Scope): string {
  const sel = select(ctx.store, compileFilter(ctx.store, ctx.areas, q, scope));
  return JSON.stringify(hourWeekdayMatrix(ctx.store, sel));
}

/** (5): counts by classification level. */
export function breakdownByLevel(ctx: EngineContext, q: FilterInput & { level?: number }, scope: Scope): string {
  const sel = select(ctx.store, compileFilter(ctx.store, ctx.areas, q, scope));
  return JSON.stringify({ level: q.level ?? 2, rows: breakdown(ctx.store, sel, q.level ?? 2) });
}
