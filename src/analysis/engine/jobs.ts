/**
 * The jobs' arithmetic, run in a job worker on what the store worker drew (study.ts): Gi*, local
 * Moran, emerging hot spots, KDE, Knox, and the forecast evaluation — all through the statistics
 * library (src/analysis). Each returns the result's JSON text; `progress` is called with 0…1 as
 * phases end (a KDE reports after every band of rows).
 */
import { cellArea, cellToBoundary } from 'h3-js';
import { emergingHotSpots, spaceTimeCube } from '../emerging-hotspots.js';
import { DEFAULT_COVERAGES, forecastAccuracy } from '../forecast-accuracy.js';
import { giStar } from '../gistar.js';
import { kdeGaussian, kdeQuartic, kdeRules } from '../kde.js';
import { buildKdTree, rangeSearch } from '../kdtree.js';
import { knoxTest } from '../knox.js';
import { QUADRANT_LABELS, localMoran } from '../local-moran.js';
import { dateOf, weekStart } from './calendar.js';
import { filterError } from './filter.js';
import { num } from './geojson.js';
import { convexHull, pointInPolygon, polygonAreaKm2, preparePolygon, ringAreaM2, type PreparedPolygon } from './geometry.js';
import { latticeCentres, latticeWeights } from './lattice-weights.js';
import { project, unproject } from './projection.js';
import type { JobInput, JobParams, LatticeInput } from './study.js';
import { gridRing } from './units.js';
import { polygonToCells, latLngToCell } from 'h3-js';

export type Progress = (fraction: number) => void;

const j = JSON.stringify;
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Geometry text, area and centre of every unit of a lattice. */
function unitShapes(l: LatticeInput): { geometry: (i: number) => string | null; areaKm2: (i: number) => number } {
  if (l.unit === 'h3') {
    return {
      geometry: (i) => `{"type":"Polygon","coordinates":[${j(cellToBoundary(l.ids[i], true).map(([a, b]) => [round6(a), round6(b)]))}]}`,
      areaKm2: (i) => cellArea(l.ids[i], 'km2'),
    };
  }
  if (l.unit === 'grid') {
    const ring = (i: number) => {
      const [size, col, row] = l.ids[i].split(':').map(Number);
      return gridRing(col, row, size);
    };
    return {
      geometry: (i) => `{"type":"Polygon","coordinates":[${j(ring(i).map(([a, b]) => [round6(a), round6(b)]))}]}`,
      areaKm2: (i) => ringAreaM2(ring(i).flat()) / 1e6,
    };
  }
  return { geometry: (i) => l.geometry?.[i] ?? null, areaKm2: (i) => l.areaKm2?.[i] ?? 0 };
}

/** A FeatureCollection of every unit of the lattice (zeros included: cold spots are results too). */
function latticeCollection(l: LatticeInput, props: (i: number) => string, extraMeta: object = {}): string {
  const shapes = unitShapes(l);
  const parts: string[] = [];
  let area = 0;
  let total = 0;
  for (let i = 0; i < l.ids.length; i++) {
    const geometry = shapes.geometry(i);
    if (geometry === null) continue;
    const areaKm2 = shapes.areaKm2(i);
    area += areaKm2;
    const count = l.counts[i];
    total += count;
    const population = l.population?.[i] ?? null;
    const base =
      `"id":${j(l.ids[i])},"name":${j(l.names?.[i] ?? null)},"count":${count},` +
      `"ratePer1000":${j(population ? num((count / population) * 1000) : null)},"perKm2":${j(areaKm2 > 0 ? num(count / areaKm2, 3) : null)}`;
    parts.push(`{"type":"Feature","id":${j(l.ids[i])},"geometry":${geometry},"properties":{${base},${props(i)}}}`);
  }
  const meta = { total, unit: l.unit, resolution: l.resolution, cellSize: l.cellSize, areaKm2: num(area, 3), ...extraMeta };
  return `{"type":"FeatureCollection","features":[${parts.join(',')}],"meta":${j(meta)}}`;
}

function gistarJob(l: LatticeInput, p: JobParams, progress: Progress): string {
  const w = latticeWeights(l, p.weights, p.distance, p.k);
  progress(0.5);
  const r = giStar(l.counts, w);
  progress(0.8);
  const bins = p.fdr ? r.binFdr : r.bin;
  return latticeCollection(l, (i) => `"z":${j(num(r.z[i]))},"p":${j(num(r.p[i], 8))},"bin":${bins[i]}`, {
    method: 'gistar',
    weights: p.weights ?? 'queen',
    fdr: !!p.fdr,
  });
}

function localMoranJob(l: LatticeInput, p: JobParams, progress: Progress): string {
  const w = latticeWeights(l, p.weights, p.distance, p.k);
  progress(0.5);
  const r = localMoran(l.counts, w);
  progress(0.8);
  return latticeCollection(
    l,
    (i) =>
      `"I":${j(num(r.I[i], 6))},"z":${j(num(r.z[i]))},"p":${j(num(r.p[i], 8))},"cluster":${j(r.cluster[i] > 0 ? QUADRANT_LABELS[r.cluster[i]] : null)}`,
    { method: 'localmoran', weights: p.weights ?? 'queen' },
  );
}

function emergingJob(input: Extract<JobInput, { kind: 'cube' }>, progress: Progress): string {
  const l = input.lattice;
  const w = latticeWeights(l, input.params.weights, input.params.distance, input.params.k);
  progress(0.3);
  const r = emergingHotSpots(spaceTimeCube(input.cube, l.ids.length, input.steps), w, { fdr: input.params.fdr ?? true });
  progress(0.8);
  return latticeCollection(
    l,
    (i) => {
      const loc = r.locations[i];
      return `"pattern":${j(loc.pattern)},"trendZ":${j(num(loc.trend.z))},"trendP":${j(num(loc.trend.p, 8))}`;
    },
    { method: 'emerging', timeStep: input.params.timeStep ?? 'month', steps: input.stepStarts.map(dateOf) },
  );
}

// ── KDE ─────────────────────────────────────────────────────────────────────

const RAD = Math.PI / 180;
const R = 6378137;
const mercY = (lat: number) => R * Math.log(Math.tan(Math.PI / 4 + (lat * RAD) / 2));
const latOfMercY = (y: number) => (2 * Math.atan(Math.exp(y / R)) - Math.PI / 2) / RAD;

/** Most raster cells of a KDE (4 million: a 2000 × 2000 surface). */
export const MAX_KDE_CELLS = 4_000_000;

/**
 * Kernel density on a raster aligned with longitude and Web Mercator rows (what a map image needs:
 * `bounds` and rows evenly spaced on screen), in local metres: Mercator scaled by cos φ at the
 * centre latitude, exact at that latitude and within 0.5 % over a city. Intensity per km², row 0 north.
 */
function kdeJob(input: Extract<JobInput, { kind: 'events' }>, progress: Progress): string {
  const p = input.params;
  const n = input.lon.length;
  let w = Infinity;
  let e = -Infinity;
  let s = Infinity;
  let nn = -Infinity;
  for (let i = 0; i < n; i++) {
    w = Math.min(w, input.lon[i]);
    e = Math.max(e, input.lon[i]);
    s = Math.min(s, input.lat[i]);
    nn = Math.max(nn, input.lat[i]);
  }
  if (input.studyArea) {
    const b = preparePolygon(input.studyArea).bbox;
    [w, s, e, nn] = b;
  }
  const k = Math.cos(((s + nn) / 2) * RAD);
  const x = Float64Array.from(input.lon, (lon) => R * lon * RAD * k);
  const y = Float64Array.from(input.lat, (lat) => mercY(lat) * k);
  const kernel = p.kernel ?? 'quartic';
  let bandwidth: number;
  if (p.bandwidth === undefined || p.bandwidth === 'rule') {
    if (n < 2) throw filterError('too_few', 'error.analysis.too_few', 'bandwidth', { detail: 'rule needs 2 points' });
    const rules = kdeRules(input.x, input.y);
    bandwidth = kernel === 'quartic' ? rules.arcgisSearchRadius : rules.normalReferenceSigma;
    if (!(bandwidth > 0)) bandwidth = 500;
  } else bandwidth = p.bandwidth;
  // The surface reaches one bandwidth (quartic radius, 3 σ) past the points.
  const pad = kernel === 'quartic' ? bandwidth : 3 * bandwidth;
  const x0 = R * w * RAD * k - pad;
  const x1 = R * e * RAD * k + pad;
  const y0 = mercY(s) * k - pad;
  const y1 = mercY(nn) * k + pad;
  const cellSize = p.cellSize ?? Math.max(10, Math.max(x1 - x0, y1 - y0) / 400);
  const cols = Math.max(1, Math.ceil((x1 - x0) / cellSize));
  const rows = Math.max(1, Math.ceil((y1 - y0) / cellSize));
  if (cols * rows > MAX_KDE_CELLS)
    throw filterError('too_many_cells', 'error.analysis.too_many_cells', 'cellSize', { cells: cols * rows, max: MAX_KDE_CELLS });
  const method = n > 100_000 ? 'binned' : 'exact';
  const values = new Float64Array(cols * rows);
  // Bands of rows: each is a grid of its own (same points, its own ymin): progress after each.
  const bands = Math.min(rows, 16);
  const per = Math.ceil(rows / bands);
  progress(0.05);
  for (let b = 0; b * per < rows; b++) {
    const r0 = b * per;
    const rn = Math.min(per, rows - r0);
    const grid = { xmin: x0, ymin: y0 + r0 * cellSize, cellSize, cols, rows: rn };
    const band = kernel === 'quartic' ? kdeQuartic(x, y, grid, bandwidth, { method }) : kdeGaussian(x, y, grid, bandwidth, { method });
    values.set(band, r0 * cols);
    progress(0.05 + (0.85 * (r0 + rn)) / rows);
  }
  // Row 0 north, per km² (the library: per m², row 0 south).
  const out = new Array<number>(cols * rows);
  let max = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[(rows - 1 - r) * cols + c] * 1e6;
      out[r * cols + c] = Math.round(v * 1000) / 1000;
      if (v > max) max = v;
    }
  }
  const west = x0 / (R * RAD * k);
  const east = (x0 + cols * cellSize) / (R * RAD * k);
  const south = latOfMercY(y0 / k);
  const north = latOfMercY((y0 + rows * cellSize) / k);
  return j({
    kind: 'raster',
    bounds: [round6(west), round6(south), round6(east), round6(north)],
    cols,
    rows,
    values: out,
    max: num(max, 3),
    unit: 'crimes per km²',
    kernel,
    bandwidth: num(bandwidth, 1),
    cellSize: num(cellSize, 2),
    events: n,
  });
}

function knoxJob(input: Extract<JobInput, { kind: 'events' }>, progress: Progress): string {
  const p = input.params;
  if (input.x.length < 2) throw filterError('too_few', 'error.analysis.too_few', 'from', { detail: 'Knox needs 2 events' });
  progress(0.1);
  const r = knoxTest(input.x, input.y, input.t, {
    spaceBandwidth: p.spaceBandwidth ?? 200,
    spaceBands: p.spaceBands ?? 5,
    timeBandwidth: p.timeBandwidth ?? 7,
    timeBands: p.timeBands ?? 4,
    permutations: p.permutations ?? 99,
  });
  progress(0.95);
  return j({
    kind: 'table',
    pairs: r.pairs,
    permutations: r.permutations,
    cells: r.cells.map((c) => ({
      spaceBand: c.spaceBand,
      timeBand: c.timeBand,
      spaceFrom: c.spaceFrom,
      spaceTo: Number.isFinite(c.spaceTo) ? c.spaceTo : null,
      timeFrom: c.timeFrom,
      timeTo: Number.isFinite(c.timeTo) ? c.timeTo : null,
      observed: c.observed,
      expected: num(Number.isFinite(c.expectedMc) ? c.expectedMc : c.expectedAnalytic, 3),
      ratio: num(c.knoxRatio, 3),
      p: num(c.p, 4),
    })),
  });
}

// ── forecast ────────────────────────────────────────────────────────────────

/** Defaults of the time-decayed KDE forecast: quartic kernel of 400 m, weights halving every 8 weeks. */
export const FORECAST_BANDWIDTH_M = 400;
export const FORECAST_HALF_LIFE_DAYS = 56;

const pct = (v: number) => (v >= 0.1 ? `${Math.round(v * 100)}` : `${Math.round(v * 1000) / 10}`);

/**
 * Next-period hot spots, evaluated honestly: the last complete period of `weeks` ISO weeks is held
 * out; the time-decayed KDE of everything before it and the two naive baselines (the period just
 * before; the long-run mean per period) each mark the `coverage` share of the study area they rank
 * highest; hit rate, PAI, PEI and RRI say how much of the held-out period's crime fell there.
 */
function forecastJob(input: Extract<JobInput, { kind: 'events' }>, progress: Progress): string {
  const p = input.params;
  const weeks = p.weeks ?? 4;
  const coverage = p.coverage ?? 0.05;
  const L = 7 * weeks;
  const end = weekStart(input.lastDay + 1); // exclusive: the Monday after the last complete week
  const start = end - L;
  const n = input.t.length;
  let first = Infinity;
  for (let i = 0; i < n; i++) first = Math.min(first, input.t[i]);
  if (!(first < start)) throw filterError('forecast_history', 'error.analysis.forecast_history', 'weeks', { from: dateOf(start) });
  // Cells: H3 (default resolution 9) or a grid, over the study area (the filter's area or the events' hull) and every event's cell.
  const unit = p.unit === 'grid' ? 'grid' : 'h3';
  const res = p.resolution ?? 9;
  const size = p.cellSize ?? 250;
  const keyOf = (i: number) => {
    if (unit === 'h3') return latLngToCell(input.lat[i], input.lon[i], res);
    return `${size}:${Math.floor(input.x[i] / size)}:${Math.floor(input.y[i] / size)}`;
  };
  const cells = new Map<string, number>();
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keyOf(i);
    let c = cells.get(key);
    if (c === undefined) cells.set(key, (c = cells.size));
    cellOf[i] = c;
  }
  const area =
    input.studyArea ??
    (convexHull(input.lon, input.lat) ? { type: 'Polygon' as const, coordinates: [convexHull(input.lon, input.lat)!] } : null);
  if (area) {
    const km2 = polygonAreaKm2(area);
    const cellKm2 = unit === 'h3' ? [5.161, 0.737, 0.105, 0.015][res - 7] : (size * size) / 1e6;
    if (km2 / cellKm2 > 250_000)
      throw filterError('too_many_cells', 'error.analysis.too_many_cells', 'resolution', {
        cells: Math.round(km2 / cellKm2),
        max: 250_000,
      });
    const prepared: PreparedPolygon = preparePolygon(area);
    if (unit === 'h3') {
      for (const poly of area.type === 'Polygon' ? [area.coordinates] : area.coordinates)
        for (const c of polygonToCells(poly, res, true)) if (!cells.has(c)) cells.set(c, cells.size);
    } else {
      const [w, s, e, nn] = prepared.bbox;
      const corners = [project(w, s), project(e, s), project(e, nn), project(w, nn)];
      for (
        let r = Math.floor(Math.min(...corners.map((q) => q[1])) / size);
        r <= Math.floor(Math.max(...corners.map((q) => q[1])) / size);
        r++
      )
        for (
          let c = Math.floor(Math.min(...corners.map((q) => q[0])) / size);
          c <= Math.floor(Math.max(...corners.map((q) => q[0])) / size);
          c++
        ) {
          const [lon, lat] = unproject((c + 0.5) * size, (r + 0.5) * size);
          const key = `${size}:${c}:${r}`;
          if (!cells.has(key) && pointInPolygon(prepared, lon, lat)) cells.set(key, cells.size);
        }
    }
  }
  progress(0.2);
  const ids = [...cells.keys()];
  const m = ids.length;
  const lattice: LatticeInput = {
    unit,
    resolution: unit === 'h3' ? res : null,
    cellSize: unit === 'grid' ? size : null,
    ids,
    counts: new Float64Array(m),
  };
  const areaKm2 = Float64Array.from(ids, (id, i) => unitShapes(lattice).areaKm2(i));
  const obs = new Float64Array(m);
  const last = new Float64Array(m);
  const longRun = new Float64Array(m);
  const historyStart = first;
  const periods = (start - historyStart) / L;
  for (let i = 0; i < n; i++) {
    const t = input.t[i];
    if (t >= start && t < end) obs[cellOf[i]]++;
    else if (t < start) {
      longRun[cellOf[i]] += 1 / periods;
      if (t >= start - L) last[cellOf[i]]++;
    }
  }
  // Time-decayed KDE at the cell centres: Σ 2^(−age/halfLife) · quartic(d), × cell area (expected events).
  const hist: number[] = [];
  for (let i = 0; i < n; i++) if (input.t[i] < start) hist.push(i);
  const hx = Float64Array.from(hist, (i) => input.x[i]);
  const hy = Float64Array.from(hist, (i) => input.y[i]);
  const hw = Float64Array.from(hist, (i) => 2 ** (-(start - input.t[i]) / FORECAST_HALF_LIFE_DAYS));
  const search = rangeSearch(buildKdTree(hx, hy));
  const { x: cx, y: cy } = latticeCentres(lattice);
  const bw = typeof p.bandwidth === 'number' ? p.bandwidth : FORECAST_BANDWIDTH_M;
  const r2 = bw * bw;
  const norm = 3 / (Math.PI * r2);
  const kde = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let sum = 0;
    search(cx[c], cy[c], r2, (jj, d2) => {
      const u = 1 - d2 / r2;
      sum += hw[jj] * u * u;
    });
    kde[c] = sum * norm * areaKm2[c] * 1e6;
  }
  progress(0.8);
  const evaluate = (pred: Float64Array) => forecastAccuracy({ pred, obs, area: areaKm2, base: last }, [coverage])[0];
  const results = [
    { method: 'decayed_kde', acc: evaluate(kde) },
    { method: 'last_period', acc: evaluate(last) },
    { method: 'long_run', acc: evaluate(longRun) },
  ];
  const [kd, lp, lr] = results.map((r) => r.acc);
  const from = dateOf(start);
  const to = dateOf(end - 1);
  const share = pct(kd.areaFraction);
  const sentence = {
    es:
      `Pronóstico del ${from} al ${to} (KDE con decaimiento temporal, evaluado sobre ese periodo ya ocurrido): marcó el ${share} % del área; ` +
      `ahí ocurrió el ${pct(kd.hitRate || 0)} % de los delitos (PAI ${num(kd.pai, 1) ?? '—'}). ` +
      `Con los conteos del periodo anterior: ${pct(lp.hitRate || 0)} %; con el promedio histórico: ${pct(lr.hitRate || 0)} %.`,
    en:
      `Forecast for ${from} to ${to} (time-decayed KDE, evaluated on that period after it happened): it marked ${share}% of the area; ` +
      `${pct(kd.hitRate || 0)}% of the crimes happened there (PAI ${num(kd.pai, 1) ?? '—'}). ` +
      `Last period's counts: ${pct(lp.hitRate || 0)}%; the long-run average: ${pct(lr.hitRate || 0)}%.`,
  };
  return j({
    period: { from, to },
    coverage,
    methods: results.map(({ method, acc }) => ({
      method,
      hitRate: num(acc.hitRate, 4),
      pai: num(acc.pai, 3),
      pei: num(acc.pei, 3),
      rri: num(acc.rriLevine, 3),
      areaFraction: num(acc.areaFraction, 4),
      hits: acc.hits,
      total: acc.total,
    })),
    sentence,
    unit,
    resolution: lattice.resolution,
    cellSize: lattice.cellSize,
    cells: m,
    history: { from: dateOf(historyStart), to: dateOf(start - 1) },
    halfLifeDays: FORECAST_HALF_LIFE_DAYS,
    bandwidth: bw,
  });
}

export { DEFAULT_COVERAGES };

/** Runs a job; throws an AppError (400) for inputs the method cannot take. */
export function runJob(input: JobInput, progress: Progress): string {
  switch (input.kind) {
    case 'lattice':
      return input.params.method === 'localmoran'
        ? localMoranJob(input.lattice, input.params, progress)
        : gistarJob(input.lattice, input.params, progress);
    case 'cube':
      return emergingJob(input, progress);
    case 'events':
      if (input.params.method === 'kde') return kdeJob(input, progress);
      if (input.params.method === 'knox') return knoxJob(input, progress);
      return forecastJob(input, progress);
  }
}
