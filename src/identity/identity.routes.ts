import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { notFound } from '../platform/errors.js';
import { LANG_COOKIE, SESSION_COOKIE, errorSchema, requestContext, typed, type AppContext } from '../platform/http/server.js';
import { canActOn, scopeOf, type Actor } from './access-policy.js';
import { appendAudit, exportAuditCsv, searchAuditLog, verifyAudit } from './audit.service.js';
import * as identity from './identity.service.js';
import { AGENCY_KINDS, AGENCY_LEVELS, ROLES, STATE_REGION } from './roles.js';
import * as geoStore from '../geo/geo.store.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 423: errorSchema };
const idParams = z.strictObject({ id: z.string().uuid() });
const roleSchema = z.enum(ROLES);
const username = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/);

export const agencySchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  level: z.enum(AGENCY_LEVELS),
  kind: z.enum(AGENCY_KINDS),
  stateCode: z.string().nullable(),
  municipalityCode: z.string().nullable(),
  parentId: z.string().nullable(),
  region: z.string().nullable(),
  disabled: z.boolean(),
});
const agencyOut = (a: identity.Agency): z.infer<typeof agencySchema> => ({
  id: a.id,
  code: a.code,
  name: a.name,
  level: a.level,
  kind: a.kind,
  stateCode: a.stateCode,
  municipalityCode: a.municipalityCode,
  parentId: a.parentId,
  region: a.stateCode ? (STATE_REGION[a.stateCode] ?? null) : null,
  disabled: !!a.disabledAt,
});

export const userSchema = z.object({
  id: z.string(),
  agencyId: z.string(),
  username: z.string(),
  fullName: z.string(),
  email: z.string().nullable(),
  roles: z.array(roleSchema),
  language: z.string(),
  mfaEnrolled: z.boolean(),
  locked: z.boolean(),
  disabled: z.boolean(),
  isDemo: z.boolean(),
  createdAt: z.string(),
});
const userOut = (u: identity.UserView): z.infer<typeof userSchema> => ({
  id: u.id,
  agencyId: u.agencyId,
  username: u.username,
  fullName: u.fullName,
  email: u.email,
  roles: u.roles,
  language: u.language,
  mfaEnrolled: u.mfaEnrolled,
  locked: u.locked,
  disabled: u.disabled,
  isDemo: u.isDemo,
  createdAt: u.createdAt,
});

const sessionSchema = z.object({
  user: z.object({ id: z.string(), username: z.string(), fullName: z.string(), roles: z.array(roleSchema), language: z.string() }),
  agency: agencySchema,
  csrfToken: z.string(),
  expiresAt: z.string(),
  idleTimeoutSeconds: z.number(),
});

const auditEntrySchema = z.object({
  seq: z.number(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  actorUsername: z.string().nullable(),
  actorAgencyId: z.string().nullable(),
  action: z.string(),
  outcome: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
const auditQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  outcome: z.enum(['ok', 'denied', 'failed']).optional(),
  targetId: z.string().max(200).optional(),
});

function setSessionCookie(reply: FastifyReply, ctx: AppContext, token: string) {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: ctx.config.cookieSecure, path: '/' });
}

/** The actor of an authenticated route (the access hook has set it). */
const actorOf = (req: FastifyRequest): Actor => req.auth!.actor;

export async function identityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const deps: identity.IdentityDeps = { handle: ctx.handle, config: ctx.config };
  const r = typed(app);
  const geo: identity.JurisdictionCheck = {
    stateExists: (c) => geoStore.stateExists(ctx.handle.db, c),
    municipalityState: (c) => geoStore.municipalityState(ctx.handle.db, c),
  };

  // ── authentication ────────────────────────────────────────────────────────
  r.post('/api/auth/login', {
    config: { access: 'public' },
    schema: {
      tags: ['auth'],
      summary: 'Primer factor: usuario y contraseña',
      body: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
      response: { 200: z.object({ stage: z.enum(['mfa', 'enroll']) }), ...errors },
    },
    handler: async (req, reply) => {
      const step = await identity.login(deps, req.body.username, req.body.password, requestContext(req));
      setSessionCookie(reply, ctx, step.token);
      return { stage: step.stage };
    },
  });

  r.get('/api/auth/enrollment', {
    config: { access: 'pending' },
    schema: {
      tags: ['auth'],
      summary: 'Datos para enrolar la verificación en dos pasos (QR)',
      response: { 200: z.object({ otpauthUrl: z.string(), secret: z.string(), qrSvg: z.string() }), ...errors },
    },
    handler: async (req) => {
      const e = await identity.enrollment(deps, req.cookies[SESSION_COOKIE] ?? '');
      const qrSvg = await QRCode.toString(e.otpauthUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return { otpauthUrl: e.otpauthUrl, secret: e.secret, qrSvg };
    },
  });

  r.post('/api/auth/mfa', {
    config: { access: 'pending' },
    schema: {
      tags: ['auth'],
      summary: 'Segundo factor: código TOTP (RFC 6238)',
      body: z.strictObject({
        code: z
          .string()
          .trim()
          .regex(/^\d{6}$/),
      }),
      response: { 200: z.object({ ok: z.literal(true) }), ...errors },
    },
    handler: async (req, reply) => {
      const done = await identity.completeMfa(deps, req.cookies[SESSION_COOKIE] ?? '', req.body.code, requestContext(req));
      setSessionCookie(reply, ctx, done.token);
      return { ok: true as const };
    },
  });

  r.post('/api/auth/logout', {
    config: { access: 'session.read' },
    schema: { tags: ['auth'], summary: 'Cerrar esta sesión', response: { 204: z.null(), ...errors } },
    handler: async (req, reply) => {
      await identity.logout(deps, req.cookies[SESSION_COOKIE], requestContext(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  });

  r.post('/api/auth/logout-all', {
    config: { access: 'session.read' },
    schema: { tags: ['auth'], summary: 'Cerrar todas mis sesiones', response: { 204: z.null(), ...errors } },
    handler: async (req, reply) => {
      await identity.logoutEverywhere(deps, actorOf(req), requestContext(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  });

  r.get('/api/session', {
    config: { access: 'session.read' },
    schema: { tags: ['auth'], summary: 'La sesión actual', response: { 200: sessionSchema, ...errors } },
    handler: async (req) => {
      const auth = req.auth!;
      const agency = (await identity.getAgency(deps, auth.actor.agencyId))!;
      return {
        user: {
          id: auth.user.id,
          username: auth.user.username,
          fullName: auth.user.fullName,
          roles: [...auth.actor.roles],
          language: auth.user.language,
        },
        agency: agencyOut(agency),
        csrfToken: auth.csrfToken,
        expiresAt: auth.expiresAt,
        idleTimeoutSeconds: ctx.config.sessionIdleMs / 1000,
      };
    },
  });

  r.put('/api/session/language', {
    config: { access: 'session.read' },
    schema: {
      tags: ['auth'],
      summary: 'Idioma preferido',
      body: z.strictObject({ language: z.enum(['es', 'en']) }),
      response: { 204: z.null(), ...errors },
    },
    handler: async (req, reply) => {
      await identity.setLanguage(deps, actorOf(req), req.body.language, requestContext(req));
      reply.setCookie(LANG_COOKIE, req.body.language, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
      return reply.code(204).send(null);
    },
  });

  r.post('/api/session/password', {
    config: { access: 'session.read' },
    schema: {
      tags: ['auth'],
      summary: 'Cambiar mi contraseña',
      body: z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }),
      response: { 204: z.null(), ...errors },
    },
    handler: async (req, reply) => {
      await identity.changeOwnPassword(deps, actorOf(req), req.body.currentPassword, req.body.newPassword, requestContext(req));
      return reply.code(204).send(null);
    },
  });

  // ── agencies ──────────────────────────────────────────────────────────────
  r.get('/api/agencies', {
    config: { access: 'agency.read' },
    schema: { tags: ['identity'], summary: 'Instituciones', response: { 200: z.object({ agencies: z.array(agencySchema) }), ...errors } },
    handler: async () => ({ agencies: (await identity.listAgencies(deps)).map(agencyOut) }),
  });

  r.post('/api/agencies', {
    config: { access: 'agency.write' },
    schema: {
      tags: ['identity'],
      summary: 'Crear institución',
      body: z.strictObject({
        code: z
          .string()
          .trim()
          .min(2)
          .max(40)
          .regex(/^[A-Za-z0-9._-]+$/),
        name: z.string().trim().min(3).max(200),
        level: z.enum(AGENCY_LEVELS),
        kind: z.enum(AGENCY_KINDS),
        stateCode: z
          .string()
          .regex(/^\d{2}$/)
          .nullish(),
        municipalityCode: z
          .string()
          .regex(/^\d{5}$/)
          .nullish(),
        parentId: z.string().uuid().nullish(),
      }),
      response: { 201: agencySchema, ...errors },
    },
    handler: async (req, reply) => {
      const a = await identity.createAgency(deps, actorOf(req), req.body, geo, requestContext(req));
      return reply.code(201).send(agencyOut(a));
    },
  });

  // ── users ─────────────────────────────────────────────────────────────────
  /** The users an actor may see: all for global scope, else its agency subtree. */
  const visibleAgencies = (actor: Actor, action: 'user.read' | 'audit.read') =>
    scopeOf(actor, action) === 'global' ? undefined : [...actor.subtree];

  r.get('/api/users', {
    config: { access: 'user.read' },
    schema: {
      tags: ['identity'],
      summary: 'Usuarios visibles para mí',
      querystring: z.strictObject({ agencyId: z.string().uuid().optional() }),
      response: { 200: z.object({ users: z.array(userSchema) }), ...errors },
    },
    handler: async (req) => {
      const actor = actorOf(req);
      let scope = visibleAgencies(actor, 'user.read');
      if (req.query.agencyId) scope = scope ? scope.filter((a) => a === req.query.agencyId) : [req.query.agencyId];
      return { users: (await identity.listUsers(deps, scope)).map(userOut) };
    },
  });

  r.get('/api/users/:id', {
    config: { access: 'user.read' },
    schema: { tags: ['identity'], summary: 'Un usuario', params: idParams, response: { 200: userSchema, ...errors } },
    handler: async (req) => {
      const u = await identity.getUserView(deps, req.params.id);
      if (!u || !canActOn(actorOf(req), 'user.read', u.agencyId)) throw notFound();
      return userOut(u);
    },
  });

  r.post('/api/users', {
    config: { access: 'user.write' },
    schema: {
      tags: ['identity'],
      summary: 'Crear usuario (la verificación en dos pasos se enrola en su primer inicio de sesión)',
      body: z.strictObject({
        agencyId: z.string().uuid(),
        username,
        fullName: z.string().trim().min(3).max(200),
        email: z.email().max(200).nullish(),
        password: z.string().min(1).max(256),
        roles: z.array(roleSchema).min(1).max(ROLES.length),
        language: z.enum(['es', 'en']).optional(),
      }),
      response: { 201: userSchema, ...errors },
    },
    handler: async (req, reply) => {
      const u = await identity.createUser(deps, actorOf(req), req.body, requestContext(req));
      return reply.code(201).send(userOut(u));
    },
  });

  r.patch('/api/users/:id', {
    config: { access: 'user.write' },
    schema: {
      tags: ['identity'],
      summary: 'Modificar datos de un usuario',
      params: idParams,
      body: z.strictObject({ fullName: z.string().trim().min(3).max(200).optional(), email: z.email().max(200).nullish() }),
      response: { 200: userSchema, ...errors },
    },
    handler: async (req) =>
      userOut(await identity.administerUser(deps, actorOf(req), req.params.id, { kind: 'update', ...req.body }, requestContext(req))),
  });

  r.put('/api/users/:id/roles', {
    config: { access: 'user.write' },
    schema: {
      tags: ['identity'],
      summary: 'Asignar roles',
      params: idParams,
      body: z.strictObject({ roles: z.array(roleSchema).max(ROLES.length) }),
      response: { 200: userSchema, ...errors },
    },
    handler: async (req) =>
      userOut(
        await identity.administerUser(deps, actorOf(req), req.params.id, { kind: 'set_roles', roles: req.body.roles }, requestContext(req)),
      ),
  });

  for (const [path, kind, summary] of [
    ['unlock', 'unlock', 'Desbloquear cuenta'],
    ['reset-mfa', 'reset_mfa', 'Restablecer la verificación en dos pasos'],
    ['disable', 'disable', 'Deshabilitar cuenta (cierra sus sesiones)'],
    ['enable', 'enable', 'Habilitar cuenta'],
  ] as const) {
    r.post(`/api/users/:id/${path}`, {
      config: { access: 'user.write' },
      schema: { tags: ['identity'], summary, params: idParams, response: { 200: userSchema, ...errors } },
      handler: async (req) => userOut(await identity.administerUser(deps, actorOf(req), req.params.id, { kind }, requestContext(req))),
    });
  }

  r.post('/api/users/:id/password', {
    config: { access: 'user.write' },
    schema: {
      tags: ['identity'],
      summary: 'Establecer contraseña (cierra sus sesiones)',
      params: idParams,
      body: z.strictObject({ password: z.string().min(1).max(256) }),
      response: { 200: userSchema, ...errors },
    },
    handler: async (req) =>
      userOut(
        await identity.administerUser(
          deps,
          actorOf(req),
          req.params.id,
          { kind: 'set_password', password: req.body.password },
          requestContext(req),
        ),
      ),
  });

  // ── audit ─────────────────────────────────────────────────────────────────
  r.get('/api/audit', {
    config: { access: 'audit.read' },
    schema: {
      tags: ['audit'],
      summary: 'Buscar en la bitácora de auditoría',
      querystring: auditQuery.extend({
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: { 200: z.object({ entries: z.array(auditEntrySchema), nextBefore: z.number().nullable() }), ...errors },
    },
    handler: async (req) => {
      const { before, limit, ...filter } = req.query;
      // Reading the log is itself a sensitive read (CJIS 5.4.1.1).
      await appendAudit(ctx.handle, actorOf(req), { action: 'audit.search', details: { ...filter }, ...requestContext(req) });
      const entries = await searchAuditLog(ctx.handle, {
        ...filter,
        beforeSeq: before,
        limit,
        agencyIds: visibleAgencies(actorOf(req), 'audit.read'),
      });
      return { entries, nextBefore: entries.length === limit ? entries[entries.length - 1].seq : null };
    },
  });

  r.get('/api/audit/export.csv', {
    config: { access: 'audit.read' },
    schema: { tags: ['audit'], summary: 'Exportar la bitácora (CSV)', querystring: auditQuery, response: { 200: z.string(), ...errors } },
    handler: async (req, reply) => {
      const actor = actorOf(req);
      await appendAudit(ctx.handle, actor, { action: 'audit.export', details: { ...req.query }, ...requestContext(req) });
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="bitacora-${new Date().toISOString().slice(0, 10)}.csv"`);
      // Streamed page by page; Fastify pipes streams without running the serializer.
      const csv = Readable.from(exportAuditCsv(ctx.handle, { ...req.query, agencyIds: visibleAgencies(actor, 'audit.read') }));
      return reply.send(csv as unknown as string);
    },
  });

  r.get('/api/audit/verify', {
    config: { access: 'audit.verify' },
    schema: {
      tags: ['audit'],
      summary: 'Verificar la cadena de hashes de la bitácora',
      response: {
        200: z.object({
          ok: z.boolean(),
          entries: z.number(),
          headHash: z.string().optional(),
          seq: z.number().optional(),
          problem: z.string().optional(),
        }),
        ...errors,
      },
    },
    handler: async () => verifyAudit(ctx.handle),
  });
}
