import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { checkTimers } from '../../src/dispatch/board.service.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, unknown>;
const ZOCALO = { lat: 19.4326, lon: -99.1332 };

// Per-agency dispatch settings, the closed list of closure codes, and what the board and
// the field view receive besides the bare records.
for (const dialect of dialects()) {
  describe(`ajustes de despacho y cierres (${dialect.name})`, () => {
    let p: Platform;
    let admin: Session;
    let operador: Session;
    let despacho: Session;
    let supervisor: Session;
    let agencies: { id: string; code: string }[];
    const agency = (code: string) => agencies.find((a) => a.code === code)!.id;
    const post = (s: Session, url: string, body?: unknown) => as(p, s)('POST', url, body, { 'idempotency-key': crypto.randomUUID() });
    const newIncident = async (typeCode = '30101') => {
      const r = await post(operador, '/api/dispatch/incidents', { typeCode, location: ZOCALO });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as Json & { id: string; folio: string };
    };

    beforeAll(async () => {
      p = await startPlatform(dialect);
      [admin, operador, despacho, supervisor] = [
        await login(p, 'admin'),
        await login(p, 'operador'),
        await login(p, 'despacho'),
        await login(p, 'supervisor'),
      ];
      agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies;
    });
    afterAll(async () => p?.close());

    it('shows the defaults, refuses out-of-range values naming the field, and audits a change', async () => {
      const c5 = agency('C5-CDMX');
      const before = (await as(p, supervisor)('GET', `/api/dispatch/settings/${c5}`)).json();
      expect(before).toMatchObject({ roadFactor: null, speedsKmh: {}, onSceneStaleMinutes: null, dispatchTargetSeconds: {} });
      expect(before.defaults).toMatchObject({ roadFactor: 1.35, onSceneStaleMinutes: 30, dispatchTargetSeconds: { ALTA: 60 } });

      const body = { roadFactor: null, speedsKmh: {}, onSceneStaleMinutes: null, dispatchTargetSeconds: {} };
      const tooWinding = await as(p, supervisor)('PUT', `/api/dispatch/settings/${c5}`, { ...body, roadFactor: 7 });
      expect(tooWinding.statusCode).toBe(400);
      expect(tooWinding.json().error.field).toBe('roadFactor');
      expect(tooWinding.json().error.message).toMatch(/roadFactor/);
      const tooFast = await as(p, supervisor)('PUT', `/api/dispatch/settings/${c5}`, { ...body, speedsKmh: { patrol_car: 900 } });
      expect(tooFast.json().error.field).toBe('speedsKmh.patrol_car');
      const unknownType = await as(p, supervisor)('PUT', `/api/dispatch/settings/${c5}`, { ...body, speedsKmh: { submarine: 20 } });
      expect(unknownType.statusCode).toBe(400);
      // Nothing of the refused requests was stored.
      expect((await as(p, supervisor)('GET', `/api/dispatch/settings/${c5}`)).json().roadFactor).toBeNull();

      const ok = await as(p, supervisor)('PUT', `/api/dispatch/settings/${c5}`, { ...body, dispatchTargetSeconds: { MEDIA: 45 } });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().dispatchTargetSeconds).toEqual({ MEDIA: 45 });
      const audit = await p.handle.db
        .selectFrom('auditLog')
        .select(['action', 'targetId', 'actorUsername'])
        .where('action', '=', 'dispatch.settings.update')
        .execute();
      expect(audit).toEqual([{ action: 'dispatch.settings.update', targetId: c5, actorUsername: 'supervisor' }]);
      // Another state's agency answers like a missing one.
      expect((await as(p, supervisor)('GET', `/api/dispatch/settings/${agency('SSE-JAL')}`)).statusCode).toBe(404);
    });

    it('raises the pending alert at the centre’s own target', async () => {
      const c5 = agency('C5-CDMX');
      const body = { roadFactor: null, speedsKmh: {}, onSceneStaleMinutes: null };
      await as(p, supervisor)('PUT', `/api/dispatch/settings/${c5}`, {
        ...body,
        dispatchTargetSeconds: { MEDIA: 300, BAJA: 300, ALTA: 300 },
      });
      const inc = await newIncident();
      // 200 s: past the platform default for ALTA/MEDIA (60/120 s), within this centre's 300 s.
      expect((await checkTimers(p.dispatch, new Date(Date.now() + 200_000))).find((a) => a.incidentId === inc.id)).toBeUndefined();
      await as(p, supervisor)('PUT', `/api/dispatch/settings/${c5}`, { ...body, dispatchTargetSeconds: { MEDIA: 30, BAJA: 30, ALTA: 30 } });
      const raised = (await checkTimers(p.dispatch, new Date(Date.now() + 40_000))).find((a) => a.incidentId === inc.id);
      expect(raised).toMatchObject({ kind: 'pending_overdue', folio: inc.folio });
      // The board's alert reads on its own: folio included.
      const board = (await as(p, supervisor)('GET', '/api/dispatch/board')).json();
      expect(board.alerts.find((a: Json) => a.id === raised!.id)).toMatchObject({ folio: inc.folio });
    });

    it('ranks units by the travel model of their own agency', async () => {
      const inc = await newIncident();
      const first = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}/recommendations`)).json().ranked[0];
      const slow = await as(p, admin)('PUT', `/api/dispatch/settings/${first.agencyId}`, {
        roadFactor: 2,
        speedsKmh: { [first.type]: 10 },
        onSceneStaleMinutes: null,
        dispatchTargetSeconds: {},
      });
      expect(slow.statusCode, slow.body).toBe(200);
      const again = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}/recommendations`)).json().ranked;
      const same = again.find((r: Json) => r.unitId === first.unitId);
      // ETA = straight line × road factor ÷ speed: the unit's agency now says ×2 and 10 km/h.
      const straight = first.distanceM / 1.35;
      expect(same.distanceM).toBeCloseTo(straight * 2, 0);
      expect(same.etaSeconds).toBeCloseTo((straight * 2) / (10 / 3.6), 0);
      expect(again[0].unitId).not.toBe(first.unitId);
    });

    it('closes incidents only with a code of the closed list, in the user’s language', async () => {
      const inc = await newIncident();
      const en = (await as(p, despacho)('GET', '/api/dispatch/closure-codes', undefined, { 'accept-language': 'en' })).json().codes;
      expect(en).toContainEqual({ code: 'FALSA_ALARMA', name: 'False alarm' });
      const es = (await as(p, despacho)('GET', '/api/dispatch/closure-codes')).json().codes;
      expect(es).toContainEqual({ code: 'FALSA_ALARMA', name: 'Falsa alarma' });

      const unit = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}/recommendations`)).json().ranked[0];
      expect((await post(despacho, `/api/dispatch/incidents/${inc.id}/assign`, { unitIds: [unit.unitId] })).statusCode).toBe(200);
      const bad = await post(despacho, `/api/dispatch/incidents/${inc.id}/status`, { status: 'closed', closureCode: 'SE_FUE' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'closure_code_unknown', field: 'closureCode' });
      expect(bad.json().error.message).toContain('SE_FUE');
      expect((await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}`)).json().status).toBe('dispatched');
      const ok = await post(despacho, `/api/dispatch/incidents/${inc.id}/status`, { status: 'closed', closureCode: 'FALSA_ALARMA' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'closed', closureCode: 'FALSA_ALARMA' });
    });

    it('names the type in both languages and the place, lists improper types, and gives the field view its event id', async () => {
      const inc = await newIncident();
      expect(inc).toMatchObject({ typeCode: '30101', place: { stateName: expect.any(String), municipalityName: 'Cuauhtémoc' } });
      expect(inc.typeNameEn).toEqual(expect.any(String));
      expect(inc.typeNameEn).not.toBe(inc.typeName);
      expect((inc.place as Json).coloniaName).toEqual(expect.any(String));

      const improper = (await as(p, operador)('GET', '/api/dispatch/catalogue?improper=true&limit=400')).json().entries as Json[];
      expect(improper.length).toBeGreaterThan(10);
      expect(improper.every((e) => e.improper === true)).toBe(true);
      const prank = (await as(p, operador)('GET', '/api/dispatch/catalogue?improper=true&q=broma')).json().entries as Json[];
      expect(prank.map((e) => e.code)).toContain('70101');
      const real = (await as(p, operador)('GET', '/api/dispatch/catalogue?improper=false&q=broma')).json().entries as Json[];
      expect(real.some((e) => e.improper)).toBe(false);

      const policia = await login(p, 'policia');
      const units = (await as(p, policia)('GET', '/api/dispatch/units')).json();
      expect(units.lastEventId).toBeGreaterThan(0);
    });

    it('tells the consoles when a unit acknowledges its assignment', async () => {
      const inc = await newIncident();
      const unit = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}/recommendations`)).json().ranked[0];
      await post(despacho, `/api/dispatch/incidents/${inc.id}/assign`, { unitIds: [unit.unitId] });
      const before = (await as(p, despacho)('GET', '/api/dispatch/board')).json().lastEventId as number;
      expect((await post(despacho, `/api/dispatch/units/${unit.unitId}/acknowledge`)).statusCode).toBe(200);
      const events = await p.handle.db.selectFrom('dispatchEvent').select(['kind', 'payload']).where('seq', '>', before).execute();
      expect(events.map((e) => [e.kind, (JSON.parse(e.payload) as Json).id])).toContainEqual(['incident', inc.id]);
    });
  });
}
