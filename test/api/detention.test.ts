import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, unknown>;
const ZOCALO = { lat: 19.4326, lon: -99.1332 };
const PASSWORD = 'Demo-OpenC5-2026!';

/** A detention as an officer registers it on the spot. */
const record = (over: Json = {}): Json => ({
  person: {
    givenNames: 'José',
    firstSurname: 'Ramírez',
    secondSurname: 'Luna',
    alias: 'El Güero',
    sex: 'male',
    age: 27,
    nationality: 'Mexicana',
    description: 'Complexión delgada, 1.70 m, playera roja.',
  },
  detainedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
  place: { ...ZOCALO, address: 'Plaza de la Constitución, esquina 5 de Mayo' },
  kind: 'flagrancy',
  reason: 'Sorprendido al sustraer un teléfono celular a una transeúnte.',
  arrestingOfficers: [{ fullName: 'Pol. Ana Torres', unit: 'P-CUH-1' }],
  rightsReadAt: new Date(Date.now() - 28 * 60_000).toISOString(),
  condition: {
    visibleInjuries: true,
    injuries: 'Raspón en el codo izquierdo.',
    medicalCertificate: { number: 'CM-1234', issuedBy: 'ERUM' },
  },
  ...over,
});

for (const dialect of dialects()) {
  describe(`registro de detenciones (${dialect.name})`, () => {
    let p: Platform;
    let policia: Session;
    let mando: Session;
    let analista: Session;
    let camaras: Session;
    let operador: Session;
    let enlace: Session;
    let policiaGdl: Session;
    let fgj = '';
    let ssc = '';

    beforeAll(async () => {
      p = await startPlatform(dialect);
      [policia, mando, analista, camaras, operador, enlace, policiaGdl] = [
        await login(p, 'policia'),
        await login(p, 'mando'),
        await login(p, 'analista'),
        await login(p, 'camaras'),
        await login(p, 'operador'),
        await login(p, 'enlace.mp'),
        await login(p, 'policia.gdl'),
      ];
      const agencies = (await as(p, mando)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      fgj = agencies.find((a) => a.code === 'FGJ-CDMX')!.id;
      ssc = agencies.find((a) => a.code === 'SSC-CDMX')!.id;
    });
    afterAll(async () => p?.close());

    it('registers a detention at once, before the IPH is signed, with the place resolved and clear errors', async () => {
      const iph = (await as(p, policia)('POST', '/api/iph', {})).json();
      const bad: [Json, string][] = [
        [record({ person: { givenNames: 'Sin Edad', sex: 'male', nationality: 'Mexicana' } }), 'record.person.age'],
        [record({ place: { lat: 24.5, lon: -92 } }), 'record.place.lat'],
        [record({ reason: 'x'.repeat(4001) }), 'record.reason'],
        [record({ arrestingOfficers: [] }), 'record.arrestingOfficers'],
      ];
      for (const [body, field] of bad) {
        const r = await as(p, policia)('POST', '/api/detentions', { iphId: iph.id, record: body });
        expect(r.statusCode, field).toBe(400);
        expect(r.json().error.field).toBe(field);
      }
      const r = await as(p, policia)('POST', '/api/detentions', { iphId: iph.id, record: record() });
      expect(r.statusCode, r.body).toBe(201);
      const d = r.json();
      expect(d.folio).toMatch(/^DET-SSC-CDMX-\d{4}-\d{6}$/);
      expect(d).toMatchObject({ status: 'in_custody', iphId: iph.id, iphFolio: iph.folio, canEdit: true, handover: null });
      expect(d.record.place).toMatchObject({ stateCode: '09', municipalityCode: '09015', municipality: 'Cuauhtémoc' });
      expect(d.record.place.quadrantId).toBeTruthy();
      // A standalone detention (no IPH yet) is fine too.
      expect((await as(p, policia)('POST', '/api/detentions', { record: record() })).statusCode).toBe(201);
    });

    it('shows detainee data only to the arresting agency, its commanders and the receiving prosecutor’s office; every read is audited', async () => {
      const d = (await as(p, policia)('POST', '/api/detentions', { record: record() })).json();
      const get = (s: Session) => as(p, s)('GET', `/api/detentions/${d.id}`);
      expect((await get(policia)).statusCode).toBe(200);
      expect((await get(mando)).json()).toMatchObject({ record: { person: { alias: 'El Güero' } }, canEdit: false });
      for (const s of [analista, camaras, operador]) expect((await get(s)).statusCode, s.username).toBe(403);
      expect((await get(enlace)).statusCode).toBe(404); // not handed to their office yet
      expect((await get(policiaGdl)).statusCode).toBe(404);
      const list = (await as(p, mando)('GET', '/api/detentions')).json().detentions as Json[];
      expect(list.some((x) => x.id === d.id)).toBe(true);
      expect((await as(p, enlace)('GET', '/api/detentions')).json().detentions).toEqual([]);

      const audit = await p.handle.db
        .selectFrom('auditLog')
        .select(['actorUsername', 'action', 'outcome', 'targetId'])
        .where('action', 'in', ['detention.read', 'detention.list'])
        .execute();
      const reads = audit
        .filter((a) => a.targetId === d.id && a.action === 'detention.read' && a.outcome === 'ok')
        .map((a) => a.actorUsername);
      expect(reads.sort()).toEqual(['mando', 'policia']);
      expect(audit.some((a) => a.action === 'detention.list' && a.actorUsername === 'mando')).toBe(true);
      const denied = await p.handle.db
        .selectFrom('auditLog')
        .select('actorUsername')
        .where('action', '=', 'detention.read')
        .where('outcome', '=', 'denied')
        .execute();
      expect(denied.map((a) => a.actorUsername)).toEqual(expect.arrayContaining(['analista', 'camaras', 'operador']));
      // No personal data in the audit details.
      expect(JSON.stringify(audit)).not.toMatch(/Ramírez|Güero/);
    });

    it('hands the person to the prosecutor, closes the record, and carries it into the signed IPH’s annex A', async () => {
      const iph = (await as(p, policia)('POST', '/api/iph', {})).json();
      const d = (await as(p, policia)('POST', '/api/detentions', { iphId: iph.id, record: record() })).json();
      const handover = (body: Json) => as(p, policia)('POST', `/api/detentions/${d.id}/handover`, body);
      const valid = {
        at: new Date().toISOString(),
        prosecutorAgencyId: fgj,
        authority: 'Agencia CUH-1',
        receiverName: 'Lic. Rosa Delgado',
      };
      expect((await handover({ ...valid, prosecutorAgencyId: ssc })).json().error).toMatchObject({
        code: 'iph_prosecutor',
        field: 'prosecutorAgencyId',
      });
      expect((await handover({ ...valid, at: new Date(Date.now() - 3_600_000).toISOString() })).json().error).toMatchObject({
        code: 'detention_time_order',
        field: 'at',
      });
      expect((await as(p, mando)('POST', `/api/detentions/${d.id}/handover`, valid)).statusCode).toBe(403);

      // The IPH cannot be signed while a detainee has not been handed over in it.
      await as(p, policia)('PATCH', `/api/iph/${iph.id}`, {
        crimeCode: '1.2.1',
        sections: {
          knowledge: { how: 'flagrancy', knownAt: new Date(Date.now() - 40 * 60_000).toISOString() },
          place: { ...ZOCALO, stateCode: '09', municipalityCode: '09015' },
          narrative: { text: 'Se detuvo en flagrancia a una persona.' },
        },
      });
      const early = await as(p, policia)('POST', `/api/iph/${iph.id}/sign`, { password: PASSWORD });
      expect(early.json().error).toMatchObject({ code: 'iph_incomplete', field: 'handover.at' });

      const done = await handover(valid);
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json()).toMatchObject({
        status: 'handed_over',
        canEdit: false,
        handover: { prosecutorAgencyName: expect.stringMatching(/Fiscalía/) },
      });
      const again = await as(p, policia)('PATCH', `/api/detentions/${d.id}`, { record: record() });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('detention_handed_over');
      // Now the receiving office reads it.
      expect((await as(p, enlace)('GET', `/api/detentions/${d.id}`)).statusCode).toBe(200);

      await as(p, policia)('PATCH', `/api/iph/${iph.id}`, {
        sections: { handover: { at: valid.at, prosecutorAgencyId: fgj, authority: valid.authority, receiverName: valid.receiverName } },
      });
      expect((await as(p, enlace)('GET', `/api/iph/${iph.id}`)).statusCode).toBe(404); // a draft is the police's own
      const signed = await as(p, policia)('POST', `/api/iph/${iph.id}/sign`, { password: PASSWORD });
      expect(signed.statusCode, signed.body).toBe(200);
      expect(signed.json().content.annexA.detentions).toEqual([
        expect.objectContaining({
          folio: d.folio,
          record: expect.objectContaining({ kind: 'flagrancy' }),
          handover: expect.objectContaining({ receiverName: 'Lic. Rosa Delgado' }),
        }),
      ]);
      // The prosecutor's office receives the signed IPH.
      const received = await as(p, enlace)('GET', `/api/iph/${iph.id}`);
      expect(received.statusCode).toBe(200);
      expect(received.json().can).toEqual({ edit: false, sign: false, amend: false });
      expect(((await as(p, enlace)('GET', '/api/iph')).json().iphs as Json[]).map((i) => i.id)).toContain(iph.id);

      // An amendment cannot hand the signed IPH to an authority that is not a prosecutor's office.
      const wrongOffice = await as(p, policia)('POST', `/api/iph/${iph.id}/amendments`, {
        section: 'handover',
        field: 'prosecutorAgencyId',
        newValue: ssc,
        reason: 'Prueba',
        password: PASSWORD,
      });
      expect(wrongOffice.json().error).toMatchObject({ code: 'iph_prosecutor', field: 'newValue' });

      // Nothing more is linked to a signed IPH.
      const late = await as(p, policia)('POST', '/api/detentions', { iphId: iph.id, record: record() });
      expect(late.statusCode).toBe(409);
      expect(late.json().error).toMatchObject({ code: 'iph_signed', field: 'iphId' });
      const ids = await p.handle.db.selectFrom('detention').select('id').where('iphId', '=', iph.id).execute();
      expect(ids).toHaveLength(1);
    });

    it('keeps concurrent corrections apart (version check)', async () => {
      const d = (await as(p, policia)('POST', '/api/detentions', { record: record() })).json();
      const first = await as(p, policia)('PATCH', `/api/detentions/${d.id}`, {
        expectedVersion: 1,
        record: record({ reason: 'Robo a transeúnte.' }),
      });
      expect(first.json()).toMatchObject({ version: 2, record: { reason: 'Robo a transeúnte.' } });
      const second = await as(p, policia)('PATCH', `/api/detentions/${d.id}`, { expectedVersion: 1, record: record() });
      expect(second.statusCode).toBe(409);
      expect(second.json().error.field).toBe('expectedVersion');
    });
  });
}
