/**
 * /api/analysis/* — the crime map portal's questions (ANALYSIS contract): aggregates, points, time
 * series, the hour × weekday matrix, breakdowns, hotspot jobs, forecasts and neighbourhood
 * profiles. Access `analysis.read`; the records are those of the actor's jurisdiction (CR-1, the
 * records module's `crimeScope`). Answers are JSON written by the engine's workers, sent as bytes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorSchema, typed } from '../platform/http/server.js';
import { catalogueOf, crimeScope, type CrimeDeps } from '../records/crime.service.js';
import { filterError, parsePolygon } from './engine/filter.js';
import type { AnalysisEngine } from './engine.service.js';
import type { QueryOp } from './engine/protocol.js';
import type { JobParams } from './engine/study.js';
import {
  aggregateQuery,
  aggregateResponse,
  breakdownQuery,
  breakdownResponse,
  filterQuery,
  forecastQuery,
  forecastResponse,
  jobBody,
  jobCreated,
  jobResponse,
  matrixResponse,
  pointsQuery,
  pointsResponse,
  profileQuery,
  profileResponse,
  timeseriesQuery,
  timeseriesResponse,
} from './analysis.schemas.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 503: errorSchema };
const tags = ['análisis'];

/** Sends JSON bytes a worker wrote (no re-serialisation on the request thread). */
export const sendBytes = (reply: FastifyReply, bytes: Buffer) =>
  reply.type('application/json; charset=utf-8').send(bytes as unknown as Record<string, never>);

/** Whether the client takes gzip (every browser does; `gzip;q=0` refuses it). */
export function acceptsGzip(req: FastifyRequest): boolean {
  for (const token of String(req.headers['accept-encoding'] ?? '').split(',')) {
    const [name, ...params] = token.split(';').map((p) => p.trim().toLowerCase());
    if (name !== 'gzip') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** A map answer from the engine, compressed when the worker compressed it. */
export function sendAnswer(reply: FastifyReply, answer: { bytes: Buffer; gzip: boolean }) {
  reply.header('vary', 'accept-encoding');
  if (answer.gzip) reply.header('content-encoding', 'gzip');
  return sendBytes(reply, answer.bytes);
}

/**
 * The checks a job's body gets before it is queued (the rest — areas, cells — when its input is drawn):
 * a refused job answers 400 at once rather than failing later.
 */
function checkJobBody(crime: CrimeDeps, b: JobParams): void {
  if (b.from && b.to && b.from > b.to) throw filterError('date_order', 'error.analysis.date_order', 'from', { from: b.from, to: b.to });
  for (const code of b.classification?.split(',') ?? [])
    if (!catalogueOf(crime).get(code))
      throw filterError('unknown_classification', 'crime.reason.unknown_classification', 'classification', { code });
  if (b.polygon !== undefined) parsePolygon(b.polygon);
}

export async function analysisRoutes(app: FastifyInstance, engine: AnalysisEngine, crime: CrimeDeps): Promise<void> {
  const r = typed(app);
  const ask = async (op: QueryOp, req: FastifyRequest, reply: FastifyReply) => {
    const inm = req.headers['if-none-match'];
    const answer = await engine.query(
      op,
      req.query as Record<string, unknown>,
      crimeScope(req.auth!.actor),
      acceptsGzip(req),
      typeof inm === 'string' ? inm : undefined,
    );
    // Browsers may keep an answer but must ask again each time; the tag spares the counting and the bytes.
    reply.header('cache-control', 'private, no-cache');
    if (answer.etag) reply.header('etag', answer.gzip ? answer.etag.replace(/"$/, '-gz"') : answer.etag);
    if (answer.notModified) {
      // Echo the tag the client holds (its compressed or plain copy).
      const held = String(inm)
        .split(',')
        .map((t) => t.trim())
        .find((t) => t.replace(/-gz"$/, '"') === answer.etag);
      return reply
        .header('etag', held ?? answer.etag)
        .header('vary', 'accept-encoding')
        .code(304)
        .send();
    }
    return sendAnswer(reply, answer);
  };

  r.get('/api/analysis/aggregate', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary:
        'Delitos por celda H3 (7–10), cuadrícula (metros), colonia, cuadrante, municipio o entidad: conteo, tasa por 1,000 hab., por km²',
      querystring: aggregateQuery,
      response: { 200: aggregateResponse, 304: z.null(), ...errors },
    },
    handler: (req, reply) => ask('aggregate', req, reply),
  });

  r.get('/api/analysis/points', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary: 'Los delitos más recientes como puntos (para agrupar en el mapa); sin datos personales',
      querystring: pointsQuery,
      response: { 200: pointsResponse, 304: z.null(), ...errors },
    },
    handler: (req, reply) => ask('points', req, reply),
  });

  r.get('/api/analysis/timeseries', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary: 'Serie de tiempo por día, semana ISO o mes (periodos vacíos en 0)',
      querystring: timeseriesQuery,
      response: { 200: timeseriesResponse, 304: z.null(), ...errors },
    },
    handler: (req, reply) => ask('timeseries', req, reply),
  });

  r.get('/api/analysis/matrix', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary: 'Matriz día de la semana × hora (fila 0 = lunes); los de hora desconocida aparte',
      querystring: filterQuery,
      response: { 200: matrixResponse, 304: z.null(), ...errors },
    },
    handler: (req, reply) => ask('matrix', req, reply),
  });

  r.get('/api/analysis/breakdown', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary: 'Conteos por nivel de la clasificación del SESNSP (1 bien jurídico … 4 modalidad)',
      querystring: breakdownQuery,
      response: { 200: breakdownResponse, 304: z.null(), ...errors },
    },
    handler: (req, reply) => ask('breakdown', req, reply),
  });

  r.get('/api/analysis/profile', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary:
        'Perfil de una colonia, cuadrante o municipio: delitos por subtipo con tasa y cambios, matriz horaria, puntos calientes, lugar entre sus pares',
      querystring: profileQuery,
      response: { 200: profileResponse, 304: z.null(), ...errors },
    },
    handler: (req, reply) => ask('profile', req, reply),
  });

  r.get('/api/analysis/forecast', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary:
        'Pronóstico de puntos calientes (KDE con decaimiento) evaluado en el último periodo completo contra los conteos del periodo anterior y el promedio histórico',
      querystring: forecastQuery,
      response: { 200: forecastResponse, ...errors },
    },
    handler: async (req, reply) => {
      const q = req.query;
      const params: JobParams = { ...q, polygon: q.polygon, method: 'forecast' };
      return sendBytes(reply, await engine.runNow(req.auth!.actor, params));
    },
  });

  r.post('/api/analysis/jobs', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary: 'Inicia un análisis de puntos calientes (Gi*, Moran local, KDE, emergentes, Knox); responde su id',
      body: jobBody,
      response: { 202: jobCreated, ...errors },
    },
    handler: async (req, reply) => {
      const body = req.body as JobParams;
      checkJobBody(crime, body);
      return reply.code(202).send(engine.createJob(req.auth!.actor, body));
    },
  });

  r.get('/api/analysis/jobs/:id', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary: 'Estado, avance y resultado de un análisis (sólo quien lo inició)',
      params: z.strictObject({ id: z.string().uuid() }),
      response: { 200: jobResponse, ...errors },
    },
    handler: async (req, reply) => sendBytes(reply, engine.jobView(req.auth!.actor, req.params.id, req.lang)),
  });

  r.delete('/api/analysis/jobs/:id', {
    config: { access: 'analysis.read' },
    schema: {
      tags,
      summary: 'Cancela un análisis en espera o en curso',
      params: z.strictObject({ id: z.string().uuid() }),
      response: { 200: jobResponse, ...errors },
    },
    handler: async (req, reply) => {
      engine.cancelJob(req.auth!.actor, req.params.id);
      return sendBytes(reply, engine.jobView(req.auth!.actor, req.params.id, req.lang));
    },
  });
}
