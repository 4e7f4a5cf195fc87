import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { createUnit } from '../../src/dispatch/dispatch.service.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, unknown>;
const ZOCALO = { lat: 19.4326, lon: -99.1332 };

/** The test's own canonical JSON (sorted keys, no undefined), so the hash check does not trust the code under test. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .filter((k) => (v as Json)[k] !== undefined)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

for (const dialect of dialects()) {
  describe(`IPH: borrador → firma → enmiendas (${dialect.name})`, () => {
    let p: Platform;
    let operador: Session;
    let despacho: Session;
    let policia: Session;
    let policiaGdl: Session;
    let mando: Session;
    let analista: Session;

    const post = (s: Session, url: string, body?: unknown) => as(p, s)('POST', url, body);

    /** A 911 incident at the Zócalo, unit P-CUH-1 (crew: `policia`) sent, on scene, and the incident closed. */
    async function attendedIncident(callSign = 'P-CUH-1'): Promise<{ id: string; folio: string }> {
      const inc = await as(p, operador)(
        'POST',
        '/api/dispatch/incidents',
        { typeCode: '30101', location: { ...ZOCALO, address: 'Plaza de la Constitución s/n' } },
        { 'idempotency-key': crypto.randomUUID() },
      );
      expect(inc.statusCode, inc.body).toBe(201);
      const units = (await as(p, despacho)('GET', '/api/dispatch/units')).json().units as {
        id: string;
        callSign: string;
        crew: string[];
      }[];
      const unit = units.find((u) => u.callSign === callSign)!;
      expect((await post(despacho, `/api/dispatch/incidents/${inc.json().id}/assign`, { unitIds: [unit.id] })).statusCode).toBe(200);
      for (const status of ['en_route', 'on_scene']) {
        expect((await post(despacho, `/api/dispatch/units/${unit.id}/status`, { status })).statusCode).toBe(200);
      }
      const closed = await post(despacho, `/api/dispatch/incidents/${inc.json().id}/status`, {
        status: 'closed',
        closureCode: 'DETENIDOS',
      });
      expect(closed.statusCode, closed.body).toBe(200);
      return inc.json();
    }

    beforeAll(async () => {
      p = await startPlatform(dialect);
      [operador, despacho, policia, policiaGdl, mando, analista] = [
        await login(p, 'operador'),
        await login(p, 'despacho'),
        await login(p, 'policia'),
        await login(p, 'policia.gdl'),
        await login(p, 'mando'),
        await login(p, 'analista'),
      ];
    });
    afterAll(async () => p?.close());

    it('starts an IPH from a 911 incident, prefilled with its folio, times, place, units and crews (once per agency)', async () => {
      const inc = await attendedIncident();
      const r = await post(policia, '/api/iph', { incidentId: inc.id });
      expect(r.statusCode, r.body).toBe(201);
      const iph = r.json();
      const year = new Date().getUTCFullYear();
      expect(iph.folio).toMatch(new RegExp(`^IPH-SSC-CDMX-${year}-\\d{6}$`));
      expect(iph).toMatchObject({ status: 'draft', incidentId: inc.id, incidentFolio: inc.folio, stateCode: '09', version: 1 });
      expect(iph.content.knowledge).toMatchObject({ how: 'emergency_call', emergencyFolio: inc.folio });
      expect(iph.content.knowledge.knownAt).toBeTruthy();
      expect(iph.content.knowledge.arrivedAt).toBeTruthy();
      expect(iph.content.place).toMatchObject({
        stateCode: '09',
        state: 'Ciudad de México',
        municipalityCode: '09015',
        municipality: 'Cuauhtémoc',
        street: 'Plaza de la Constitución s/n',
      });
      expect(iph.content.place.colonia).toBeTruthy();
      expect(iph.content.place.quadrantId).toBeTruthy();
      expect(iph.content.responder).toMatchObject({ fullName: 'Pol. Ana Torres', unit: 'P-CUH-1', institution: 'policia_estatal' });
      expect(iph.content.responder.units).toEqual([
        { callSign: 'P-CUH-1', agency: 'Secretaría de Seguridad Ciudadana de la Ciudad de México' },
      ]);
      expect(iph.content.responder.participants).toEqual([expect.objectContaining({ fullName: 'Pol. Ana Torres', unit: 'P-CUH-1' })]);
      expect(iph.can).toEqual({ edit: true, sign: true, amend: false });

      const again = await post(policia, '/api/iph', { incidentId: inc.id });
      expect(again.statusCode).toBe(409);
      expect(again.json().error).toMatchObject({ code: 'iph_exists', field: 'incidentId' });
      expect(again.json().error.message).toContain(iph.folio);
      // The next IPH of the agency this year takes the next number.
      const standalone = await post(policia, '/api/iph', {});
      expect(standalone.statusCode).toBe(201);
      expect(Number(standalone.json().folio.slice(-6))).toBe(Number(iph.folio.slice(-6)) + 1);
      expect(standalone.json().content.place).toMatchObject({ stateCode: '09' });
    });

    it('refuses an IPH for an incident of another state than the officer’s agency (RA-4), and unseen incidents are not found', async () => {
      const agencies = (await as(p, mando)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      const gdlUser = await p.handle.db.selectFrom('appUser').select('id').where('username', '=', 'policia.gdl').executeTakeFirstOrThrow();
      // A Guadalajara officer riding with a Mexico City unit (e.g. on a joint operation) sees its incident...
      await createUnit(
        p.dispatch,
        { system: 'test' },
        {
          agencyId: agencies.find((a) => a.code === 'SSC-CDMX')!.id,
          callSign: `P-MIXTA-${dialect.name}`,
          type: 'patrol_car',
          capabilities: ['police'],
          crew: [gdlUser.id],
          position: ZOCALO,
        },
      );
      const inc = await attendedIncident(`P-MIXTA-${dialect.name}`);
      expect((await as(p, policiaGdl)('GET', `/api/dispatch/incidents/${inc.id}`)).statusCode).toBe(200);
      // ...but the IPH belongs to an agency of Mexico City.
      const r = await post(policiaGdl, '/api/iph', { incidentId: inc.id });
      expect(r.statusCode).toBe(409);
      expect(r.json().error).toMatchObject({ code: 'iph_other_state', field: 'incidentId' });
      expect(r.json().error.message).toMatch(/Ciudad de México.*Jalisco/);
      const en = await as(p, policiaGdl)('POST', '/api/iph', { incidentId: inc.id }, { 'accept-language': 'en' });
      expect(en.json().error.message).toMatch(/belongs to an agency of Ciudad de México/);
      // An incident the officer's unit never attended is "not found", like a missing one.
      const other = await as(p, operador)(
        'POST',
        '/api/dispatch/incidents',
        { typeCode: '30101', location: ZOCALO },
        { 'idempotency-key': crypto.randomUUID() },
      );
      const hidden = await post(policia, '/api/iph', { incidentId: other.json().id });
      expect(hidden.statusCode).toBe(404);
      expect(hidden.json().error.field).toBe('incidentId');
      expect(await p.handle.db.selectFrom('iph').select('id').where('incidentId', 'in', [inc.id, other.json().id]).execute()).toEqual([]);
    });

    it('edits the draft, signs it with the password and SHA-256, refuses edits after, and chains signed amendments', async () => {
      const inc = await attendedIncident();
      const iph = (await post(policia, '/api/iph', { incidentId: inc.id })).json();
      const patch = (s: Session, body: unknown) => as(p, s)('PATCH', `/api/iph/${iph.id}`, body);

      expect((await patch(analista, { sections: {} })).statusCode).toBe(403); // analysts never touch IPHs
      expect((await as(p, analista)('GET', `/api/iph/${iph.id}`)).statusCode).toBe(403);
      expect((await as(p, policiaGdl)('GET', `/api/iph/${iph.id}`)).statusCode).toBe(404); // another agency (RA-1)
      // The commander of the agency reads it (RA-1) but does not write it.
      expect((await as(p, mando)('GET', `/api/iph/${iph.id}`)).json().can).toEqual({ edit: false, sign: false, amend: false });

      const tooLong = await patch(policia, { sections: { narrative: { text: 'x'.repeat(20_001) } } });
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json().error).toMatchObject({ code: 'validation', field: 'sections.narrative.text' });
      const unknownField = await patch(policia, { sections: { narrative: { text: 'ok', secreto: 1 } } });
      expect(unknownField.json().error).toMatchObject({ code: 'validation', field: 'secreto' });

      const narrative = 'A las 10:05 horas, al llegar al lugar, se observó a una persona que sustraía un teléfono celular.';
      const saved = await patch(policia, {
        expectedVersion: 1,
        crimeCode: '1.2.1',
        sections: {
          narrative: { text: narrative },
          annexE: {
            interviews: [
              { role: 'victim', givenNames: 'María', firstSurname: 'Pérez', account: 'Me quitaron el celular.', rightsRead: true },
            ],
          },
        },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(saved.json()).toMatchObject({ version: 2, crimeCode: '1.2.1', content: { narrative: { text: narrative } } });
      // Sections not sent keep what the incident prefilled.
      expect(saved.json().content.knowledge.emergencyFolio).toBe(inc.folio);
      const stale = await patch(policia, { expectedVersion: 1, sections: { annexG: { text: 'tarde' } } });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error).toMatchObject({ code: 'iph_version', field: 'expectedVersion' });

      const wrongPassword = await post(policia, `/api/iph/${iph.id}/sign`, { password: 'no-es-la-contraseña' });
      expect(wrongPassword.statusCode).toBe(400);
      expect(wrongPassword.json().error).toMatchObject({ code: 'signature_password', field: 'password' });
      await patch(policia, { sections: { narrative: { text: '' } } });
      const incomplete = await post(policia, `/api/iph/${iph.id}/sign`, { password: 'Demo-OpenC5-2026!' });
      expect(incomplete.statusCode).toBe(400);
      expect(incomplete.json().error).toMatchObject({ code: 'iph_incomplete', field: 'narrative.text' });
      expect(incomplete.json().error.message).toMatch(/narrativa/);
      await patch(policia, { sections: { narrative: { text: narrative } } });

      const signed = await post(policia, `/api/iph/${iph.id}/sign`, { password: 'Demo-OpenC5-2026!' });
      expect(signed.statusCode, signed.body).toBe(200);
      const s = signed.json();
      expect(s.status).toBe('signed');
      expect(s.signature).toMatchObject({ signerName: 'Pol. Ana Torres' });
      // The signature is the SHA-256 of the canonical JSON of what was signed.
      const doc = { id: s.id, folio: s.folio, agencyId: s.agencyId, incidentId: s.incidentId, crimeCode: s.crimeCode, content: s.content };
      expect(s.signature.contentHash).toBe(sha256(canonical(doc)));
      // The signature fed the crime register in the same transaction: one record, keyed by the IPH, no persons in it.
      const crimes = (await as(p, analista)('GET', '/api/records/crimes?source=iph')).json().records as Record<string, unknown>[];
      const fromIph = crimes.filter((c) => c.sourceRef === s.id);
      expect(fromIph).toHaveLength(1);
      expect(fromIph[0]).toMatchObject({ classificationCode: '1.2.1', violent: true, source: 'iph', stateCode: '09' });
      expect(JSON.stringify(fromIph[0])).not.toMatch(/María|Pérez/);

      // RA-5: a signed IPH is immutable through the API.
      const late = await patch(policia, { sections: { narrative: { text: 'otra versión' } } });
      expect(late.statusCode).toBe(409);
      expect(late.json().error.code).toBe('iph_signed');
      expect(late.json().error.message).toMatch(/firmado.*enmienda/);
      expect((await post(policia, `/api/iph/${iph.id}/sign`, { password: 'Demo-OpenC5-2026!' })).json().error.code).toBe('iph_signed');

      // Amendments: the original stays; each correction is signed and chained.
      const amend = (body: Json) => post(policia, `/api/iph/${iph.id}/amendments`, { password: 'Demo-OpenC5-2026!', ...body });
      expect((await amend({ section: 'narrative', field: 'texto', newValue: 'x', reason: 'r' })).json().error).toMatchObject({
        code: 'iph_amend_path',
        field: 'field',
      });
      expect((await amend({ section: 'narrative', field: 'text', newValue: narrative, reason: 'r' })).json().error.code).toBe(
        'iph_amend_same',
      );
      expect((await amend({ section: 'annexE', field: 'interviews.0.age', newValue: 'treinta', reason: 'r' })).json().error).toMatchObject({
        code: 'iph_amend_invalid',
        field: 'newValue',
      });
      const fixed = narrative.replace('10:05', '10:15');
      const a1 = await amend({ section: 'narrative', field: 'text', newValue: fixed, reason: 'Hora mal capturada' });
      expect(a1.statusCode, a1.body).toBe(201);
      const a2 = await amend({
        section: 'annexE',
        field: 'interviews.1',
        newValue: { role: 'witness', givenNames: 'Juan', account: 'Vi todo desde la esquina.' },
        reason: 'Testigo omitido',
      });
      expect(a2.statusCode, a2.body).toBe(201);
      const view = a2.json();
      expect(view.content.narrative.text).toBe(narrative); // the signed original is kept
      expect(view.amendments).toHaveLength(2);
      expect(view.amendments[0]).toMatchObject({ seq: 1, oldValue: narrative, newValue: fixed, prevHash: s.signature.contentHash });
      expect(view.amendments[1]).toMatchObject({ seq: 2, oldValue: null, prevHash: view.amendments[0].hash });

      const verify = () => as(p, mando)('GET', `/api/iph/${iph.id}/verify`);
      expect((await verify()).json()).toMatchObject({ intact: true, entries: 3, broken: null });
      // Tampering directly in the database is found and named.
      await p.handle.db
        .updateTable('iphAmendment')
        .set({ reason: 'Otro motivo' })
        .where('iphId', '=', iph.id)
        .where('seq', '=', 2)
        .execute();
      expect((await verify()).json()).toMatchObject({ intact: false, broken: { seq: 2, problem: 'modified' } });
      await p.handle.db
        .updateTable('iphAmendment')
        .set({ reason: 'Testigo omitido' })
        .where('iphId', '=', iph.id)
        .where('seq', '=', 2)
        .execute();
      expect((await verify()).json().intact).toBe(true);
      const row = await p.handle.db.selectFrom('iph').select('content').where('id', '=', iph.id).executeTakeFirstOrThrow();
      await p.handle.db
        .updateTable('iph')
        .set({ content: row.content.replace('10:05', '10:45') })
        .where('id', '=', iph.id)
        .execute();
      const broken = (await verify()).json();
      expect(broken).toMatchObject({ intact: false, broken: { seq: 0, problem: 'modified' } });
      expect(broken.message).toMatch(/registro original/);

      // Each read of the report (people's data) is in the audit log.
      const reads = await p.handle.db
        .selectFrom('auditLog')
        .select(['actorUsername', 'action'])
        .where('targetId', '=', iph.id)
        .where('action', '=', 'iph.read')
        .execute();
      expect(reads.map((x) => x.actorUsername)).toContain('mando');
    });

    it('refuses the signature, naming the IPH field, when the crime register cannot take the report', async () => {
      const inc = await attendedIncident();
      const iph = (await post(policia, '/api/iph', { incidentId: inc.id })).json();
      const patch = (body: unknown) => as(p, policia)('PATCH', `/api/iph/${iph.id}`, body);
      const sign = () => post(policia, `/api/iph/${iph.id}/sign`, { password: 'Demo-OpenC5-2026!' });
      const narrative = { narrative: { text: 'Se atendió el reporte en el lugar.' } };
      // A code of the right shape that the SESNSP catalogue does not have.
      expect((await patch({ crimeCode: '9.9.9', sections: narrative })).statusCode).toBe(200);
      const unknown = await sign();
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.field).toBe('crimeCode');
      // Theft of a passer-by (4.1.5) says nothing about violence by itself: the report must.
      expect((await patch({ crimeCode: '4.1.5' })).statusCode).toBe(200);
      const violence = await sign();
      expect(violence.statusCode, violence.body).toBe(400);
      expect(violence.json().error.field).toBe('sections.knowledge.withViolence');
      const now = (await as(p, policia)('GET', `/api/iph/${iph.id}`)).json();
      expect(now.status).toBe('draft');
      const crimes = (await as(p, analista)('GET', '/api/records/crimes?source=iph')).json().records as Record<string, unknown>[];
      expect(crimes.some((c) => c.sourceRef === iph.id)).toBe(false);
      expect((await patch({ sections: { knowledge: { ...now.content.knowledge, withViolence: true } } })).statusCode).toBe(200);
      expect((await sign()).statusCode).toBe(200);
      const after = (await as(p, analista)('GET', '/api/records/crimes?source=iph')).json().records as Record<string, unknown>[];
      expect(after.find((c) => c.sourceRef === iph.id)).toMatchObject({ violent: true });
    });

    it('lists my and our IPHs without people’s data', async () => {
      const mine = (await as(p, policia)('GET', '/api/iph?mine=true')).json().iphs as Json[];
      expect(mine.length).toBeGreaterThanOrEqual(3);
      expect(mine.every((i) => i.mine === true)).toBe(true);
      const ours = (await as(p, mando)('GET', '/api/iph')).json().iphs as Json[];
      expect(ours.length).toBeGreaterThanOrEqual(mine.length);
      expect(Object.keys(ours[0]).sort()).toEqual(
        [
          'agencyId',
          'amendments',
          'createdAt',
          'crimeCode',
          'folio',
          'id',
          'incidentFolio',
          'incidentId',
          'mine',
          'responderName',
          'signedAt',
          'status',
          'updatedAt',
        ].sort(),
      );
      expect((await as(p, policiaGdl)('GET', '/api/iph')).json().iphs).toEqual([]);
      expect((await as(p, analista)('GET', '/api/iph')).statusCode).toBe(403);
    });
  });
}
