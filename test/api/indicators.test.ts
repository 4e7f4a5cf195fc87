import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { PUBLIC_RATE_LIMIT } from '../../src/indicators/indicators.routes.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const DATA = path.resolve(import.meta.dirname, '../../src/indicators/data');
const MONTHS = [
  'Enero',
  'Febrero',
  'Marzo',
  'Abril',
  'Mayo',
  'Junio',
  'Julio',
  'Agosto',
  'Septiembre',
  'Octubre',
  'Noviembre',
  'Diciembre',
];

/** The published national table, column by column: year → value (empty cells left out). */
function nationalTable(): Record<string, Map<number, number>> {
  const [head, ...rows] = fs.readFileSync(path.join(DATA, 'national_year_inegi_sesnsp_1990_2017.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const out: Record<string, Map<number, number>> = Object.fromEntries(cols.slice(1).map((c) => [c, new Map()]));
  for (const row of rows) {
    const cells = row.split(',');
    cols.slice(1).forEach((c, i) => cells[i + 1] !== '' && out[c].set(Number(cells[0]), Number(cells[i + 1])));
  }
  return out;
}

/** The official names SESNSP writes in its files (Latin-1 in the download). */
const STATE_NAMES: Record<string, string> = {
  '01': 'Aguascalientes', '02': 'Baja California', '03': 'Baja California Sur', '04': 'Campeche', '05': 'Coahuila de Zaragoza', '06': 'Colima',
  '07': 'Chiapas', '08': 'Chihuahua', '09': 'Ciudad de México', '10': 'Durango', '11': 'Guanajuato', '12': 'Guerrero', '13': 'Hidalgo',
  '14': 'Jalisco', '15': 'México', '16': 'Michoacán de Ocampo', '17': 'Morelos', '18': 'Nayarit', '19': 'Nuevo León', '20': 'Oaxaca',
  '21': 'Puebla', '22': 'Querétaro', '23': 'Quintana Roo', '24': 'San Luis Potosí', '25': 'Sinaloa', '26': 'Sonora', '27': 'Tabasco',
  '28': 'Tamaulipas', '29': 'Tlaxcala', '30': 'Veracruz de Ignacio de la Llave', '31': 'Yucatán', '32': 'Zacatecas',
}; // prettier-ignore

/**
 * The shipped new-methodology extract (long layout) rewritten in SESNSP's own wide layout: one row
 * per entity, classification and year, months as columns, Latin-1, the months after the release
 * left blank. Homicidio doloso is split into its firearm row and the rest, as the publisher does.
 */
function nmAsOfficialWide(
  edit: (cells: { year: number; state: string; subtipo: string; modalidad: string; values: string[] }) => void = () => {},
) {
  const [head, ...rows] = fs.readFileSync(path.join(DATA, 'sesnsp_nm_state_month_2015_2022m03.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const at = (name: string) => cols.indexOf(name);
  const byKey = new Map<string, number[]>();
  for (const row of rows) {
    const c = row.split(',');
    const [year, month, code] = [Number(c[0]), Number(c[1]), c[2].padStart(2, '0')];
    const put = (kind: string, v: number) => {
      const key = `${year}|${code}|${kind}`;
      const list = byKey.get(key) ?? new Array<number>(12).fill(NaN);
      list[month - 1] = v;
      byKey.set(key, list);
    };
    const n = (name: string) => Number(c[at(name)]);
    put('firearm', n('homicidio_doloso_arma_fuego'));
    put('other', n('homicidio_doloso') - n('homicidio_doloso_arma_fuego'));
    put('feminicidio', n('feminicidio'));
    put('culposo', n('homicidio_culposo'));
    put('secuestro', n('secuestro'));
    put('extorsion', n('extorsion'));
  }
  const CLASS: Record<string, [string, string, string, string]> = {
    firearm: ['La vida y la Integridad corporal', 'Homicidio', 'Homicidio doloso', 'Con arma de fuego'],
    other: ['La vida y la Integridad corporal', 'Homicidio', 'Homicidio doloso', 'Con otro elemento'],
    feminicidio: ['La vida y la Integridad corporal', 'Feminicidio', 'Feminicidio', 'Con arma blanca'],
    culposo: ['La vida y la Integridad corporal', 'Homicidio', 'Homicidio culposo', 'En accidente de tránsito'],
    secuestro: ['Libertad personal', 'Secuestro', 'Secuestro extorsivo', 'Secuestro extorsivo'],
    extorsion: ['El patrimonio', 'Extorsión', 'Extorsión', 'Extorsión'],
  };
  const lines = [`Año,Clave_Ent,Entidad,Bien jurídico afectado,Tipo de delito,Subtipo de delito,Modalidad,${MONTHS.join(',')}`];
  // A crime the module does not track, which the importer must skip.
  lines.push(`2016,09,Ciudad de México,El patrimonio,Robo,Robo a casa habitación,Con violencia,${'7,'.repeat(11)}7`);
  for (const [key, values] of byKey) {
    const [year, code, kind] = key.split('|');
    const [bien, tipo, subtipo, modalidad] = CLASS[kind];
    const row = { year: Number(year), state: code, subtipo, modalidad, values: values.map((v) => (Number.isNaN(v) ? '' : String(v))) };
    edit(row);
    lines.push([row.year, code, STATE_NAMES[code], bien, tipo, row.subtipo, row.modalidad, ...row.values].join(','));
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

/** A municipal release in SESNSP's municipal layout: a few municipalities of Michoacán and Jalisco, 2021-01 … 2022-02. */
function municipalWide(
  values: (mun: string, year: number, k: number) => string = (mun, year, k) =>
    year === 2022 && k > 1 ? '' : String((Number(mun) % 97) + k),
) {
  const MUNS: [string, string, string][] = [
    ['16', '16053', 'Morelia'],
    ['16', '16102', 'Uruapan'],
    ['16', '16108', 'Zamora'],
    ['14', '14039', 'Guadalajara'],
    ['14', '14120', 'Zapopan'],
  ];
  const lines = [
    `Año,Clave_Ent,Entidad,Cve. Municipio,Municipio,Bien jurídico afectado,Tipo de delito,Subtipo de delito,Modalidad,${MONTHS.join(',')}`,
  ];
  for (const [state, mun, name] of MUNS)
    for (const year of [2021, 2022])
      lines.push(
        [
          year,
          state,
          STATE_NAMES[state],
          mun,
          name,
          'La vida y la Integridad corporal',
          'Homicidio',
          'Homicidio doloso',
          'Con arma de fuego',
        ]
          .concat(Array.from({ length: 12 }, (_, k) => values(mun, year, k)))
          .join(','),
      );
  return Buffer.from(lines.join('\n') + '\n', 'latin1');
}

const b64 = (b: Buffer) => b.toString('base64');

for (const dialect of dialects()) {
  describe(`indicadores delictivos (${dialect.name})`, () => {
    let p: Platform;
    let admin: Session;
    let analyst: Session;
    const get = (url: string, s: Session | null = analyst) => as(p, s)('GET', url);
    const json = async (url: string, s: Session | null = analyst) => {
      const r = await get(url, s);
      expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
      return r.json() as Json;
    };
    const releases = async () => ((await json('/api/indicators/releases', admin)).releases as Json[]).map((r) => ({ ...r }));
    const importFile = (body: Json) => as(p, admin)('POST', '/api/indicators/releases', body);

    beforeAll(async () => {
      p = await startPlatform(dialect);
      admin = await login(p, 'admin');
      analyst = await login(p, 'analista');
    });
    afterAll(async () => p?.close());

    /** Annual national counts of a source and crime, from the API (the engine, not the raw file). */
    async function nationalByYear(source: string, crime: string, period: string, release?: string): Promise<Map<number, number>> {
      const q = new URLSearchParams({ source, crime, area: '00', period, population: 'conapo-2023', ...(release ? { release } : {}) });
      const s = await json(`/api/indicators/series?${q}`);
      return new Map((s.annual as Json[]).map((y) => [y.year as number, y.count as number]));
    }
    const diffs = (ours: Map<number, number>, table: Map<number, number>, years: number[]) =>
      Object.fromEntries(years.map((y) => [y, ours.get(y)! - table.get(y)!]));
    const years = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

    describe('reproduces the published national table (national_year_inegi_sesnsp_1990_2017.csv)', () => {
      const table = nationalTable();

      it('INEGI homicides 1990–2016: exactly, from INEGI’s national row (which counts deaths abroad, unlike the sum of the states)', async () => {
        const ours = await nationalByYear('inegi-homicides', 'homicidio', '1990..2016');
        for (const y of years(1990, 2016)) expect([y, ours.get(y)]).toEqual([y, table.inegi_homicides.get(y)]);
        // 1990: the 32 states add up to 67 fewer than the national row (deaths abroad or in an unspecified state).
        const states = await json(
          '/api/indicators/ranking?source=inegi-homicides&crime=homicidio&level=state&period=1990&by=count&population=conapo-2010',
        );
        const sum = (states.rows as Json[]).reduce((n, r) => n + r.count, 0);
        expect(states.national.count - sum).toBe(67);
        expect(states.meta.national).toBe('published-row');
      });

      it('CNSP/38 averiguaciones de homicidio doloso, release 2018-07: exactly 1997–2016; 2017 is 23 lower (the table is the Jan 2018 vintage)', async () => {
        const ours = await nationalByYear('sesnsp-cnsp38', 'homicidio_doloso', '1997..2017', '2018-07');
        for (const y of years(1997, 2016)) expect([y, ours.get(y)]).toEqual([y, table.cnsp38_averiguaciones_homicidio_doloso.get(y)]);
        expect(ours.get(2017)).toBe(25_316);
        expect(table.cnsp38_averiguaciones_homicidio_doloso.get(2017)).toBe(25_339);
      });

      it('CNSP/38 release 2014-04 (still readable): exactly 1997–2009; 2010–2013 before the later revisions', async () => {
        const ours = await nationalByYear('sesnsp-cnsp38', 'homicidio_doloso', '1997..2013', '2014-04');
        for (const y of years(1997, 2009)) expect([y, ours.get(y)]).toEqual([y, table.cnsp38_averiguaciones_homicidio_doloso.get(y)]);
        expect(diffs(ours, table.cnsp38_averiguaciones_homicidio_doloso, years(2010, 2013))).toEqual({
          2010: 538,
          2011: 444,
          2012: 273,
          2013: 341,
        });
      });

      it('new methodology 2015–2017: differs by the documented amounts (table ~Jan 2018, files Mar 2022 and Jun 2025)', async () => {
        const span = years(2015, 2017);
        const carpetas = await nationalByYear('sesnsp-nm', 'homicidio_doloso', '2015..2017');
        expect(diffs(carpetas, table.nm_carpetas_homicidio_doloso, span)).toEqual({ 2015: -21, 2016: -22, 2017: 129 });
        const fem = await nationalByYear('sesnsp-nm', 'feminicidio', '2015..2017');
        expect(diffs(fem, table.nm_carpetas_feminicidio, span)).toEqual({ 2015: 23, 2016: 27, 2017: 71 });
        const victims = await nationalByYear('sesnsp-nm-victims', 'homicidio_doloso', '2015..2017');
        expect(diffs(victims, table.nm_victims_homicidio_doloso, span)).toEqual({ 2015: -21, 2016: -30, 2017: 134 });
        const femVictims = await nationalByYear('sesnsp-nm-victims', 'feminicidio', '2015..2017');
        expect(diffs(femVictims, table.nm_victims_feminicidio, span)).toEqual({ 2015: 24, 2016: 28, 2017: 72 });
        // The table's "homicidio doloso + feminicidio" victims column: shown side by side here, the sum is the reader's.
        const both = new Map(span.map((y) => [y, victims.get(y)! + femVictims.get(y)!]));
        expect(diffs(both, table.nm_victims_homicidio_doloso_plus_feminicidio, span)).toEqual({ 2015: 3, 2016: -2, 2017: 206 });
      });

      it('CONAPO 2010 population (sum of the states): exactly, except ±1–2 of rounding in nine years', async () => {
        const inegi = await json(
          '/api/indicators/series?source=inegi-homicides&crime=homicidio&area=00&period=1990..2016&population=conapo-2010',
        );
        const victims = await json(
          '/api/indicators/series?source=sesnsp-nm-victims&crime=homicidio_doloso&area=00&period=2017..2020&population=conapo-2010',
        );
        const pop = new Map([...inegi.annual, ...victims.annual].map((y: Json) => [y.year as number, y.population as number]));
        const all = diffs(pop, table.population_conapo2010, years(1990, 2020));
        const differing = Object.fromEntries(Object.entries(all).filter(([, d]) => d !== 0));
        expect(differing).toEqual({ 2010: 2, 2011: -1, 2012: 1, 2013: -1, 2014: -1, 2015: 1, 2017: 2, 2018: 2, 2019: -1 });
      });
    });

    describe('hand-checked figures (arithmetic from the raw rows of the shipped files)', () => {
      it('Chihuahua 2010, CNSP/38 homicidio doloso per 100,000 (CONAPO 2010)', async () => {
        // sesnsp_cnsp38_state_month_1997_2017.csv rows "2010,m,8,Chihuahua,…": January … December.
        const months = [287, 234, 310, 275, 380, 370, 348, 406, 337, 404, 256, 296];
        const count = months.reduce((a, b) => a + b, 0); // 3,903
        const population = 3_525_273; // conapo2010_state_population_1990_2030.csv "2010,8,Chihuahua,3525273,…"
        const s = await json(
          '/api/indicators/series?source=sesnsp-cnsp38&crime=homicidio_doloso&area=08&period=2010&population=conapo-2010',
        );
        expect(s.total).toMatchObject({ count: 3903, population, annualised: false });
        expect(count).toBe(3903);
        expect(s.total.rate).toBeCloseTo((3903 / 3_525_273) * 100_000, 10); // 110.7148…
        expect(s.total.rate).toBeCloseTo(110.7148, 4);
        expect((s.monthly as Json[]).map((m) => m.count)).toEqual(months);
      });

      it('Colima 2017 ranks first among the states by rate; Mexico City’s change 2015 → 2017', async () => {
        const rk = await json(
          '/api/indicators/ranking?source=sesnsp-cnsp38&crime=homicidio_doloso&level=state&period=2017&population=conapo-2010',
        );
        // Colima 2017: 69+34+49+33+52+78+82+55+48+64+59+77 = 700; CONAPO 2010 "2017,6,Colima,747801".
        expect(rk.rows[0]).toMatchObject({ rank: 1, code: '06', count: 700, population: 747_801 });
        expect(rk.rows[0].rate).toBeCloseTo((700 / 747_801) * 100_000, 10); // 93.6078
        expect(rk.rows[0].share).toBeCloseTo((700 / 25_316) * 100, 10);
        // CDMX 2015: 59+62+59+81+84+73+73+75+76+67+73+72 = 854; 2017: 97+73+74+91+103+103+80+90+97+97+82+98 = 1,085.
        const ch = await json(
          '/api/indicators/change?source=sesnsp-cnsp38&crime=homicidio_doloso&a=2015&b=2017&area=09&population=conapo-2010',
        );
        const cdmx = (ch.rows as Json[]).find((r) => r.code === '09')!;
        expect(cdmx).toMatchObject({ countA: 854, countB: 1085 });
        expect(cdmx.countChange).toBeCloseTo(((1085 - 854) / 854) * 100, 10); // +27.05 %
        // Rates with CONAPO 2010: 854 / 8,854,600 and 1,085 / 8,811,266 per 100,000.
        expect(cdmx.rateA).toBeCloseTo((854 / 8_854_600) * 100_000, 10);
        expect(cdmx.rateB).toBeCloseTo((1085 / 8_811_266) * 100_000, 10);
        expect(cdmx.rateChange).toBeCloseTo((1085 / 8_811_266 / (854 / 8_854_600) - 1) * 100, 8);
        expect(ch.rows[0].code).toBe('00');
      });

      it('annualises a partial year and marks it: Michoacán, new methodology, January–March 2022', async () => {
        // sesnsp_nm_state_month_2015_2022m03.csv "2022,1|2|3,16,Michoacán,204|209|199,…"; CONAPO 2023 "2022,16,Michoacán,4901506".
        const s = await json(
          '/api/indicators/series?source=sesnsp-nm&crime=homicidio_doloso&area=16&period=2021..2022-03&population=conapo-2023',
        );
        const y2022 = (s.annual as Json[]).find((y) => y.year === 2022)!;
        expect(y2022).toMatchObject({ months: 3, count: 204 + 209 + 199, annualised: true });
        expect(y2022.rate).toBeCloseTo((612 / (4_901_506 * (3 / 12))) * 100_000, 10); // 49.94 a year
        expect((s.annual as Json[])[0]).toMatchObject({ year: 2021, months: 12, annualised: false });
        expect(s.meta.notes).toContain('annualised');
        // 12-month moving sum in March 2022 = April 2021 … March 2022.
        const monthly = s.monthly as Json[];
        const march = monthly[monthly.length - 1];
        expect(march.sum12).toBe(monthly.slice(-12).reduce((n: number, m: Json) => n + m.count, 0));
        // The release starts in January 2015: no 12-month sum before December 2015.
        const first = await json('/api/indicators/series?source=sesnsp-nm&crime=homicidio_doloso&area=16&period=2015-10..2016-01');
        expect((first.monthly as Json[]).map((m) => m.sum12 === null)).toEqual([true, true, false, false]);
      });

      it('puts two sources side by side without adding them: CNSP/38 investigations and INEGI deaths, national', async () => {
        const c = await json(
          '/api/indicators/compare?aSource=sesnsp-cnsp38&aCrime=homicidio_doloso&bSource=inegi-homicides&bCrime=homicidio&area=00&period=2015..2017&population=conapo-2010',
        );
        expect(c.a).toMatchObject({
          source: 'sesnsp-cnsp38',
          methodology: 'cnsp38',
          unit: 'investigations',
          release: '2018-07',
          population: 'conapo-2010',
        });
        expect(c.b).toMatchObject({ source: 'inegi-homicides', unit: 'deaths', national: 'published-row' });
        expect(c.years).toEqual([
          expect.objectContaining({ year: 2015, countA: 16_909, countB: 20_762 }),
          expect.objectContaining({ year: 2016, countA: 20_547, countB: 24_559 }),
          // INEGI's file ends in 2016: a marked gap, not a zero.
          expect.objectContaining({ year: 2017, countA: 25_316, countB: null, rateB: null, ratio: null }),
        ]);
        expect(c.years[0].ratio).toBeCloseTo(20_762 / 16_909, 12);
      });
    });

    describe('bad input: a clear error naming the field, never a silently wrong number', () => {
      const err = async (url: string, status: number, code: string, field: string) => {
        const r = await get(url);
        expect(r.statusCode, r.body).toBe(status);
        expect(r.json().error).toMatchObject({ code, field });
        return r.json().error.message as string;
      };

      it('refuses a population series that does not cover the period, or the level', async () => {
        const msg = await err(
          '/api/indicators/series?source=sesnsp-nm&crime=homicidio_doloso&area=09&period=2019..2021&population=censo-2020',
          400,
          'population_coverage',
          'population',
        );
        expect(msg).toMatch(/2019/);
        await err(
          '/api/indicators/ranking?source=sesnsp-nm-victims&crime=homicidio_doloso&period=2031-01..2031-02&population=conapo-2023',
          400,
          'period_not_covered',
          'period',
        );
        await err(
          '/api/indicators/ranking?source=inegi-homicides&crime=homicidio&period=1990&population=conapo-2010&level=municipality',
          404,
          'no_release',
          'source',
        );
      });

      it('refuses a zero-length or reversed period, and a period outside the release', async () => {
        await err(
          '/api/indicators/series?source=sesnsp-cnsp38&crime=homicidio_doloso&area=09&period=2017..2015',
          400,
          'period_empty',
          'period',
        );
        await err('/api/indicators/change?source=sesnsp-cnsp38&crime=homicidio_doloso&a=2016-05..2016-04&b=2017', 400, 'period_empty', 'a');
        await err(
          '/api/indicators/series?source=sesnsp-cnsp38&crime=homicidio_doloso&area=09&period=2017..2018',
          400,
          'period_not_covered',
          'period',
        );
        await err(
          '/api/indicators/series?source=sesnsp-cnsp38&crime=homicidio_doloso&area=09&period=2017-13',
          400,
          'period_invalid',
          'period',
        );
      });

      it('refuses a crime the source does not publish, an unknown release and an unknown area', async () => {
        await err('/api/indicators/series?source=sesnsp-cnsp38&crime=feminicidio&area=09&period=2016', 400, 'crime_not_in_source', 'crime');
        await err(
          '/api/indicators/series?source=sesnsp-cnsp38&release=2016-01&crime=homicidio_doloso&area=09&period=2016',
          404,
          'release_not_found',
          'release',
        );
        await err('/api/indicators/series?source=sesnsp-cnsp38&crime=homicidio_doloso&area=33&period=2016', 400, 'unknown_area', 'area');
        await err(
          '/api/indicators/compare?aSource=sesnsp-nm&aCrime=homicidio_doloso&bSource=sesnsp-nm&bCrime=homicidio_doloso&area=00&period=2016',
          400,
          'same_series',
          'bSource',
        );
      });
    });

    describe('imports in the publisher’s own layout', () => {
      it('recognises the shipped release re-written in SESNSP’s wide Latin-1 layout as the same figures (idempotent)', async () => {
        const before = await releases();
        const file = nmAsOfficialWide();
        expect(file.includes(Buffer.from('Michoacán de Ocampo', 'latin1'))).toBe(true);
        const r = await importFile({ source: 'sesnsp-nm', release: '2022-03', fileName: 'IDEFC_NM_mar22.csv', contentBase64: b64(file) });
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json()).toMatchObject({ outcome: 'unchanged', release: { release: '2022-03', layout: 'long' } });
        expect(await releases()).toEqual(before);
      });

      it('a failed import changes nothing: a hole, a renamed state, an unknown municipality', async () => {
        const before = await releases();
        const hole = nmAsOfficialWide((row) => {
          if (row.state === '07' && row.year === 2021 && row.subtipo === 'Feminicidio') row.values[2] = '';
        });
        let r = await importFile({ source: 'sesnsp-nm', release: '2022-04', fileName: 'hueco.csv', contentBase64: b64(hole) });
        expect(r.statusCode).toBe(400);
        expect(r.json().error).toMatchObject({ code: 'missing_month', field: 'Marzo' });
        expect(r.json().error.message).toMatch(/Marzo de 2021/);
        const renamed = Buffer.from(
          nmAsOfficialWide()
            .toString('latin1')
            .replace(/,Yucatán,/g, ',Yucatán del Norte,'),
          'latin1',
        );
        r = await importFile({ source: 'sesnsp-nm', release: '2022-04', fileName: 'renombrada.csv', contentBase64: b64(renamed) });
        expect(r.statusCode).toBe(400);
        expect(r.json().error).toMatchObject({ code: 'entity_mismatch', field: 'Entidad' });
        expect(r.json().error.message).toMatch(/Yucatán del Norte.*31/);
        const badMun = Buffer.from(
          municipalWide()
            .toString('latin1')
            .replace(/,16108,/g, ',16999,'),
          'latin1',
        );
        r = await importFile({ source: 'sesnsp-nm', release: '2022-02', fileName: 'municipal.csv', contentBase64: b64(badMun) });
        expect(r.statusCode).toBe(400);
        expect(r.json().error).toMatchObject({ code: 'unknown_municipality', field: 'Cve. Municipio' });
        expect(await releases()).toEqual(before);
      });

      it('refuses a release that would silently drop figures the current one has, unless confirmed', async () => {
        // Only 2021–2022 homicides: everything else of the current 2022-03 release would disappear.
        const partial = nmAsOfficialWide((row) => {
          if (row.year < 2021) row.values = row.values.map(() => '');
        });
        const lines = partial
          .toString('latin1')
          .split('\r\n')
          .filter((l) => !/^20(1[5-9]|20),/.test(l));
        const r = await importFile({
          source: 'sesnsp-nm',
          release: '2022-04',
          fileName: 'parcial.csv',
          contentBase64: b64(Buffer.from(lines.join('\r\n'), 'latin1')),
        });
        expect(r.statusCode, r.body).toBe(409);
        expect(r.json().error).toMatchObject({ code: 'release_drops_cells', field: 'confirmRemovals' });
        const dry = await importFile({
          source: 'sesnsp-nm',
          release: '2022-04',
          fileName: 'parcial.csv',
          contentBase64: b64(Buffer.from(lines.join('\r\n'), 'latin1')),
          confirmRemovals: true,
          dryRun: true,
        });
        expect(dry.statusCode).toBe(200);
        expect(dry.json()).toMatchObject({ outcome: 'replaced', dryRun: true, change: { removedCells: 6 * 32 * 72, changedCells: 0 } });
        const current = (await releases()).find((x) => x.source === 'sesnsp-nm' && x.current);
        expect(current?.release).toBe('2022-03');
      });

      it('a new release replaces the current one and records which cells changed and by how much', async () => {
        // SESNSP revises Michoacán's firearm homicides of January 2021 up by 5 and Colima's extortions of March 2022 down by 1.
        const revised = nmAsOfficialWide((row) => {
          if (row.state === '16' && row.year === 2021 && row.modalidad === 'Con arma de fuego')
            row.values[0] = String(Number(row.values[0]) + 5);
          if (row.state === '06' && row.year === 2022 && row.subtipo === 'Extorsión') row.values[2] = String(Number(row.values[2]) - 1);
        });
        const before = await json('/api/indicators/series?source=sesnsp-nm&crime=homicidio_doloso&area=16&period=2021-01');
        const r = await importFile({
          source: 'sesnsp-nm',
          release: '2022-04',
          fileName: 'IDEFC_NM_abr22.csv',
          contentBase64: b64(revised),
        });
        expect(r.statusCode, r.body).toBe(201);
        const result = r.json();
        expect(result).toMatchObject({
          outcome: 'replaced',
          release: { release: '2022-04', current: true, layout: 'wide', encoding: 'windows-1252', skippedRows: 1 },
          change: { previous: { release: '2022-03' }, changedCells: 3, removedCells: 0, addedCells: 0 },
        });
        const changes = await json(`/api/indicators/releases/${result.release.id}/changes`);
        expect(changes.total).toBe(3);
        expect(changes.changes.map((c: Json) => [c.crime, c.area, c.month, c.delta])).toEqual([
          ['extorsion', '06', '2022-03', -1],
          ['homicidio_doloso', '16', '2021-01', 5],
          ['homicidio_doloso_arma_fuego', '16', '2021-01', 5],
        ]);
        // The indicators now read the new release; the old one stays readable by its label.
        const after = await json('/api/indicators/series?source=sesnsp-nm&crime=homicidio_doloso&area=16&period=2021-01');
        expect(after.total.count).toBe(before.total.count + 5);
        expect(after.meta).toMatchObject({ release: '2022-04', current: true });
        const old = await json('/api/indicators/series?source=sesnsp-nm&release=2022-03&crime=homicidio_doloso&area=16&period=2021-01');
        expect(old.total.count).toBe(before.total.count);
        expect(old.meta.notes).toContain('not_current_release');
        // The same file again: nothing new.
        const again = await importFile({
          source: 'sesnsp-nm',
          release: '2022-04',
          fileName: 'IDEFC_NM_abr22.csv',
          contentBase64: b64(revised),
        });
        expect(again.statusCode).toBe(200);
        expect(again.json().outcome).toBe('unchanged');
        // Audited.
        const audit = await p.handle.db
          .selectFrom('auditLog')
          .select(['action', 'targetId'])
          .where('action', '=', 'indicators.import')
          .execute();
        expect(audit.map((a) => a.targetId)).toContain(result.release.id);
      });

      it('loads a municipal release; the ranking marks municipalities without figures as gaps', async () => {
        const r = await importFile({
          source: 'sesnsp-nm',
          release: '2022-02',
          fileName: 'IDM_NM_feb22.csv',
          contentBase64: b64(municipalWide()),
        });
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json().release).toMatchObject({
          level: 'municipality',
          coverage: { from: '2021-01', to: '2022-02' },
          crimes: ['homicidio_doloso', 'homicidio_doloso_arma_fuego'],
        });
        const rk = await json(
          '/api/indicators/ranking?source=sesnsp-nm&crime=homicidio_doloso&level=municipality&state=16&period=2021&population=censo-2020-fijo',
        );
        const michoacan = rk.rows as Json[];
        expect(michoacan.length).toBe(113);
        expect(rk.missing).toBe(110);
        expect(
          michoacan
            .filter((x) => x.rank !== null)
            .map((x) => x.code)
            .sort(),
        ).toEqual(['16053', '16102', '16108']);
        expect(michoacan.find((x) => x.code === '16001')).toMatchObject({ rank: null, count: null, rate: null, noData: true });
        // Morelia 2021: Σ (16053 mod 97 + k), k = 0…11 = 12 × 48 + 66 = 642; census 2020: 849,053.
        const morelia = michoacan.find((x) => x.code === '16053')!;
        expect(morelia.count).toBe(12 * (16053 % 97) + 66);
        expect(morelia.rate).toBeCloseTo((morelia.count / 849_053) * 100_000, 10);
        expect(rk.meta.notes).toEqual(expect.arrayContaining(['population_constant', 'national_sum_of_municipalities']));
        // Re-importing it is a no-op; a corrected file under the same label replaces it and records the change.
        expect(
          (
            await importFile({ source: 'sesnsp-nm', release: '2022-02', fileName: 'IDM_NM_feb22.csv', contentBase64: b64(municipalWide()) })
          ).json().outcome,
        ).toBe('unchanged');
        const corrected = municipalWide((mun, year, k) =>
          year === 2022 && k > 1 ? '' : String((Number(mun) % 97) + k + (mun === '14039' && year === 2022 && k === 1 ? 10 : 0)),
        );
        const c = await importFile({
          source: 'sesnsp-nm',
          release: '2022-02',
          fileName: 'IDM_NM_feb22-corregido.csv',
          contentBase64: b64(corrected),
        });
        expect(c.statusCode, c.body).toBe(201);
        expect(c.json()).toMatchObject({ outcome: 'corrected', change: { changedCells: 2 } });
        // Guadalajara, February 2022: 14039 mod 97 + 1 = 72, corrected to 82 (homicides and, the same row, firearm homicides).
        expect(c.json().change.largest[0]).toEqual({ crime: 'homicidio_doloso', area: '14039', month: '2022-02', old: 72, new: 82 });
        const list = await releases();
        expect(list.filter((x) => x.level === 'municipality').map((x) => [x.release, x.status, x.current])).toEqual([
          ['2022-02', 'active', true],
          ['2022-02', 'replaced', false],
        ]);
      });
    });

    describe('CSV, the public routes and the platform’s own data', () => {
      it('exports the comparison table as CSV, every row naming its source, methodology, release and population', async () => {
        const r = await get('/api/indicators/change.csv?source=sesnsp-cnsp38&crime=homicidio_doloso&a=2015&b=2017&population=conapo-2010');
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-type']).toMatch(/text\/csv/);
        const lines = r.body.trim().split('\n');
        expect(lines[0]).toBe(
          'clave,area,periodo_a,periodo_b,conteo_a,conteo_b,cambio_conteo_pct,tasa_a_100k,tasa_b_100k,cambio_tasa_pct,fuente,metodologia,unidad,publicacion,delito,poblacion',
        );
        expect(lines).toHaveLength(34);
        expect(lines[1]).toMatch(
          /^00,Nacional,2015,2017,16909,25316,49\.7191,.*,CNSP\/38 \(metodología anterior\),carpetas de investigación,2018-07,Homicidio doloso,"CONAPO, proyecciones base 2010 \(1990–2030\)"$/,
        );
      });

      it('answers the public routes without a session, with ETag and Cache-Control', async () => {
        const url = '/api/public/indicators/ranking?source=sesnsp-cnsp38&crime=homicidio_doloso&period=2017&population=conapo-2010';
        const r = await p.app.inject({ method: 'GET', url, remoteAddress: '10.1.1.1' });
        expect(r.statusCode).toBe(200);
        expect(r.json().rows[0]).toMatchObject({ code: '06', rank: 1 });
        expect(r.headers['cache-control']).toBe('public, max-age=300');
        const again = await p.app.inject({
          method: 'GET',
          url,
          remoteAddress: '10.1.1.1',
          headers: { 'if-none-match': String(r.headers.etag) },
        });
        expect(again.statusCode).toBe(304);
        expect(again.body).toBe('');
        const cat = await p.app.inject({ method: 'GET', url: '/api/public/indicators/catalogue', remoteAddress: '10.1.1.1' });
        expect(cat.statusCode).toBe(200);
        expect(cat.body).not.toMatch(/importedBy|admin/);
        const layer = await p.app.inject({ method: 'GET', url: '/api/public/indicators/layers/estados', remoteAddress: '10.1.1.1' });
        expect(layer.statusCode).toBe(200);
        expect(Object.keys(layer.json().objects)).toEqual(['estados']);
        // The dashboard's own routes still need a session.
        expect((await p.app.inject({ method: 'GET', url: url.replace('/public', '') })).statusCode).toBe(401);
      });

      it('limits each address on the public routes, answering 429 in Spanish', async () => {
        const url = '/api/public/indicators/catalogue';
        const codes: number[] = [];
        for (let i = 0; i < PUBLIC_RATE_LIMIT.capacity + 5; i++)
          codes.push((await p.app.inject({ method: 'GET', url, remoteAddress: '10.9.9.9' })).statusCode);
        expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(PUBLIC_RATE_LIMIT.capacity);
        const last = await p.app.inject({ method: 'GET', url, remoteAddress: '10.9.9.9' });
        expect(last.statusCode).toBe(429);
        expect(last.json().error).toEqual({ code: 'rate_limited', message: 'Demasiadas solicitudes; intente en unos segundos.' });
        expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
        // Another address is not affected.
        expect((await p.app.inject({ method: 'GET', url, remoteAddress: '10.9.9.10' })).statusCode).toBe(200);
      });

      it('computes 911 calls per 100,000 inhabitants by municipality through the dispatch service', async () => {
        const operador = await login(p, 'operador');
        const here = { lat: 19.4326, lon: -99.1332 }; // Cuauhtémoc (09015)
        const coyoacan = { lat: 19.3467, lon: -99.1617 }; // Coyoacán (09003)
        for (const where of [here, here, here, coyoacan]) {
          const r = await as(p, operador)(
            'POST',
            '/api/dispatch/calls',
            { ani: '5512345678', callerLocation: where },
            { 'idempotency-key': crypto.randomUUID() },
          );
          expect(r.statusCode, r.body).toBe(201);
        }
        const month = new Date().toISOString().slice(0, 7);
        const d = await json(`/api/indicators/platform/911?measure=calls&period=${month}`);
        const cuau = (d.rows as Json[]).find((r) => r.code === '09015')!;
        const coy = (d.rows as Json[]).find((r) => r.code === '09003')!;
        expect(cuau.count).toBeGreaterThanOrEqual(3);
        expect(coy.count).toBeGreaterThanOrEqual(1);
        // Census 2020 held constant; one month is an annualised rate: count ÷ (population × 1/12) × 100,000.
        expect(cuau.rate).toBeCloseTo((cuau.count / (cuau.population / 12)) * 100_000, 8);
        expect(d.notes).toEqual(expect.arrayContaining(['platform_data', 'population_constant', 'annualised']));
        expect(d.monthly).toEqual([{ month, count: d.total }]);
        const denied = await as(p, await login(p, 'capacitacion'))('GET', `/api/indicators/platform/911?measure=calls&period=${month}`);
        expect(denied.statusCode).toBe(403);
        expect((await get(`/api/indicators/platform/otro?measure=calls&period=${month}`)).statusCode).toBe(404);
      });

      it('ranks colonias by crime records per 100,000 through the records service', async () => {
        // Three robberies of a passer-by in Centro (Cuauhtémoc) and one homicide in Coyoacán, in March 2025.
        const crimes = [
          { classificationCode: '4.1.5.1', lat: 19.4326, lon: -99.1332 },
          { classificationCode: '4.1.5.1', lat: 19.433, lon: -99.1335 },
          { classificationCode: '4.1.5.2', lat: 19.4322, lon: -99.1329 },
          { classificationCode: '1.1.1.1', lat: 19.3467, lon: -99.1617 },
        ];
        for (const c of crimes) {
          const r = await as(p, analyst)(
            'POST',
            '/api/records/crimes',
            { ...c, occurredOn: '2025-03-10' },
            { 'idempotency-key': crypto.randomUUID() },
          );
          expect(r.statusCode, r.body).toBe(201);
        }
        const robbery = await json(`/api/indicators/platform/delitos?measure=4.1&period=2025-03`);
        const rows = robbery.rows as Json[];
        expect(rows.reduce((n, r) => n + Number(r.count), 0)).toBe(3);
        const centro = rows.find((r) => Number(r.count) === 3)!;
        expect(centro.population).toBeGreaterThan(0);
        expect(centro.rate).toBeCloseTo((3 / (Number(centro.population) / 12)) * 100_000, 8);
        const all = await json(`/api/indicators/platform/delitos?measure=all&period=2025-03`);
        expect((all.rows as Json[]).reduce((n, r) => n + Number(r.count), 0)).toBe(4);
        // Another month counts none of them.
        const april = await json(`/api/indicators/platform/delitos?measure=all&period=2025-04`);
        expect((april.rows as Json[]).reduce((n, r) => n + Number(r.count), 0)).toBe(0);
      });
    });
  });
}
