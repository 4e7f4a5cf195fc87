import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../platform/errors.js';
import { errorSchema, requestContext, typed } from '../platform/http/server.js';
import * as evidence from './evidence.service.js';
import type { RecordsDeps } from './iph.deps.js';
import { id, sha256Hex } from './iph.fields.js';
import { chainVerificationSchema } from './iph.schemas.js';
import { evidenceSchema, evidenceSummarySchema, newEvidenceSchema, photoSchema, transferInputSchema } from './evidence.schemas.js';
import { actorOf, idParams, recordErrors, verificationOut } from './iph.routes.js';

const isStream = (v: unknown): v is Readable => !!v && typeof (v as Readable).pipe === 'function';

/** /api/evidence: evidence items, photos and the chain of custody. */
export async function evidenceRoutes(app: FastifyInstance, deps: RecordsDeps): Promise<void> {
  const r = typed(app);

  r.get('/api/evidence', {
    config: { access: 'evidence.read' },
    schema: {
      tags: ['records'],
      summary: 'Indicios que su institución registró o ha tenido bajo custodia',
      querystring: z.strictObject({ iphId: id.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(evidenceSummarySchema) }), ...recordErrors },
    },
    handler: async (req) => ({ items: await evidence.listEvidence(deps, actorOf(req), req.query) }),
  });

  r.post('/api/evidence', {
    config: { access: 'evidence.write' },
    schema: {
      tags: ['records'],
      summary: 'Registrar un indicio (su registro se sella con SHA-256 y abre la cadena de custodia)',
      body: newEvidenceSchema,
      response: { 201: evidenceSchema, ...recordErrors },
    },
    handler: async (req, reply) => reply.code(201).send(await evidence.registerEvidence(deps, actorOf(req), req.body, requestContext(req))),
  });

  r.get('/api/evidence/:id', {
    config: { access: 'evidence.read' },
    schema: {
      tags: ['records'],
      summary: 'Un indicio con su cadena de custodia y fotos',
      params: idParams,
      response: { 200: evidenceSchema, ...recordErrors },
    },
    handler: async (req) => evidence.getEvidence(deps, actorOf(req), req.params.id),
  });

  r.post('/api/evidence/:id/transfers', {
    config: { access: 'evidence.write' },
    schema: {
      tags: ['records'],
      summary: 'Registrar una entrega-recepción (se agrega a la cadena; un hash anterior vencido o falso responde 409)',
      params: idParams,
      body: transferInputSchema,
      response: { 201: evidenceSchema, ...recordErrors },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await evidence.transferEvidence(deps, actorOf(req), req.params.id, req.body, requestContext(req))),
  });

  r.get('/api/evidence/:id/verify', {
    config: { access: 'evidence.verify' },
    schema: {
      tags: ['records'],
      summary: 'Verificar la cadena de custodia (íntegra o el primer eslabón roto) y los hashes de las fotos',
      params: idParams,
      response: {
        200: chainVerificationSchema.extend({
          photos: z.array(z.strictObject({ id, sha256: sha256Hex, ok: z.boolean(), problem: z.enum(['missing', 'modified']).nullable() })),
        }),
        ...recordErrors,
      },
    },
    handler: async (req) => {
      const v = await evidence.verifyEvidence(deps, actorOf(req), req.params.id);
      return { ...verificationOut(req.lang, v), photos: v.photos };
    },
  });

  r.get('/api/evidence/:id/photos/:photoId', {
    config: { access: 'evidence.read' },
    schema: {
      tags: ['records'],
      summary: 'Descargar una foto del indicio (descarga auditada)',
      params: z.strictObject({ id, photoId: id }),
      response: { 200: z.string(), ...recordErrors },
    },
    handler: async (req, reply) => {
      const { photo, stream } = await evidence.openPhoto(deps, actorOf(req), req.params.id, req.params.photoId, requestContext(req));
      reply.header('content-type', photo.contentType);
      reply.header('cache-control', 'private, max-age=3600');
      reply.header('x-content-sha256', photo.sha256);
      return reply.send(stream as unknown as string);
    },
  });

  // The photo upload reads the raw body as a stream: its own content-type parsers, in a scope of its own.
  await app.register(async (scope) => {
    scope.addContentTypeParser(evidence.PHOTO_CONTENT_TYPES, (_req, payload, done) => done(null, payload));
    typed(scope).post('/api/evidence/:id/photos', {
      config: { access: 'evidence.write' },
      schema: {
        tags: ['records'],
        summary: 'Subir una foto del indicio: cuerpo crudo image/jpeg, image/png o image/webp; se guarda por su SHA-256',
        params: idParams,
        response: { 201: photoSchema, ...recordErrors, 413: errorSchema, 415: errorSchema },
      },
      handler: async (req, reply) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (!isStream(req.body) || !evidence.PHOTO_CONTENT_TYPES.includes(type))
          throw new AppError(415, 'photo_type', 'error.evidence.photo_type', {}, 'body');
        const length = Number(req.headers['content-length']);
        const photo = await evidence.addPhoto(
          deps,
          actorOf(req),
          req.params.id,
          { stream: req.body, contentType: type, declaredLength: Number.isFinite(length) ? length : undefined },
          requestContext(req),
        );
        return reply.code(201).send(photo);
      },
    });
  });
}
