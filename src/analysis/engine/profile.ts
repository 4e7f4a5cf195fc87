/**
 * A neighbourhood profile (colonia, quadrant or municipality) for a period: counts and rates by
 * crime subtype against the previous period of the same length and the same dates a year before,
 * the hour × weekday matrix, Gi* hot spots inside (H3 resolution 9, computed over the whole
 * municipality so that the area is judged against its surroundings), and its rank among its peers.
 */
import { cellToBoundary, polygonToCells } from 'h3-js';
import { giStar } from '../gistar.js';
import { countByNode, hourWeekdayMatrix } from './aggregate.js';
import { dateOf, yearBefore } from './calendar.js';
import { compileFilter, filterError, parseArea, select, type FilterInput, type Scope } from './filter.js';
import { num } from './geojson.js';
import { pointInPolygon } from './geometry.js';
import { latticeWeights } from './lattice-weights.js';
import type { EngineContext } from './queries.js';
import { countUnits } from './units.js';

/** Default length of a profile's period when none is given: the 90 days up to the latest record. */
export const DEFAULT_PROFILE_DAYS = 90;

const PEERS = {
  colonia: 'colonias of the municipality',
  quadrant: 'quadrants of the municipality',
  municipality: 'municipalities of the state',
} as const;

/** Percent change from a to b (as the indicators module: (b − a) ÷ a × 100), null when a is 0. */
const change = (a: number, b: number) => (a > 0 ? num(((b - a) / a) * 100, 1) : null);

export function profile(ctx: EngineContext, q: FilterInput & { area: string }, scope: Scope): string {
  const s = ctx.store;
  const area = parseArea(s, ctx.areas, q.area);
  if (area.kind === 'state') throw filterError('unknown_area', 'error.analysis.area', 'area', { value: q.area });
  const kind = area.kind;
  const layer = ctx.areas[kind];
  const ai = area.areaIndex;
  const population = layer.population[ai];

  const toDay = q.to ? compileFilter(s, ctx.areas, { to: q.to }, scope).toDay : s.maxDay;
  const fromDay = q.from ? compileFilter(s, ctx.areas, { from: q.from }, scope).fromDay : toDay - DEFAULT_PROFILE_DAYS + 1;
  if (!Number.isFinite(fromDay) || !Number.isFinite(toDay)) throw filterError('no_data', 'error.analysis.no_data', 'from');
  if (fromDay > toDay) throw filterError('date_order', 'error.analysis.date_order', 'from', { from: dateOf(fromDay), to: dateOf(toDay) });
  const len = toDay - fromDay + 1;
  const periods = {
    period: [fromDay, toDay],
    previous: [fromDay - len, fromDay - 1],
    lastYear: [yearBefore(fromDay), yearBefore(toDay)],
  } as const;
  const rest = { classification: q.classification, hours: q.hours, weekdays: q.weekdays };
  const selectIn = (range: readonly [number, number], a: string | undefined = q.area) =>
    select(s, compileFilter(s, ctx.areas, { ...rest, area: a, from: dateOf(range[0]), to: dateOf(range[1]) }, scope)).slice();

  const now = selectIn(periods.period);
  const before = selectIn(periods.previous);
  const lastYear = selectIn(periods.lastYear);
  const n = s.classes.nodes.length;
  const fold = (sel: Int32Array) => {
    const byNode = countByNode(s, sel);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) if (byNode[k]) out[s.classes.ancestorAt[2 * n + k]] += byNode[k];
    return out;
  };
  const [cNow, cBefore, cYear] = [fold(now), fold(before), fold(lastYear)];
  const rate = (count: number) => (population ? num((count / population) * 1000) : null);
  const row = (count: number, prev: number, year: number) => ({
    count,
    ratePer1000: rate(count),
    previous: prev,
    lastYear: year,
    changePrevious: change(prev, count),
    changeLastYear: change(year, count),
  });
  const byType: object[] = [];
  for (let k = 0; k < n; k++) {
    if (cNow[k] || cBefore[k] || cYear[k]) {
      const node = s.classes.nodes[k];
      byType.push({ code: node.code, name: node.name, nameEn: node.nameEn, ...row(cNow[k], cBefore[k], cYear[k]) });
    }
  }
  byType.sort((a, b) => (b as { count: number }).count - (a as { count: number }).count);

  // Rank among peers: the colonias (or quadrants) of its municipality, the municipalities of its state.
  const parent = layer.parent[ai];
  const peers: number[] = [];
  for (let i = 0; i < layer.codes.length; i++) if (layer.parent[i] === parent) peers.push(i);
  const parentArea = kind === 'municipality' ? `state:${parent}` : `municipality:${parent}`;
  const inParent = ctx.areas[kind === 'municipality' ? 'state' : 'municipality'].indexOf.has(parent)
    ? selectIn(periods.period, parentArea)
    : now;
  const peerCounts = countUnits(s, inParent, { unit: kind });
  const countOf = new Map<number, number>();
  peerCounts.keys.forEach((key, p) => countOf.set(key - 1, peerCounts.counts[p]));
  const mine = countOf.get(ai) ?? 0;
  const position = 1 + peers.filter((i) => (countOf.get(i) ?? 0) > mine).length;

  return JSON.stringify({
    area: { kind, id: area.code, name: layer.names[ai], population, areaKm2: num(layer.areaKm2[ai], 3) },
    period: { from: dateOf(periods.period[0]), to: dateOf(periods.period[1]) },
    previous: { from: dateOf(periods.previous[0]), to: dateOf(periods.previous[1]) },
    lastYear: { from: dateOf(periods.lastYear[0]), to: dateOf(periods.lastYear[1]) },
    byType,
    total: row(now.length, before.length, lastYear.length),
    matrix: hourWeekdayMatrix(s, now).counts,
    hotspots: hotspots(ctx, kind === 'municipality' ? now : inParent, kind === 'municipality' ? area.code : parent, kind, ai),
    rank: { position, of: peers.length, peers: PEERS[kind] },
  });
}

/** Gi* hot cells (H3 res 9, queen) of the municipality's cells, kept where the cell centre lies in the area. */
function hotspots(ctx: EngineContext, sel: Int32Array, municipality: string, kind: 'colonia' | 'quadrant' | 'municipality', ai: number) {
  const empty = { type: 'FeatureCollection', features: [] as object[] };
  const muni = ctx.areas.municipality.indexOf.get(municipality);
  if (muni === undefined || sel.length < 2) return empty;
  const s = ctx.store;
  const counted = countUnits(s, sel, { unit: 'h3', resolution: 9 });
  const dict = s.dict.h3[2].values;
  const counts = new Map<string, number>();
  counted.keys.forEach((k, p) => counts.set(dict[k], counted.counts[p]));
  const g = ctx.areas.municipality.geometry(muni);
  const cells = new Set(counts.keys());
  for (const poly of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) for (const c of polygonToCells(poly, 9, true)) cells.add(c);
  const ids = [...cells].sort();
  if (ids.length > 60_000) return empty;
  const values = Float64Array.from(ids, (id) => counts.get(id) ?? 0);
  let result;
  try {
    result = giStar(values, latticeWeights({ unit: 'h3', resolution: 9, cellSize: null, ids, counts: values }, 'queen'));
  } catch {
    return empty;
  }
  const prepared = ctx.areas[kind].prepared(ai);
  const features: object[] = [];
  ids.forEach((id, i) => {
    if (result.bin[i] <= 0) return;
    const ring = cellToBoundary(id, true);
    const [cx, cy] = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
    if (!pointInPolygon(prepared, cx, cy)) return;
    features.push({
      type: 'Feature',
      id,
      geometry: { type: 'Polygon', coordinates: [ring.map(([a, b]) => [num(a, 6), num(b, 6)])] },
      properties: { id, name: null, count: values[i], z: num(result.z[i]), p: num(result.p[i], 6), bin: result.bin[i] },
    });
  });
  return { type: 'FeatureCollection', features };
}
