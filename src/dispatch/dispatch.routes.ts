import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../platform/errors.js';
import { errorSchema, requestContext, typed, type AppContext } from '../platform/http/server.js';
import type { Actor } from '../identity/access-policy.js';
import * as dispatch from './dispatch.service.js';
import * as boardService from './board.service.js';
import { CALL_OUTCOMES, CAPABILITIES, INCIDENT_STATUSES, PRIORITIES, UNIT_STATUSES, UNIT_TYPES } from './dispatch.types.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const idParams = z.strictObject({ id: z.string().uuid() });
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);
const idempotencyHeaders = z.object({ 'idempotency-key': z.string().min(8).max(128).optional() }).passthrough();

const locationSchema = z.object({
  lat: z.number(),
  lon: z.number(),
  uncertaintyM: z.number().nullable().optional(),
  stateCode: z.string(),
  municipalityCode: z.string(),
  coloniaId: z.string().nullable().optional(),
  quadrantId: z.string().nullable().optional(),
  address: z.string().nullable().optional(),
});
const unitRef = z.object({ id: z.string(), callSign: z.string(), status: z.enum(UNIT_STATUSES), agencyId: z.string() });
export const incidentSchema = z.object({
  id: z.string(),
  centreId: z.string(),
  folio: z.string(),
  typeCode: z.string(),
  typeName: z.string(),
  typeNameEn: z.string(),
  place: z.object({ stateName: z.string(), municipalityName: z.string().nullable(), coloniaName: z.string().nullable() }),
  priority: z.enum(PRIORITIES),
  status: z.enum(INCIDENT_STATUSES),
  closureCode: z.string().nullable(),
  location: locationSchema,
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  firstDispatchedAt: z.string().nullable(),
  firstArrivedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  updatedAt: z.string(),
  units: z.array(unitRef),
});
const callSchema = z.object({
  id: z.string(),
  centreId: z.string(),
  ani: z.string(),
  callerName: z.string().nullable(),
  callerLocation: z.object({ lat: z.number(), lon: z.number(), uncertaintyM: z.number().nullable() }).nullable(),
  receivedAt: z.string(),
  answeredAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  operatorId: z.string().nullable(),
  outcome: z.enum(CALL_OUTCOMES).nullable(),
  incidentId: z.string().nullable(),
  improperCode: z.string().nullable(),
  transferredToCentreId: z.string().nullable(),
});
const entrySchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  at: z.string(),
  authorId: z.string().nullable(),
  authorName: z.string().nullable(),
  kind: z.string(),
  text: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
const assignmentSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  unitId: z.string(),
  assignedAt: z.string(),
  assignedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  enRouteAt: z.string().nullable(),
  onSceneAt: z.string().nullable(),
  clearedAt: z.string().nullable(),
});
export const unitSchema = z.object({
  id: z.string(),
  agencyId: z.string(),
  callSign: z.string(),
  type: z.enum(UNIT_TYPES),
  capabilities: z.array(z.enum(CAPABILITIES)),
  station: z.string().nullable(),
  crew: z.array(z.string()),
  status: z.enum(UNIT_STATUSES),
  statusAt: z.string(),
  position: z.object({ lat: z.number(), lon: z.number(), at: z.string() }).nullable(),
  incidentId: z.string().nullable(),
});
const alertSchema = z.object({
  id: z.string(),
  centreId: z.string(),
  kind: z.string(),
  incidentId: z.string().nullable(),
  unitId: z.string().nullable(),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  folio: z.string().nullable(),
  callSign: z.string().nullable(),
});
const catalogueEntrySchema = z.object({
  code: z.string(),
  name: z.string(),
  nameEn: z.string(),
  typeName: z.string(),
  subtypeName: z.string(),
  priority: z.enum(PRIORITIES),
  improper: z.boolean(),
});

const actorOf = (req: FastifyRequest): Actor => req.auth!.actor;
const idemKey = (req: FastifyRequest) => {
  const k = req.headers['idempotency-key'];
  return typeof k === 'string' ? k : undefined;
};

export async function dispatchRoutes(app: FastifyInstance, ctx: AppContext, deps: dispatch.DispatchDeps): Promise<void> {
  const r = typed(app);
  void ctx;

  r.get('/api/dispatch/catalogue', {
    config: { access: 'dispatch.read' },
    schema: {
      tags: ['dispatch'],
      summary: 'Buscar en el catálogo nacional de incidentes (por código o palabras, sin acentos)',
      querystring: z.strictObject({
        q: z.string().trim().max(80).default(''),
        limit: z.coerce.number().int().min(1).max(400).default(20),
        // true: only the improper/misuse types (closing a prank call); false: only real emergencies.
        improper: z.enum(['true', 'false']).optional(),
      }),
      response: { 200: z.object({ entries: z.array(catalogueEntrySchema) }), ...errors },
    },
    handler: async (req) => {
      const { q, limit, improper } = req.query;
      if (!improper) return { entries: deps.catalogue.search(q, limit) };
      const wanted = improper === 'true';
      // No words: the whole list of that kind, by code (the improper-call dialog shows it all).
      const pool = q ? deps.catalogue.search(q, 400) : deps.catalogue.list();
      return { entries: pool.filter((e) => e.improper === wanted).slice(0, limit) };
    },
  });

  // ── calls ─────────────────────────────────────────────────────────────────
  r.post('/api/dispatch/calls', {
    config: { access: 'dispatch.call' },
    schema: {
      tags: ['dispatch'],
      summary: 'Registrar una llamada recibida (con Idempotency-Key; responde tras el commit)',
      headers: idempotencyHeaders,
      body: z.strictObject({
        ani: z
          .string()
          .trim()
          .min(3)
          .max(32)
          .regex(/^[+\d\s()-]+$/),
        callerName: z.string().trim().max(200).nullish(),
        callerLocation: z.strictObject({ lat, lon, uncertaintyM: z.number().min(0).max(100_000).nullish() }).nullish(),
        receivedAt: z.iso.datetime({ offset: true }).optional(),
      }),
      response: { 200: callSchema, 201: callSchema, ...errors },
    },
    handler: async (req, reply) => {
      const { call, replayed } = await dispatch.createCall(deps, actorOf(req), req.body, idemKey(req), requestContext(req));
      return reply.code(replayed ? 200 : 201).send(call);
    },
  });

  r.get('/api/dispatch/calls/:id', {
    config: { access: 'dispatch.read' },
    schema: { tags: ['dispatch'], summary: 'Una llamada', params: idParams, response: { 200: callSchema, ...errors } },
    handler: async (req) => dispatch.getCall(deps, actorOf(req), req.params.id),
  });

  r.post('/api/dispatch/calls/:id/close', {
    config: { access: 'dispatch.call' },
    schema: {
      tags: ['dispatch'],
      summary: 'Cerrar una llamada sin incidente: improcedente (con su código) o abandonada',
      params: idParams,
      body: z.strictObject({
        outcome: z.enum(['improper', 'abandoned']),
        improperCode: z
          .string()
          .regex(/^\d{5}$/)
          .optional(),
      }),
      response: { 200: callSchema, ...errors },
    },
    handler: async (req) => dispatch.closeCall(deps, actorOf(req), req.params.id, req.body, requestContext(req)),
  });

  // ── incidents ─────────────────────────────────────────────────────────────
  r.post('/api/dispatch/incidents', {
    config: { access: 'dispatch.incident.write' },
    schema: {
      tags: ['dispatch'],
      summary: 'Crear un incidente (con Idempotency-Key; el folio se asigna al confirmar)',
      headers: idempotencyHeaders,
      body: z.strictObject({
        callId: z.string().uuid().optional(),
        typeCode: z.string().regex(/^\d{5}$/),
        priority: z.enum(PRIORITIES).optional(),
        priorityReason: z.string().trim().max(500).optional(),
        location: z.strictObject({
          lat,
          lon,
          uncertaintyM: z.number().min(0).max(100_000).nullish(),
          address: z.string().trim().max(500).nullish(),
        }),
        note: z.string().max(dispatch.NOTE_MAX).optional(),
      }),
      response: { 200: incidentSchema, 201: incidentSchema, ...errors },
    },
    handler: async (req, reply) => {
      const { incident, replayed } = await dispatch.createIncident(deps, actorOf(req), req.body, idemKey(req), requestContext(req));
      return reply.code(replayed ? 200 : 201).send(incident);
    },
  });

  r.get('/api/dispatch/incidents/:id', {
    config: { access: 'dispatch.read' },
    schema: {
      tags: ['dispatch'],
      summary: 'Un incidente con su bitácora, llamadas y asignaciones',
      params: idParams,
      response: {
        200: incidentSchema.extend({ timeline: z.array(entrySchema), calls: z.array(callSchema), assignments: z.array(assignmentSchema) }),
        ...errors,
      },
    },
    handler: async (req) => dispatch.getIncident(deps, actorOf(req), req.params.id),
  });

  r.post('/api/dispatch/incidents/:id/notes', {
    config: { access: 'dispatch.note' },
    schema: {
      tags: ['dispatch'],
      summary: 'Agregar una nota a la bitácora del incidente',
      params: idParams,
      body: z.strictObject({ text: z.string().max(dispatch.NOTE_MAX * 4) }),
      response: { 200: incidentSchema, ...errors },
    },
    handler: async (req) => dispatch.addNote(deps, actorOf(req), req.params.id, req.body.text, requestContext(req)),
  });

  r.post('/api/dispatch/incidents/:id/priority', {
    config: { access: 'dispatch.incident.write' },
    schema: {
      tags: ['dispatch'],
      summary: 'Cambiar la prioridad (con motivo)',
      params: idParams,
      body: z.strictObject({ priority: z.enum(PRIORITIES), reason: z.string().max(500) }),
      response: { 200: incidentSchema, ...errors },
    },
    handler: async (req) =>
      dispatch.changePriority(deps, actorOf(req), req.params.id, req.body.priority, req.body.reason, requestContext(req)),
  });

  r.post('/api/dispatch/incidents/:id/location', {
    config: { access: 'dispatch.incident.write' },
    schema: {
      tags: ['dispatch'],
      summary: 'Corregir la ubicación (queda el historial)',
      params: idParams,
      body: z.strictObject({ lat, lon, address: z.string().trim().max(500).nullish() }),
      response: { 200: incidentSchema, ...errors },
    },
    handler: async (req) => dispatch.changeLocation(deps, actorOf(req), req.params.id, req.body, requestContext(req)),
  });

  r.post('/api/dispatch/incidents/:id/status', {
    config: { access: 'dispatch.incident.write' },
    schema: {
      tags: ['dispatch'],
      summary: 'Cerrar (con código), cancelar o reabrir (con motivo) un incidente',
      params: idParams,
      body: z.strictObject({
        status: z.enum(['closed', 'cancelled', 'pending']),
        closureCode: z.string().trim().max(32).optional(),
        reason: z.string().max(500).optional(),
      }),
      response: { 200: incidentSchema, ...errors },
    },
    handler: async (req) => dispatch.changeStatus(deps, actorOf(req), req.params.id, req.body, requestContext(req)),
  });

  r.post('/api/dispatch/incidents/:id/assign', {
    config: { access: 'dispatch.assign' },
    schema: {
      tags: ['dispatch'],
      summary: 'Asignar una o más unidades (409 si otra consola la asignó primero)',
      params: idParams,
      body: z.strictObject({ unitIds: z.array(z.string().uuid()).min(1).max(20) }),
      response: { 200: incidentSchema, ...errors },
    },
    handler: async (req) => dispatch.assignUnits(deps, actorOf(req), req.params.id, req.body.unitIds, requestContext(req)),
  });

  const recommendationSchema = z.object({
    unitId: z.string(),
    callSign: z.string(),
    agencyId: z.string(),
    type: z.enum(UNIT_TYPES),
    distanceM: z.number(),
    etaSeconds: z.number(),
    covers: z.array(z.enum(CAPABILITIES)),
    responsible: z.boolean(),
  });
  r.get('/api/dispatch/incidents/:id/recommendations', {
    config: { access: 'dispatch.assign' },
    schema: {
      tags: ['dispatch'],
      summary: 'Unidades recomendadas: las más cercanas con las capacidades que el tipo requiere, por tiempo estimado',
      params: idParams,
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(50).default(10) }),
      response: {
        200: z.object({
          required: z.array(z.enum(CAPABILITIES)),
          ranked: z.array(recommendationSchema),
          coverage: z.array(recommendationSchema),
          missing: z.array(z.enum(CAPABILITIES)),
        }),
        ...errors,
      },
    },
    handler: async (req) => dispatch.recommendForIncident(deps, actorOf(req), req.params.id, req.query.limit),
  });

  r.get('/api/dispatch/duplicates', {
    config: { access: 'dispatch.call' },
    schema: {
      tags: ['dispatch'],
      summary: 'Incidentes abiertos cercanos de un tipo relacionado (llamada duplicada: vincular en lugar de crear)',
      querystring: z.strictObject({
        lat: z.coerce.number().min(-90).max(90),
        lon: z.coerce.number().min(-180).max(180),
        typeCode: z
          .string()
          .regex(/^\d{5}$/)
          .optional(),
        radiusM: z.coerce.number().int().min(10).max(5000).optional(),
        minutes: z.coerce.number().int().min(1).max(1440).optional(),
      }),
      response: { 200: z.object({ incidents: z.array(incidentSchema.extend({ distanceM: z.number() })) }), ...errors },
    },
    handler: async (req) => ({ incidents: await dispatch.possibleDuplicates(deps, actorOf(req), req.query) }),
  });

  r.post('/api/dispatch/calls/:id/link', {
    config: { access: 'dispatch.call' },
    schema: {
      tags: ['dispatch'],
      summary: 'Vincular la llamada a un incidente existente',
      params: idParams,
      body: z.strictObject({ incidentId: z.string().uuid() }),
      response: { 200: incidentSchema, ...errors },
    },
    handler: async (req) => dispatch.linkCall(deps, actorOf(req), req.params.id, req.body.incidentId, requestContext(req)),
  });

  r.get('/api/dispatch/incidents/:id/cameras', {
    config: { access: 'dispatch.camera' },
    schema: {
      tags: ['dispatch'],
      summary: 'Cámaras de videovigilancia cercanas al incidente',
      params: idParams,
      querystring: z.strictObject({ radius: z.coerce.number().int().min(50).max(5000).default(500) }),
      response: {
        200: z.object({
          cameras: z.array(
            z.object({
              id: z.string(),
              code: z.string(),
              name: z.string(),
              lat: z.number(),
              lon: z.number(),
              kind: z.enum(['fixed', 'ptz']),
              status: z.string(),
              distanceM: z.number(),
            }),
          ),
        }),
        ...errors,
      },
    },
    handler: async (req) => {
      const incident = await dispatch.getIncident(deps, actorOf(req), req.params.id);
      return { cameras: await boardService.camerasNear(deps, incident, req.query.radius) };
    },
  });

  r.post('/api/dispatch/incidents/:id/cameras/:cameraId/open', {
    config: { access: 'dispatch.camera' },
    schema: {
      tags: ['dispatch'],
      summary: 'Abrir una cámara para un incidente (queda registrado)',
      params: z.strictObject({ id: z.string().uuid(), cameraId: z.string().uuid() }),
      response: {
        200: z.object({ id: z.string(), code: z.string(), name: z.string(), streamUrl: z.string(), kind: z.enum(['fixed', 'ptz']) }),
        ...errors,
      },
    },
    handler: async (req) => {
      const incident = await dispatch.getIncident(deps, actorOf(req), req.params.id);
      const cam = await boardService.openCamera(deps, actorOf(req), incident, req.params.cameraId, requestContext(req));
      return { id: cam.id, code: cam.code, name: cam.name, streamUrl: cam.streamUrl, kind: cam.kind };
    },
  });

  // ── board and live events ─────────────────────────────────────────────────
  r.get('/api/dispatch/board', {
    config: { access: 'dispatch.board' },
    schema: {
      tags: ['dispatch'],
      summary: 'Tablero: incidentes abiertos, unidades y alertas visibles para mí',
      response: {
        200: z.object({
          incidents: z.array(incidentSchema),
          units: z.array(unitSchema),
          alerts: z.array(alertSchema),
          lastEventId: z.number(),
        }),
        ...errors,
      },
    },
    handler: async (req) => boardService.board(deps, actorOf(req)),
  });

  r.get('/api/dispatch/events', {
    config: { access: 'dispatch.read' },
    schema: {
      tags: ['dispatch'],
      summary: 'Eventos en vivo (server-sent events); Last-Event-ID reanuda sin perder eventos',
      querystring: z.strictObject({ lastEventId: z.coerce.number().int().min(0).optional() }),
      response: { 200: z.string(), ...errors },
    },
    handler: async (req, reply) => {
      const actor = actorOf(req);
      const header = req.headers['last-event-id'];
      const from = Number(typeof header === 'string' && /^\d+$/.test(header) ? header : (req.query.lastEventId ?? -1));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (e: { seq: number; kind: string; payload: unknown }) =>
        res.write(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e.payload)}\n\n`);
      // Subscribe first, then replay: events arriving during the replay are queued and de-duplicated by id.
      let lastSent = from >= 0 ? from : await boardService.currentEventId(deps);
      const queue: { seq: number; kind: string; payload: unknown }[] = [];
      let replaying = true;
      const unsubscribe = deps.bus.subscribe((e) => {
        if (!boardService.eventVisibleTo(actor, e)) return;
        if (replaying) queue.push(e);
        else if (e.seq > lastSent) {
          lastSent = e.seq;
          send(e);
        }
      });
      res.write(`retry: 2000\n\n`);
      if (from >= 0) {
        for (const e of await boardService.replayEvents(deps, actor, from)) {
          send(e);
          lastSent = Math.max(lastSent, e.seq);
        }
      }
      for (const e of queue.sort((a, b) => a.seq - b.seq)) {
        if (e.seq > lastSent) {
          lastSent = e.seq;
          send(e);
        }
      }
      replaying = false;
      // A named event without an id: a console can tell a quiet but live stream from a dead one, and
      // Last-Event-ID is not moved by it.
      const ping = setInterval(() => res.write(`event: ping\ndata: {"at":"${new Date().toISOString()}"}\n\n`), 15_000);
      req.raw.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
    },
  });

  r.post('/api/dispatch/alerts/:id/acknowledge', {
    config: { access: 'dispatch.alert' },
    schema: {
      tags: ['dispatch'],
      summary: 'Atender una alerta del supervisor',
      params: idParams,
      response: { 200: alertSchema, ...errors },
    },
    handler: async (req) => boardService.acknowledgeAlert(deps, actorOf(req), req.params.id, requestContext(req)),
  });

  // ── units ─────────────────────────────────────────────────────────────────
  r.get('/api/dispatch/units', {
    config: { access: 'dispatch.read' },
    schema: {
      tags: ['dispatch'],
      summary: 'Unidades visibles para mí (un policía: la suya)',
      response: { 200: z.object({ units: z.array(unitSchema), lastEventId: z.number() }), ...errors },
    },
    handler: async (req) => {
      // Read the event id first: a change after it is then either in the list or replayed from it.
      const lastEventId = await boardService.currentEventId(deps);
      return { units: await dispatch.listVisibleUnits(deps, actorOf(req)), lastEventId };
    },
  });

  r.post('/api/dispatch/units', {
    config: { access: 'dispatch.unit.manage' },
    schema: {
      tags: ['dispatch'],
      summary: 'Registrar una unidad',
      body: z.strictObject({
        agencyId: z.string().uuid(),
        callSign: z
          .string()
          .trim()
          .min(2)
          .max(32)
          .regex(/^[A-Za-z0-9 ._-]+$/),
        type: z.enum(UNIT_TYPES),
        capabilities: z.array(z.enum(CAPABILITIES)).min(1),
        station: z.string().trim().max(200).nullish(),
        crew: z.array(z.string().uuid()).max(12).optional(),
        position: z.strictObject({ lat, lon }).nullish(),
      }),
      response: { 201: unitSchema, ...errors },
    },
    handler: async (req, reply) => reply.code(201).send(await dispatch.createUnit(deps, actorOf(req), req.body, requestContext(req))),
  });

  r.post('/api/dispatch/units/:id/status', {
    config: { access: 'dispatch.field' },
    schema: {
      tags: ['dispatch'],
      summary: 'Reportar el estado de una unidad (en camino, en el lugar, regresando, disponible, fuera de servicio)',
      params: idParams,
      body: z.strictObject({ status: z.enum(UNIT_STATUSES) }),
      response: { 200: unitSchema, ...errors },
    },
    handler: async (req) => {
      if (req.body.status === 'dispatched')
        throw new AppError(409, 'invalid_transition', 'error.dispatch.unit_transition', { from: '—', to: 'dispatched' }, 'status');
      return dispatch.changeUnitStatus(deps, actorOf(req), req.params.id, req.body.status, requestContext(req));
    },
  });

  r.post('/api/dispatch/units/:id/acknowledge', {
    config: { access: 'dispatch.field' },
    schema: {
      tags: ['dispatch'],
      summary: 'Acusar recibo de la asignación',
      params: idParams,
      response: { 200: assignmentSchema, ...errors },
    },
    handler: async (req) => dispatch.acknowledgeAssignment(deps, actorOf(req), req.params.id, requestContext(req)),
  });

  r.post('/api/dispatch/units/:id/position', {
    config: { access: 'dispatch.field' },
    schema: {
      tags: ['dispatch'],
      summary: 'Reportar la posición de una unidad (localizador vehicular o vista de campo)',
      params: idParams,
      body: z.strictObject({ lat, lon }),
      response: { 200: unitSchema, ...errors },
    },
    handler: async (req) => dispatch.reportPosition(deps, actorOf(req), req.params.id, req.body),
  });
}
