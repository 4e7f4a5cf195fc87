import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { CDMX_SSP_MAPPING, type ImportMapping } from '../../src/records/import-mapping.js';
import { runImport } from '../../src/records/import.service.js';
import { dialects } from '../support/dialects.js';
import { as, enrol, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, unknown>;
const DATA = path.resolve(import.meta.dirname, '../../src/records/data/incidents');
const YEAR_2015 = path.join(DATA, 'cdmx-ssp-delitos-2015.csv');
const HEADER = 'id,date,time,crime,cuadrante,lat,lon';

/** The first `n` data rows of the 2014 file, with its header. */
function firstRows(n: number): Buffer {
  const text = fs.readFileSync(path.join(DATA, 'cdmx-ssp-delitos-2014.csv'), 'utf8');
  return Buffer.from(
    text
      .split('\n')
      .slice(0, n + 1)
      .join('\n') + '\n',
  );
}
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const mapping = (dataset: string, extra: Partial<ImportMapping> = {}): ImportMapping => ({ ...CDMX_SSP_MAPPING, dataset, ...extra });

for (const dialect of dialects()) {
  describe(`importación masiva de delitos (${dialect.name})`, () => {
    let p: Platform;
    let analista: Session;
    let analistaJal: Session;

    const newJob = async (s: Session, body: Json) => {
      const r = await as(p, s)('POST', '/api/records/imports', { mappingName: 'cdmx-ssp', ...body });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as Json & { id: string };
    };
    const send = (s: Session, id: string, data: Buffer | Readable, query = 'offset=0', headers: Record<string, string> = {}) =>
      p.app.inject({
        method: 'PUT',
        url: `/api/records/imports/${id}/data?${query}`,
        payload: data,
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/octet-stream', ...headers },
      });
    /** Creates a job, uploads the whole buffer, and answers the finished job. */
    const importBuffer = async (data: Buffer, body: Json) => {
      const job = await newJob(analista, { fileName: 'datos.csv', fileSize: data.length, ...body });
      const r = await send(analista, job.id, data);
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Json & { id: string };
    };
    const rejections = async (id: string) =>
      (await as(p, analista)('GET', `/api/records/imports/${id}/rejections?limit=1000`)).json().rejections as {
        line: number;
        reason: string;
        field: string | null;
        message: string;
        raw: string;
      }[];

    beforeAll(async () => {
      p = await startPlatform(dialect);
      analista = await login(p, 'analista');
      const admin = await login(p, 'admin');
      const agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      await as(p, admin)('POST', '/api/users', {
        agencyId: agencies.find((a) => a.code === 'SSE-JAL')!.id,
        username: 'importa.jal',
        fullName: 'Analista de Jalisco',
        password: 'importaciones-jalisco',
        roles: ['analyst'],
      });
      analistaJal = await enrol(p, 'importa.jal', 'importaciones-jalisco');
    });
    afterAll(async () => p?.close());

    it('imports a whole year of the real Mexico City file, lists the rejected rows, and creates nothing twice on re-import', async () => {
      const size = fs.statSync(YEAR_2015).size;
      const job = await newJob(analista, { fileName: 'cdmx-ssp-delitos-2015.csv', fileSize: size });
      expect(job).toMatchObject({ status: 'pending', mappingName: 'cdmx-ssp', declaredState: '09', format: 'csv' });
      const r = await send(analista, job.id, fs.createReadStream(YEAR_2015));
      expect(r.statusCode, r.body).toBe(200);
      // 32,416 rows: 63 geocoded just across the border (Estado de México) are refused as outside the declared state 09.
      expect(r.json()).toMatchObject({
        status: 'completed',
        rowsRead: 32_416,
        rowsAccepted: 32_353,
        rowsDuplicate: 0,
        rowsRejected: 63,
        bytesCommitted: size,
        progress: 1,
        encodingUsed: 'utf-8',
        delimiterUsed: ',',
        error: null,
      });
      const rejected = await rejections(job.id);
      expect(rejected).toHaveLength(63);
      expect(new Set(rejected.map((x) => x.reason))).toEqual(new Set(['outside_declared_state']));
      expect(rejected[0]).toMatchObject({
        line: 588,
        field: 'lat',
        message: 'El punto cae en México (15), no en la entidad declarada (09).',
        raw: '79910,2015-01-08,22:48,ROBO DE VEHICULO AUTOMOTOR C.V.,N-3.2.2,19.41917,-99.05602',
      });
      const csv = await as(p, analista)('GET', `/api/records/imports/${job.id}/rejections.csv`);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.body.trim().split('\n')).toHaveLength(64);
      expect(csv.body).toContain('588,587,outside_declared_state,lat,');

      // The stored records: the file's id is the source id, the category its SESNSP code.
      const rec = await p.handle.db
        .selectFrom('crimeRecord')
        .selectAll()
        .where('sourceDataset', '=', 'cdmx-ssp')
        .where('sourceId', '=', '79319')
        .executeTakeFirstOrThrow();
      expect(rec).toMatchObject({
        classificationCode: '3.4.1.1',
        occurredOn: '2015-01-01',
        occurredTime: '11:27',
        stateCode: '09',
        violent: 1,
        source: 'import',
        sourceRef: job.id,
      });
      const byCode = await p.handle.db
        .selectFrom('crimeRecord')
        .select(['classificationCode', (eb) => eb.fn.countAll<number>().as('n')])
        .where('sourceRef', '=', job.id)
        .groupBy('classificationCode')
        .execute();
      expect(Object.fromEntries(byCode.map((x) => [x.classificationCode, Number(x.n)]))['4.1.2']).toBeGreaterThan(10_000);

      // Re-importing the file's rows (its first 5,000, to keep the suite short) creates nothing: same dataset, same ids.
      const head = Buffer.from(fs.readFileSync(YEAR_2015, 'utf8').split('\n').slice(0, 5001).join('\n') + '\n');
      const again = await newJob(analista, { fileName: 'cdmx-ssp-delitos-2015.csv', fileSize: head.length });
      const second = await send(analista, again.id, head);
      const early = rejected.filter((x) => x.line <= 5001).length;
      expect(early).toBeGreaterThan(0);
      expect(second.json()).toMatchObject({
        status: 'completed',
        rowsRead: 5000,
        rowsAccepted: 0,
        rowsDuplicate: 5000 - early,
        rowsRejected: early,
      });

      // Jobs belong to their agency: another state's analyst sees neither the job nor its rows.
      expect((await as(p, analistaJal)('GET', `/api/records/imports/${job.id}`)).statusCode).toBe(404);
      expect((await as(p, analistaJal)('GET', `/api/records/imports/${job.id}/rejections`)).statusCode).toBe(404);
      expect((await as(p, analistaJal)('GET', '/api/records/imports')).json().jobs).toEqual([]);
      expect((await as(p, analista)('GET', '/api/records/imports')).json().jobs.map((j: Json) => j.id)).toEqual([again.id, job.id]);
    });

    it('resumes an interrupted import from its committed position and ends with the same totals', async () => {
      const data = firstRows(6000);
      const straight = await importBuffer(data, { mappingName: 'straight', mapping: mapping('resume-straight') });
      const job = await newJob(analista, {
        fileName: 'datos.csv',
        fileSize: data.length,
        mappingName: 'cut',
        mapping: mapping('resume-cut'),
      });
      // The connection drops after ~55 % of the file (mid-record): what was committed stays, nothing after it.
      const cutAt = Math.floor(data.length * 0.55);
      async function* cut() {
        for (let i = 0; i < cutAt; i += 16_384) yield data.subarray(i, Math.min(cutAt, i + 16_384));
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      }
      const interrupted = await runImport(p.crime, job.id, cut(), { offset: 0, contentLength: data.length });
      expect(interrupted.status).toBe('interrupted');
      expect(interrupted.bytesCommitted).toBeGreaterThan(0);
      expect(interrupted.bytesCommitted).toBeLessThanOrEqual(cutAt);
      expect(data[interrupted.bytesCommitted - 1]).toBe(0x0a); // a record boundary
      const view = (await as(p, analista)('GET', `/api/records/imports/${job.id}`)).json();
      expect(view).toMatchObject({ status: 'interrupted', error: { code: 'interrupted' } });
      expect(view.nextLine).toBe(data.subarray(0, interrupted.bytesCommitted).toString('utf8').split('\n').length);
      const committed = Number(
        (
          await p.handle.db
            .selectFrom('crimeRecord')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('sourceRef', '=', job.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
      expect(committed).toBe(interrupted.rowsAccepted);

      // Resuming needs the committed offset and the same file.
      const offset = interrupted.bytesCommitted;
      const head = sha256(data.subarray(0, 65_536));
      const wrongOffset = await send(analista, job.id, data.subarray(100), `offset=100&headSha256=${head}`);
      expect(wrongOffset.statusCode).toBe(409);
      expect(wrongOffset.json().error).toMatchObject({ code: 'import_offset', field: 'offset' });
      const otherFile = await send(analista, job.id, data.subarray(offset), `offset=${offset}&headSha256=${'0'.repeat(64)}`);
      expect(otherFile.json().error).toMatchObject({ code: 'import_different_file', field: 'headSha256' });
      const resumed = await send(analista, job.id, data.subarray(offset), `offset=${offset}&headSha256=${head}`);
      expect(resumed.statusCode, resumed.body).toBe(200);
      const totals = (j: Json) => [j.rowsRead, j.rowsAccepted, j.rowsDuplicate, j.rowsRejected, j.bytesCommitted, j.nextLine];
      expect(totals(resumed.json())).toEqual(totals(straight));
      expect(resumed.json().status).toBe('completed');
      expect((await rejections(job.id)).map((x) => x.line)).toEqual((await rejections(straight.id)).map((x) => x.line));
      const finished = await send(analista, job.id, data, 'offset=0');
      expect(finished.json().error.code).toBe('import_finished');
    });

    it('reads Windows-1252 with accents (detected), and reports a wrong declared encoding row by row', async () => {
      const latin = (s: string) => Buffer.from(s, 'latin1');
      const text = [
        'folio,fecha,categoría,latitud,longitud',
        '1,2015-03-01 10:00,ROBO A TRANSEÚNTE C.V.,19.4326,-99.1332',
        '2,2015-03-02,VIOLACIÓN,19.3502,-99.1625',
        '3,2015-03-03,HOMICIDIO DOLOSO,19.4,-99.15',
      ].join('\r\n');
      const file = latin(text + '\r\n');
      expect(file.includes(Buffer.from('Ú', 'utf8'))).toBe(false);
      const accents: ImportMapping = {
        dataset: 'cp1252-test',
        columns: { sourceId: 'folio', date: 'fecha', category: 'categoría', lat: 'latitud', lon: 'longitud' },
        categories: { 'ROBO A TRANSEÚNTE C.V.': '4.1.5.1', VIOLACIÓN: '3.4', 'HOMICIDIO DOLOSO': '1.1.1' },
        dateFormat: 'auto',
      };
      const job = await importBuffer(file, { mappingName: 'acentos', mapping: accents });
      expect(job).toMatchObject({ status: 'completed', encodingUsed: 'windows-1252', rowsAccepted: 3, rowsRejected: 0 });
      const first = await p.handle.db
        .selectFrom('crimeRecord')
        .selectAll()
        .where('sourceDataset', '=', 'cp1252-test')
        .where('sourceId', '=', '1')
        .executeTakeFirstOrThrow();
      expect(first).toMatchObject({ occurredOn: '2015-03-01', occurredTime: '10:00', classificationCode: '4.1.5.1' });

      // Declared UTF-8, the same bytes: the rows with accents are rejected with the reason, not imported as mojibake.
      const wrong = await importBuffer(file, {
        mappingName: 'acentos',
        mapping: { ...accents, dataset: 'cp1252-wrong' },
        encoding: 'utf-8',
      });
      expect(wrong).toMatchObject({ status: 'failed', error: { code: 'wrong_encoding' } });
      const body = latin(['folio,fecha,categoria,latitud,longitud', ...text.split('\r\n').slice(1)].join('\n') + '\n');
      const wrong2 = await importBuffer(body, {
        mappingName: 'acentos',
        mapping: { ...accents, dataset: 'cp1252-wrong', columns: { ...accents.columns, category: 'categoria' } },
        encoding: 'utf-8',
      });
      expect(wrong2).toMatchObject({ status: 'completed', rowsAccepted: 1, rowsRejected: 2 });
      expect((await rejections(wrong2.id)).map((x) => [x.line, x.reason])).toEqual([
        [2, 'invalid_encoding'],
        [3, 'invalid_encoding'],
      ]);
      // Declared Latin-1 for a UTF-8 file: imported as declared, with a warning.
      const utf8 = await importBuffer(Buffer.from(text, 'utf8'), {
        mappingName: 'acentos',
        mapping: { ...accents, dataset: 'utf8-as-latin1' },
        encoding: 'latin1',
      });
      expect(utf8.warnings).toEqual([{ code: 'looks_utf8', message: expect.stringMatching(/UTF-8/) as unknown }]);
    });

    it('reads semicolons, decimal commas and dd/mm/yyyy dates with times, and GeoJSON points', async () => {
      const file = Buffer.from(
        [
          'folio;fecha;delito;lat;lon',
          '10;31/01/2015 21:05;HOMICIDIO DOLOSO;19,4326;-99,1332',
          '11;01/02/2015;HOMICIDIO DOLOSO;19,3502;-99,1625',
          '12;2/3/2015 7:45;HOMICIDIO DOLOSO;"19,40";"-99,15"',
        ].join('\n'),
      );
      const semicolons: ImportMapping = {
        dataset: 'semicolon-test',
        columns: { sourceId: 'folio', date: 'fecha', category: 'delito', lat: 'lat', lon: 'lon' },
        categories: { 'homicidio doloso': '1.1.1' },
        dateFormat: 'dmy',
        decimalComma: true,
      };
      const job = await importBuffer(file, { mappingName: 'puntoycoma', mapping: semicolons });
      expect(job).toMatchObject({ status: 'completed', delimiterUsed: ';', rowsAccepted: 3, rowsRejected: 0 });
      const rows = await p.handle.db
        .selectFrom('crimeRecord')
        .select(['sourceId', 'occurredOn', 'occurredTime', 'lat', 'lon'])
        .where('sourceDataset', '=', 'semicolon-test')
        .orderBy('sourceId')
        .execute();
      expect(rows.map((r) => [r.sourceId, r.occurredOn, r.occurredTime, Number(r.lat), Number(r.lon)])).toEqual([
        ['10', '2015-01-31', '21:05', 19.4326, -99.1332],
        ['11', '2015-02-01', null, 19.3502, -99.1625],
        ['12', '2015-03-02', '07:45', 19.4, -99.15],
      ]);

      const features = [
        {
          type: 'Feature',
          id: 'a',
          geometry: { type: 'Point', coordinates: [-99.1332, 19.4326] },
          properties: { fecha: '2015-05-01', delito: 'HOMICIDIO DOLOSO' },
        },
        {
          type: 'Feature',
          id: 'b',
          geometry: {
            type: 'LineString',
            coordinates: [
              [-99.1, 19.4],
              [-99.2, 19.5],
            ],
          },
          properties: { fecha: '2015-05-01', delito: 'HOMICIDIO DOLOSO' },
        },
        {
          type: 'Feature',
          id: 'c',
          geometry: { type: 'Point', coordinates: [19.4326, -99.1332] },
          properties: { fecha: '2015-05-02', delito: 'HOMICIDIO DOLOSO' },
        },
      ];
      const geojson = Buffer.from(
        `{"type":"FeatureCollection","name":"prueba",\n"features":[\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`,
      );
      const gj = await importBuffer(geojson, {
        fileName: 'puntos.geojson',
        mappingName: 'puntos',
        mapping: {
          dataset: 'geojson-test',
          columns: { sourceId: 'id', date: 'fecha', category: 'delito' },
          categories: { 'HOMICIDIO DOLOSO': '1.1.1' },
          dateFormat: 'auto',
        },
      });
      expect(gj).toMatchObject({ format: 'geojson', status: 'completed', rowsRead: 3, rowsAccepted: 1, rowsRejected: 2 });
      expect((await rejections(gj.id)).map((x) => [x.line, x.reason])).toEqual([
        [4, 'not_a_point'],
        [5, 'swapped_coordinates'],
      ]);
      const broken = await importBuffer(Buffer.from('{"type":"FeatureCollection","features":{}}'), {
        fileName: 'roto.geojson',
        mappingName: 'puntos',
        mapping: {
          dataset: 'geojson-test',
          columns: { sourceId: 'id', date: 'fecha', category: 'delito' },
          categories: { X: '1.1.1' },
          dateFormat: 'auto',
        },
      });
      expect(broken).toMatchObject({ status: 'failed', error: { code: 'invalid_geojson' } });
    });

    it('rejects malformed CSV rows with their exact line numbers, and suspicious coordinates, never dropping one silently', async () => {
      const lines = [
        HEADER, // 1
        '900001,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 2 ok
        '900002,2015-01-01,10:00,"ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 3 quote never closed (properly)
        '900003,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 4 ok
        '900004,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332,extra', // 5 ragged
        '900005,2015-01-01,10:00,"ROBO A TRANSEUNTE C.V.",P-1.1.1,19.4326,-99.1332', // 6 ok, quoted
        '900006,"2015-01-01"x,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 7 text after quote
        '900007,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,"P-1.1', // 8–9: a quoted field over two lines, right field count
        '1",19.4326,-99.1332',
        '900008,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,-99.1332,19.4326', // 10 swapped
        '900009,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,0,0', // 11 (0, 0)
        '900010,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,99.1332', // 12 minus sign lost
        '900011,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,25.7617,-80.1918', // 13 Miami
        '900012,2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,20.6767,-103.3475', // 14 Guadalajara, not 09
        '900013,2015-01-01,10:00,ROBO DE GANADO,P-1.1.1,19.4326,-99.1332', // 15 not in the mapping
        '900014,2015-13-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 16 no month 13
        '900015,2015-01-01,21510,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 17 malformed time
        '900016,2015-01-01,,ROBO A TRANSEUNTE C.V.,P-1.1.1,19,4326', // 18 a decimal comma splits lat into lat and lon
        ',2015-01-01,10:00,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 19 no id
        '', // 20 blank: skipped
        '900017,2015-01-01,,ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332', // 21 ok, time unknown
      ];
      const job = await importBuffer(Buffer.from(lines.join('\r\n')), { mappingName: 'cdmx-ssp', mapping: mapping('malformed-test') });
      expect(job).toMatchObject({ status: 'completed', rowsRead: 18, rowsAccepted: 5 });
      expect((await rejections(job.id)).map((x) => [x.line, x.reason, x.field])).toEqual([
        [3, 'unbalanced_quotes', null],
        [5, 'ragged_row', null],
        [7, 'text_after_quote', null],
        [10, 'swapped_coordinates', 'lat'],
        [11, 'null_island', 'lat'],
        [12, 'missing_minus_sign', 'lon'],
        [13, 'outside_mexico', 'lat'],
        [14, 'outside_declared_state', 'lat'],
        [15, 'unknown_category', 'crime'],
        [16, 'invalid_date', 'date'],
        [17, 'invalid_time', 'time'],
        [18, 'invalid_coordinates', 'lat'],
        [19, 'missing_value', 'id'],
      ]);
      const rows = await rejections(job.id);
      expect(rows[0].raw).toBe(lines[2]);
      expect(rows[1].message).toBe('La fila tiene 8 columnas y el encabezado 7.');
      const multi = await p.handle.db
        .selectFrom('crimeRecord')
        .select('sourceId')
        .where('sourceDataset', '=', 'malformed-test')
        .orderBy('sourceId')
        .execute();
      expect(multi.map((r) => r.sourceId)).toEqual(['900001', '900003', '900005', '900007', '900017']);
    });

    it('refuses a file over 2 GB before reading it, and other bad requests, with the field named', async () => {
      const big = await as(p, analista)('POST', '/api/records/imports', {
        fileName: 'enorme.csv',
        fileSize: 2 ** 31 + 1,
        mappingName: 'cdmx-ssp',
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().error).toMatchObject({ code: 'file_too_large', field: 'fileSize' });
      expect(big.json().error.message).toMatch(/2 GB/);
      const job = await newJob(analista, { fileName: 'sin-tamano.csv' });
      const declared = await send(analista, job.id, Buffer.from(`${HEADER}\n`), 'offset=0', { 'content-length': String(2 ** 31 + 10) });
      expect(declared.statusCode).toBe(413);
      expect(declared.json().error).toMatchObject({ code: 'file_too_large', field: 'body' });
      const unknown = await as(p, analista)('POST', '/api/records/imports', { fileName: 'x.csv', mappingName: 'no-existe' });
      expect(unknown.json().error).toMatchObject({ code: 'unknown_mapping', field: 'mappingName' });
      const badCode = await as(p, analista)('POST', '/api/records/imports', {
        fileName: 'x.csv',
        mappingName: 'mala',
        mapping: mapping('mala', { categories: { X: '9.9.9' } }),
      });
      expect(badCode.json().error).toMatchObject({ code: 'mapping_invalid', field: 'categories' });
      const missing = await importBuffer(Buffer.from('a,b,c\n1,2,3\n'), {});
      expect(missing).toMatchObject({
        status: 'failed',
        error: { code: 'missing_column', message: expect.stringMatching(/«id»/) as unknown },
      });
      const json = await p.app.inject({
        method: 'PUT',
        url: `/api/records/imports/${job.id}/data`,
        payload: { a: 1 },
        headers: { cookie: analista.cookie, 'x-csrf-token': analista.csrf },
      });
      expect(json.statusCode).toBe(415);
    });

    it('saves named mappings per agency and uses them by name', async () => {
      const m = mapping('saved-test');
      const saved = await as(p, analista)('PUT', '/api/records/import-mappings/ssp-propia', m);
      expect(saved.statusCode, saved.body).toBe(200);
      const builtin = await as(p, analista)('PUT', '/api/records/import-mappings/cdmx-ssp', m);
      expect(builtin.json().error).toMatchObject({ code: 'builtin_mapping', field: 'name' });
      const list = (await as(p, analista)('GET', '/api/records/import-mappings')).json().mappings as Json[];
      expect(list.map((x) => [x.name, x.builtIn])).toEqual(
        expect.arrayContaining([
          ['cdmx-ssp', true],
          ['ssp-propia', false],
        ]),
      );
      expect((await as(p, analistaJal)('GET', '/api/records/import-mappings')).json().mappings.map((x: Json) => x.name)).toEqual([
        'cdmx-ssp',
      ]);
      const job = await importBuffer(firstRows(20), { mappingName: 'ssp-propia' });
      expect(job).toMatchObject({ status: 'completed', rowsRead: 20, mappingName: 'ssp-propia' });
      const other = await as(p, analistaJal)('POST', '/api/records/imports', { fileName: 'x.csv', mappingName: 'ssp-propia' });
      expect(other.json().error).toMatchObject({ code: 'unknown_mapping' });
    });
  });
}
