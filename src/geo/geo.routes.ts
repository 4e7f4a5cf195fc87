import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { AppError, notFound } from '../platform/errors.js';
import { errorSchema, typed, type AppContext } from '../platform/http/server.js';
import type { GeoService, LayerName } from './geo.service.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const named = z.object({ code: z.string(), name: z.string() });
export const locateSchema = z.object({
  state: named,
  municipality: named,
  alcaldia: named.optional(),
  colonia: z.object({ id: z.string(), name: z.string() }).optional(),
  quadrant: z.object({ id: z.string(), sector: z.string(), zona: z.string() }).optional(),
});
const hitSchema = z.object({
  kind: z.enum(['state', 'municipality', 'colonia', 'quadrant']),
  code: z.string(),
  name: z.string(),
  parentName: z.string().nullable(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  center: z.tuple([z.number(), z.number()]),
});
const LAYERS = ['estados', 'municipios', 'alcaldias', 'colonias', 'cuadrantes'] as const satisfies readonly LayerName[];

export async function geoRoutes(app: FastifyInstance, ctx: AppContext, geo: GeoService): Promise<void> {
  const r = typed(app);
  void ctx;

  r.get('/api/geo/locate', {
    config: { access: 'geo.read' },
    schema: {
      tags: ['geo'],
      summary: 'Jurisdicciones de un punto: estado, municipio, alcaldía, colonia y cuadrante',
      querystring: z.strictObject({ lat: z.coerce.number().min(-90).max(90), lon: z.coerce.number().min(-180).max(180) }),
      response: { 200: locateSchema, ...errors },
    },
    handler: async (req) => {
      const { lat, lon } = req.query;
      const hit = geo.locate(lat, lon);
      if (!hit) throw new AppError(404, 'outside_mexico', 'error.outside_mexico', { lat, lon }, 'lat');
      return hit;
    },
  });

  r.get('/api/geo/search', {
    config: { access: 'geo.read' },
    schema: {
      tags: ['geo'],
      summary: 'Buscar jurisdicciones por nombre (sin importar acentos ni mayúsculas)',
      querystring: z.strictObject({
        q: z.string().trim().min(1).max(120),
        limit: z.coerce.number().int().min(1).max(50).default(10),
        kinds: z
          .string()
          .regex(/^(state|municipality|colonia|quadrant)(,(state|municipality|colonia|quadrant))*$/)
          .optional(),
      }),
      response: { 200: z.object({ results: z.array(hitSchema) }), ...errors },
    },
    handler: async (req) => ({
      results: geo.search(req.query.q, {
        limit: req.query.limit,
        kinds: req.query.kinds?.split(',') as ('state' | 'municipality' | 'colonia' | 'quadrant')[] | undefined,
      }),
    }),
  });

  r.get('/api/geo/states', {
    config: { access: 'geo.read' },
    schema: {
      tags: ['geo'],
      summary: 'Entidades federativas',
      response: { 200: z.object({ states: z.array(named.extend({ population: z.number() })) }), ...errors },
    },
    handler: async () => ({ states: geo.listStates().map((s) => ({ code: s.code, name: s.name, population: s.population })) }),
  });

  r.get('/api/geo/states/:code/municipalities', {
    config: { access: 'geo.read' },
    schema: {
      tags: ['geo'],
      summary: 'Municipios de una entidad',
      params: z.strictObject({ code: z.string().regex(/^\d{2}$/) }),
      response: { 200: z.object({ municipalities: z.array(named.extend({ population: z.number() })) }), ...errors },
    },
    handler: async (req) => {
      const list = geo.listMunicipalities(req.params.code);
      if (!list.length) throw notFound();
      return { municipalities: list.map((m) => ({ code: m.code, name: m.name, population: m.population })) };
    },
  });

  // Boundary layers are large (municipios ≈ 1.3 MB) and never change while the process runs:
  // serialize and gzip each once, send the gzip to clients that accept it.
  const layerCache = new Map<string, { json: string; gzip: Buffer; etag: string }>();
  r.get('/api/geo/layers/:name', {
    config: { access: 'geo.read' },
    schema: {
      tags: ['geo'],
      summary: 'Capa de límites (TopoJSON) para el mapa base',
      params: z.strictObject({ name: z.enum(LAYERS) }),
      response: { 200: z.string(), 304: z.null(), ...errors },
    },
    handler: async (req, reply) => {
      let entry = layerCache.get(req.params.name);
      if (!entry) {
        const json = JSON.stringify(geo.getLayerTopology(req.params.name));
        entry = { json, gzip: gzipSync(json), etag: `"${createHash('sha1').update(json).digest('hex').slice(0, 16)}"` };
        layerCache.set(req.params.name, entry);
      }
      reply.header('cache-control', 'private, max-age=86400');
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
}
