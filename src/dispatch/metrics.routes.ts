import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../platform/errors.js';
import { errorSchema, typed } from '../platform/http/server.js';
import type { DispatchDeps } from './dispatch.service.js';
import { metrics, metricsCsv, type MetricsQuery } from './metrics.service.js';
import { PRIORITIES } from './dispatch.types.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema };
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const query = z.strictObject({
  from: date,
  to: date,
  groupBy: z
    .string()
    .regex(/^(centre|municipality|priority)(,(centre|municipality|priority))*$/)
    .default('centre'),
  municipalityCode: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
  priority: z.enum(PRIORITIES).optional(),
});
const stat = z.object({ n: z.number(), p50: z.number().nullable(), p90: z.number().nullable(), withinTarget: z.number().nullable() });
const group = z.object({
  key: z.object({
    centreId: z.string().optional(),
    centreName: z.string().optional(),
    municipalityCode: z.string().optional(),
    municipalityName: z.string().optional(),
    priority: z.enum(PRIORITIES).optional(),
  }),
  calls: z.number(),
  improperCalls: z.number(),
  improperShare: z.number().nullable(),
  incidents: z.number(),
  answerToCreate: stat,
  createToDispatch: stat,
  dispatchToArrival: stat,
  total: stat,
});

/** A period is at most a year: longer questions belong to the analysis module. */
function parse(q: z.infer<typeof query>): MetricsQuery {
  const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
  if (!(days >= 0)) throw badRequest('validation', 'error.dispatch.metrics_range', 'to');
  if (days > 366) throw badRequest('validation', 'error.dispatch.metrics_range', 'from');
  return { ...q, groupBy: q.groupBy.split(',') as MetricsQuery['groupBy'] };
}

export async function metricsRoutes(app: FastifyInstance, deps: DispatchDeps): Promise<void> {
  const r = typed(app);
  r.get('/api/dispatch/metrics', {
    config: { access: 'dispatch.metrics' },
    schema: {
      tags: ['dispatch'],
      summary: 'Métricas del 911: llamadas, proporción de improcedentes y tiempos p50/p90 contra las metas NFPA',
      querystring: query,
      response: {
        200: z.object({
          from: z.string(),
          to: z.string(),
          targets: z.object({ answerToCreate: z.number(), createToDispatch: z.number(), dispatchToArrival: z.number(), total: z.number() }),
          overall: group,
          groups: z.array(group),
          daily: z.array(
            z.object({
              date: z.string(),
              calls: z.number(),
              improperCalls: z.number(),
              incidents: z.number(),
              createToDispatchP90: z.number().nullable(),
            }),
          ),
        }),
        ...errors,
      },
    },
    handler: async (req) => metrics(deps, req.auth!.actor, parse(req.query)),
  });
  r.get('/api/dispatch/metrics.csv', {
    config: { access: 'dispatch.metrics' },
    schema: { tags: ['dispatch'], summary: 'Métricas del 911 en CSV', querystring: query, response: { 200: z.string(), ...errors } },
    handler: async (req, reply) => {
      const m = await metrics(deps, req.auth!.actor, parse(req.query));
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="metricas-911-${req.query.from}-${req.query.to}.csv"`);
      return metricsCsv(m);
    },
  });
}
