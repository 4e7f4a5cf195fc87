import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorSchema, requestContext, typed } from '../platform/http/server.js';
import type { Actor } from '../identity/access-policy.js';
import type { DispatchDeps } from './dispatch.service.js';
import { incidentSchema } from './dispatch.routes.js';
import * as transfers from './transfer.service.js';
import { PRIORITIES } from './dispatch.types.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const idParams = z.strictObject({ id: z.string().uuid() });
const actorOf = (req: FastifyRequest): Actor => req.auth!.actor;

const transferSchema = z.object({
  id: z.string(),
  fromLabel: z.string(),
  toCentreId: z.string(),
  createdAt: z.string(),
  acceptedAt: z.string().nullable(),
  incidentId: z.string().nullable(),
  typeCode: z.string(),
  typeName: z.string(),
  priority: z.enum(PRIORITIES),
  location: z.object({
    lat: z.number(),
    lon: z.number(),
    address: z.string().nullable(),
    stateCode: z.string().nullable(),
    municipalityCode: z.string().nullable(),
  }),
  externalFolio: z.string().nullable(),
  notes: z.number(),
  calls: z.number(),
});
/** An EIDO document: its structure is checked by the importer (src/dispatch/eido.ts), which names the faulty path. */
const eidoSchema = z.record(z.string(), z.unknown());

export async function transferRoutes(app: FastifyInstance, deps: DispatchDeps): Promise<void> {
  const r = typed(app);

  r.post('/api/dispatch/calls/:id/transfer', {
    config: { access: 'dispatch.call' },
    schema: {
      tags: ['dispatch'],
      summary: 'Transferir la llamada al C4/C5 de la entidad donde ocurre la emergencia (documento NENA EIDO)',
      params: idParams,
      body: z.strictObject({
        typeCode: z.string().regex(/^\d{5}$/),
        priority: z.enum(PRIORITIES).optional(),
        location: z.strictObject({
          lat: z.number().min(-90).max(90),
          lon: z.number().min(-180).max(180),
          uncertaintyM: z.number().min(0).max(100_000).nullish(),
          address: z.string().trim().max(500).nullish(),
        }),
        note: z.string().max(4000).optional(),
      }),
      response: { 201: z.object({ transfer: transferSchema, document: eidoSchema }), ...errors },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await transfers.transferCall(deps, actorOf(req), req.params.id, req.body, requestContext(req))),
  });

  r.get('/api/dispatch/transfers', {
    config: { access: 'dispatch.board' },
    schema: {
      tags: ['dispatch'],
      summary: 'Transferencias recibidas pendientes de aceptar',
      response: { 200: z.object({ transfers: z.array(transferSchema) }), ...errors },
    },
    handler: async (req) => ({ transfers: await transfers.listTransfers(deps, actorOf(req)) }),
  });

  r.post('/api/dispatch/transfers/:id/accept', {
    config: { access: 'dispatch.incident.write' },
    schema: {
      tags: ['dispatch'],
      summary: 'Aceptar una transferencia: crea el incidente en este centro',
      params: idParams,
      response: { 200: incidentSchema, ...errors },
    },
    handler: async (req) => transfers.acceptTransfer(deps, actorOf(req), req.params.id, requestContext(req)),
  });

  r.get('/api/dispatch/incidents/:id/eido', {
    config: { access: 'dispatch.board' },
    schema: {
      tags: ['dispatch'],
      summary: 'El incidente como documento NENA EIDO (JSON)',
      params: idParams,
      response: { 200: eidoSchema, ...errors },
    },
    handler: async (req) => transfers.exportIncident(deps, actorOf(req), req.params.id, requestContext(req)),
  });

  r.post('/api/dispatch/eido', {
    config: { access: 'dispatch.incident.write' },
    schema: {
      tags: ['dispatch'],
      summary: 'Recibir un documento NENA EIDO de otro sistema (queda como transferencia pendiente)',
      body: eidoSchema,
      response: { 201: transferSchema, ...errors },
    },
    handler: async (req, reply) => reply.code(201).send(await transfers.receiveDocument(deps, actorOf(req), req.body, requestContext(req))),
  });
}
