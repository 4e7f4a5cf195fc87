import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getResolution, isValidCell } from 'h3-js';
import { z } from 'zod';
import { badRequest } from '../platform/errors.js';
import { errorSchema, requestContext, typed } from '../platform/http/server.js';
import type { Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import * as crimes from './crime.service.js';
import { CATALOGUE_LEVELS, CRIME_SOURCES, CRIME_STATUSES } from './crime.types.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const code = z.string().regex(/^\d{1,2}(\.\d{1,2}){0,3}$/);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const idempotencyHeaders = z.object({ 'idempotency-key': z.string().min(8).max(128).optional() }).passthrough();

const catalogueNodeSchema = z.object({
  code: z.string(),
  level: z.enum(CATALOGUE_LEVELS),
  name: z.string(),
  nameEn: z.string(),
  parentCode: z.string().nullable(),
  path: z.array(z.object({ code: z.string(), name: z.string(), nameEn: z.string() })),
  violence: z.enum(['violent', 'non_violent']).nullable(),
  childCount: z.number(),
});

/** A crime record as the API answers it: no person, no free text (CR-2). */
export const crimeRecordSchema = z.object({
  id: z.string(),
  classificationCode: z.string(),
  occurredOn: z.string(),
  occurredTime: z.string().nullable(),
  lat: z.number(),
  lon: z.number(),
  stateCode: z.string(),
  municipalityCode: z.string(),
  coloniaId: z.string().nullable(),
  quadrantId: z.string().nullable(),
  h3: z.object({ r7: z.string(), r8: z.string(), r9: z.string(), r10: z.string() }),
  violent: z.boolean(),
  status: z.enum(CRIME_STATUSES),
  source: z.enum(CRIME_SOURCES),
  sourceRef: z.string().nullable(),
  sourceDataset: z.string(),
  sourceId: z.string(),
  ownerAgencyId: z.string().nullable(),
  createdAt: z.string(),
});

const filterQuery = z.strictObject({
  classification: code.optional(),
  from: date.optional(),
  to: date.optional(),
  stateCode: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  municipalityCode: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
  coloniaId: z.string().max(32).optional(),
  quadrantId: z.string().max(32).optional(),
  /** An H3 cell of resolution 7 to 10: the records inside it. */
  h3: z
    .string()
    .regex(/^[0-9a-f]{15}$/)
    .optional(),
  /** minLon,minLat,maxLon,maxLat */
  bbox: z
    .string()
    .regex(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$/)
    .optional(),
  violent: z.enum(['true', 'false']).optional(),
  status: z.enum(CRIME_STATUSES).optional(),
  source: z.enum(CRIME_SOURCES).optional(),
  importJobId: z.string().uuid().optional(),
});
type FilterQuery = z.infer<typeof filterQuery>;

function toQuery(q: FilterQuery): Omit<crimes.CrimeQuery, 'limit'> {
  const { h3, bbox, violent, importJobId, ...rest } = q;
  let cell: crimes.CrimeQuery['h3'];
  if (h3) {
    const resolution = isValidCell(h3) ? getResolution(h3) : -1;
    if (resolution < 7 || resolution > 10) throw badRequest('validation', 'error.validation', 'h3', { field: 'h3', detail: 'H3 7–10' });
    cell = { resolution: resolution as 7 | 8 | 9 | 10, cell: h3 };
  }
  let box: crimes.CrimeQuery['bbox'];
  if (bbox) {
    const [minLon, minLat, maxLon, maxLat] = bbox.split(',').map(Number);
    if (!(minLon <= maxLon && minLat <= maxLat))
      throw badRequest('validation', 'error.validation', 'bbox', { field: 'bbox', detail: 'min ≤ max' });
    box = [minLon, minLat, maxLon, maxLat];
  }
  if (q.from && q.to && q.from > q.to) throw badRequest('validation', 'error.validation', 'to', { field: 'to', detail: 'from ≤ to' });
  return { ...rest, h3: cell, bbox: box, violent: violent === undefined ? undefined : violent === 'true', sourceRef: importJobId };
}

const actorOf = (req: FastifyRequest): Actor => req.auth!.actor;

export async function crimeRoutes(app: FastifyInstance, deps: crimes.CrimeDeps): Promise<void> {
  const r = typed(app);

  r.get('/api/records/crime-catalogue', {
    config: { access: 'crime.catalogue' },
    schema: {
      tags: ['records'],
      summary: 'Catálogo de delitos del SESNSP: bien jurídico → tipo → subtipo → modalidad (buscar, hijos de un nodo, o todo)',
      querystring: z.strictObject({
        q: z.string().trim().max(80).optional(),
        parent: code.optional(),
        all: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(300).default(50),
      }),
      response: { 200: z.object({ nodes: z.array(catalogueNodeSchema) }), ...errors },
    },
    handler: async (req) => {
      const catalogue = crimes.catalogueOf(deps);
      const { q, parent, all, limit } = req.query;
      if (all === 'true') return { nodes: catalogue.all() };
      if (parent) {
        if (!catalogue.get(parent))
          throw badRequest('unknown_classification', 'crime.reason.unknown_classification', 'parent', { code: parent });
        return { nodes: catalogue.children(parent) };
      }
      return { nodes: q ? catalogue.search(q, limit) : catalogue.children(null) };
    },
  });

  r.post('/api/records/crimes', {
    config: { access: 'crime.write' },
    schema: {
      tags: ['records'],
      summary: 'Registrar un delito (con Idempotency-Key); clasificación del SESNSP a cualquier nivel, sin datos personales',
      headers: idempotencyHeaders,
      body: z.strictObject({
        classificationCode: code,
        occurredOn: date,
        occurredTime: z
          .string()
          .regex(/^\d{2}:\d{2}$/)
          .nullish(),
        lat: z.number(),
        lon: z.number(),
        /** The state the caller says the point is in; a point elsewhere is refused. */
        stateCode: z
          .string()
          .regex(/^\d{2}$/)
          .nullish(),
        violent: z.boolean().nullish(),
        status: z.enum(CRIME_STATUSES).optional(),
        /** The caller's own id for the record: one record per id and agency. */
        sourceId: z.string().trim().min(1).max(128).nullish(),
      }),
      response: { 200: crimeRecordSchema, 201: crimeRecordSchema, ...errors },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const key = req.headers['idempotency-key'];
      const { record, replayed } = await crimes.createCrimeRecord(
        deps,
        actorOf(req),
        {
          classificationCode: b.classificationCode,
          occurredOn: b.occurredOn,
          occurredTime: b.occurredTime ?? null,
          lat: b.lat,
          lon: b.lon,
          declaredStateCode: b.stateCode ?? null,
          violent: b.violent ?? null,
          status: b.status,
          sourceId: b.sourceId ?? null,
        },
        typeof key === 'string' ? key : undefined,
      );
      return reply.code(replayed ? 200 : 201).send(record);
    },
  });

  r.get('/api/records/crimes', {
    config: { access: 'crime.read' },
    schema: {
      tags: ['records'],
      summary:
        'Buscar delitos por clasificación (con sus subniveles), fechas, área (entidad, municipio, colonia, cuadrante, celda H3, rectángulo) y fuente',
      querystring: filterQuery.extend({
        cursor: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: { 200: z.object({ records: z.array(crimeRecordSchema), nextCursor: z.string().nullable() }), ...errors },
    },
    handler: async (req) => {
      const { cursor, limit, ...filter } = req.query;
      return crimes.listCrimes(deps, actorOf(req), { ...toQuery(filter), cursor, limit });
    },
  });

  r.get('/api/records/crimes.csv', {
    config: { access: 'crime.export' },
    schema: {
      tags: ['records'],
      summary: 'Exportar delitos en CSV (sin datos personales; queda en la bitácora)',
      querystring: filterQuery,
      response: { 200: z.string(), ...errors },
    },
    handler: async (req, reply) => {
      const actor = actorOf(req);
      const query = toQuery(req.query);
      // Who took which records out, and with what filter (CJIS 5.4.1.1).
      await appendAudit(deps.handle, actor, {
        action: 'crime.export',
        targetType: 'crime_record',
        details: { ...req.query },
        ...requestContext(req),
      });
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="delitos-${new Date().toISOString().slice(0, 10)}.csv"`);
      // Streamed page by page; Fastify pipes streams without running the serializer.
      return reply.send(Readable.from(crimes.exportCrimesCsv(deps, actor, query)) as unknown as string);
    },
  });

  r.get('/api/records/crimes/:id', {
    config: { access: 'crime.read' },
    schema: {
      tags: ['records'],
      summary: 'Un delito',
      params: z.strictObject({ id: z.string().uuid() }),
      response: { 200: crimeRecordSchema, ...errors },
    },
    handler: async (req) => crimes.getCrime(deps, actorOf(req), req.params.id),
  });
}
