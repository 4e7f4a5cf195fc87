/**
 * The HTTP edge of the indicators module.
 *
 * - `/api/indicators/*`: the dashboard's routes (action `indicators.read`), the release imports
 *   (`indicators.import`) and the platform's own data (`indicators.platform`).
 * - `/api/public/indicators/*`: the same official statistics for citizens, without login
 *   (`public`): no personal data by nature (aggregate counts of published statistics), rate-limited
 *   per address and cacheable (ETag, Cache-Control).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, notFound } from '../platform/errors.js';
import { errorSchema, requestContext, typed } from '../platform/http/server.js';
import type { Language } from '../platform/i18n/messages.js';
import { CRIME_KEYS, LEVELS, POPULATION_IDS, SOURCE_IDS } from './catalogue.js';
import type { AreaCountsAdapter } from './adapters.js';
import { changeCsv, monthlyCsv, rankingCsv, seriesCsv } from './export.js';
import {
  catalogue,
  change,
  compare,
  importRelease,
  listReleases,
  platformIndicator,
  ranking,
  releaseChanges,
  seriesIndicator,
  type IndicatorsDeps,
} from './indicators.service.js';
import { createRateLimiter } from './rate-limit.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema };

// ── query schemas ────────────────────────────────────────────────────────────
const release = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
  .optional();
const period = z.string().min(4).max(40);
const population = z.enum(POPULATION_IDS).optional();
const stateCode = z
  .string()
  .regex(/^\d{2}$/)
  .optional();
const area = z.string().regex(/^\d{2}(\d{3})?$/);

const seriesQuery = z.strictObject({
  source: z.enum(SOURCE_IDS),
  release,
  crime: z.enum(CRIME_KEYS),
  area,
  period,
  population,
});
const rankingQuery = z.strictObject({
  source: z.enum(SOURCE_IDS),
  release,
  crime: z.enum(CRIME_KEYS),
  level: z.enum(LEVELS).default('state'),
  period,
  population,
  by: z.enum(['rate', 'count']).default('rate'),
  state: stateCode,
});
const changeQuery = z.strictObject({
  source: z.enum(SOURCE_IDS),
  release,
  crime: z.enum(CRIME_KEYS),
  level: z.enum(LEVELS).default('state'),
  a: period,
  b: period,
  population,
  state: stateCode,
  area: area.optional(),
});
const compareQuery = z.strictObject({
  aSource: z.enum(SOURCE_IDS),
  aRelease: release,
  aCrime: z.enum(CRIME_KEYS),
  bSource: z.enum(SOURCE_IDS),
  bRelease: release,
  bCrime: z.enum(CRIME_KEYS),
  area,
  period,
  population,
});

// ── response schemas ─────────────────────────────────────────────────────────
const num = z.number().nullable();
const meta = z.object({
  source: z.enum(SOURCE_IDS),
  publisher: z.string(),
  methodology: z.string(),
  unit: z.string(),
  release: z.string(),
  releaseId: z.string(),
  current: z.boolean(),
  coverage: z.object({ from: z.string(), to: z.string() }),
  crime: z.enum(CRIME_KEYS),
  level: z.enum(LEVELS),
  population: z.enum(POPULATION_IDS).nullable(),
  populationMethod: z.string().nullable(),
  national: z.enum(['sum-of-states', 'published-row']),
  notes: z.array(z.string()),
});
const periodInfo = z.object({ from: z.string(), to: z.string(), label: z.string(), months: z.number(), wholeYears: z.boolean() });
const figure = z.object({ count: z.number(), population: z.number(), rate: num, annualised: z.boolean(), share: num });
const seriesResult = z.object({
  meta,
  area: z.object({ code: z.string(), name: z.string(), level: z.enum(['national', 'state', 'municipality']) }),
  period: periodInfo,
  monthly: z.array(z.object({ month: z.string(), count: z.number(), sum12: num })),
  annual: z.array(figure.extend({ year: z.number(), months: z.number() })),
  total: figure,
});
const rankingResult = z.object({
  meta,
  level: z.enum(LEVELS),
  by: z.enum(['rate', 'count']),
  state: z.string().nullable(),
  period: periodInfo,
  national: z.object({ count: z.number(), rate: num, population: num }),
  rows: z.array(
    z.object({
      rank: num,
      code: z.string(),
      name: z.string(),
      stateCode: z.string(),
      count: num,
      population: num,
      rate: num,
      share: num,
      noData: z.boolean(),
    }),
  ),
  missing: z.number(),
});
const changeResult = z.object({
  meta,
  level: z.enum(LEVELS),
  a: periodInfo,
  b: periodInfo,
  equalLength: z.boolean(),
  rows: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      countA: num,
      countB: num,
      countChange: num,
      rateA: num,
      rateB: num,
      rateChange: num,
      shareA: num,
      shareB: num,
      noData: z.boolean(),
    }),
  ),
});
const compareResult = z.object({
  a: meta,
  b: meta,
  area: z.object({ code: z.string(), name: z.string() }),
  period: periodInfo,
  years: z.array(z.object({ year: z.number(), months: z.number(), countA: num, countB: num, rateA: num, rateB: num, ratio: num })),
});
const changeSummary = z.object({
  previous: z.object({ id: z.string(), release: z.string() }),
  changedCells: z.number(),
  removedCells: z.number(),
  addedCells: z.number(),
  byCrime: z.array(z.object({ crime: z.string(), changed: z.number(), removed: z.number(), added: z.number(), netChange: z.number() })),
  largest: z.array(z.object({ crime: z.string(), area: z.string(), month: z.string(), old: z.number(), new: num })),
});
const catalogueResult = z.object({
  sources: z.array(
    z.object({
      id: z.enum(SOURCE_IDS),
      publisher: z.string(),
      methodology: z.string(),
      unit: z.string(),
      national: z.string(),
      crimes: z.array(z.enum(CRIME_KEYS)),
      levels: z.array(z.enum(LEVELS)),
      releases: z.array(
        z.object({
          id: z.string(),
          release: z.string(),
          level: z.enum(LEVELS),
          current: z.boolean(),
          coverage: z.object({ from: z.string(), to: z.string() }),
          crimes: z.array(z.enum(CRIME_KEYS)),
          importedAt: z.string(),
          change: changeSummary.nullable(),
        }),
      ),
    }),
  ),
  crimes: z.array(z.object({ key: z.enum(CRIME_KEYS), family: z.string() })),
  states: z.array(z.object({ code: z.string(), name: z.string() })),
  populations: z.array(
    z.object({
      id: z.enum(POPULATION_IDS),
      method: z.string(),
      levels: z.array(z.enum(LEVELS)),
      firstYear: num,
      lastYear: num,
      available: z.boolean(),
    }),
  ),
});
const releaseView = z.object({
  id: z.string(),
  source: z.enum(SOURCE_IDS),
  level: z.enum(LEVELS),
  release: z.string(),
  status: z.enum(['active', 'replaced']),
  current: z.boolean(),
  methodology: z.string(),
  unit: z.string(),
  coverage: z.object({ from: z.string(), to: z.string() }),
  crimes: z.array(z.enum(CRIME_KEYS)),
  fileName: z.string(),
  layout: z.string(),
  encoding: z.string(),
  dataRows: z.number(),
  skippedRows: z.number(),
  importedAt: z.string(),
  importedBy: z.string(),
  replacedAt: z.string().nullable(),
  change: changeSummary.nullable(),
});
const importResult = z.object({
  outcome: z.enum(['created', 'replaced', 'corrected', 'historical', 'unchanged']),
  dryRun: z.boolean(),
  release: releaseView.nullable(),
  change: changeSummary.nullable(),
});
const platformResult = z.object({
  dataset: z.string(),
  measure: z.string(),
  level: z.enum(['municipality', 'colonia']),
  period: periodInfo,
  population: z.enum(POPULATION_IDS).nullable(),
  notes: z.array(z.string()),
  total: z.number(),
  unlocated: z.number(),
  monthly: z.array(z.object({ month: z.string(), count: z.number() })),
  rows: z.array(
    z.object({
      rank: num,
      code: z.string(),
      name: z.string(),
      count: z.number(),
      population: num,
      rate: num,
      share: num,
      stats: z.record(z.string(), num),
    }),
  ),
});

const csvQuery = <T extends z.ZodRawShape>(q: z.ZodObject<T>) => q.extend({ lang: z.enum(['es', 'en']).optional() });
const seriesCsvQuery = csvQuery(seriesQuery).extend({ granularity: z.enum(['month', 'year']).default('year') });

function sendCsv(reply: FastifyReply, name: string, body: string) {
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]+/g, '_')}.csv"`);
  return body;
}

const compareRefs = (q: z.infer<typeof compareQuery>) => ({
  a: { source: q.aSource, release: q.aRelease, crime: q.aCrime },
  b: { source: q.bSource, release: q.bRelease, crime: q.bCrime },
  area: q.area,
  period: q.period,
  population: q.population,
});

/**
 * One address may ask the public routes this many times at once, then this many times a second. A
 * change of the public page's view asks three or four routes, and the browser keeps answers 5 minutes.
 */
export const PUBLIC_RATE_LIMIT = { capacity: 120, perSecond: 2 };

export type IndicatorsRouteOptions = {
  /** The platform's own datasets (911 calls; crime records once the records module offers its adapter). */
  platform: readonly AreaCountsAdapter[];
};

/**
 * The read routes, registered twice: under `/api/indicators` for the dashboard and under
 * `/api/public/indicators` for the public page, with the same schemas and answers.
 */
function readRoutes(app: FastifyInstance, deps: IndicatorsDeps, prefix: string, access: 'indicators.read' | 'public') {
  const r = typed(app);
  const tags = [access === 'public' ? 'indicadores públicos' : 'indicators'];
  const lang = (req: FastifyRequest, q: { lang?: Language }): Language => q.lang ?? req.lang;

  r.get(`${prefix}/catalogue`, {
    config: { access },
    schema: {
      tags,
      summary: 'Fuentes, publicaciones, delitos y series de población disponibles',
      response: { 200: catalogueResult, ...errors },
    },
    handler: async () => catalogue(deps),
  });
  r.get(`${prefix}/series`, {
    config: { access },
    schema: {
      tags,
      summary:
        'Serie de un área: conteos mensuales, suma móvil de 12 meses, tasas anuales por 100 mil habitantes y porcentaje del total nacional',
      querystring: seriesQuery,
      response: { 200: seriesResult, ...errors },
    },
    handler: async (req) => seriesIndicator(deps, req.query),
  });
  r.get(`${prefix}/series.csv`, {
    config: { access },
    schema: {
      tags,
      summary: 'Serie de un área en CSV (anual o mensual)',
      querystring: seriesCsvQuery,
      response: { 200: z.string(), ...errors },
    },
    handler: async (req, reply) => {
      const { lang: _l, granularity, ...q } = req.query;
      const s = await seriesIndicator(deps, q);
      const body = granularity === 'month' ? monthlyCsv(s, lang(req, req.query)) : seriesCsv(s, lang(req, req.query));
      return sendCsv(reply, `indicadores-${q.crime}-${q.source}-${q.area}-${s.period.label}`, body);
    },
  });
  r.get(`${prefix}/ranking`, {
    config: { access },
    schema: {
      tags,
      summary: 'Ranking de entidades o municipios por tasa o por conteo en un periodo',
      querystring: rankingQuery,
      response: { 200: rankingResult, ...errors },
    },
    handler: async (req) => ranking(deps, req.query),
  });
  r.get(`${prefix}/ranking.csv`, {
    config: { access },
    schema: { tags, summary: 'Ranking en CSV', querystring: csvQuery(rankingQuery), response: { 200: z.string(), ...errors } },
    handler: async (req, reply) => {
      const { lang: _l, ...q } = req.query;
      const t = await ranking(deps, q);
      return sendCsv(reply, `ranking-${q.crime}-${q.source}-${q.level}-${t.period.label}`, rankingCsv(t, lang(req, req.query)));
    },
  });
  r.get(`${prefix}/change`, {
    config: { access },
    schema: {
      tags,
      summary: 'Comparación de dos periodos: conteos, tasas y cambio porcentual por área',
      querystring: changeQuery,
      response: { 200: changeResult, ...errors },
    },
    handler: async (req) => change(deps, req.query),
  });
  r.get(`${prefix}/change.csv`, {
    config: { access },
    schema: {
      tags,
      summary: 'Comparación de dos periodos en CSV',
      querystring: csvQuery(changeQuery),
      response: { 200: z.string(), ...errors },
    },
    handler: async (req, reply) => {
      const { lang: _l, ...q } = req.query;
      const t = await change(deps, q);
      return sendCsv(reply, `cambio-${q.crime}-${q.source}-${t.a.label}-${t.b.label}`, changeCsv(t, lang(req, req.query)));
    },
  });
  r.get(`${prefix}/compare`, {
    config: { access },
    schema: {
      tags,
      summary:
        'El mismo fenómeno de dos fuentes lado a lado (p. ej. carpetas del SESNSP y defunciones del INEGI por homicidio), año por año',
      querystring: compareQuery,
      response: { 200: compareResult, ...errors },
    },
    handler: async (req) => compare(deps, compareRefs(req.query)),
  });
}

export async function indicatorsRoutes(app: FastifyInstance, deps: IndicatorsDeps, opts: IndicatorsRouteOptions): Promise<void> {
  readRoutes(app, deps, '/api/indicators', 'indicators.read');
  const r = typed(app);

  r.get('/api/indicators/releases', {
    config: { access: 'indicators.read' },
    schema: {
      tags: ['indicators'],
      summary: 'Publicaciones cargadas (vigentes, anteriores y reemplazadas) con el resumen de sus cambios',
      response: { 200: z.object({ releases: z.array(releaseView) }), ...errors },
    },
    handler: async () => ({ releases: await listReleases(deps) }),
  });
  r.get('/api/indicators/releases/:id/changes', {
    config: { access: 'indicators.read' },
    schema: {
      tags: ['indicators'],
      summary: 'Celdas que una publicación revisó o retiró respecto de la anterior, con su valor anterior y nuevo',
      params: z.strictObject({ id: z.string().uuid() }),
      querystring: z.strictObject({
        crime: z.enum(CRIME_KEYS).optional(),
        limit: z.coerce.number().int().min(1).max(5000).default(500),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: {
        200: z.object({
          release: z.string(),
          total: z.number(),
          changes: z.array(
            z.object({
              crime: z.string(),
              area: z.string(),
              areaName: z.string(),
              month: z.string(),
              old: z.number(),
              new: num,
              delta: num,
            }),
          ),
        }),
        ...errors,
      },
    },
    handler: async (req) => releaseChanges(deps, req.params.id, req.query),
  });
  r.post('/api/indicators/releases', {
    config: { access: 'indicators.import' },
    // A state file is ~1 MB; SESNSP's municipal files are tens of MB (base64 adds a third).
    bodyLimit: 96 * 2 ** 20,
    schema: {
      tags: ['indicators'],
      summary:
        'Carga una publicación en el formato del publicador (filas por entidad, delito y año con los meses Enero…Diciembre como columnas; Latin-1 o UTF-8) o en el formato largo',
      body: z.strictObject({
        source: z.enum(SOURCE_IDS),
        release: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
        fileName: z.string().min(1).max(200),
        /** The file's bytes, base64-encoded (its encoding is detected). */
        contentBase64: z.string().min(4),
        confirmRemovals: z.boolean().optional(),
        dryRun: z.boolean().optional(),
      }),
      response: { 200: importResult, 201: importResult, 409: errorSchema, 413: errorSchema, ...errors },
    },
    handler: async (req, reply) => {
      const { contentBase64, ...body } = req.body;
      const bytes = Buffer.from(contentBase64, 'base64');
      const result = await importRelease(deps, req.auth!.actor, { ...body, bytes, worker: true }, requestContext(req));
      return reply.code(result.outcome === 'unchanged' || result.dryRun ? 200 : 201).send(result);
    },
  });

  const adapters = new Map(opts.platform.map((a) => [a.id, a]));
  r.get('/api/indicators/platform/:dataset', {
    config: { access: 'indicators.platform' },
    schema: {
      tags: ['indicators'],
      summary:
        'Datos de la plataforma (llamadas al 911 por municipio; registros delictivos) con el mismo motor: tasas, porcentajes y ranking',
      params: z.strictObject({ dataset: z.string().regex(/^[\w-]{1,32}$/) }),
      querystring: z.strictObject({
        measure: z.string().min(1).max(40),
        period,
        population: z.enum(['censo-2020', 'censo-2020-fijo']).optional(),
      }),
      response: { 200: platformResult, ...errors },
    },
    handler: async (req) => {
      const adapter = adapters.get(req.params.dataset);
      if (!adapter) throw notFound();
      return platformIndicator(deps, adapter, req.auth!.actor, req.query);
    },
  });

  // ── public ────────────────────────────────────────────────────────────────
  const limiter = createRateLimiter(PUBLIC_RATE_LIMIT.capacity, PUBLIC_RATE_LIMIT.perSecond);
  await app.register(async (pub) => {
    pub.addHook('onRequest', async (req, reply) => {
      const wait = limiter.take(req.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new AppError(429, 'rate_limited', 'error.rate_limited');
      }
    });
    // Public answers change only when a release is imported: let browsers and proxies keep them,
    // and answer 304 to a client that already has this exact body.
    pub.addHook('onSend', async (req, reply, payload) => {
      if (req.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string' || reply.hasHeader('etag')) return payload;
      const etag = `"${createHash('sha1').update(payload).digest('base64url').slice(0, 22)}"`;
      reply.header('etag', etag);
      reply.header('cache-control', 'public, max-age=300');
      if (req.headers['if-none-match'] === etag) {
        reply.code(304);
        return '';
      }
      return payload;
    });
    readRoutes(pub, deps, '/api/public/indicators', 'public');

    // The boundaries for the public choropleth (the geo module's own layer route needs a session).
    const layerCache = new Map<string, { json: string; gzip: Buffer; etag: string }>();
    typed(pub).get('/api/public/indicators/layers/:name', {
      config: { access: 'public' },
      schema: {
        tags: ['indicadores públicos'],
        summary: 'Límites de entidades o municipios (TopoJSON) para el mapa de tasas',
        params: z.strictObject({ name: z.enum(['estados', 'municipios']) }),
        response: { 200: z.string(), 304: z.null(), ...errors },
      },
      handler: async (req, reply) => {
        let entry = layerCache.get(req.params.name);
        if (!entry) {
          const json = JSON.stringify(deps.geo.getLayerTopology(req.params.name));
          entry = { json, gzip: gzipSync(json), etag: `"${createHash('sha1').update(json).digest('hex').slice(0, 16)}"` };
          layerCache.set(req.params.name, entry);
        }
        reply.header('cache-control', 'public, max-age=86400');
        reply.header('etag', entry.etag);
        reply.header('vary', 'accept-encoding');
        if (req.headers['if-none-match'] === entry.etag) return reply.code(304).send(null);
        reply.type('application/json; charset=utf-8');
        if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
          reply.header('content-encoding', 'gzip');
          return reply.send(entry.gzip as unknown as string);
        }
        return reply.serializer((p: unknown) => p as string).send(entry.json);
      },
    });
  });
}
