import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

for (const dialect of dialects()) {
  describe(`geografía por la API (${dialect.name})`, () => {
    let p: Platform;
    let s: Session;
    beforeAll(async () => {
      p = await startPlatform(dialect);
      s = await login(p, 'operador');
    });
    afterAll(async () => p?.close());

    it('loads the catalogue of 32 states and 2,469 municipalities once', async () => {
      const states = await p.handle.db
        .selectFrom('geoState')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const municipalities = await p.handle.db
        .selectFrom('geoMunicipality')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(states.n)).toBe(32);
      expect(Number(municipalities.n)).toBe(2469);
      const cdmx = await p.handle.db.selectFrom('geoState').selectAll().where('code', '=', '09').executeTakeFirstOrThrow();
      expect(cdmx).toMatchObject({ region: 'centro', population: 9209944 });
    });

    it('locates the Zócalo down to colonia and police quadrant', async () => {
      const r = await as(p, s)('GET', '/api/geo/locate?lat=19.4326&lon=-99.1332');
      expect(r.statusCode).toBe(200);
      const body = r.json();
      expect(body.state).toEqual({ code: '09', name: 'Ciudad de México' });
      expect(body.municipality.code).toBe('09015');
      expect(body.alcaldia).toMatchObject({ code: '09015' });
      expect(body.colonia.name).toMatch(/centro/i);
      expect(body.quadrant.id).toMatch(/^[A-Z]-\d+\.\d+\.\d+$/);
    });

    it('locates Guadalajara without CDMX layers', async () => {
      const body = (await as(p, s)('GET', '/api/geo/locate?lat=20.6767&lon=-103.3475')).json();
      expect(body.state.code).toBe('14');
      expect(body.municipality).toMatchObject({ code: '14039', name: 'Guadalajara' });
      expect(body.colonia).toBeUndefined();
    });

    it('says clearly when a point is outside Mexico or impossible', async () => {
      const sea = await as(p, s)('GET', '/api/geo/locate?lat=24.5&lon=-92.0');
      expect(sea.statusCode).toBe(404);
      expect(sea.json().error).toMatchObject({
        code: 'outside_mexico',
        message: 'El punto (24.5, -92) está fuera del territorio mexicano.',
      });
      const impossible = await as(p, s)('GET', '/api/geo/locate?lat=123&lon=-99');
      expect(impossible.statusCode).toBe(400);
      expect(impossible.json().error).toMatchObject({ code: 'validation', field: 'lat' });
      const text = await as(p, s)('GET', '/api/geo/locate?lat=abc&lon=-99', undefined, { 'accept-language': 'en' });
      expect(text.statusCode).toBe(400);
      expect(text.json().error.field).toBe('lat');
    });

    it('finds "cuauhtemoc centro" first as the colonia Centro in Cuauhtémoc', async () => {
      const r = (await as(p, s)('GET', '/api/geo/search?q=cuauhtemoc%20centro&limit=5')).json();
      expect(r.results[0]).toMatchObject({ kind: 'colonia' });
      expect(r.results[0].name).toMatch(/^Centro/);
      expect(r.results[0].parentName).toMatch(/Cuauhtémoc/);
      const jal = (await as(p, s)('GET', '/api/geo/search?q=JALISCO')).json();
      expect(jal.results[0]).toMatchObject({ kind: 'state', code: '14' });
    });

    it('serves the boundary layers as TopoJSON with code and name on every feature', async () => {
      for (const name of ['estados', 'municipios', 'alcaldias', 'colonias', 'cuadrantes']) {
        const r = await as(p, s)('GET', `/api/geo/layers/${name}`);
        expect(r.statusCode, name).toBe(200);
        const topo = r.json();
        expect(topo.type).toBe('Topology');
        const obj = Object.values(topo.objects)[0] as { geometries: { properties: { code: string; name: string } }[] };
        expect(obj.geometries.every((g) => g.properties.code && g.properties.name)).toBe(true);
      }
      expect((await as(p, s)('GET', '/api/geo/layers/calles')).statusCode).toBe(400);
      const gz = await as(p, s)('GET', '/api/geo/layers/municipios', undefined, { 'accept-encoding': 'gzip, br' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.rawPayload.length).toBeLessThan(700_000);
      const again = await as(p, s)('GET', '/api/geo/layers/municipios', undefined, { 'if-none-match': String(gz.headers.etag) });
      expect(again.statusCode).toBe(304);
    });
  });
}
