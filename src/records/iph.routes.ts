import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorSchema, requestContext, typed } from '../platform/http/server.js';
import { t, type Language } from '../platform/i18n/messages.js';
import type { Actor } from '../identity/access-policy.js';
import * as iph from './iph.service.js';
import type { RecordsDeps } from './iph.deps.js';
import type { ChainCheck } from './iph.hash.js';
import { id, stateCode } from './iph.fields.js';
import {
  chainVerificationSchema,
  crimeCodeSchema,
  iphAmendmentInputSchema,
  iphSchema,
  iphSectionsSchema,
  iphSummarySchema,
} from './iph.schemas.js';

export const recordErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  423: errorSchema,
};
export const idParams = z.strictObject({ id });
export const actorOf = (req: FastifyRequest): Actor => req.auth!.actor;

/** A chain check as the API answers it, with its sentence in the request's language. */
export function verificationOut(lang: Language, c: ChainCheck): z.infer<typeof chainVerificationSchema> {
  if (c.intact)
    return {
      intact: true,
      entries: c.entries,
      headHash: c.headHash,
      broken: null,
      message: t(lang, 'records.verify.intact', { entries: c.entries }),
    };
  const key = c.seq === 0 ? 'records.verify.origin_modified' : (`records.verify.${c.problem}` as const);
  return {
    intact: false,
    entries: c.entries,
    headHash: null,
    broken: { seq: c.seq, problem: c.problem },
    message: t(lang, key, { seq: c.seq }),
  };
}

/** /api/iph: the homologated police report — drafts, signature, amendments, verification. */
export async function iphRoutes(app: FastifyInstance, deps: RecordsDeps): Promise<void> {
  const r = typed(app);

  r.get('/api/iph', {
    config: { access: 'iph.read' },
    schema: {
      tags: ['records'],
      summary: 'IPH que puede consultar (de su institución o recibidos por su fiscalía); `mine=true`: los que usted elabora',
      querystring: z.strictObject({
        mine: z.enum(['true', 'false']).optional(),
        incidentId: id.optional(),
        status: z.enum(['draft', 'signed']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: { 200: z.object({ iphs: z.array(iphSummarySchema) }), ...recordErrors },
    },
    handler: async (req) => ({
      iphs: await iph.listIphs(deps, actorOf(req), {
        mine: req.query.mine === 'true',
        incidentId: req.query.incidentId,
        status: req.query.status,
        limit: req.query.limit,
      }),
    }),
  });

  r.post('/api/iph', {
    config: { access: 'iph.write' },
    schema: {
      tags: ['records'],
      summary: 'Iniciar un IPH: desde un incidente del 911 (prellenado) o sin él',
      body: z.strictObject({ incidentId: id.nullish(), stateCode: stateCode.nullish() }),
      response: { 201: iphSchema, ...recordErrors },
    },
    handler: async (req, reply) => reply.code(201).send(await iph.createIph(deps, actorOf(req), req.body, requestContext(req))),
  });

  r.get('/api/iph/:id', {
    config: { access: 'iph.read' },
    schema: {
      tags: ['records'],
      summary: 'Un IPH con sus enmiendas (lectura auditada)',
      params: idParams,
      response: { 200: iphSchema, ...recordErrors },
    },
    handler: async (req) => iph.getIph(deps, actorOf(req), req.params.id, requestContext(req)),
  });

  r.patch('/api/iph/:id', {
    config: { access: 'iph.write' },
    schema: {
      tags: ['records'],
      summary: 'Guardar secciones de un borrador (cada sección enviada reemplaza la guardada); un IPH firmado responde 409',
      params: idParams,
      body: z.strictObject({
        expectedVersion: z.number().int().min(1).optional(),
        crimeCode: crimeCodeSchema.nullish(),
        sections: iphSectionsSchema.optional(),
      }),
      response: { 200: iphSchema, ...recordErrors },
    },
    handler: async (req) => iph.updateIph(deps, actorOf(req), req.params.id, req.body, requestContext(req)),
  });

  r.post('/api/iph/:id/sign', {
    config: { access: 'iph.write' },
    schema: {
      tags: ['records'],
      summary: 'Firmar el IPH (el primer respondiente, con su contraseña): queda inmutable',
      params: idParams,
      body: z.strictObject({ password: z.string().min(1).max(256) }),
      response: { 200: iphSchema, ...recordErrors },
    },
    handler: async (req) => iph.signIph(deps, actorOf(req), req.params.id, req.body.password, requestContext(req)),
  });

  r.post('/api/iph/:id/amendments', {
    config: { access: 'iph.write' },
    schema: {
      tags: ['records'],
      summary: 'Registrar una enmienda firmada de un IPH firmado (sección, dato, valor nuevo, motivo)',
      params: idParams,
      body: iphAmendmentInputSchema,
      response: { 201: iphSchema, ...recordErrors },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await iph.amendIph(deps, actorOf(req), req.params.id, req.body, requestContext(req))),
  });

  r.get('/api/iph/:id/verify', {
    config: { access: 'iph.verify' },
    schema: {
      tags: ['records'],
      summary: 'Verificar el hash del contenido firmado y la cadena de enmiendas',
      params: idParams,
      response: { 200: chainVerificationSchema, ...recordErrors },
    },
    handler: async (req) => verificationOut(req.lang, await iph.verifyIph(deps, actorOf(req), req.params.id)),
  });
}
