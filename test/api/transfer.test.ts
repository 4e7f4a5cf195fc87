import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { dialects } from '../support/dialects.js';
import { as, enrol, login, startPlatform, type Session } from '../support/platform.js';

const ZOCALO = { lat: 19.4326, lon: -99.1332 };
const GDL = { lat: 20.6767, lon: -103.3475 };

for (const dialect of dialects()) {
  describe(`transferencia entre centros con NENA EIDO (${dialect.name})`, () => {
    let p: Platform;
    let operador: Session;
    let jalisco: Session;

    beforeAll(async () => {
      p = await startPlatform(dialect);
      operador = await login(p, 'operador');
      const admin = await login(p, 'admin');
      const agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      const password = 'telefonista-jalisco-2026';
      await as(p, admin)('POST', '/api/users', {
        agencyId: agencies.find((a) => a.code === 'C5-JAL')!.id,
        username: 'operador.jal',
        fullName: 'Operadora Jalisco',
        password,
        roles: ['call_taker'],
      });
      jalisco = await enrol(p, 'operador.jal', password);
    });
    afterAll(async () => p?.close());

    it('sends a call from the wrong state to the right centre, which sees it at once and accepts it', async () => {
      const call = await as(p, operador)(
        'POST',
        '/api/dispatch/calls',
        { ani: '+52 33 3333 4444', callerName: 'Juan', callerLocation: { ...GDL, uncertaintyM: 40 } },
        { 'idempotency-key': crypto.randomUUID() },
      );
      const wrong = await as(p, operador)(
        'POST',
        '/api/dispatch/incidents',
        { callId: call.json().id, typeCode: '10101', location: GDL },
        { 'idempotency-key': crypto.randomUUID() },
      );
      expect(wrong.json().error.code).toBe('wrong_centre');

      const sent = await as(p, operador)('POST', `/api/dispatch/calls/${call.json().id}/transfer`, {
        typeCode: '10101',
        location: { ...GDL, address: 'Av. Juárez y 16 de Septiembre, Guadalajara' },
        note: 'Persona lesionada; la llamada entró al C5 de la CDMX.',
      });
      expect(sent.statusCode, sent.body).toBe(201);
      const doc = sent.json().document;
      expect(doc.incidentComponent).toBeDefined();
      expect(JSON.stringify(doc)).toContain('tel:');
      expect((await as(p, operador)('GET', `/api/dispatch/calls/${call.json().id}`)).json()).toMatchObject({ outcome: 'transferred' });

      // The receiving centre sees it at once; the sending one does not.
      const pendingList = (await as(p, jalisco)('GET', '/api/dispatch/transfers')).json().transfers;
      expect(pendingList).toHaveLength(1);
      expect(pendingList[0]).toMatchObject({ typeCode: '10101', priority: 'ALTA', notes: 1, calls: 1, location: { stateCode: '14' } });
      expect((await as(p, operador)('GET', '/api/dispatch/transfers')).json().transfers).toHaveLength(0);

      const accepted = await as(p, jalisco)('POST', `/api/dispatch/transfers/${pendingList[0].id}/accept`);
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json().folio).toMatch(/^JAL-\d{4}-000001$/);
      const detail = (await as(p, jalisco)('GET', `/api/dispatch/incidents/${accepted.json().id}`)).json();
      expect(detail.location).toMatchObject({
        stateCode: '14',
        municipalityCode: '14039',
        address: 'Av. Juárez y 16 de Septiembre, Guadalajara',
      });
      expect(detail.calls[0]).toMatchObject({ ani: '+52 33 3333 4444', callerName: 'Juan' });
      const note = detail.timeline.find((e: { kind: string }) => e.kind === 'note');
      expect(note.text).toBe('Persona lesionada; la llamada entró al C5 de la CDMX.');
      expect(note.authorName).toContain('operador');
      expect(detail.timeline.some((e: { kind: string }) => e.kind === 'transfer')).toBe(true);
      const again = await as(p, jalisco)('POST', `/api/dispatch/transfers/${pendingList[0].id}/accept`);
      expect(again.statusCode).toBe(409);
      // Mexico City's staff cannot read Jalisco's incident.
      expect((await as(p, operador)('GET', `/api/dispatch/incidents/${accepted.json().id}`)).statusCode).toBe(404);
    });

    it('exports an incident as EIDO and imports it back losslessly', async () => {
      const created = await as(p, operador)(
        'POST',
        '/api/dispatch/incidents',
        {
          typeCode: '30101',
          priority: 'ALTA',
          priorityReason: 'Obstruye un hospital',
          location: { ...ZOCALO, address: 'Zócalo' },
          note: 'Primera nota',
        },
        { 'idempotency-key': crypto.randomUUID() },
      );
      const id = created.json().id;
      await as(p, operador)('POST', `/api/dispatch/incidents/${id}/notes`, { text: 'Segunda nota con acentos: camión, señal' });
      const doc = (await as(p, operador)('GET', `/api/dispatch/incidents/${id}/eido`)).json();
      const received = await as(p, operador)('POST', '/api/dispatch/eido', doc);
      expect(received.statusCode, received.body).toBe(201);
      expect(received.json()).toMatchObject({ typeCode: '30101', priority: 'ALTA', notes: 2, externalFolio: created.json().folio });
      const incident = (await as(p, operador)('POST', `/api/dispatch/transfers/${received.json().id}/accept`)).json();
      const detail = (await as(p, operador)('GET', `/api/dispatch/incidents/${incident.id}`)).json();
      expect(detail).toMatchObject({
        typeCode: '30101',
        priority: 'ALTA',
        location: { lat: ZOCALO.lat, lon: ZOCALO.lon, address: 'Zócalo', municipalityCode: '09015' },
      });
      expect(detail.timeline.filter((e: { kind: string }) => e.kind === 'note').map((e: { text: string }) => e.text)).toEqual([
        'Primera nota',
        'Segunda nota con acentos: camión, señal',
      ]);
    });

    it('rejects a forged or broken EIDO with the path at fault and stores nothing', async () => {
      const before = (await as(p, operador)('GET', '/api/dispatch/transfers')).json().transfers.length;
      const bad = await as(p, operador)('POST', '/api/dispatch/eido', { $id: 'urn:x', lastUpdateTimeStamp: 'ayer' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('eido_invalid');
      expect(bad.json().error.field).toBeTruthy();
      expect((await as(p, operador)('GET', '/api/dispatch/transfers')).json().transfers.length).toBe(before);
    });
  });
}
