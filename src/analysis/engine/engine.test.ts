/**
 * The engine against a direct recount of real records (the first 6,000 rows of 2015 of
 * src/records/data/incidents, through the records module's checks): every aggregation, every filter,
 * the public map's rules, the jobs' outputs and the forecast evaluation's arithmetic on a case
 * worked out by hand.
 */
import { cellToLatLng, latLngToCell } from 'h3-js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CrimeRowForAnalysis } from '../../records/crime.service.js';
import { giStar } from '../gistar.js';
import {
  aggregateResponse,
  breakdownResponse,
  emergingResult,
  forecastResponse,
  gistarResult,
  localMoranResult,
  matrixResponse,
  pointsResponse,
  profileResponse,
  publicPointsResponse,
  publicTimeseriesResponse,
  timeseriesResponse,
} from '../analysis.schemas.js';
import { loadAreas } from './areas.js';
import { dayOf, weekdayOf } from './calendar.js';
import { classificationIndex, SENSITIVE_CODES } from './classification.js';
import { appendRows, BYTES_PER_RECORD, createColumnStore, sortByDay } from './columns.js';
import { compileFilter, select } from './filter.js';
import { checkDrawnPolygon, ringAreaM2 } from './geometry.js';
import { runJob } from './jobs.js';
import { latticeWeights } from './lattice-weights.js';
import { profile } from './profile.js';
import { project, scaleFactor, unproject } from './projection.js';
import { aggregate, breakdownByLevel, matrix, points, publicPoints, timeseries, type EngineContext } from './queries.js';
import { incidentsFile, readIncidents, realRows } from './real-rows.js';
import { jobInput, type JobInput } from './study.js';
import { gridRing } from './units.js';

type Feature = { id: string; properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } };
const ALL = { all: true } as const;

let rows: CrimeRowForAnalysis[];
let ctx: EngineContext;
const ask = (text: string) => JSON.parse(text) as Record<string, unknown>;
const countsOf = (text: string) => new Map((ask(text).features as Feature[]).map((f) => [f.id, f.properties.count as number]));
const tally = <T>(items: T[], key: (t: T) => string | null) => {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
};
const sorted = (m: Map<string, number>) => [...m].sort((a, b) => a[0].localeCompare(b[0]));

beforeAll(() => {
  rows = realRows(readIncidents(incidentsFile(2015), 6000));
  const areas = loadAreas();
  const store = createColumnStore(areas, classificationIndex());
  // Two thirds sorted by day (as after the initial load), the rest an unsorted tail (as new records).
  appendRows(store, rows.slice(0, 4000));
  sortByDay(store);
  appendRows(store, rows.slice(4000));
  ctx = { store, areas, publicMap: { snap: 'h3', minCount: 5 } };
});

describe('projection (EPSG:6372) and geometry', () => {
  it('projects to INEGI Lambert and back, true to scale on the standard parallels', () => {
    const [x, y] = project(-102, 12);
    expect(x).toBeCloseTo(2_500_000, 6);
    expect(y).toBeCloseTo(0, 6);
    for (const [lon, lat] of [
      [-99.1332, 19.4326],
      [-117.03, 32.53],
      [-86.85, 21.16],
    ]) {
      const [a, b] = unproject(...project(lon, lat));
      expect(a).toBeCloseTo(lon, 9);
      expect(b).toBeCloseTo(lat, 9);
    }
    expect(scaleFactor(17.5)).toBeCloseTo(1, 9);
    expect(scaleFactor(29.5)).toBeCloseTo(1, 9);
    expect(Math.abs(scaleFactor(19.43) - 1)).toBeLessThan(0.003);
  });

  it('checks drawn polygons: closed, ≤ 1000 vertices, no self-intersection, some area', () => {
    const square = {
      type: 'Polygon',
      coordinates: [
        [
          [-99.2, 19.4],
          [-99.1, 19.4],
          [-99.1, 19.5],
          [-99.2, 19.5],
        ],
      ],
    };
    const ok = checkDrawnPolygon(square);
    expect(ok.ok && ok.polygon.coordinates[0]).toHaveLength(5); // closed here
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [-99.2, 19.4],
          [-99.1, 19.5],
          [-99.1, 19.4],
          [-99.2, 19.5],
          [-99.2, 19.4],
        ],
      ],
    };
    expect(checkDrawnPolygon(bowtie)).toEqual({ ok: false, problem: 'self_intersecting' });
    const spike = {
      type: 'Polygon',
      coordinates: [
        [
          [-99.2, 19.4],
          [-99.1, 19.4],
          [-99.15, 19.4],
          [-99.15, 19.5],
          [-99.2, 19.4],
        ],
      ],
    };
    expect(checkDrawnPolygon(spike)).toEqual({ ok: false, problem: 'self_intersecting' });
    const circle = Array.from({ length: 1001 }, (_, k) => [
      -99.1 + 0.1 * Math.cos((2 * Math.PI * k) / 1001),
      19.4 + 0.1 * Math.sin((2 * Math.PI * k) / 1001),
    ]);
    expect(checkDrawnPolygon({ type: 'Polygon', coordinates: [circle] })).toEqual({ ok: false, problem: 'too_many_vertices' });
    expect(checkDrawnPolygon({ type: 'Polygon', coordinates: [circle.slice(0, 1000)] }).ok).toBe(true);
    expect(
      checkDrawnPolygon({
        type: 'Polygon',
        coordinates: [
          [
            [-99.2, 19.4],
            [-99.1, 19.4],
            [-99.2, 19.4],
          ],
        ],
      }),
    ).toEqual({
      ok: false,
      problem: 'too_few_vertices',
    });
    expect(checkDrawnPolygon({ type: 'Point', coordinates: [1, 2] })).toEqual({ ok: false, problem: 'shape' });
    expect(
      checkDrawnPolygon({
        type: 'Polygon',
        coordinates: [
          [
            [-999, 19],
            [1, 2],
            [3, 4],
          ],
        ],
      }),
    ).toEqual({ ok: false, problem: 'out_of_range' });
  });
});

describe('column store and aggregations (direct recount of 6,000 real records of 2015)', () => {
  it('keeps every record in 76 bytes', () => {
    expect(ctx.store.n).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(5900);
    expect(BYTES_PER_RECORD).toBe(76);
  });

  it('counts per H3 cell (7–10) as a recount of the records’ cells', () => {
    for (const [resolution, key] of [
      [7, 'h3R7'],
      [8, 'h3R8'],
      [9, 'h3R9'],
      [10, 'h3R10'],
    ] as const) {
      const text = aggregate(ctx, { unit: 'h3', resolution }, ALL);
      expect(sorted(countsOf(text))).toEqual(sorted(tally(rows, (r) => r[key])));
      aggregateResponse.parse(ask(text));
    }
  });

  it('counts per 250 m and 1 km grid cell (EPSG:6372) as a recount', () => {
    for (const size of [250, 1000]) {
      const text = aggregate(ctx, { unit: 'grid', cellSize: size }, ALL);
      // The store keeps x and y as Float32 (±0.25 m): the recount rounds the same way.
      const recount = tally(rows, (r) => {
        const [x, y] = project(r.lon, r.lat);
        return `${size}:${Math.floor(Math.fround(x) / size)}:${Math.floor(Math.fround(y) / size)}`;
      });
      expect(sorted(countsOf(text))).toEqual(sorted(recount));
      const fc = aggregateResponse.parse(ask(text));
      const area = fc.features[0].properties.count! / fc.features[0].properties.perKm2!;
      expect(area).toBeCloseTo((size / 1000) ** 2 / scaleFactor(19.4) ** 2, 2);
    }
  });

  it('counts per colonia, quadrant, municipality and state, with rates per 1,000 where population exists', () => {
    const byColonia = aggregate(ctx, { unit: 'colonia' }, ALL);
    expect(sorted(countsOf(byColonia))).toEqual(sorted(tally(rows, (r) => r.coloniaId)));
    expect(sorted(countsOf(aggregate(ctx, { unit: 'quadrant' }, ALL)))).toEqual(sorted(tally(rows, (r) => r.quadrantId)));
    expect(sorted(countsOf(aggregate(ctx, { unit: 'municipality' }, ALL)))).toEqual(sorted(tally(rows, (r) => r.municipalityCode)));
    expect(sorted(countsOf(aggregate(ctx, { unit: 'state' }, ALL)))).toEqual(sorted(tally(rows, (r) => r.stateCode)));
    const fc = aggregateResponse.parse(ask(byColonia));
    const layer = ctx.areas.colonia;
    for (const f of fc.features.slice(0, 50)) {
      const i = layer.indexOf.get(f.id)!;
      expect(f.properties.name).toBe(layer.names[i]);
      const pop = layer.population[i];
      expect(f.properties.ratePer1000).toBeCloseTo(pop ? (f.properties.count! / pop) * 1000 : NaN, 3);
      expect(f.properties.perKm2).toBeCloseTo(f.properties.count! / layer.areaKm2[i], 2);
    }
    const quadrant = aggregateResponse.parse(ask(aggregate(ctx, { unit: 'quadrant' }, ALL)));
    expect(quadrant.features.every((f) => f.properties.ratePer1000 === null)).toBe(true);
  });

  it('filters by classification subtree, dates, hours (wrapping midnight), weekdays, area and drawn polygon', () => {
    // Three units, three paths: states count through the selected indices, municipalities (Uint16) and H3
    // cells (Uint32) in the filter's own pass when it has no area, polygon or jurisdiction; all must agree.
    const total = (q: object) => {
      const [a, b, c] = (['state', 'municipality', 'h3'] as const).map(
        (unit) => (ask(aggregate(ctx, { unit, ...q }, ALL)).meta as { total: number }).total,
      );
      expect(b).toBe(a);
      expect(c).toBe(a);
      return a;
    };
    const count = (pred: (r: CrimeRowForAnalysis) => boolean) => rows.filter(pred).length;
    expect(total({ classification: '4.1' })).toBe(count((r) => r.classificationCode.startsWith('4.1.')));
    expect(total({ classification: '1.1.1,3' })).toBe(
      count((r) => r.classificationCode.startsWith('1.1.1') || r.classificationCode.startsWith('3.')),
    );
    expect(total({ from: '2015-01-10', to: '2015-01-20' })).toBe(
      count((r) => r.occurredOn >= '2015-01-10' && r.occurredOn <= '2015-01-20'),
    );
    const hour = (r: CrimeRowForAnalysis) => (r.occurredTime ? Number(r.occurredTime.slice(0, 2)) : -1);
    expect(total({ hours: '22-3' })).toBe(count((r) => hour(r) >= 22 || (hour(r) >= 0 && hour(r) <= 3)));
    expect(total({ hours: '8,12-13' })).toBe(count((r) => [8, 12, 13].includes(hour(r))));
    const isoDay = (r: CrimeRowForAnalysis) => ((new Date(`${r.occurredOn}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
    expect(total({ weekdays: '6,7' })).toBe(count((r) => isoDay(r) >= 6));
    expect(total({ area: 'municipality:09015' })).toBe(count((r) => r.municipalityCode === '09015'));
    expect(total({ area: 'colonia:15-040' })).toBe(count((r) => r.coloniaId === '15-040'));
    expect(total({ area: 'quadrant:C-1.1.3' })).toBe(count((r) => r.quadrantId === 'C-1.1.3'));
    const box = [-99.17, 19.41, -99.12, 19.45];
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [box[0], box[1]],
          [box[2], box[1]],
          [box[2], box[3]],
          [box[0], box[3]],
          [box[0], box[1]],
        ],
      ],
    };
    const inBox = count((r) => r.lon > box[0] && r.lon < box[2] && r.lat > box[1] && r.lat < box[3]);
    expect(inBox).toBeGreaterThan(100);
    expect(total({ polygon: JSON.stringify(polygon) })).toBe(inBox);
    expect(total({ polygon })).toBe(inBox);
    expect(total({ classification: '4.1.2', from: '2015-01-05', hours: '0-5', weekdays: '1,2,3,4,5', area: 'municipality:09007' })).toBe(
      count(
        (r) =>
          r.classificationCode.startsWith('4.1.2') &&
          r.occurredOn >= '2015-01-05' &&
          hour(r) >= 0 &&
          hour(r) <= 5 &&
          isoDay(r) <= 5 &&
          r.municipalityCode === '09007',
      ),
    );
  });

  it('refuses bad filters naming the field', () => {
    const fails = (q: object) => {
      try {
        compileFilter(ctx.store, ctx.areas, q, ALL);
      } catch (e) {
        return { code: (e as { code: string }).code, field: (e as { field: string }).field };
      }
      return null;
    };
    expect(fails({ from: '2015-03-01', to: '2015-02-01' })).toEqual({ code: 'date_order', field: 'from' });
    expect(fails({ from: '2015-02-30' })).toEqual({ code: 'invalid_date', field: 'from' });
    expect(fails({ classification: '9.9' })).toEqual({ code: 'unknown_classification', field: 'classification' });
    expect(fails({ hours: '25' })).toEqual({ code: 'validation', field: 'hours' });
    expect(fails({ area: 'colonia:no-existe' })).toEqual({ code: 'unknown_area', field: 'area' });
    expect(
      fails({ polygon: '{"type":"Polygon","coordinates":[[[-99.2,19.4],[-99.1,19.5],[-99.1,19.4],[-99.2,19.5],[-99.2,19.4]]]}' }),
    ).toEqual({
      code: 'polygon_self_intersecting',
      field: 'polygon',
    });
    expect(fails({ polygon: 'not json' })).toEqual({ code: 'polygon_invalid', field: 'polygon' });
  });

  it('limits a scoped actor to its jurisdiction (CR-1) exactly as the records module does', () => {
    const scope = { all: false, stateCode: null, municipalityCode: '09015', ownerAgencyIds: [] } as const;
    const sel = select(ctx.store, compileFilter(ctx.store, ctx.areas, {}, scope));
    expect(sel.length).toBe(rows.filter((r) => r.municipalityCode === '09015').length);
    const jal = { all: false, stateCode: '14', municipalityCode: null, ownerAgencyIds: ['x'] } as const;
    expect(select(ctx.store, compileFilter(ctx.store, ctx.areas, {}, jal)).length).toBe(0);
  });

  it('builds time series by day, ISO week and month with empty periods as zero', () => {
    for (const interval of ['day', 'week', 'month'] as const) {
      const ts = timeseriesResponse.parse(ask(timeseries(ctx, { interval, from: '2015-01-01', to: '2015-03-31' }, ALL)));
      expect(ts.buckets.reduce((t, b) => t + b.count, 0)).toBe(rows.filter((r) => r.occurredOn <= '2015-03-31').length);
      if (interval === 'week') expect(ts.buckets.every((b) => weekdayOf(dayOf(b.start)) === 0)).toBe(true);
      if (interval === 'day') expect(ts.buckets).toHaveLength(90);
    }
    const days = timeseriesResponse.parse(ask(timeseries(ctx, { interval: 'day', classification: '1.1.1' }, ALL)));
    const byDay = tally(
      rows.filter((r) => r.classificationCode.startsWith('1.1.1')),
      (r) => r.occurredOn,
    );
    for (const b of days.buckets) expect(b.count).toBe(byDay.get(b.start) ?? 0);
  });

  it('counts the hour × weekday matrix and the unknown times', () => {
    const m = matrixResponse.parse(ask(matrix(ctx, {}, ALL)));
    const unknown = rows.filter((r) => !r.occurredTime).length;
    expect(m.unknownTime).toBe(unknown);
    const r0 = rows.find((r) => r.occurredTime)!;
    const wd = weekdayOf(dayOf(r0.occurredOn));
    const h = Number(r0.occurredTime!.slice(0, 2));
    expect(m.counts[wd][h]).toBe(
      rows.filter((r) => r.occurredTime && weekdayOf(dayOf(r.occurredOn)) === wd && Number(r.occurredTime.slice(0, 2)) === h).length,
    );
    expect(m.counts.flat().reduce((a, b) => a + b, 0) + unknown).toBe(rows.length);
  });

  it('breaks counts down by any level, coarser records under their own node', () => {
    for (const level of [1, 2, 3, 4]) {
      const b = breakdownResponse.parse(ask(breakdownByLevel(ctx, { level }, ALL)));
      expect(b.rows.reduce((t, r) => t + r.count, 0)).toBe(rows.length);
    }
    const types = breakdownResponse.parse(ask(breakdownByLevel(ctx, { level: 2 }, ALL)));
    expect(types.rows.find((r) => r.code === '4.1')!.count).toBe(rows.filter((r) => r.classificationCode.startsWith('4.1.')).length);
  });

  it('answers the most recent points with the record ids', () => {
    const p = pointsResponse.parse(ask(points(ctx, { limit: 100 }, ALL)));
    expect(p.features).toHaveLength(100);
    expect(p.meta).toEqual({ total: rows.length, returned: 100, limit: 100 });
    const latestDay = rows
      .map((r) => r.occurredOn)
      .sort()
      .at(-1);
    expect(p.features[0].properties.occurredOn).toBe(latestDay);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const f of p.features) {
      const r = byId.get(f.properties.id)!;
      expect(f.geometry.coordinates).toEqual([r.lon, r.lat]);
      expect(f.properties.classificationCode).toBe(r.classificationCode);
    }
  });

  it('profiles a colonia: subtypes, changes, matrix, hot spots inside, rank among the colonias of its alcaldía', () => {
    const pr = profileResponse.parse(ask(profile(ctx, { area: 'colonia:15-040', from: '2015-02-01', to: '2015-02-28' }, ALL)));
    expect(pr.area).toMatchObject({ kind: 'colonia', id: '15-040', name: 'Centro IV' });
    expect(pr.previous).toEqual({ from: '2015-01-04', to: '2015-01-31' });
    expect(pr.lastYear).toEqual({ from: '2014-02-01', to: '2014-02-28' });
    const inFeb = rows.filter((r) => r.coloniaId === '15-040' && r.occurredOn >= '2015-02-01' && r.occurredOn <= '2015-02-28');
    expect(pr.total.count).toBe(inFeb.length);
    expect(pr.byType.reduce((t, r) => t + r.count, 0)).toBe(inFeb.length);
    const before = rows.filter((r) => r.coloniaId === '15-040' && r.occurredOn >= '2015-01-04' && r.occurredOn <= '2015-01-31').length;
    expect(pr.total.previous).toBe(before);
    expect(pr.total.changePrevious).toBeCloseTo(((inFeb.length - before) / before) * 100, 1);
    expect(pr.total.lastYear).toBe(0);
    expect(pr.total.changeLastYear).toBeNull();
    expect(pr.rank.peers).toBe('colonias of the municipality');
    expect(pr.rank.of).toBe(ctx.areas.colonia.parent.filter((p) => p === '09015').length);
    expect(pr.matrix.flat().reduce((a, b) => a + b, 0)).toBe(inFeb.filter((r) => r.occurredTime).length);
  });
});

describe('public map: generalised, no sensitive points, small counts suppressed', () => {
  it('never shows a sexual crime or family violence as a point, and snaps to the H3 resolution-9 centre', () => {
    const sensitive = rows.filter((r) =>
      SENSITIVE_CODES.some((c) => r.classificationCode === c || r.classificationCode.startsWith(`${c}.`)),
    );
    expect(sensitive.length).toBeGreaterThan(50); // VIOLACION rows (3.4.1)
    const p = publicPointsResponse.parse(ask(publicPoints(ctx, { limit: 50_000 })));
    expect(p.features).toHaveLength(rows.length - sensitive.length);
    for (const f of p.features) {
      expect(f.properties.classificationCode.startsWith('3.')).toBe(false);
      expect(/^5\.[12]\b/.test(f.properties.classificationCode)).toBe(false);
      const [lon, lat] = f.geometry.coordinates;
      const [clat, clon] = cellToLatLng(latLngToCell(lat, lon, 9));
      expect(lon).toBeCloseTo(clon, 9);
      expect(lat).toBeCloseTo(clat, 9);
      expect(Object.keys(f.properties).sort()).toEqual(['classificationCode', 'occurredOn', 'violent']);
    }
    // Even asked for by classification, a sensitive crime has no point.
    expect(publicPointsResponse.parse(ask(publicPoints(ctx, { classification: '3' }))).features).toHaveLength(0);
  });

  it('snaps to the quadrant centre when so configured', () => {
    const q = { ...ctx, publicMap: { snap: 'quadrant' as const, minCount: 5 } };
    const p = publicPointsResponse.parse(ask(publicPoints(q, { limit: 500 })));
    const centres = new Set(
      ctx.areas.quadrant.codes.map(
        (_, i) =>
          `${Math.round(ctx.areas.quadrant.centroidLon[i] * 1e6) / 1e6},${Math.round(ctx.areas.quadrant.centroidLat[i] * 1e6) / 1e6}`,
      ),
    );
    const snapped = p.features.filter((f) => centres.has(f.geometry.coordinates.join(',')));
    expect(snapped.length).toBeGreaterThan(p.features.length * 0.95); // the rest have no quadrant: H3 centres
  });

  it('suppresses counts below the threshold in aggregates and series', () => {
    const fc = aggregateResponse.parse(ask(aggregate(ctx, { unit: 'colonia', classification: '1.1.1' }, ALL, 5)));
    const truth = tally(
      rows.filter((r) => r.classificationCode.startsWith('1.1.1')),
      (r) => r.coloniaId,
    );
    const hidden = fc.features.filter((f) => f.properties.suppressed);
    expect(hidden.length).toBeGreaterThan(10);
    for (const f of fc.features) {
      const n = truth.get(f.id)!;
      if (n < 5) expect(f.properties).toMatchObject({ count: null, ratePer1000: null, perKm2: null, suppressed: true });
      else expect(f.properties).toMatchObject({ count: n, suppressed: false });
    }
    expect(fc.meta.suppressed).toBe(hidden.length);
    expect(fc.meta.total).toBe([...truth.values()].filter((n) => n >= 5).reduce((a, b) => a + b, 0));
    const ts = publicTimeseriesResponse.parse(ask(timeseries(ctx, { interval: 'day', classification: '1.1.1' }, ALL, 5)));
    expect(ts.buckets.some((b) => b.suppressed)).toBe(true);
    expect(ts.buckets.every((b) => b.suppressed === (b.count === null) && (b.count === null || b.count === 0 || b.count >= 5))).toBe(true);
  });
});

describe('jobs on the study region', () => {
  const run = (params: object) => {
    const { input } = jobInput(ctx, params as never, ALL);
    const progress: number[] = [];
    return { input, out: ask(runJob(input, (p) => progress.push(p))), progress };
  };

  it('Gi* over every hexagon of the study area (zeros included) equals the library on the same counts', () => {
    const { input, out, progress } = run({ method: 'gistar', unit: 'h3', resolution: 8, fdr: true });
    const l = (input as Extract<JobInput, { kind: 'lattice' }>).lattice;
    const fc = gistarResult.parse(out);
    expect(fc.features).toHaveLength(l.ids.length);
    expect(l.counts.filter((c) => c === 0).length).toBeGreaterThan(10);
    expect(l.counts.reduce((a, b) => a + b, 0)).toBe(rows.length);
    const ref = giStar(l.counts, latticeWeights(l, 'queen'));
    fc.features.forEach((f, i) => {
      expect(f.properties.z).toBeCloseTo(ref.z[i], 3);
      expect(f.properties.bin).toBe(ref.binFdr[i]);
    });
    expect(fc.features.some((f) => f.properties.bin === 3)).toBe(true);
    expect(progress.at(-1)).toBeLessThanOrEqual(1);
  });

  it('local Moran on colonias, Gi* on a grid with distance and kNN weights', () => {
    const lm = localMoranResult.parse(run({ method: 'localmoran', unit: 'colonia' }).out);
    expect(lm.features.some((f) => f.properties.cluster === 'HH')).toBe(true);
    expect(lm.features.length).toBeGreaterThan(1500); // every colonia in the records' hull
    for (const weights of ['distance', 'knn', 'rook'] as const)
      expect(
        gistarResult.parse(run({ method: 'gistar', unit: 'grid', cellSize: 1000, weights, distance: 1500, k: 6 }).out).features.length,
      ).toBeGreaterThan(1000);
  });

  it('emerging hot spots by week; Knox near-repeat table', () => {
    const em = emergingResult.parse(run({ method: 'emerging', unit: 'h3', resolution: 7, timeStep: 'week' }).out);
    expect(em.features.some((f) => f.properties.pattern !== 'no_pattern_detected')).toBe(true);
    const knox = run({ method: 'knox', classification: '4.1.1', spaceBands: 3, timeBands: 2, permutations: 19 }).out as {
      cells: unknown[];
    };
    expect(knox.cells).toHaveLength((3 + 2) * (2 + 1));
  });

  it('KDE: a raster row 0 north whose intensity integrates to the number of events', () => {
    const { out, progress } = run({ method: 'kde', bandwidth: 800, cellSize: 200 });
    const r = out as { bounds: number[]; cols: number; rows: number; values: number[]; events: number; cellSize: number };
    expect(r.values).toHaveLength(r.cols * r.rows);
    const cellKm2 = (r.cellSize / 1000) ** 2;
    expect(r.values.reduce((a, b) => a + b, 0) * cellKm2).toBeCloseTo(r.events, -1);
    expect(progress.length).toBeGreaterThan(5);
    // Row 0 is north: the densest row of the top half lies near the historic centre's latitude.
    const [west, south, east, north] = r.bounds;
    expect(west < -99.1 && east > -99.1 && south < 19.4 && north > 19.4).toBe(true);
    let best = 0;
    for (let k = 1; k < r.values.length; k++) if (r.values[k] > r.values[best]) best = k;
    const lat = north - ((Math.floor(best / r.cols) + 0.5) / r.rows) * (north - south);
    expect(lat).toBeGreaterThan(19.3);
    expect(lat).toBeLessThan(19.5);
  });

  it('evaluates the forecast against the baselines on a case worked out by hand', () => {
    // Two 1 km cells side by side, A and B. Held out: the week ending Sunday D (A 1 crime, B 3). The week
    // before: A 2. A month before: B 10. Coverage 40 % marks one of the two cells.
    const D = dayOf('2015-03-01'); // a Sunday
    expect(weekdayOf(D)).toBe(6);
    const [ax, ay] = project(-99.15, 19.4);
    const col = Math.floor(ax / 1000);
    const row = Math.floor(ay / 1000);
    const centre = (c: number) => unproject((c + 0.5) * 1000, (row + 0.5) * 1000);
    const events: [number, number][] = [
      [col, D - 2],
      [col + 1, D - 1],
      [col + 1, D - 3],
      [col + 1, D - 5],
      [col, D - 9],
      [col, D - 12],
      ...Array.from({ length: 10 }, (): [number, number] => [col + 1, D - 36]),
    ];
    const lonlat = events.map(([c]) => centre(c));
    const input: JobInput = {
      kind: 'events',
      params: { method: 'forecast', unit: 'grid', cellSize: 1000, weeks: 1, coverage: 0.4 },
      lon: Float64Array.from(lonlat, (p) => p[0]),
      lat: Float64Array.from(lonlat, (p) => p[1]),
      x: Float64Array.from(lonlat, (p) => project(...p)[0]),
      y: Float64Array.from(lonlat, (p) => project(...p)[1]),
      t: Float64Array.from(events, (e) => e[1]),
      studyArea: null,
      lastDay: D,
    };
    const f = forecastResponse.parse(ask(runJob(input, () => {})));
    expect(f.period).toEqual({ from: '2015-02-23', to: '2015-03-01' });
    expect(f.cells).toBe(2);
    const by = Object.fromEntries(f.methods.map((m) => [m.method, m]));
    // Last period marks A: 1 of 4 held-out crimes; RRI = (1/2)/(4/2). PEI compares with a perfect map of the same
    // area, whole cells: B (3 crimes) alone when it is at least as large as A, else B and A (4 crimes).
    const km2 = (c: number) => ringAreaM2(gridRing(c, row, 1000).flat());
    expect(by.last_period).toMatchObject({ hits: 1, total: 4, hitRate: 0.25, pei: km2(col + 1) >= km2(col) ? 0.333 : 0.25, rri: 0.25 });
    expect(by.last_period.pai).toBeCloseTo(0.25 / by.last_period.areaFraction!, 2);
    // The long run (B: 10 a month ago) and the decayed KDE (10 × 2^(−36/56) > 2 × ~0.9) mark B: 3 of 4.
    expect(by.long_run).toMatchObject({ hits: 3, hitRate: 0.75, pei: 1, rri: null });
    expect(by.decayed_kde).toMatchObject({ hits: 3, hitRate: 0.75, pei: 1 });
    expect(f.sentence.es).toContain('marcó el 50 % del área; ahí ocurrió el 75 % de los delitos');
    expect(f.sentence.en).toContain('it marked 50% of the area; 75% of the crimes happened there');
    expect(f.history).toEqual({ from: '2015-01-24', to: '2015-02-22' });
  });
});
