/**
 * The crime map's analysis API and public map over HTTP, on SQLite and PostgreSQL, with real records
 * imported through the records module's importer (the first 3,000 rows of 2015 of
 * src/records/data/incidents): counts against a recount in SQL, the jurisdiction limit, bad input,
 * hotspot jobs (progress, another user's job, cancellation, the time limit), a request loop that
 * keeps answering while a large KDE runs, forecasts, profiles, and the public map's rules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import {
  aggregateResponse,
  forecastResponse,
  jobResponse,
  matrixResponse,
  pointsResponse,
  profileResponse,
  publicPointsResponse,
  publicTimeseriesResponse,
  timeseriesResponse,
} from '../../src/analysis/analysis.schemas.js';
import { createAnalysisEngine } from '../../src/analysis/engine.service.js';
import { createImportJob, runImport } from '../../src/records/import.service.js';
import { dialects } from '../support/dialects.js';
import { as, enrol, login, startPlatform, type Session } from '../support/platform.js';

const FILE = path.resolve(import.meta.dirname, '../../src/records/data/incidents/cdmx-ssp-delitos-2015.csv');
const ROWS = 3000;
type Json = Record<string, unknown>;
type Feature = { id: string; properties: Json; geometry: { coordinates: number[] } };

/** A KDE of a few seconds: 25 m cells over the whole city (≈ 4 million), a 3 km quartic kernel, exact. */
const LARGE_KDE = { method: 'kde', bandwidth: 3000, cellSize: 25, kernel: 'quartic' };

for (const dialect of dialects()) {
  describe(`mapa delictivo: análisis y mapa público (${dialect.name})`, () => {
    let p: Platform;
    let analista: Session;
    let analistaJal: Session;
    let policia: Session;
    let admin: Session;

    const get = (s: Session | null, url: string, headers: Record<string, string> = {}) => as(p, s)('GET', url, undefined, headers);
    const waitJob = async (s: Session, id: string, until = (j: Json) => ['done', 'failed', 'cancelled'].includes(j.status as string)) => {
      for (;;) {
        const j = (await get(s, `/api/analysis/jobs/${id}`)).json() as Json;
        if (until(j)) return j;
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    beforeAll(async () => {
      p = await startPlatform(dialect, { ANALYSIS_POLL_MS: '0' });
      [analista, policia, admin] = [await login(p, 'analista'), await login(p, 'policia'), await login(p, 'admin')];
      const agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      await as(p, admin)('POST', '/api/users', {
        agencyId: agencies.find((a) => a.code === 'SSE-JAL')!.id,
        username: 'analista.mapa.jal',
        fullName: 'Analista de Jalisco',
        password: 'analisis-jalisco-2026',
        roles: ['analyst'],
      });
      analistaJal = await enrol(p, 'analista.mapa.jal', 'analisis-jalisco-2026');
      // Real rows, through the importer's service (as `npm run cli -- records import` does).
      const text =
        fs
          .readFileSync(FILE, 'utf8')
          .split('\n')
          .slice(0, ROWS + 1)
          .join('\n') + '\n';
      const job = await createImportJob(
        p.crime,
        { agencyId: null, userId: null, name: 'prueba' },
        { fileName: 'delitos.csv', mappingName: 'cdmx-ssp' },
      );
      const done = await runImport(p.crime, job.id, Readable.from([Buffer.from(text)]), { offset: 0 });
      expect(done.status).toBe('completed');
      await p.analysis.ready();
    }, 120_000);
    afterAll(async () => p?.close());

    const recount = async (column: 'coloniaId' | 'h3R9' | 'municipalityCode' | 'quadrantId') => {
      const rows = await p.handle.db
        .selectFrom('crimeRecord')
        .select([column, (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '!=', 'voided')
        .where(column, 'is not', null)
        .groupBy(column)
        .execute();
      return new Map(rows.map((r) => [String((r as Json)[column]), Number(r.n)]));
    };
    const sorted = (m: Map<string, number>) => [...m].sort((a, b) => a[0].localeCompare(b[0]));

    it('aggregates to colonias, quadrants, municipalities and H3 cells exactly as a recount in SQL', async () => {
      for (const [unit, column] of [
        ['colonia', 'coloniaId'],
        ['quadrant', 'quadrantId'],
        ['municipality', 'municipalityCode'],
        ['h3&resolution=9', 'h3R9'],
      ] as const) {
        const r = await get(analista, `/api/analysis/aggregate?unit=${unit}`);
        expect(r.statusCode, r.body).toBe(200);
        const fc = aggregateResponse.parse(r.json());
        expect(sorted(new Map(fc.features.map((f) => [f.id, f.properties.count!])))).toEqual(sorted(await recount(column)));
      }
      const stats = await p.analysis.stats();
      const total = await p.handle.db
        .selectFrom('crimeRecord')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(stats.records).toBe(Number(total.n));
      expect(stats.bytesPerRecord).toBeLessThanOrEqual(100);
    });

    it('compresses large answers for clients that take gzip, in the worker, with one tag per representation', async () => {
      const plain = await get(analista, '/api/analysis/aggregate?unit=colonia');
      const zipped = await get(analista, '/api/analysis/aggregate?unit=colonia', { 'accept-encoding': 'br, gzip;q=0.8' });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toMatch(/accept-encoding/i);
      expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
      expect(gunzipSync(zipped.rawPayload).equals(plain.rawPayload)).toBe(true);
      // Refused by q=0, and small answers (a few hundred bytes) are sent as they are.
      expect(
        (await get(analista, '/api/analysis/aggregate?unit=colonia', { 'accept-encoding': 'gzip;q=0' })).headers['content-encoding'],
      ).toBe(undefined);
      const small = await get(analista, '/api/analysis/timeseries?interval=month&from=2015-01-01&to=2015-01-31', {
        'accept-encoding': 'gzip',
      });
      expect(small.rawPayload.length).toBeLessThan(1400);
      expect(small.headers['content-encoding']).toBeUndefined();
      // The public map: cached per data version, each representation with its own ETag, both revalidate.
      const url = '/api/public/map/aggregate?unit=colonia';
      const pub = await get(null, url);
      const pubZipped = await get(null, url, { 'accept-encoding': 'gzip' });
      expect(pubZipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(pubZipped.rawPayload).equals(pub.rawPayload)).toBe(true);
      expect(pubZipped.headers.etag).not.toBe(pub.headers.etag);
      expect((await get(null, url, { 'accept-encoding': 'gzip', 'if-none-match': pubZipped.headers.etag as string })).statusCode).toBe(304);
      expect((await get(null, url, { 'if-none-match': pub.headers.etag as string })).statusCode).toBe(304);
    });

    it('tags an analyst’s answer: the same question answers 304 without counting, another scope or new records do not', async () => {
      const url = '/api/analysis/aggregate?unit=colonia&classification=4';
      const first = await get(analista, url);
      const tag = first.headers.etag as string;
      expect(tag).toMatch(/^".+"$/);
      expect(first.headers['cache-control']).toBe('private, no-cache');
      const again = await get(analista, url, { 'if-none-match': tag });
      expect(again.statusCode).toBe(304);
      expect(again.rawPayload.length).toBe(0);
      // The compressed copy has its own tag, and revalidates too.
      const zipped = await get(analista, url, { 'accept-encoding': 'gzip' });
      expect(zipped.headers.etag).toBe(tag.replace(/"$/, '-gz"'));
      const zippedAgain = await get(analista, url, { 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.etag as string });
      expect([zippedAgain.statusCode, zippedAgain.headers.etag]).toEqual([304, zipped.headers.etag]);
      // Another question, or the same one from another jurisdiction, is a different answer.
      expect((await get(analista, `${url}.1`, { 'if-none-match': tag })).statusCode).toBe(200);
      const other = await get(analistaJal, url, { 'if-none-match': tag });
      expect(other.statusCode).toBe(200);
      expect(other.headers.etag).not.toBe(tag);
    });

    it('answers series, matrix and points, and follows new records', async () => {
      const ts = timeseriesResponse.parse((await get(analista, '/api/analysis/timeseries?interval=week&classification=4.1')).json());
      const robberies = await p.handle.db
        .selectFrom('crimeRecord')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('classificationCode', 'like', '4.1.%')
        .executeTakeFirstOrThrow();
      expect(ts.buckets.reduce((t, b) => t + b.count, 0)).toBe(Number(robberies.n));
      const m = matrixResponse.parse((await get(analista, '/api/analysis/matrix?weekdays=6,7&hours=22-3')).json());
      expect(
        m.counts
          .slice(0, 5)
          .flat()
          .every((n) => n === 0),
      ).toBe(true);
      expect(m.counts[5].slice(4, 22).every((n) => n === 0)).toBe(true);
      const pts = pointsResponse.parse((await get(analista, '/api/analysis/points?limit=5')).json());
      expect(pts.features).toHaveLength(5);
      const before = pts.meta.total;
      const tagBefore = (await get(analista, '/api/analysis/points?limit=5')).headers.etag as string;
      const made = await as(p, analista)('POST', '/api/records/crimes', {
        classificationCode: '4.1.5.1',
        occurredOn: '2025-03-01',
        lat: 19.4326,
        lon: -99.1332,
      });
      expect(made.statusCode, made.body).toBe(201);
      expect(await p.analysis.refresh()).toBe(1);
      // A new record changes the answer: the old tag no longer matches.
      expect((await get(analista, '/api/analysis/points?limit=5', { 'if-none-match': tagBefore })).statusCode).toBe(200);
      const after = pointsResponse.parse((await get(analista, '/api/analysis/points?limit=5')).json());
      expect(after.meta.total).toBe(before + 1);
      expect(after.features[0].properties).toMatchObject({
        id: made.json().id,
        occurredOn: '2025-03-01',
        occurredTime: null,
        violent: true,
      });
    });

    it('limits every answer to the jurisdiction (CR-1) and refuses roles without analysis.read', async () => {
      const jal = aggregateResponse.parse((await get(analistaJal, '/api/analysis/aggregate?unit=municipality')).json());
      expect(jal.features).toHaveLength(0);
      expect(jal.meta.total).toBe(0);
      expect((await get(policia, '/api/analysis/aggregate?unit=colonia')).statusCode).toBe(403);
      expect((await get(null, '/api/analysis/aggregate?unit=colonia')).statusCode).toBe(401);
    });

    it('refuses bad input with a clear error naming the field, in Spanish or English', async () => {
      const bad = async (url: string, field: string, code?: string, lang = 'es') => {
        const r = await get(analista, url, { 'accept-language': lang });
        expect(r.statusCode, url).toBe(400);
        expect(r.json().error.field, url).toBe(field);
        if (code) expect(r.json().error.code, url).toBe(code);
        return r.json().error.message as string;
      };
      expect(await bad('/api/analysis/aggregate?unit=h3&from=2015-03-01&to=2015-02-01', 'from', 'date_order')).toMatch(/posterior/);
      expect(await bad('/api/analysis/aggregate?unit=h3&from=2015-03-01&to=2015-02-01', 'from', 'date_order', 'en')).toMatch(/after/);
      await bad('/api/analysis/aggregate?unit=h3&resolution=11', 'resolution', 'validation');
      await bad('/api/analysis/aggregate?unit=hexagons', 'unit', 'validation');
      await bad('/api/analysis/aggregate?unit=grid&cellSize=20', 'cellSize', 'validation');
      await bad('/api/analysis/aggregate?unit=colonia&area=colonia:no-existe', 'area', 'unknown_area');
      await bad('/api/analysis/aggregate?unit=colonia&classification=9.9', 'classification', 'unknown_classification');
      const bowtie = JSON.stringify({
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
      });
      expect(
        await bad(`/api/analysis/aggregate?unit=colonia&polygon=${encodeURIComponent(bowtie)}`, 'polygon', 'polygon_self_intersecting'),
      ).toMatch(/cruza/);
      const ring = Array.from({ length: 1200 }, (_, k) => [-99.1 + 0.05 * Math.cos(k / 191), 19.4 + 0.05 * Math.sin(k / 191)]);
      const huge = JSON.stringify({ type: 'Polygon', coordinates: [ring] });
      await bad(`/api/analysis/aggregate?unit=colonia&polygon=${encodeURIComponent(huge)}`, 'polygon', 'polygon_too_many_vertices');
      const job = await as(p, analista)('POST', '/api/analysis/jobs', { method: 'gistar', polygon: JSON.parse(bowtie) });
      expect(job.statusCode).toBe(400);
      expect(job.json().error).toMatchObject({ field: 'polygon', code: 'polygon_self_intersecting' });
      const inverted = await as(p, analista)('POST', '/api/analysis/jobs', { method: 'kde', from: '2015-02-01', to: '2015-01-01' });
      expect(inverted.json().error).toMatchObject({ field: 'from', code: 'date_order' });
      const unknown = await as(p, analista)('POST', '/api/analysis/jobs', { method: 'kde', nonsense: 1 });
      expect(unknown.json().error.field).toBe('nonsense');
      // The server is fine afterwards.
      expect((await get(analista, '/api/analysis/matrix')).statusCode).toBe(200);
    });

    it('runs a Gi* job with progress to its result; another user’s job answers 404', async () => {
      const r = await as(p, analista)('POST', '/api/analysis/jobs', { method: 'gistar', unit: 'h3', resolution: 8, fdr: true });
      expect(r.statusCode, r.body).toBe(202);
      const id = r.json().id as string;
      expect((await get(analistaJal, `/api/analysis/jobs/${id}`)).statusCode).toBe(404);
      const job = jobResponse.parse(await waitJob(analista, id));
      expect(job).toMatchObject({ status: 'done', progress: 1, method: 'gistar' });
      const result = job.result as { features: { properties: { bin: number; count: number } }[] };
      expect(result.features.some((f) => f.properties.bin === 3)).toBe(true);
      expect(result.features.reduce((t, f) => t + f.properties.count, 0)).toBe((await p.analysis.stats()).records);
      const empty = await as(p, analista)('POST', '/api/analysis/jobs', { method: 'localmoran', unit: 'colonia', from: '2030-01-01' });
      const failed = jobResponse.parse(await waitJob(analista, empty.json().id));
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'no_data' } });
    });

    it('reports a large KDE’s progress, cancels it, and keeps the request loop and the map answering meanwhile', async () => {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const started = await as(p, analista)('POST', '/api/analysis/jobs', LARGE_KDE);
      const id = started.json().id as string;
      const running = await waitJob(analista, id, (j) => j.status !== 'queued' && (j.progress as number) > 0.1);
      expect(running.status).toBe('running');
      // The store worker is free while the job worker computes: a map question answers at once.
      const t0 = Date.now();
      expect((await get(analista, '/api/analysis/aggregate?unit=colonia')).statusCode).toBe(200);
      expect(Date.now() - t0).toBeLessThan(2000);
      const done = jobResponse.parse(await waitJob(analista, id));
      delay.disable();
      expect(done.status).toBe('done');
      const raster = done.result as { cols: number; rows: number; values: number[] };
      expect(raster.cols * raster.rows).toBeGreaterThan(3_000_000);
      // The request thread never held: the worst event-loop delay while the KDE ran (24–48 ms measured, most of it the
      // test's own polling; a KDE on the request thread would hold it for seconds).
      expect(delay.max / 1e6).toBeLessThan(250);

      const again = (await as(p, analista)('POST', '/api/analysis/jobs', LARGE_KDE)).json().id as string;
      await waitJob(analista, again, (j) => j.status === 'running');
      const cancelled = await as(p, analista)('DELETE', `/api/analysis/jobs/${again}`);
      expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
      expect((await get(analista, `/api/analysis/jobs/${again}`)).json().status).toBe('cancelled');
      // A new job runs on a fresh worker.
      const next = (
        await as(p, analista)('POST', '/api/analysis/jobs', { method: 'knox', classification: '4.1.1', permutations: 9 })
      ).json().id;
      expect((await waitJob(analista, next)).status).toBe('done');
    });

    it('stops a job at the time limit with an error naming the field', async () => {
      const engine = createAnalysisEngine({
        crime: p.crime,
        options: { pollMs: 0, jobTimeLimitMs: 300, jobWorkers: 1, publicMap: { snap: 'h3', minCount: 5 } },
      });
      try {
        const actor = { userId: 'u', agencyLevel: 'federal', roles: ['system_admin'], subtree: new Set<string>() } as never;
        await expect(engine.runNow(actor, LARGE_KDE as never)).rejects.toMatchObject({
          code: 'time_limit',
          field: 'cellSize',
          status: 400,
        });
        const { id } = engine.createJob(actor, LARGE_KDE as never);
        for (;;) {
          const j = JSON.parse(engine.jobView(actor, id, 'en').toString()) as Json;
          if (j.status === 'failed') {
            expect(j.error).toMatchObject({ code: 'time_limit', field: 'cellSize' });
            expect((j.error as Json).message).toMatch(/time limit of 0\.3 s/);
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await engine.close();
      }
    });

    it('evaluates a forecast on the last complete period and profiles a colonia', async () => {
      const f = await get(analista, '/api/analysis/forecast?weeks=2&coverage=0.05');
      expect(f.statusCode, f.body).toBe(200);
      const forecast = forecastResponse.parse(f.json());
      expect(forecast.methods.map((m) => m.method)).toEqual(['decayed_kde', 'last_period', 'long_run']);
      expect(forecast.sentence.es).toMatch(/marcó el .* % del área; ahí ocurrió el .* % de los delitos/);
      const pr = await get(analista, '/api/analysis/profile?area=colonia:15-040&from=2015-01-01&to=2015-01-31');
      expect(pr.statusCode, pr.body).toBe(200);
      const profile = profileResponse.parse(pr.json());
      const inColonia = await p.handle.db
        .selectFrom('crimeRecord')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('coloniaId', '=', '15-040')
        .where('occurredOn', '>=', '2015-01-01')
        .where('occurredOn', '<=', '2015-01-31')
        .executeTakeFirstOrThrow();
      expect(profile.total.count).toBe(Number(inColonia.n));
      expect(profile.rank.position).toBeGreaterThanOrEqual(1);
      expect((await get(analista, '/api/analysis/profile?area=state:09')).statusCode).toBe(400);
    });

    it('public map: no login, small counts suppressed, no sensitive points, snapped locations, cached, rate-limited', async () => {
      const agg = await get(null, '/api/public/map/aggregate?unit=colonia&classification=1.1.1');
      expect(agg.statusCode, agg.body).toBe(200);
      const fc = aggregateResponse.parse(agg.json());
      expect(fc.features.some((f) => f.properties.suppressed)).toBe(true);
      expect(fc.features.every((f) => f.properties.count === null || f.properties.count >= 5)).toBe(true);
      expect(agg.headers['cache-control']).toBe('public, max-age=60');
      const etag = agg.headers.etag as string;
      expect(etag).toMatch(/^".+"$/);
      expect((await get(null, '/api/public/map/aggregate?unit=colonia&classification=1.1.1', { 'if-none-match': etag })).statusCode).toBe(
        304,
      );
      expect((await get(null, '/api/public/map/aggregate?unit=h3&resolution=10')).json().error.field).toBe('resolution');
      expect((await get(null, '/api/public/map/aggregate?unit=grid')).json().error.field).toBe('unit');

      const pts = publicPointsResponse.parse((await get(null, '/api/public/map/points?limit=50000')).json());
      const sensitive = await p.handle.db
        .selectFrom('crimeRecord')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) =>
          eb.or([
            eb('classificationCode', 'like', '3.%'),
            eb('classificationCode', 'like', '5.1%'),
            eb('classificationCode', 'like', '5.2%'),
          ]),
        )
        .executeTakeFirstOrThrow();
      expect(Number(sensitive.n)).toBeGreaterThan(0);
      expect(pts.features).toHaveLength((await p.analysis.stats()).records - Number(sensitive.n));
      for (const f of pts.features as unknown as Feature[]) {
        expect(String(f.properties.classificationCode)).not.toMatch(/^3\.|^5\.[12]/);
        const [lon, lat] = f.geometry.coordinates;
        const [clat, clon] = cellToLatLng(latLngToCell(lat, lon, 9));
        expect([lon, lat]).toEqual([clon, clat]);
      }
      const ts = publicTimeseriesResponse.parse((await get(null, '/api/public/map/timeseries?interval=day&classification=1.1.1')).json());
      expect(ts.buckets.every((b) => b.count === null || b.count === 0 || b.count >= 5)).toBe(true);

      let limited;
      for (let k = 0; k < 80 && !limited; k++) {
        const r = await get(null, '/api/public/map/timeseries?interval=month');
        if (r.statusCode === 429) limited = r;
      }
      expect(limited?.json().error).toMatchObject({ code: 'rate_limited', message: 'Demasiadas solicitudes; intente en unos segundos.' });
      expect(limited?.headers['retry-after']).toBeDefined();
    });
  });
}
