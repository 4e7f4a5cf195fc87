import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, unknown>;
const ZOCALO = { lat: 19.4326, lon: -99.1332 };
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PHOTO_LIMIT = 16_384;
const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

const item = (over: Json = {}): Json => ({
  kind: 'firearm',
  description: 'Pistola semiautomática calibre 9 mm, color negro, con cargador.',
  quantity: 1,
  unit: 'pieza',
  collectedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
  place: { ...ZOCALO, address: 'Plaza de la Constitución' },
  collectedBy: [{ fullName: 'Pol. Ana Torres', unit: 'P-CUH-1' }],
  seal: 'EMB-0001',
  condition: 'Embalada en bolsa de papel sellada.',
  ...over,
});

for (const dialect of dialects()) {
  describe(`indicios y cadena de custodia (${dialect.name})`, () => {
    let p: Platform;
    let policia: Session;
    let mando: Session;
    let enlace: Session;
    let analista: Session;
    let policiaGdl: Session;
    let fgj = '';

    const transfer = (s: Session, id: string, previousHash: string, over: Json = {}) =>
      as(p, s)('POST', `/api/evidence/${id}/transfers`, {
        previousHash,
        at: new Date().toISOString(),
        to: { name: 'Lic. Rosa Delgado', position: 'Agente del Ministerio Público', agencyId: fgj },
        place: 'Coordinación Territorial CUH-1',
        purpose: 'prosecutor',
        condition: 'Embalaje íntegro, sello EMB-0001 sin alteración.',
        seal: 'EMB-0001',
        ...over,
      });
    const upload = (s: Session, id: string, body: Buffer, type = 'image/png') =>
      as(p, s)('POST', `/api/evidence/${id}/photos`, body, { 'content-type': type });
    const verify = async (id: string) => (await as(p, mando)('GET', `/api/evidence/${id}/verify`)).json();

    beforeAll(async () => {
      // The JSON body limit is below the photo limit: a photo is streamed under its own limit.
      p = await startPlatform(dialect, { EVIDENCE_PHOTO_MAX_BYTES: String(PHOTO_LIMIT), BODY_LIMIT_BYTES: String(PHOTO_LIMIT / 2) });
      [policia, mando, enlace, analista, policiaGdl] = [
        await login(p, 'policia'),
        await login(p, 'mando'),
        await login(p, 'enlace.mp'),
        await login(p, 'analista'),
        await login(p, 'policia.gdl'),
      ];
      fgj = ((await as(p, mando)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[]).find(
        (a) => a.code === 'FGJ-CDMX',
      )!.id;
    });
    afterAll(async () => p?.close());

    it('registers an item sealed with the hash of its registration, and stores photos by their SHA-256', async () => {
      const iph = (await as(p, policia)('POST', '/api/iph', {})).json();
      const tooLong = await as(p, policia)('POST', '/api/evidence', item({ iphId: iph.id, description: 'x'.repeat(4001) }));
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json().error).toMatchObject({ code: 'validation', field: 'description' });
      const r = await as(p, policia)('POST', '/api/evidence', item({ iphId: iph.id }));
      expect(r.statusCode, r.body).toBe(201);
      const ev = r.json();
      expect(ev.folio).toMatch(/^IND-SSC-CDMX-\d{4}-\d{6}$/);
      expect(ev).toMatchObject({
        iphFolio: iph.folio,
        headHash: ev.registrationHash,
        transfers: [],
        can: { transfer: true, addPhoto: true },
      });
      expect(ev.custodian).toMatchObject({ name: 'Pol. Ana Torres', agencyName: expect.stringMatching(/Seguridad Ciudadana/) });
      expect(ev.place).toMatchObject({ municipalityCode: '09015' });

      const photo = await upload(policia, ev.id, PNG);
      expect(photo.statusCode, photo.body).toBe(201);
      expect(photo.json()).toMatchObject({ sha256: sha256(PNG), sizeBytes: PNG.length, contentType: 'image/png' });
      const file = path.join(p.config.dataDir, 'evidence', sha256(PNG));
      expect(fs.readFileSync(file).equals(PNG)).toBe(true);
      const back = await as(p, mando)('GET', `/api/evidence/${ev.id}/photos/${photo.json().id}`);
      expect(back.statusCode).toBe(200);
      expect(back.headers['content-type']).toBe('image/png');
      expect(back.rawPayload.equals(PNG)).toBe(true);
      const reads = await p.handle.db.selectFrom('auditLog').select('actorUsername').where('action', '=', 'evidence.photo.read').execute();
      expect(reads.map((x) => x.actorUsername)).toContain('mando');

      // Larger than a JSON body may be, within the photo limit: accepted.
      const mid = Buffer.concat([PNG, Buffer.alloc(PHOTO_LIMIT / 2 + 100)]);
      const second = await upload(policia, ev.id, mid);
      expect(second.statusCode, second.body).toBe(201);
      expect(second.json()).toMatchObject({ sha256: sha256(mid), sizeBytes: mid.length });

      // Oversized, mislabelled or non-image bodies are refused and leave nothing behind.
      const huge = Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(PHOTO_LIMIT + 1)]);
      const big = await upload(policia, ev.id, huge);
      expect(big.statusCode).toBe(413);
      expect(big.json().error).toMatchObject({ code: 'photo_too_large', field: 'body' });
      expect(big.json().error.message).toMatch(/máximo/);
      const fake = await upload(policia, ev.id, Buffer.from('esto no es una imagen'), 'image/jpeg');
      expect(fake.statusCode).toBe(415);
      expect(fake.json().error.code).toBe('photo_type');
      expect((await as(p, policia)('POST', `/api/evidence/${ev.id}/photos`, { foto: 'json' })).statusCode).toBe(415);
      expect((await upload(analista, ev.id, PNG)).statusCode).toBe(403);
      expect(fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('.upload-'))).toEqual([]);
      const rows = await p.handle.db.selectFrom('evidencePhoto').select('id').where('itemId', '=', ev.id).execute();
      expect(rows).toHaveLength(2);
    });

    it('appends custody transfers on the chain’s head; a forged or stale previous hash is refused and changes nothing', async () => {
      const ev = (await as(p, policia)('POST', '/api/evidence', item())).json();
      const forged = await transfer(policia, ev.id, 'f'.repeat(64));
      expect(forged.statusCode).toBe(409);
      expect(forged.json().error).toMatchObject({ code: 'custody_stale_hash', field: 'previousHash' });
      const untouched = await p.handle.db
        .selectFrom('evidenceItem')
        .select(['headHash', 'transferCount'])
        .where('id', '=', ev.id)
        .executeTakeFirstOrThrow();
      expect(untouched).toEqual({ headHash: ev.registrationHash, transferCount: 0 });
      expect(await p.handle.db.selectFrom('custodyTransfer').select('id').where('itemId', '=', ev.id).execute()).toEqual([]);

      expect((await as(p, enlace)('GET', `/api/evidence/${ev.id}`)).statusCode).toBe(404); // not held by the prosecutor yet
      // Two officers hand it over at the same moment from the same head: exactly one wins.
      const [a, b] = await Promise.all([transfer(policia, ev.id, ev.registrationHash), transfer(policia, ev.id, ev.registrationHash)]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
      const t1 = (a.statusCode === 201 ? a : b).json();
      expect(t1.transfers).toHaveLength(1);
      expect(t1.transfers[0]).toMatchObject({
        seq: 1,
        prevHash: ev.registrationHash,
        from: { name: 'Pol. Ana Torres' },
        to: { agencyId: fgj },
      });
      expect(t1.headHash).toBe(t1.transfers[0].hash);
      expect(t1.custodian).toMatchObject({ name: 'Lic. Rosa Delgado', agencyId: fgj });

      // RA-6: now the prosecutor's office holds it, and only it hands it over.
      const gone = await transfer(policia, ev.id, t1.headHash);
      expect(gone.statusCode).toBe(403);
      expect(gone.json().error.code).toBe('evidence_not_custodian');
      const held = await as(p, enlace)('GET', `/api/evidence/${ev.id}`);
      expect(held.json().can).toEqual({ transfer: true, addPhoto: true });
      expect((await transfer(enlace, ev.id, ev.registrationHash)).json().error.code).toBe('custody_stale_hash');
      const t2 = await transfer(enlace, ev.id, t1.headHash, {
        purpose: 'storage',
        to: { name: 'C. Luis Ortega', position: 'Resguardo de bodega', agencyId: fgj },
      });
      expect(t2.statusCode, t2.body).toBe(201);
      expect(t2.json().transfers[1].prevHash).toBe(t1.headHash);
      expect((await as(p, policiaGdl)('GET', `/api/evidence/${ev.id}`)).statusCode).toBe(404);
      expect((await as(p, analista)('GET', `/api/evidence/${ev.id}`)).statusCode).toBe(403);
    });

    it('verifies the chain and names the first modified, deleted or reordered link, and a changed photo', async () => {
      const ev = (await as(p, policia)('POST', '/api/evidence', item())).json();
      await upload(policia, ev.id, PNG);
      let head = ev.registrationHash as string;
      const next = async (s: Session, over: Json = {}) => {
        const r = await transfer(s, ev.id, head, over);
        expect(r.statusCode, r.body).toBe(201);
        head = r.json().headHash;
      };
      await next(policia);
      await next(enlace, { purpose: 'storage', to: { name: 'C. Luis Ortega', agencyId: fgj } });
      await next(enlace, { purpose: 'expert_analysis', to: { name: 'Perito Marta Gil', position: 'Balística', agencyId: fgj } });
      expect(await verify(ev.id)).toMatchObject({
        intact: true,
        entries: 4,
        headHash: head,
        broken: null,
        photos: [{ ok: true, problem: null }],
      });

      const rows = () => p.handle.db.selectFrom('custodyTransfer').selectAll().where('itemId', '=', ev.id).orderBy('seq').execute();
      const original = await rows();
      const bySeq = (seq: number) => p.handle.db.updateTable('custodyTransfer').where('itemId', '=', ev.id).where('seq', '=', seq);

      // A modified entry.
      await bySeq(2).set({ condition: 'Embalaje roto.' }).execute();
      let v = await verify(ev.id);
      expect(v).toMatchObject({ intact: false, broken: { seq: 2, problem: 'modified' } });
      expect(v.message).toMatch(/n\.º 2 fue modificado/);
      await bySeq(2).set({ condition: original[1].condition }).execute();
      expect((await verify(ev.id)).intact).toBe(true);

      // A deleted entry in the middle, and the newest one.
      await p.handle.db.deleteFrom('custodyTransfer').where('id', '=', original[1].id).execute();
      v = await verify(ev.id);
      expect(v).toMatchObject({ intact: false, broken: { seq: 2, problem: 'deleted' } });
      expect(v.message).toMatch(/Falta el eslabón n\.º 2/);
      await p.handle.db.insertInto('custodyTransfer').values(original[1]).execute();
      await p.handle.db.deleteFrom('custodyTransfer').where('id', '=', original[2].id).execute();
      expect(await verify(ev.id)).toMatchObject({ intact: false, broken: { seq: 3, problem: 'deleted' } });
      await p.handle.db.insertInto('custodyTransfer').values(original[2]).execute();
      expect((await verify(ev.id)).intact).toBe(true);

      // Two entries swapped.
      await bySeq(2).set({ seq: 99 }).execute();
      await bySeq(3).set({ seq: 2 }).execute();
      await bySeq(99).set({ seq: 3 }).execute();
      v = await verify(ev.id);
      expect(v).toMatchObject({ intact: false, broken: { seq: 2, problem: 'reordered' } });
      expect(v.message).toMatch(/fuera de orden/);
      await bySeq(2).set({ seq: 99 }).execute();
      await bySeq(3).set({ seq: 2 }).execute();
      await bySeq(99).set({ seq: 3 }).execute();

      // The registration itself.
      await p.handle.db.updateTable('evidenceItem').set({ quantity: 2 }).where('id', '=', ev.id).execute();
      expect(await verify(ev.id)).toMatchObject({ intact: false, broken: { seq: 0, problem: 'modified' } });
      await p.handle.db.updateTable('evidenceItem').set({ quantity: 1 }).where('id', '=', ev.id).execute();
      expect((await verify(ev.id)).intact).toBe(true);

      // A photo file changed on disk.
      const file = path.join(p.config.dataDir, 'evidence', sha256(PNG));
      fs.writeFileSync(file, Buffer.concat([PNG, Buffer.from([0])]));
      v = await verify(ev.id);
      expect(v.intact).toBe(true);
      expect(v.photos).toEqual([expect.objectContaining({ ok: false, problem: 'modified' })]);
      fs.writeFileSync(file, PNG);
    });
  });
}
