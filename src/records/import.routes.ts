import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorSchema, typed } from '../platform/http/server.js';
import type { Actor } from '../identity/access-policy.js';
import * as imports from './import.service.js';
import { MAPPING_NAME, mappingSchema } from './import-mapping.js';
import { IMPORT_ENCODINGS } from './import-text.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema };
const idParams = z.strictObject({ id: z.string().uuid() });

export const importJobSchema = z.object({
  id: z.string(),
  ownerAgencyId: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(imports.IMPORT_STATUSES),
  format: z.enum(imports.IMPORT_FORMATS),
  fileName: z.string(),
  fileSize: z.number().nullable(),
  encoding: z.enum(IMPORT_ENCODINGS),
  encodingUsed: z.string().nullable(),
  delimiter: z.enum(imports.IMPORT_DELIMITERS),
  delimiterUsed: z.string().nullable(),
  mappingName: z.string(),
  declaredState: z.string().nullable(),
  bytesCommitted: z.number(),
  nextLine: z.number(),
  rowsRead: z.number(),
  rowsAccepted: z.number(),
  rowsDuplicate: z.number(),
  rowsRejected: z.number(),
  progress: z.number().nullable(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const rejectionSchema = z.object({
  record: z.number(),
  line: z.number(),
  reason: z.string(),
  field: z.string().nullable(),
  message: z.string(),
  raw: z.string(),
});

const mappingViewSchema = z.object({
  name: z.string(),
  builtIn: z.boolean(),
  ownerAgencyId: z.string().nullable(),
  mapping: mappingSchema,
  updatedAt: z.string().nullable(),
});

/** The media types an upload may declare; the body is handed to the importer as a stream, never buffered. */
export const UPLOAD_TYPES = ['application/octet-stream', 'text/csv', 'application/geo+json', 'application/vnd.geo+json'];

const actorOf = (req: FastifyRequest): Actor => req.auth!.actor;

export async function importRoutes(app: FastifyInstance, deps: imports.ImportDeps): Promise<void> {
  const r = typed(app);

  r.get('/api/records/import-mappings', {
    config: { access: 'crime.import' },
    schema: {
      tags: ['records'],
      summary: 'Correspondencias de columnas: las integradas y las guardadas por la institución',
      response: { 200: z.object({ mappings: z.array(mappingViewSchema) }), ...errors },
    },
    handler: async (req) => ({ mappings: await imports.listMappings(deps, actorOf(req)) }),
  });

  r.put('/api/records/import-mappings/:name', {
    config: { access: 'crime.import' },
    schema: {
      tags: ['records'],
      summary: 'Guardar una correspondencia de columnas con nombre (columnas → campos, categorías → códigos del SESNSP)',
      params: z.strictObject({ name: z.string().regex(MAPPING_NAME) }),
      body: mappingSchema,
      response: { 200: mappingViewSchema, ...errors },
    },
    handler: async (req) => imports.saveMapping(deps, actorOf(req), req.params.name, req.body),
  });

  r.post('/api/records/imports', {
    config: { access: 'crime.import' },
    schema: {
      tags: ['records'],
      summary: 'Crear una importación (después se envía el archivo con PUT …/data); archivos de hasta 2 GB',
      body: z.strictObject({
        fileName: z.string().trim().min(1).max(255),
        fileSize: z.number().int().min(0).optional(),
        format: z.enum(imports.IMPORT_FORMATS).optional(),
        encoding: z.enum(IMPORT_ENCODINGS).default('auto'),
        delimiter: z.enum(imports.IMPORT_DELIMITERS).default('auto'),
        mappingName: z.string().regex(MAPPING_NAME),
        mapping: mappingSchema.optional(),
        stateCode: z
          .string()
          .regex(/^\d{2}$/)
          .nullish(),
      }),
      response: { 201: importJobSchema, ...errors },
    },
    handler: async (req, reply) => {
      const actor = actorOf(req);
      const row = await imports.createImportJob(deps, { agencyId: actor.agencyId, userId: actor.userId, name: actor.username }, req.body);
      return reply.code(201).send(imports.jobView(deps, row, req.lang));
    },
  });

  r.get('/api/records/imports', {
    config: { access: 'crime.import' },
    schema: {
      tags: ['records'],
      summary: 'Importaciones recientes de la institución',
      response: { 200: z.object({ jobs: z.array(importJobSchema) }), ...errors },
    },
    handler: async (req) => ({ jobs: await imports.listImportJobs(deps, actorOf(req), req.lang) }),
  });

  r.get('/api/records/imports/:id', {
    config: { access: 'crime.import' },
    schema: {
      tags: ['records'],
      summary: 'Una importación: estado, posición confirmada y avance (filas leídas, aceptadas, duplicadas, rechazadas)',
      params: idParams,
      response: { 200: importJobSchema, ...errors },
    },
    handler: async (req) => imports.jobView(deps, await imports.visibleJob(deps, actorOf(req), req.params.id), req.lang),
  });

  r.get('/api/records/imports/:id/rejections', {
    config: { access: 'crime.import' },
    schema: {
      tags: ['records'],
      summary: 'Filas rechazadas de una importación: línea, motivo y texto original',
      params: idParams,
      querystring: z.strictObject({
        after: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: { 200: z.object({ rejections: z.array(rejectionSchema), nextAfter: z.number().nullable() }), ...errors },
    },
    handler: async (req) => {
      await imports.visibleJob(deps, actorOf(req), req.params.id);
      const rejections = await imports.listRejections(deps, req.params.id, req.lang, req.query.after, req.query.limit);
      return { rejections, nextAfter: rejections.length === req.query.limit ? rejections[rejections.length - 1].record : null };
    },
  });

  r.get('/api/records/imports/:id/rejections.csv', {
    config: { access: 'crime.import' },
    schema: {
      tags: ['records'],
      summary: 'Filas rechazadas en CSV',
      params: idParams,
      response: { 200: z.string(), ...errors },
    },
    handler: async (req, reply) => {
      const job = await imports.visibleJob(deps, actorOf(req), req.params.id);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="rechazos-${job.fileName.replace(/[^\w.-]+/g, '_')}.csv"`);
      return reply.send(Readable.from(imports.rejectionsCsv(deps, job.id, req.lang)) as unknown as string);
    },
  });

  // The upload: its own context, where the upload media types hand the raw request stream to the
  // importer (no body limit applies and nothing is buffered); elsewhere they stay unsupported.
  await app.register(async (upload) => {
    upload.removeContentTypeParser(['application/json', 'text/plain']);
    upload.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));
    typed(upload).put('/api/records/imports/:id/data', {
      config: { access: 'crime.import' },
      schema: {
        tags: ['records'],
        summary:
          'Enviar el archivo (cuerpo crudo, application/octet-stream) desde `offset`: 0, o `bytesCommitted` para reanudar con el mismo archivo (headSha256 = SHA-256 de sus primeros 64 KiB). Responde al terminar.',
        params: idParams,
        querystring: z.strictObject({
          offset: z.coerce.number().int().min(0).default(0),
          headSha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .optional(),
        }),
        response: { 200: importJobSchema, ...errors },
      },
      handler: async (req, reply) => {
        const job = await imports.visibleJob(deps, actorOf(req), req.params.id);
        const declared = Number(req.headers['content-length']);
        const body = req.body as unknown as AsyncIterable<Buffer> | undefined;
        try {
          const done = await imports.runImport(deps, job.id, body ?? Readable.from([]), {
            offset: req.query.offset,
            headSha256: req.query.headSha256,
            contentLength: Number.isFinite(declared) ? declared : null,
          });
          return imports.jobView(deps, done, req.lang);
        } catch (err) {
          // Refused before the body was read: the rest of the upload is not wanted on this connection.
          reply.header('connection', 'close');
          throw err;
        }
      },
    });
  });
}
