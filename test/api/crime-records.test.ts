import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { authenticate } from '../../src/identity/identity.service.js';
import { recordCrime } from '../../src/records/crime.service.js';
import { CSV_COLUMNS } from '../../src/records/crime.service.js';
import { dialects } from '../support/dialects.js';
import { as, enrol, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, unknown>;
const ZOCALO = { lat: 19.4326, lon: -99.1332 };
const COYOACAN = { lat: 19.3502, lon: -99.1625 };
const GDL = { lat: 20.6767, lon: -103.3475 };

for (const dialect of dialects()) {
  describe(`registros delictivos (${dialect.name})`, () => {
    let p: Platform;
    let analista: Session;
    let analistaJal: Session;
    let admin: Session;
    let policia: Session;

    const create = (s: Session, body: Json, key: string = crypto.randomUUID()) =>
      as(p, s)('POST', '/api/records/crimes', body, { 'idempotency-key': key });
    const crime = (extra: Json = {}): Json => ({
      classificationCode: '4.1.5.1',
      occurredOn: '2025-03-01',
      occurredTime: '21:30',
      ...ZOCALO,
      ...extra,
    });

    beforeAll(async () => {
      p = await startPlatform(dialect);
      [analista, admin, policia] = [await login(p, 'analista'), await login(p, 'admin'), await login(p, 'policia')];
      const agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      const jal = agencies.find((a) => a.code === 'SSE-JAL')!.id;
      const made = await as(p, admin)('POST', '/api/users', {
        agencyId: jal,
        username: 'analista.jal',
        fullName: 'Analista de Jalisco',
        password: 'analisis-jalisco-2026',
        roles: ['analyst'],
      });
      expect(made.statusCode, made.body).toBe(201);
      analistaJal = await enrol(p, 'analista.jal', 'analisis-jalisco-2026');
    });
    afterAll(async () => p?.close());

    it('browses the SESNSP catalogue: 7 legal interests, children of a node, accent-free search in Spanish or English', async () => {
      const top = (await as(p, policia)('GET', '/api/records/crime-catalogue')).json().nodes as Json[];
      expect(top.map((n) => n.code)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
      const robbery = (await as(p, policia)('GET', '/api/records/crime-catalogue?parent=4.1')).json().nodes as Json[];
      expect(robbery).toHaveLength(14);
      expect(robbery[4]).toMatchObject({ code: '4.1.5', name: 'Robo a transeúnte en vía pública', level: 'subtype', childCount: 2 });
      const found = (await as(p, policia)('GET', '/api/records/crime-catalogue?q=transeunte%20via%20publica%20con%20violencia')).json()
        .nodes;
      expect(found[0]).toMatchObject({ code: '4.1.5.1', violence: 'violent', path: [{ code: '4' }, { code: '4.1' }, { code: '4.1.5' }] });
      const english = (await as(p, policia)('GET', '/api/records/crime-catalogue?q=femicide')).json().nodes;
      expect(english[0].code).toBe('1.3');
      const all = (await as(p, policia)('GET', '/api/records/crime-catalogue?all=true')).json().nodes as Json[];
      expect(all).toHaveLength(200);
      const bad = await as(p, policia)('GET', '/api/records/crime-catalogue?parent=9.9');
      expect(bad.json().error).toMatchObject({ code: 'unknown_classification', field: 'parent' });
    });

    it('creates a record once per idempotency key, located with colonia, quadrant and H3 cells 7–10', async () => {
      const key = crypto.randomUUID();
      const first = await create(analista, crime(), key);
      expect(first.statusCode, first.body).toBe(201);
      const r = first.json();
      expect(r).toMatchObject({
        classificationCode: '4.1.5.1',
        stateCode: '09',
        municipalityCode: '09015',
        violent: true,
        status: 'registered',
        source: 'api',
        occurredTime: '21:30',
      });
      expect(r.coloniaId).toBeTruthy();
      expect(r.quadrantId).toBeTruthy();
      expect(Object.values(r.h3).every((c) => /^8[7-a][0-9a-f]{13}$/.test(c as string))).toBe(true);
      expect(r.h3.r7.slice(0, 2)).toBe('87');
      const retry = await create(analista, crime(), key);
      expect(retry.statusCode).toBe(200);
      expect(retry.json().id).toBe(r.id);
      const other = await create(analista, crime({ occurredOn: '2025-03-02' }), key);
      expect(other.statusCode).toBe(409);
      expect(other.json().error).toMatchObject({ code: 'idempotency_mismatch', field: 'Idempotency-Key' });
      // The caller's own id: one record per id and agency, whatever the key.
      const withId = await create(analista, crime({ sourceId: 'FGJ-CI-2025-000123' }));
      const again = await create(analista, crime({ sourceId: 'FGJ-CI-2025-000123' }));
      expect([withId.statusCode, again.statusCode]).toEqual([201, 200]);
      expect(again.json().id).toBe(withId.json().id);
      // A classification above a node with one same-named child is stored at its most specific code.
      const extortion = await create(analista, crime({ classificationCode: '4.4', violent: false, occurredTime: null }));
      expect(extortion.json()).toMatchObject({ classificationCode: '4.4.1.1', occurredTime: null, violent: false });
    });

    it('catches suspicious coordinates and bad facts, naming the field, and creates nothing', async () => {
      const count = async () =>
        Number(
          (
            await p.handle.db
              .selectFrom('crimeRecord')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      const cases: [Json, string, string][] = [
        [{ lat: ZOCALO.lon, lon: ZOCALO.lat }, 'swapped_coordinates', 'lat'],
        [{ lat: 0, lon: 0 }, 'null_island', 'lat'],
        [{ lat: 19.4326, lon: 99.1332 }, 'missing_minus_sign', 'lon'],
        [{ lat: 40.7128, lon: -74.006 }, 'outside_mexico', 'lat'],
        [{ stateCode: '15' }, 'outside_declared_state', 'lat'],
        [{ ...GDL }, 'outside_jurisdiction', 'lat'],
        [{ classificationCode: '4.1.99' }, 'unknown_classification', 'classificationCode'],
        [{ occurredOn: '2999-01-01' }, 'future_date', 'occurredOn'],
        [{ occurredOn: '2025-02-30' }, 'invalid_date', 'occurredOn'],
        [{ occurredTime: '25:00' }, 'invalid_time', 'occurredTime'],
        [{ classificationCode: '4.1.5' }, 'violence_required', 'violent'],
        [{ classificationCode: '4.1.5.2', violent: true }, 'violence_conflict', 'violent'],
      ];
      for (const [extra, code, field] of cases) {
        const r = await create(analista, crime(extra));
        expect(r.statusCode, JSON.stringify(extra)).toBe(400);
        expect(r.json().error, JSON.stringify(extra)).toMatchObject({ code, field });
      }
      const swapped = await create(analista, crime({ lat: ZOCALO.lon, lon: ZOCALO.lat }), crypto.randomUUID());
      expect(swapped.json().error.message).toMatch(/intercambiadas/);
      const english = await as(p, analista)('POST', '/api/records/crimes', crime({ lat: 0, lon: 0 }), { 'accept-language': 'en' });
      expect(english.json().error.message).toMatch(/location is missing/);
      expect(await count()).toBe(before);
    });

    it('lists by classification subtree, dates and area, pages with a cursor, and hides other states (CR-1)', async () => {
      for (const [i, where] of [ZOCALO, COYOACAN, ZOCALO].entries()) {
        const r = await create(
          analista,
          crime({ ...where, occurredOn: `2024-06-0${i + 1}`, classificationCode: i === 2 ? '1.1.1.1' : '4.1.5.2' }),
        );
        expect(r.statusCode, r.body).toBe(201);
      }
      const get = (s: Session, qs: string) => as(p, s)('GET', `/api/records/crimes?${qs}`);
      const robberies = (await get(analista, 'classification=4.1.5&from=2024-06-01&to=2024-06-30')).json().records as Json[];
      expect(robberies.map((r) => r.occurredOn)).toEqual(['2024-06-02', '2024-06-01']);
      const homicide = (await get(analista, 'classification=1&from=2024-06-01&to=2024-06-30')).json().records as Json[];
      expect(homicide.map((r) => r.classificationCode)).toEqual(['1.1.1.1']);
      const inCoyoacan = (await get(analista, 'municipalityCode=09003&from=2024-06-01')).json().records as Json[];
      expect(inCoyoacan).toHaveLength(1);
      const cell = inCoyoacan[0].h3 as Record<string, string>;
      expect((await get(analista, `h3=${cell.r8}`)).json().records.map((r: Json) => r.id)).toContain(inCoyoacan[0].id);
      expect((await get(analista, `bbox=-99.2,19.3,-99.15,19.4&from=2024-06-01`)).json().records).toHaveLength(1);
      const page1 = (await get(analista, 'from=2024-06-01&to=2024-06-30&limit=2')).json();
      const page2 = (await get(analista, `from=2024-06-01&to=2024-06-30&limit=2&cursor=${page1.nextCursor}`)).json();
      expect([...page1.records, ...page2.records].map((r: Json) => r.occurredOn)).toEqual(['2024-06-03', '2024-06-02', '2024-06-01']);
      expect(page2.nextCursor).toBeNull();
      expect((await get(analista, 'h3=8f2830828052d25')).json().error).toMatchObject({ field: 'h3' });
      expect((await get(analista, 'classification=8')).json().error).toMatchObject({
        code: 'unknown_classification',
        field: 'classification',
      });

      // An analyst of Jalisco sees none of Mexico City's records: not in lists, not by id, not in exports.
      expect((await get(analistaJal, 'from=2000-01-01')).json().records).toEqual([]);
      expect((await as(p, analistaJal)('GET', `/api/records/crimes/${inCoyoacan[0].id}`)).statusCode).toBe(404);
      const csv = (await as(p, analistaJal)('GET', '/api/records/crimes.csv')).body.trim().split('\n');
      expect(csv).toEqual([CSV_COLUMNS.join(',')]);
      // …while a record of Jalisco, created by Jalisco, is theirs.
      const gdl = await create(analistaJal, crime({ ...GDL, occurredOn: '2024-06-05' }));
      expect(gdl.statusCode, gdl.body).toBe(201);
      expect((await get(analistaJal, 'from=2000-01-01')).json().records.map((r: Json) => r.id)).toEqual([gdl.json().id]);
      expect((await as(p, analista)('GET', `/api/records/crimes/${gdl.json().id}`)).statusCode).toBe(404);
      // The federal system administrator sees both.
      const all = (await get(admin, 'from=2024-06-01&to=2024-06-30')).json().records as Json[];
      expect(new Set(all.map((r) => r.stateCode))).toEqual(new Set(['09', '14']));
    });

    it('exports CSV with no personal data, and audits who exported what', async () => {
      const res = await as(p, analista)('GET', '/api/records/crimes.csv?from=2024-06-01&to=2024-06-30');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      const [head, ...rows] = res.body.trim().split('\n');
      expect(head.split(',')).toEqual([...CSV_COLUMNS]);
      // The columns say what, when, where and from which source; nothing names, describes or identifies a person.
      for (const column of head.split(','))
        expect(column).not.toMatch(
          /name|nombre|victim|v[ií]ctima|person|address|domicilio|curp|phone|tel|narrative|descrip|officer|created_by/i,
        );
      expect(rows).toHaveLength(3);
      expect(rows[1]).toContain('El patrimonio,Robo,Robo a transeúnte en vía pública,Sin violencia,2024-06-02');
      const audit = await p.handle.db
        .selectFrom('auditLog')
        .selectAll()
        .where('action', '=', 'crime.export')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(audit.actorUsername).toBe('analista');
      expect(JSON.parse(audit.details!)).toMatchObject({ from: '2024-06-01', to: '2024-06-30' });
    });

    it('recordCrime runs inside the caller’s transaction: it commits with the caller, rolls back with it, and an IPH becomes one record', async () => {
      const actor = (await authenticate({ handle: p.handle, config: p.config }, policia.cookie.split('=')[1])).actor;
      const iphId = crypto.randomUUID();
      const input = {
        classificationCode: '4.1.2',
        occurredOn: '2025-05-04',
        occurredTime: '08:15',
        ...ZOCALO,
        violent: true,
        source: { kind: 'iph' as const, iphId },
      };
      await expect(
        p.handle.write(async (q) => {
          await recordCrime(p.crime, actor, input, q);
          throw new Error('the IPH failed to sign');
        }),
      ).rejects.toThrow('the IPH failed to sign');
      const none = await p.handle.db.selectFrom('crimeRecord').select('id').where('sourceId', '=', iphId).execute();
      expect(none).toHaveLength(0);
      const made = await p.handle.write((q) => recordCrime(p.crime, actor, input, q));
      expect(made.created).toBe(true);
      expect(made.record).toMatchObject({ source: 'iph', sourceRef: iphId, sourceId: iphId, ownerAgencyId: actor.agencyId, violent: true });
      const twice = await recordCrime(p.crime, actor, input);
      expect(twice).toMatchObject({ created: false, record: { id: made.record.id } });
      await expect(recordCrime(p.crime, actor, { ...input, lat: 0, lon: 0 })).rejects.toMatchObject({ code: 'null_island', field: 'lat' });
      const audit = await p.handle.db.selectFrom('auditLog').select('action').where('targetId', '=', made.record.id).execute();
      expect(audit.map((a) => a.action)).toEqual(['crime.create']);
    });
  });
}
