import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { ROLES, type Role } from '../../src/identity/roles.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

/**
 * Every API route × every role × a record of the user's own agency and of another
 * agency, with the expected answer written out here (not derived from the policy
 * under test). `allow` = the route's normal success; `deny` = 403 for a role
 * without the action; `hidden` = 404, a record outside the user's reach answering
 * exactly like a missing one.
 */
type Expect = 'allow' | 'deny' | 'hidden';
type Case = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  /** For routes about a record: :id is replaced by a user of the own or the other agency. */
  recordScoped?: boolean;
  body?: (ctx: { ownAgency: string; otherAgency: string; which: 'own' | 'other'; n: number }) => unknown;
  expect: (role: Role, which: 'own' | 'other') => Expect;
};

const anyone = () => 'allow' as const;
const roleIn =
  (...roles: Role[]) =>
  (role: Role) =>
    roles.includes(role) ? 'allow' : 'deny';
/** system_admin reaches every agency; the listed roles reach only their own agency's subtree. */
const scoped =
  (subtreeRoles: Role[]) =>
  (role: Role, which: 'own' | 'other'): Expect =>
    role === 'system_admin' ? 'allow' : subtreeRoles.includes(role) ? (which === 'own' ? 'allow' : 'hidden') : 'deny';
const writeScoped = scoped(['agency_admin']);

const CASES: Case[] = [
  { method: 'GET', url: '/api/session', expect: anyone },
  { method: 'PUT', url: '/api/session/language', body: () => ({ language: 'es' }), expect: anyone },
  { method: 'GET', url: '/api/agencies', expect: anyone },
  { method: 'GET', url: '/api/geo/locate?lat=19.4326&lon=-99.1332', expect: anyone },
  { method: 'GET', url: '/api/geo/search?q=centro', expect: anyone },
  { method: 'GET', url: '/api/geo/states', expect: anyone },
  { method: 'GET', url: '/api/geo/states/09/municipalities', expect: anyone },
  { method: 'GET', url: '/api/geo/layers/estados', expect: anyone },
  { method: 'GET', url: '/api/users', expect: roleIn('system_admin', 'agency_admin', 'auditor') },
  { method: 'GET', url: '/api/users/:id', recordScoped: true, expect: scoped(['agency_admin', 'auditor']) },
  { method: 'PATCH', url: '/api/users/:id', recordScoped: true, body: () => ({ fullName: 'Nombre Actualizado' }), expect: writeScoped },
  { method: 'PUT', url: '/api/users/:id/roles', recordScoped: true, body: () => ({ roles: ['analyst'] }), expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/unlock', recordScoped: true, expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/reset-mfa', recordScoped: true, expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/disable', recordScoped: true, expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/enable', recordScoped: true, expect: writeScoped },
  {
    method: 'POST',
    url: '/api/users/:id/password',
    recordScoped: true,
    body: () => ({ password: 'otra-frase-de-paso-larga' }),
    expect: writeScoped,
  },
  {
    method: 'POST',
    url: '/api/users',
    body: ({ ownAgency, otherAgency, which, n }) => ({
      agencyId: which === 'own' ? ownAgency : otherAgency,
      username: `nuevo.${n}`,
      fullName: 'Usuario Nuevo',
      password: 'frase-de-paso-muy-larga',
      roles: ['analyst'],
    }),
    expect: writeScoped,
  },
  {
    method: 'POST',
    url: '/api/agencies',
    body: ({ ownAgency, otherAgency, which, n }) => ({
      code: `NUEVA-${n}`,
      name: 'Policía Municipal de Prueba',
      level: 'municipal',
      kind: 'police',
      municipalityCode: which === 'own' ? '09015' : '14039',
      parentId: which === 'own' ? ownAgency : otherAgency,
    }),
    expect: (role, which) =>
      role === 'system_admin' ? 'allow' : role === 'agency_admin' ? (which === 'own' ? 'allow' : 'hidden') : 'deny',
  },
  { method: 'GET', url: '/api/audit', expect: roleIn('system_admin', 'auditor') },
  { method: 'GET', url: '/api/audit/export.csv', expect: roleIn('system_admin', 'auditor') },
  { method: 'GET', url: '/api/audit/verify', expect: roleIn('system_admin', 'auditor') },
  {
    method: 'POST',
    url: '/api/session/password',
    body: () => ({ currentPassword: 'wrong-password-xx', newPassword: 'nueva-frase-de-paso' }),
    expect: anyone,
  },
  // Last: these end sessions. `logout` runs on a fresh session, `logout-all` on the one kept for the matrix.
  { method: 'POST', url: '/api/auth/logout', expect: anyone },
  { method: 'POST', url: '/api/auth/logout-all', expect: anyone },
];

/** Routes open to anyone (no session) or to a login half-way through MFA. */
const PUBLIC = [
  'POST /api/auth/login',
  'GET /api/auth/enrollment',
  'POST /api/auth/mfa',
  'GET /api/health',
  'GET /api/platform',
  'GET /api/openapi.json',
];

const PASSWORD = 'matriz-de-acceso-2026';

for (const dialect of dialects()) {
  describe(`matriz de acceso: ruta × rol × institución (${dialect.name})`, () => {
    let p: Platform;
    const sessions = new Map<Role, Session>();
    let ownAgency = '';
    let otherAgency = '';
    let targets: Record<'own' | 'other', string>;

    beforeAll(async () => {
      p = await startPlatform(dialect);
      const admin = await login(p, 'admin');
      const agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      ownAgency = agencies.find((a) => a.code === 'SSC-CDMX')!.id;
      otherAgency = agencies.find((a) => a.code === 'SSE-JAL')!.id;
      const create = async (username: string, agencyId: string, roles: Role[]) => {
        const r = await as(p, admin)('POST', '/api/users', { agencyId, username, fullName: username, password: PASSWORD, roles });
        expect(r.statusCode).toBe(201);
        return r.json().id as string;
      };
      targets = {
        own: await create('objetivo.propio', ownAgency, ['analyst']),
        other: await create('objetivo.ajeno', otherAgency, ['analyst']),
      };
      // Enrolled through the real flow: login, enrolment, code.
      const { totp } = await import('../../src/identity/totp.js');
      for (const role of ROLES) {
        const username = `rol.${role.replace(/_/g, '-')}`;
        await create(username, ownAgency, [role]);
        const r1 = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
        const pending = `oc5_session=${r1.cookies.find((c) => c.name === 'oc5_session')!.value}`;
        const secret = (await p.app.inject({ method: 'GET', url: '/api/auth/enrollment', headers: { cookie: pending } })).json()
          .secret as string;
        const r2 = await p.app.inject({
          method: 'POST',
          url: '/api/auth/mfa',
          headers: { cookie: pending },
          payload: { code: totp(secret) },
        });
        const cookie = `oc5_session=${r2.cookies.find((c) => c.name === 'oc5_session')!.value}`;
        const csrf = (await p.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken as string;
        sessions.set(role, { cookie, csrf, username });
      }
    }, 300_000);
    afterAll(async () => p?.close());

    it('lists every API route in the matrix or among the public ones', () => {
      const covered = new Set([...CASES.map((c) => `${c.method} ${c.url.split('?')[0]}`), ...PUBLIC]);
      const routes = p.app.routeTable
        .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
        .map((r) => `${r.method} ${r.url.replace(/\/:name$/, '/estados').replace('/states/:code/', '/states/09/')}`);
      expect(routes.filter((r) => !covered.has(r))).toEqual([]);
    });

    it('refuses every non-public route without a session (401)', async () => {
      for (const c of CASES) {
        const r = await p.app.inject({
          method: c.method,
          url: c.url.replace(':id', targets.own),
          payload: c.body?.({ ownAgency, otherAgency, which: 'own', n: 0 }) as object | undefined,
        });
        expect(r.statusCode, `${c.method} ${c.url}`).toBe(401);
      }
    });

    let n = 0;
    for (const c of CASES) {
      for (const which of ['own', 'other'] as const) {
        if (!c.recordScoped && !c.body && which === 'other') continue;
        it(`${c.method} ${c.url} — ${which === 'own' ? 'institución propia' : 'otra institución'}`, async () => {
          const failures: string[] = [];
          for (const role of ROLES) {
            const expected = c.expect(role, which);
            // Logging out ends the session: use a fresh one so later cases still have it.
            const s = c.url === '/api/auth/logout' ? await loginFresh(role) : sessions.get(role)!;
            const url = c.url.replace(':id', targets[which]);
            const r = await as(p, s)(c.method, url, c.body?.({ ownAgency, otherAgency, which, n: n++ }));
            const got: Expect | string =
              r.statusCode === 403
                ? 'deny'
                : r.statusCode === 404 || (r.statusCode === 400 && /agency_not_found|agency_parent/.test(r.body))
                  ? 'hidden'
                  : r.statusCode < 300 || (c.url === '/api/session/password' && r.statusCode === 400)
                    ? 'allow'
                    : `${r.statusCode} ${r.body.slice(0, 120)}`;
            if (got !== expected) failures.push(`${role}: expected ${expected}, got ${got}`);
          }
          expect(failures).toEqual([]);
        });
      }
    }

    async function loginFresh(role: Role): Promise<Session> {
      const username = `rol.${role.replace(/_/g, '-')}`;
      const { nextCode } = await import('../support/platform.js');
      const r1 = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
      const pending = `oc5_session=${r1.cookies.find((x) => x.name === 'oc5_session')!.value}`;
      const r2 = await p.app.inject({
        method: 'POST',
        url: '/api/auth/mfa',
        headers: { cookie: pending },
        payload: { code: await nextCode(p, username) },
      });
      const cookie = `oc5_session=${r2.cookies.find((x) => x.name === 'oc5_session')!.value}`;
      const csrf = (await p.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken as string;
      return { cookie, csrf, username };
    }
  });
}
