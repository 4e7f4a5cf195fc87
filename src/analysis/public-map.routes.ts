/**
 * /api/public/map/* — the citizens' crime map, no login: aggregates (H3 up to resolution 9,
 * quadrants, colonias, municipalities) with counts below PUBLIC_MAP_MIN_COUNT published as
 * suppressed, points moved to the centre of their H3 cell or police quadrant (PUBLIC_MAP_SNAP) with
 * sexual crimes and family violence left out (engine/classification.ts, SENSITIVE_CODES), and a time
 * series with the same suppression. No record id, no time of day, no person. Rate-limited per
 * address (429) and cacheable (ETag, Cache-Control); the store worker keeps the answers per data version.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.js';
import { errorSchema, typed } from '../platform/http/server.js';
import { createRateLimiter } from '../indicators/rate-limit.js';
import type { AnalysisEngine } from './engine.service.js';
import type { QueryOp } from './engine/protocol.js';
import { acceptsGzip, sendAnswer } from './analysis.routes.js';
import {
  aggregateResponse,
  publicAggregateQuery,
  publicPointsQuery,
  publicPointsResponse,
  publicTimeseriesResponse,
  timeseriesQuery,
} from './analysis.schemas.js';
import { z } from 'zod';

/** Requests per address: 60 at once, then 2 per second (a map view asks a few at a time). */
export const PUBLIC_MAP_RATE_LIMIT = { capacity: 60, perSecond: 2 } as const;

const errors = { 400: errorSchema, 429: errorSchema, 503: errorSchema };
const tags = ['mapa público'];

export async function publicMapRoutes(app: FastifyInstance, engine: AnalysisEngine): Promise<void> {
  const limiter = createRateLimiter(PUBLIC_MAP_RATE_LIMIT.capacity, PUBLIC_MAP_RATE_LIMIT.perSecond);
  await app.register(async (pub) => {
    pub.addHook('onRequest', async (req, reply) => {
      const wait = limiter.take(req.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new AppError(429, 'rate_limited', 'error.rate_limited');
      }
    });
    const r = typed(pub);
    const ask = async (op: QueryOp, req: FastifyRequest, reply: FastifyReply) => {
      const answer = await engine.query(op, req.query as Record<string, unknown>, { all: true }, acceptsGzip(req));
      // One tag per representation (the compressed one differs), as Vary: accept-encoding implies.
      const etag = answer.etag && answer.gzip ? answer.etag.replace(/"$/, '-gz"') : answer.etag;
      // New records change the answers: caches may keep them a minute, then revalidate by ETag.
      reply.header('cache-control', 'public, max-age=60');
      if (etag) {
        reply.header('etag', etag);
        if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      }
      return sendAnswer(reply, answer);
    };

    r.get('/api/public/map/aggregate', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Mapa público: delitos por celda H3 (hasta 9), cuadrante, colonia o municipio; conteos pequeños suprimidos',
        querystring: publicAggregateQuery,
        response: { 200: aggregateResponse, 304: z.null(), ...errors },
      },
      handler: (req, reply) => ask('publicAggregate', req, reply),
    });
    r.get('/api/public/map/points', {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'Mapa público: puntos generalizados al centro de su celda H3 o cuadrante, sin delitos sexuales ni violencia familiar, sin hora ni id',
        querystring: publicPointsQuery,
        response: { 200: publicPointsResponse, 304: z.null(), ...errors },
      },
      handler: (req, reply) => ask('publicPoints', req, reply),
    });
    r.get('/api/public/map/timeseries', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Mapa público: serie de tiempo con conteos pequeños suprimidos',
        querystring: timeseriesQuery,
        response: { 200: publicTimeseriesResponse, 304: z.null(), ...errors },
      },
      handler: (req, reply) => ask('publicTimeseries', req, reply),
    });
  });
}
