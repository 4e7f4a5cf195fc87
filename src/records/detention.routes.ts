import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed } from '../platform/http/server.js';
import * as detention from './detention.service.js';
import type { RecordsDeps } from './iph.deps.js';
import { id } from './iph.fields.js';
import { detentionHandoverInputSchema, detentionRecordInputSchema, detentionSchema } from './detention.schemas.js';
import { actorOf, idParams, recordErrors } from './iph.routes.js';

/** /api/detentions: the detention register (Registro Nacional de Detenciones data); every read audited. */
export async function detentionRoutes(app: FastifyInstance, deps: RecordsDeps): Promise<void> {
  const r = typed(app);

  r.get('/api/detentions', {
    config: { access: 'detention.read' },
    schema: {
      tags: ['records'],
      summary: 'Detenciones que puede consultar (lectura auditada)',
      querystring: z.strictObject({
        iphId: id.optional(),
        status: z.enum(['in_custody', 'handed_over']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: { 200: z.object({ detentions: z.array(detentionSchema) }), ...recordErrors },
    },
    handler: async (req) => ({ detentions: await detention.listDetentions(deps, actorOf(req), req.query, requestContext(req)) }),
  });

  r.post('/api/detentions', {
    config: { access: 'detention.write' },
    schema: {
      tags: ['records'],
      summary: 'Registrar una detención de inmediato (antes de firmar el IPH)',
      body: z.strictObject({ iphId: id.nullish(), incidentId: id.nullish(), record: detentionRecordInputSchema }),
      response: { 201: detentionSchema, ...recordErrors },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await detention.registerDetention(deps, actorOf(req), req.body, requestContext(req))),
  });

  r.get('/api/detentions/:id', {
    config: { access: 'detention.read' },
    schema: {
      tags: ['records'],
      summary: 'Una detención (lectura auditada)',
      params: idParams,
      response: { 200: detentionSchema, ...recordErrors },
    },
    handler: async (req) => detention.getDetention(deps, actorOf(req), req.params.id, requestContext(req)),
  });

  r.patch('/api/detentions/:id', {
    config: { access: 'detention.write' },
    schema: {
      tags: ['records'],
      summary: 'Completar o corregir el registro mientras la persona está bajo custodia',
      params: idParams,
      body: z.strictObject({ expectedVersion: z.number().int().min(1).optional(), record: detentionRecordInputSchema }),
      response: { 200: detentionSchema, ...recordErrors },
    },
    handler: async (req) => detention.updateDetention(deps, actorOf(req), req.params.id, req.body, requestContext(req)),
  });

  r.post('/api/detentions/:id/handover', {
    config: { access: 'detention.write' },
    schema: {
      tags: ['records'],
      summary: 'Puesta a disposición ante el Ministerio Público: cierra el registro',
      params: idParams,
      body: detentionHandoverInputSchema,
      response: { 200: detentionSchema, ...recordErrors },
    },
    handler: async (req) => detention.handOverDetention(deps, actorOf(req), req.params.id, req.body, requestContext(req)),
  });
}
