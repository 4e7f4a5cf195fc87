import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allMigrations } from '../../src/platform/db/migrate.js';
import type { Platform } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';
import { totp } from '../../src/identity/totp.js';
import { dialects } from '../support/dialects.js';
import { as, cookieFrom, login, nextCode, startPlatform, type Session } from '../support/platform.js';

type ErrorBody = { error: { code: string; message: string; field?: string } };

for (const dialect of dialects()) {
  describe(`identidad y acceso (${dialect.name})`, () => {
    let p: Platform;
    let admin: Session;
    let agencies: { id: string; code: string }[];
    const agencyId = (code: string) => agencies.find((a) => a.code === code)!.id;

    beforeAll(async () => {
      p = await startPlatform(dialect);
      admin = await login(p, 'admin');
      agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies;
    });
    afterAll(async () => p?.close());

    it('answers health with the database kind and migration level', async () => {
      const r = await p.app.inject({ method: 'GET', url: '/api/health' });
      expect(r.statusCode).toBe(200);
      // The latest migration of all modules (name order is apply order).
      const latest = Object.keys(allMigrations()).sort().at(-1);
      expect(r.json()).toMatchObject({ status: 'ok', database: dialect.name, migration: latest });
      expect(latest! >= '0004-records-crime').toBe(true);
    });

    it('publishes an OpenAPI 3.1 document covering every API route', async () => {
      const ui = await p.app.inject({ method: 'GET', url: '/api/docs/' });
      expect(ui.statusCode).toBe(200);
      expect(ui.body).toContain('swagger-ui');
      const doc = (await p.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      expect(doc.openapi).toBe('3.1.0');
      for (const r of p.app.routeTable.filter(
        (x) => x.url.startsWith('/api/') && !x.url.startsWith('/api/docs') && x.url !== '/api/openapi.json',
      )) {
        const path = r.url.replace(/:(\w+)/g, '{$1}');
        expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url}`).toBeDefined();
      }
    });

    it('rejects a wrong password in Spanish, naming the field, and in English on request', async () => {
      const r = await p.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'analista', password: 'incorrecta-123456' },
      });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: { code: 'invalid_credentials', message: 'Usuario o contraseña incorrectos.', field: 'password' } });
      const en = await p.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'accept-language': 'en-US' },
        payload: { username: 'nobody', password: 'x' },
      });
      expect(en.json().error.message).toBe('Wrong user name or password.');
    });

    it('requires the second factor: a wrong code is refused, the right one opens the session', async () => {
      const r1 = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'analista', password: DEMO_PASSWORD } });
      expect(r1.json()).toEqual({ stage: 'mfa' });
      const pending = cookieFrom(r1);
      expect((await p.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: pending } })).statusCode).toBe(401);
      const bad = await p.app.inject({ method: 'POST', url: '/api/auth/mfa', headers: { cookie: pending }, payload: { code: '000000' } });
      expect(bad.statusCode).toBe(401);
      expect((bad.json() as ErrorBody).error).toMatchObject({ code: 'mfa_invalid', field: 'code' });
      const ok = await p.app.inject({
        method: 'POST',
        url: '/api/auth/mfa',
        headers: { cookie: pending },
        payload: { code: await nextCode(p, 'analista') },
      });
      expect(ok.statusCode).toBe(200);
      const full = cookieFrom(ok);
      expect(full).not.toBe(pending); // the session id is rotated at login
      expect(ok.cookies.find((c) => c.name === 'oc5_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      const s = await p.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: full } });
      expect(s.json().user).toMatchObject({ username: 'analista', roles: ['analyst'] });
      // A code is good once (RFC 6238 §5.2).
      const again = await p.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'analista', password: DEMO_PASSWORD },
      });
      const u = await p.handle.db
        .selectFrom('appUser')
        .select(['mfaSecret', 'mfaLastStep'])
        .where('username', '=', 'analista')
        .executeTakeFirstOrThrow();
      const reused = await p.app.inject({
        method: 'POST',
        url: '/api/auth/mfa',
        headers: { cookie: cookieFrom(again) },
        payload: { code: totp(u.mfaSecret!, Number(u.mfaLastStep) * 30_000) },
      });
      expect(reused.statusCode).toBe(401);
    });

    it('locks after 5 failures within 15 minutes until an administrator unlocks', async () => {
      for (let i = 0; i < 4; i++) {
        const r = await p.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'camaras', password: `equivocada-${i}-abcdef` },
        });
        expect(r.statusCode).toBe(401);
      }
      const fifth = await p.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'camaras', password: 'equivocada-5-abcdef' },
      });
      expect(fifth.statusCode).toBe(423);
      expect(fifth.json().error.code).toBe('account_locked');
      const right = await p.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'camaras', password: DEMO_PASSWORD },
      });
      expect(right.statusCode).toBe(423);
      const users = (await as(p, admin)('GET', '/api/users')).json().users as { id: string; username: string; locked: boolean }[];
      const cam = users.find((u) => u.username === 'camaras')!;
      expect(cam.locked).toBe(true);
      const unlocked = await as(p, admin)('POST', `/api/users/${cam.id}/unlock`);
      expect(unlocked.json().locked).toBe(false);
      await expect(login(p, 'camaras')).resolves.toMatchObject({ username: 'camaras' });
    });

    it('ends a session after 30 minutes idle and after 12 hours in all', async () => {
      const s = await login(p, 'mando');
      const get = () => as(p, s)('GET', '/api/session');
      expect((await get()).statusCode).toBe(200);
      const sessions = p.handle.db.updateTable('userSession');
      await sessions
        .set({ lastSeenAt: new Date(Date.now() - 31 * 60_000).toISOString() })
        .where('stage', '=', 'full')
        .where('userId', '=', (await get()).json().user.id)
        .execute();
      const expired = await get();
      expect(expired.statusCode).toBe(401);
      expect(expired.json().error).toMatchObject({ code: 'session_expired', message: 'Su sesión expiró. Inicie sesión de nuevo.' });
      const s2 = await login(p, 'mando');
      const me = (await as(p, s2)('GET', '/api/session')).json().user.id as string;
      await p.handle.db
        .updateTable('userSession')
        .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .where('userId', '=', me)
        .execute();
      expect((await as(p, s2)('GET', '/api/session')).statusCode).toBe(401);
    });

    it('refuses a state-changing request without the CSRF token', async () => {
      const r = await p.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: admin.cookie } });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('csrf');
    });

    it('logs out everywhere', async () => {
      const a = await login(p, 'supervisor');
      const b = await login(p, 'supervisor');
      expect((await as(p, a)('POST', '/api/auth/logout-all')).statusCode).toBe(204);
      expect((await as(p, a)('GET', '/api/session')).statusCode).toBe(401);
      expect((await as(p, b)('GET', '/api/session')).statusCode).toBe(401);
    });

    // On PostgreSQL the sessions of requests arriving together are read in one query (identity.store.ts).
    it('tells apart the users of requests that arrive together', async () => {
      const names = ['operador', 'despacho', 'supervisor', 'fusion'];
      const sessions = await Promise.all(names.map((n) => login(p, n)));
      const alone = await Promise.all(sessions.map(async (s) => (await as(p, s)('GET', '/api/session')).json().user));
      const stranger = { cookie: 'oc5_session=' + 'x'.repeat(43), csrf: '', username: 'nadie' };
      const together = await Promise.all([...sessions, ...sessions, stranger].map((s) => as(p, s)('GET', '/api/session')));
      expect(together.map((r) => r.statusCode)).toEqual([...names.map(() => 200), ...names.map(() => 200), 401]);
      const users = together.slice(0, -1).map((r) => r.json().user);
      expect(users.map((u) => u.username)).toEqual([...names, ...names]);
      expect(users).toEqual([...alone, ...alone]);
      expect(new Set(alone.map((u) => JSON.stringify(u.roles))).size).toBeGreaterThan(1);
    });

    it('disables an account at once: its open session stops working', async () => {
      const s = await login(p, 'policia');
      const id = (await as(p, s)('GET', '/api/session')).json().user.id as string;
      expect((await as(p, admin)('POST', `/api/users/${id}/disable`)).json().disabled).toBe(true);
      expect((await as(p, s)('GET', '/api/session')).statusCode).toBe(401);
      const r = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'policia', password: DEMO_PASSWORD } });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('account_disabled');
      await as(p, admin)('POST', `/api/users/${id}/enable`);
    });

    it('enrols MFA with a QR code at a new user’s first login', async () => {
      const created = await as(p, admin)('POST', '/api/users', {
        agencyId: agencyId('C5-CDMX'),
        username: 'nueva.operadora',
        fullName: 'Nueva Operadora',
        password: 'tres-palabras-largas-y-raras',
        roles: ['call_taker'],
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ mfaEnrolled: false, roles: ['call_taker'] });
      expect(created.body).not.toContain('password');
      const r1 = await p.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'Nueva.Operadora', password: 'tres-palabras-largas-y-raras' },
      });
      expect(r1.json()).toEqual({ stage: 'enroll' });
      const pending = cookieFrom(r1);
      const e = await p.app.inject({ method: 'GET', url: '/api/auth/enrollment', headers: { cookie: pending } });
      expect(e.json().otpauthUrl).toMatch(/^otpauth:\/\/totp\/OpenC5(:|%3A)nueva.operadora\?secret=[A-Z2-7]+/);
      expect(e.json().qrSvg).toContain('<svg');
      const ok = await p.app.inject({
        method: 'POST',
        url: '/api/auth/mfa',
        headers: { cookie: pending },
        payload: { code: totp(e.json().secret) },
      });
      expect(ok.statusCode).toBe(200);
      expect((await as(p, admin)('GET', `/api/users/${created.json().id}`)).json().mfaEnrolled).toBe(true);
    });

    it.each([
      ['corta-123', 'password_too_short'],
      ['password123456', 'password_common'],
      ['contraseña2026!!', 'password_common'],
      ['aaaaaaaaaaaaaaab', 'password_repetitive'],
      ['x-usuario.prueba-x', 'password_contains_username'],
    ])('rejects the password %s (%s) and creates nothing', async (password, code) => {
      const r = await as(p, admin)('POST', '/api/users', {
        agencyId: agencyId('C5-CDMX'),
        username: 'usuario.prueba',
        fullName: 'Prueba',
        password,
        roles: ['analyst'],
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatchObject({ code, field: 'password' });
      const users = (await as(p, admin)('GET', '/api/users')).json().users as { username: string }[];
      expect(users.some((u) => u.username === 'usuario.prueba')).toBe(false);
    });

    it('answers bad input with one clear error shape and changes nothing', async () => {
      const post = (payload: string, headers: Record<string, string> = {}) =>
        p.app.inject({ method: 'POST', url: '/api/auth/login', payload, headers: { 'content-type': 'application/json', ...headers } });
      const malformed = await post('{"username": "admin",');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error).toMatchObject({ code: 'malformed_json', message: 'El cuerpo de la solicitud no es JSON válido.' });
      const unknown = await post(JSON.stringify({ username: 'admin', password: 'x', isAdmin: true }));
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error).toMatchObject({ code: 'validation', field: 'isAdmin' });
      const wrongType = await post(JSON.stringify({ username: 42, password: 'x' }));
      expect(wrongType.json().error).toMatchObject({ code: 'validation', field: 'username' });
      expect(wrongType.json().error.message).toMatch(/username/);
      const huge = await post(JSON.stringify({ username: 'a', password: 'x'.repeat(2_000_000) }));
      expect(huge.statusCode).toBe(413);
      expect(huge.json().error.code).toBe('body_too_large');
      for (const r of [malformed, unknown, wrongType, huge]) expect(r.body).not.toMatch(/at .*\.ts:\d+|stack/);
      const notJson = await p.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: 'username=admin',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(notJson.statusCode).toBe(415);
    });

    it('stores injection strings as plain text and returns them unchanged', async () => {
      const evil = `Robert'); DROP TABLE app_user;-- <script>alert(1)</script>`;
      const r = await as(p, admin)('POST', '/api/users', {
        agencyId: agencyId('SSC-CDMX'),
        username: 'bobby.tables',
        fullName: evil,
        password: 'una-frase-de-paso-segura',
        roles: ['analyst'],
      });
      expect(r.statusCode).toBe(201);
      expect((await as(p, admin)('GET', `/api/users/${r.json().id}`)).json().fullName).toBe(evil);
      expect((await as(p, admin)('GET', '/api/users')).statusCode).toBe(200);
    });

    it('keeps a hash-chained audit log that detects a modified or deleted entry', async () => {
      const ok = await as(p, admin)('GET', '/api/audit/verify');
      expect(ok.json()).toMatchObject({ ok: true });
      const entries = ok.json().entries as number;
      expect(entries).toBeGreaterThan(20);
      const log = (await as(p, admin)('GET', '/api/audit?action=auth.login&outcome=failed&limit=5')).json().entries;
      expect(log.length).toBeGreaterThan(0);
      expect(log[0]).toMatchObject({ action: 'auth.login', outcome: 'failed' });
      const csv = await as(p, admin)('GET', '/api/audit/export.csv?action=user.');
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\n')[0]).toBe('seq,at,actorUsername,actorAgencyId,action,outcome,targetType,targetId,ip,requestId,details');
      expect(csv.body).toContain('"user.create"');

      await p.handle.db.updateTable('auditLog').set({ actorUsername: 'otra-persona' }).where('seq', '=', 7).execute();
      expect((await as(p, admin)('GET', '/api/audit/verify')).json()).toMatchObject({ ok: false, seq: 7, problem: 'modified' });
      const row = await p.handle.db.selectFrom('auditLog').selectAll().where('seq', '=', 7).executeTakeFirstOrThrow();
      await p.handle.db.deleteFrom('auditLog').where('seq', '=', 7).execute();
      expect((await as(p, admin)('GET', '/api/audit/verify')).json()).toMatchObject({ ok: false, seq: 7, problem: 'missing' });
      void row;
    });
  });
}
