import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { checkTimers } from '../../src/dispatch/board.service.js';
import { dialects } from '../support/dialects.js';
import { as, enrol, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, unknown>;
const ZOCALO = { lat: 19.4326, lon: -99.1332 };
const GDL = { lat: 20.6767, lon: -103.3475 };

for (const dialect of dialects()) {
  describe(`911 y despacho (${dialect.name})`, () => {
    let p: Platform;
    let operador: Session;
    let despacho: Session;
    let supervisor: Session;
    let policia: Session;
    let policiaGdl: Session;
    let units: { id: string; callSign: string; agencyId: string; status: string; capabilities: string[]; crew: string[] }[];

    const post = (s: Session, url: string, body?: unknown, key?: string) =>
      as(p, s)('POST', url, body, key ? { 'idempotency-key': key } : {});
    const newIncident = async (s: Session, body: Json = {}) => {
      const r = await post(
        s,
        '/api/dispatch/incidents',
        { typeCode: '30101', location: { ...ZOCALO, address: 'Plaza de la Constitución s/n' }, ...body },
        crypto.randomUUID(),
      );
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as Json & { id: string; folio: string; status: string };
    };
    const unit = (callSign: string) => units.find((u) => u.callSign === callSign)!;

    beforeAll(async () => {
      p = await startPlatform(dialect);
      [operador, despacho, supervisor, policia, policiaGdl] = [
        await login(p, 'operador'),
        await login(p, 'despacho'),
        await login(p, 'supervisor'),
        await login(p, 'policia'),
        await login(p, 'policia.gdl'),
      ];
      units = (await as(p, despacho)('GET', '/api/dispatch/units')).json().units;
    });
    afterAll(async () => p?.close());

    it('finds incident types by code or words, without accents', async () => {
      const r = (await as(p, operador)('GET', '/api/dispatch/catalogue?q=atropellado')).json();
      expect(r.entries.length).toBeGreaterThan(0);
      expect(r.entries[0].name).toMatch(/ATROPELLA/i);
      const byCode = (await as(p, operador)('GET', '/api/dispatch/catalogue?q=10101')).json();
      expect(byCode.entries[0].code).toBe('10101');
    });

    it('takes a call and creates an incident once per idempotency key, with a folio per centre and year', async () => {
      const key = crypto.randomUUID();
      const call = await post(
        operador,
        '/api/dispatch/calls',
        { ani: '+52 55 1234 5678', callerName: 'María', callerLocation: { ...ZOCALO, uncertaintyM: 25 } },
        key,
      );
      expect(call.statusCode).toBe(201);
      const again = await post(
        operador,
        '/api/dispatch/calls',
        { ani: '+52 55 1234 5678', callerName: 'María', callerLocation: { ...ZOCALO, uncertaintyM: 25 } },
        key,
      );
      expect(again.statusCode).toBe(200);
      expect(again.json().id).toBe(call.json().id);
      const other = await post(operador, '/api/dispatch/calls', { ani: '+52 55 0000 0000' }, key);
      expect(other.statusCode).toBe(409);
      expect(other.json().error).toMatchObject({ code: 'idempotency_mismatch', field: 'Idempotency-Key' });

      const body = {
        callId: call.json().id,
        typeCode: '10101',
        location: { ...ZOCALO, address: 'Zócalo' },
        note: 'Persona lesionada en la fuente',
      };
      const ikey = crypto.randomUUID();
      const first = await post(operador, '/api/dispatch/incidents', body, ikey);
      expect(first.statusCode, first.body).toBe(201);
      const inc = first.json();
      expect(inc.folio).toMatch(new RegExp(`^CDMX-${new Date().getUTCFullYear()}-\\d{6}$`));
      expect(inc).toMatchObject({ status: 'pending', priority: 'ALTA', location: { stateCode: '09', municipalityCode: '09015' } });
      expect(inc.location.quadrantId).toBeTruthy();
      const retry = await post(operador, '/api/dispatch/incidents', body, ikey);
      expect(retry.statusCode).toBe(200);
      expect(retry.json().folio).toBe(inc.folio);
      const count = await p.handle.db
        .selectFrom('incident')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('folio', '=', inc.folio)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
      const detail = (await as(p, operador)('GET', `/api/dispatch/incidents/${inc.id}`)).json();
      expect(detail.calls[0]).toMatchObject({ ani: '+52 55 1234 5678', outcome: 'incident', incidentId: inc.id });
      expect(detail.timeline.map((e: Json) => e.kind)).toEqual(['created', 'note', 'call_linked']);
      const next = await newIncident(operador);
      expect(Number(next.folio.slice(-6))).toBe(Number(inc.folio.slice(-6)) + 1);
    });

    // Retries sent at once share a group commit with their first run: each must still answer the one folio.
    it('answers retries sent together with the one incident their key created', async () => {
      const key = crypto.randomUUID();
      const body = { typeCode: '30101', location: { ...ZOCALO, address: 'Reintentos' } };
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(operador, '/api/dispatch/incidents', body, key)));
      const folios = new Set(answers.map((a) => a.json().folio));
      expect(folios.size).toBe(1);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      const [folio] = [...folios] as string[];
      const count = await p.handle.db
        .selectFrom('incident')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('folio', '=', folio!)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
      // The retries took no folio number.
      expect(Number((await newIncident(operador)).folio.slice(-6))).toBe(Number(folio!.slice(-6)) + 1);
    });

    it('answers bad input clearly and creates nothing', async () => {
      const before = Number(
        (
          await p.handle.db
            .selectFrom('incident')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const cases: [Json, number, string, string][] = [
        [{ typeCode: '99999', location: ZOCALO }, 400, 'unknown_type', 'typeCode'],
        [{ typeCode: '30101', location: { lat: 24.5, lon: -92 } }, 400, 'outside_mexico', 'location.lat'],
        [{ typeCode: '30101' }, 400, 'validation', 'location'],
        [{ typeCode: '30101', location: { lat: 200, lon: -99 } }, 400, 'validation', 'location.lat'],
        [{ typeCode: '30101', location: GDL }, 409, 'wrong_centre', 'location'],
        [{ typeCode: '30101', priority: 'BAJA', location: ZOCALO }, 400, 'priority_reason', 'priorityReason'],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await post(operador, '/api/dispatch/incidents', body, crypto.randomUUID());
        expect(r.statusCode, JSON.stringify(body)).toBe(status);
        expect(r.json().error).toMatchObject({ code, field });
      }
      const wrong = await post(operador, '/api/dispatch/incidents', { typeCode: '30101', location: GDL }, crypto.randomUUID());
      expect(wrong.json().error.message).toMatch(/Jalisco/);
      const after = Number(
        (
          await p.handle.db
            .selectFrom('incident')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      expect(after).toBe(before);
    });

    it('walks the state machine from pending to closed (IS-1…IS-8, US-1…US-4)', async () => {
      const inc = await newIncident(operador);
      const closeEarly = await post(despacho, `/api/dispatch/incidents/${inc.id}/status`, { status: 'closed', closureCode: 'ATENDIDO' });
      expect(closeEarly.statusCode).toBe(409); // IS-5: a pending incident is cancelled, not closed
      expect(closeEarly.json().error.code).toBe('invalid_transition');
      const car = unit('P-CUH-1');
      const assigned = await post(despacho, `/api/dispatch/incidents/${inc.id}/assign`, { unitIds: [car.id] });
      expect(assigned.statusCode, assigned.body).toBe(200);
      expect(assigned.json()).toMatchObject({ status: 'dispatched', units: [{ callSign: 'P-CUH-1', status: 'dispatched' }] }); // IS-2
      // The officer crewing the unit sees the assignment and moves it along.
      const fieldView = await as(p, policia)('GET', `/api/dispatch/incidents/${inc.id}`);
      expect(fieldView.statusCode).toBe(200);
      expect(fieldView.json().calls).toEqual([]); // DA-2: no callers' numbers on the officer's phone
      expect((await post(policia, `/api/dispatch/units/${car.id}/acknowledge`)).json().acknowledgedAt).toBeTruthy();
      expect((await post(policia, `/api/dispatch/units/${car.id}/status`, { status: 'en_route' })).statusCode).toBe(200);
      expect((await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}`)).json().status).toBe('en_route'); // IS-3
      const back = await post(policia, `/api/dispatch/units/${car.id}/status`, { status: 'dispatched' });
      expect(back.statusCode).toBe(409);
      expect((await post(policia, `/api/dispatch/units/${car.id}/status`, { status: 'on_scene' })).statusCode).toBe(200);
      const onScene = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}`)).json();
      expect(onScene).toMatchObject({ status: 'on_scene' }); // IS-4
      expect(onScene.firstArrivedAt).toBeTruthy();
      expect(
        (await post(policia, `/api/dispatch/incidents/${inc.id}/notes`, { text: 'Sin lesionados; se retira a los involucrados.' }))
          .statusCode,
      ).toBe(200);
      const noCode = await post(despacho, `/api/dispatch/incidents/${inc.id}/status`, { status: 'closed' });
      expect(noCode.json().error).toMatchObject({ code: 'closure_code', field: 'closureCode' });
      const closed = await post(despacho, `/api/dispatch/incidents/${inc.id}/status`, { status: 'closed', closureCode: 'ATENDIDO' });
      expect(closed.json()).toMatchObject({ status: 'closed', closureCode: 'ATENDIDO', units: [] }); // IS-8
      units = (await as(p, despacho)('GET', '/api/dispatch/units')).json().units;
      expect(unit('P-CUH-1')).toMatchObject({ status: 'available' });
      const reopenNoReason = await post(despacho, `/api/dispatch/incidents/${inc.id}/status`, { status: 'pending' });
      expect(reopenNoReason.json().error.code).toBe('reason');
      expect(
        (await post(despacho, `/api/dispatch/incidents/${inc.id}/status`, { status: 'pending', reason: 'Vuelven a llamar' })).json().status,
      ).toBe('pending'); // IS-7
      const kinds = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}`)).json().timeline.map((e: Json) => e.kind);
      expect(kinds).toEqual(['created', 'assignment', 'unit_status', 'unit_status', 'unit_status', 'note', 'status', 'status']);
    });

    it('lets exactly one of two simultaneous assignments of the same unit win', async () => {
      const [a, b] = [await newIncident(operador), await newIncident(operador)];
      const moto = unit('M-CUH');
      const [r1, r2] = await Promise.all([
        post(despacho, `/api/dispatch/incidents/${a.id}/assign`, { unitIds: [moto.id] }),
        post(supervisor, `/api/dispatch/incidents/${b.id}/assign`, { unitIds: [moto.id] }),
      ]);
      expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
      const loser = r1.statusCode === 409 ? r1 : r2;
      expect(loser.json().error).toMatchObject({ code: 'unit_unavailable', field: 'unitIds.0' });
      expect(loser.json().error.message).toContain('M-CUH');
      const assignments = await p.handle.db
        .selectFrom('assignment')
        .selectAll()
        .where('unitId', '=', moto.id)
        .where('clearedAt', 'is', null)
        .execute();
      expect(assignments).toHaveLength(1);
    });

    it('refuses units out of service or of an agency the dispatcher cannot task', async () => {
      const inc = await newIncident(operador);
      const spare = unit('P-COY-2') ?? units.find((u) => u.status === 'available' && u.callSign.startsWith('P-'))!;
      expect((await post(despacho, `/api/dispatch/units/${spare.id}/status`, { status: 'out_of_service' })).statusCode).toBe(200);
      const oos = await post(despacho, `/api/dispatch/incidents/${inc.id}/assign`, { unitIds: [spare.id] });
      expect(oos.statusCode).toBe(409);
      expect(oos.json().error.code).toBe('unit_out_of_service');
      const gdlUnit = (await as(p, policiaGdl)('GET', '/api/dispatch/units')).json().units[0];
      const foreign = await post(despacho, `/api/dispatch/incidents/${inc.id}/assign`, { unitIds: [gdlUnit.id] });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json().error).toMatchObject({ code: 'unit_not_taskable', field: 'unitIds.0' });
      const huge = await post(despacho, `/api/dispatch/incidents/${inc.id}/notes`, { text: 'x'.repeat(5000) });
      expect(huge.json().error).toMatchObject({ code: 'note_too_long', field: 'text' });
    });

    it('hides a state’s incidents from another state’s and municipality’s staff (DA-1, DA-2)', async () => {
      const inc = await newIncident(operador);
      expect((await as(p, policiaGdl)('GET', `/api/dispatch/incidents/${inc.id}`)).statusCode).toBe(404);
      expect((await as(p, policia)('GET', `/api/dispatch/incidents/${inc.id}`)).statusCode).toBe(404); // not assigned to their unit
      const admin = await login(p, 'admin');
      const agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      const created = await as(p, admin)('POST', '/api/users', {
        agencyId: agencies.find((a) => a.code === 'PM-GDL')!.id,
        username: 'despacho.gdl',
        fullName: 'Despacho GDL',
        password: 'despacho-guadalajara-2026',
        roles: ['dispatcher'],
      });
      expect(created.statusCode).toBe(201);
      const { cookie } = await enrol(p, 'despacho.gdl', 'despacho-guadalajara-2026');
      const board = await p.app.inject({ method: 'GET', url: '/api/dispatch/board', headers: { cookie } });
      expect(board.statusCode).toBe(200);
      expect(board.json().incidents.every((i: Json & { location: { stateCode: string } }) => i.location.stateCode === '14')).toBe(true);
      expect((await p.app.inject({ method: 'GET', url: `/api/dispatch/incidents/${inc.id}`, headers: { cookie } })).statusCode).toBe(404);
      const cdmxBoard = (await as(p, despacho)('GET', '/api/dispatch/board')).json();
      expect(cdmxBoard.incidents.some((i: Json) => i.id === inc.id)).toBe(true);
    });

    it('raises a supervisor alert for a pending incident past its target, until acknowledged', async () => {
      const inc = await newIncident(operador);
      const raised = await checkTimers(p.dispatch, new Date(Date.now() + 301_000)); // past every priority's target
      const mine = raised.find((a) => a.incidentId === inc.id);
      expect(mine).toMatchObject({ kind: 'pending_overdue' });
      expect((await checkTimers(p.dispatch, new Date(Date.now() + 302_000))).find((a) => a.incidentId === inc.id)).toBeUndefined();
      const board = (await as(p, supervisor)('GET', '/api/dispatch/board')).json();
      expect(board.alerts.some((a: Json) => a.id === mine!.id)).toBe(true);
      expect((await post(despacho, `/api/dispatch/alerts/${mine!.id}/acknowledge`)).statusCode).toBe(403);
      expect((await post(supervisor, `/api/dispatch/alerts/${mine!.id}/acknowledge`)).json().acknowledgedAt).toBeTruthy();
      expect((await as(p, supervisor)('GET', '/api/dispatch/board')).json().alerts.some((a: Json) => a.id === mine!.id)).toBe(false);
    });

    it('shows the nearest cameras and records opening one', async () => {
      const inc = await newIncident(operador);
      const cams = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}/cameras?radius=2000`)).json().cameras;
      expect(cams.length).toBeGreaterThan(0);
      expect(cams.map((c: { distanceM: number }) => c.distanceM)).toEqual(
        [...cams.map((c: { distanceM: number }) => c.distanceM)].sort((a, b) => a - b),
      );
      const opened = await post(despacho, `/api/dispatch/incidents/${inc.id}/cameras/${cams[0].id}/open`);
      expect(opened.json().streamUrl).toMatch(/^rtsp:/);
      const timeline = (await as(p, despacho)('GET', `/api/dispatch/incidents/${inc.id}`)).json().timeline;
      expect(timeline.at(-1)).toMatchObject({ kind: 'camera_opened', data: { code: cams[0].code } });
    });

    it('streams board events over SSE and resumes from Last-Event-ID without losing any', async () => {
      const base = await p.app.listen({ port: 0, host: '127.0.0.1' });
      const start = (await as(p, despacho)('GET', '/api/dispatch/board')).json().lastEventId as number;
      const made = [await newIncident(operador), await newIncident(operador)];
      const ctrl = new AbortController();
      const res = await fetch(`${base}/api/dispatch/events`, {
        headers: { cookie: despacho.cookie, 'last-event-id': String(start) },
        signal: ctrl.signal,
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      const third = newIncident(operador);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        if ((await third) && text.includes((await third).folio)) break;
      }
      ctrl.abort();
      for (const inc of [...made, await third]) expect(text).toContain(inc.folio);
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(ids.length).toBeGreaterThanOrEqual(3);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids[0]).toBe(start + 1);
    });
  });
}
