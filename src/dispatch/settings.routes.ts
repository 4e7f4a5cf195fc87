import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorSchema, requestContext, typed } from '../platform/http/server.js';
import type { DispatchDeps } from './dispatch.service.js';
import { CLOSURE_CODES, CLOSURE_CODE_LIST } from './closure-codes.js';
import { PRIORITIES, UNIT_TYPES, type Priority, type UnitType } from './dispatch.types.js';
import { DEFAULTS, SETTINGS_LIMITS, getSettings, putSettings } from './settings.service.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const L = SETTINGS_LIMITS;
const speeds = z.strictObject(
  Object.fromEntries(UNIT_TYPES.map((t) => [t, z.number().min(L.speedKmh.min).max(L.speedKmh.max).optional()])) as Record<
    UnitType,
    z.ZodOptional<z.ZodNumber>
  >,
);
const targets = z.strictObject(
  Object.fromEntries(
    PRIORITIES.map((p) => [p, z.number().int().min(L.dispatchTargetSeconds.min).max(L.dispatchTargetSeconds.max).optional()]),
  ) as Record<Priority, z.ZodOptional<z.ZodNumber>>,
);
const settingsInput = z.strictObject({
  roadFactor: z.number().min(L.roadFactor.min).max(L.roadFactor.max).nullable(),
  speedsKmh: speeds,
  onSceneStaleMinutes: z.number().int().min(L.onSceneStaleMinutes.min).max(L.onSceneStaleMinutes.max).nullable(),
  dispatchTargetSeconds: targets,
});
const numberRecord = z.record(z.string(), z.number());
const settingsOut = z.object({
  agencyId: z.string(),
  roadFactor: z.number().nullable(),
  speedsKmh: numberRecord,
  onSceneStaleMinutes: z.number().nullable(),
  dispatchTargetSeconds: numberRecord,
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  defaults: z.object({
    roadFactor: z.number(),
    speedsKmh: numberRecord,
    onSceneStaleMinutes: z.number(),
    dispatchTargetSeconds: numberRecord,
  }),
});

export async function settingsRoutes(app: FastifyInstance, deps: DispatchDeps): Promise<void> {
  const r = typed(app);

  r.get('/api/dispatch/closure-codes', {
    config: { access: 'dispatch.read' },
    schema: {
      tags: ['dispatch'],
      summary: 'Códigos de cierre de incidentes (lista cerrada)',
      response: { 200: z.object({ codes: z.array(z.object({ code: z.string(), name: z.string() })) }), ...errors },
    },
    handler: async (req) => ({ codes: CLOSURE_CODE_LIST.map((code) => ({ code, name: CLOSURE_CODES[code][req.lang] })) }),
  });

  r.get('/api/dispatch/settings/:id', {
    config: { access: 'dispatch.settings' },
    schema: {
      tags: ['dispatch'],
      summary: 'Ajustes de despacho de una corporación: velocidades, factor vial, tiempos objetivo y límite en sitio',
      params: z.strictObject({ id: z.string().uuid() }),
      response: { 200: settingsOut, ...errors },
    },
    handler: async (req) => ({ ...(await getSettings(deps, req.auth!.actor, req.params.id)), defaults: DEFAULTS }),
  });

  r.put('/api/dispatch/settings/:id', {
    config: { access: 'dispatch.settings' },
    schema: {
      tags: ['dispatch'],
      summary: 'Cambiar los ajustes de despacho de una corporación (vacío = valor por omisión)',
      params: z.strictObject({ id: z.string().uuid() }),
      body: settingsInput,
      response: { 200: settingsOut, ...errors },
    },
    handler: async (req) => ({
      ...(await putSettings(deps, req.auth!.actor, req.params.id, req.body, requestContext(req))),
      defaults: DEFAULTS,
    }),
  });
}
