import { describe, expect, it } from 'vitest';
import { createGazetteer, normalizeText } from './gazetteer.js';
import { loadGeoLayers, titleCaseEs } from './geo-data.js';

const layers = loadGeoLayers();
const gazetteer = createGazetteer(layers);
const { search } = gazetteer;

describe('gazetteer ranking', () => {
  it('"cuauhtemoc centro" ranks a Centro colonia of alcaldía Cuauhtémoc first', () => {
    const [first] = search('cuauhtemoc centro');
    expect(first.kind).toBe('colonia');
    expect(first.name).toMatch(/^Centro( [IVX]+)?$/);
    expect(first.parentName).toBe('Cuauhtémoc, Ciudad de México');
    expect(first.code).toMatch(/^15-/);
  });

  it('"benito juarez" finds the CDMX alcaldía and the municipalities of other states, before colonias', () => {
    const hits = search('benito juarez', { limit: 20 });
    const municipalities = hits.filter((h) => h.kind === 'municipality' && h.name === 'Benito Juárez');
    expect(municipalities.map((h) => h.code)).toContain('09014');
    expect(municipalities.map((h) => h.code)).toContain('23005'); // Cancún's municipio
    expect(new Set(municipalities.map((h) => h.code.slice(0, 2))).size).toBeGreaterThanOrEqual(6);
    // equally exact: the bigger jurisdiction kind first
    const firstColonia = hits.findIndex((h) => h.kind === 'colonia');
    const lastExactMunicipality = hits.findLastIndex((h) => h.kind === 'municipality' && h.name === 'Benito Juárez');
    expect(firstColonia).toBeGreaterThan(lastExactMunicipality);
    expect(hits[firstColonia].name).toBe('Benito Juarez');
    // among equally exact matches, the more populous first
    expect(hits[0].code).toBe('23005');
    expect(hits[1].code).toBe('09014');
    expect(hits.find((h) => h.code === '09014')?.parentName).toBe('Ciudad de México');
  });

  it('"jalisco" finds the state first', () => {
    const hits = search('jalisco');
    expect(hits[0]).toMatchObject({ kind: 'state', code: '14', name: 'Jalisco', parentName: null });
    expect(hits.length).toBeGreaterThan(1);
  });

  it('is accent-, case- and punctuation-insensitive', () => {
    for (const query of ['Álvaro Obregón', 'ALVARO OBREGON', 'alvaro-obregon', '  álvaro   obregón. ']) {
      expect(search(query)[0]).toMatchObject({ kind: 'municipality', code: '09010' });
    }
    expect(search('Gustavo A. Madero')[0].code).toBe('09005');
    expect(search('nezahualcoyotl')[0].code).toBe('15058');
  });

  it('exact name > prefix > word match', () => {
    const hits = search('san angel', { limit: 5 });
    expect(hits[0]).toMatchObject({ kind: 'colonia', name: 'San Angel' });
    expect(hits[1]).toMatchObject({ kind: 'colonia', name: 'San Angel Inn' });
    expect(search('guadalajara')[0]).toMatchObject({ kind: 'municipality', code: '14039' });
    expect(search('veracruz')[0]).toMatchObject({ kind: 'state', code: '30' });
    expect(search('veracruz')[1]).toMatchObject({ kind: 'municipality', code: '30193' });
  });

  it('completes the last word as a prefix', () => {
    expect(search('monterr')[0].code).toBe('19039');
    expect(search('benito jua')[0].name).toBe('Benito Juárez');
    expect(search('roma nor').every((h) => h.name.startsWith('Roma Norte'))).toBe(true);
  });

  it('understands state aliases and kind words', () => {
    expect(search('cdmx')[0]).toMatchObject({ kind: 'state', code: '09' });
    expect(search('edomex')[0]).toMatchObject({ kind: 'state', code: '15', name: 'Estado de México' });
    expect(search('estado de mexico')[0]).toMatchObject({ kind: 'state', code: '15' });
    expect(search('colonia roma')[0]).toMatchObject({ kind: 'colonia' });
    expect(search('alcaldia coyoacan')[0]).toMatchObject({ kind: 'municipality', code: '09003' });
    expect(search('sta maria la ribera')[0].name).toMatch(/^Santa Maria la Ribera/);
  });

  it('finds police quadrants by code', () => {
    const [hit] = search('P-1.4.8');
    expect(hit).toMatchObject({ kind: 'quadrant', code: 'P-1.4.8', name: 'P-1.4.8' });
    expect(hit.parentName).toBe('Sector San Angel, Álvaro Obregón, Ciudad de México');
    expect(search('p148')[0].code).toBe('P-1.4.8');
  });

  it('filters by kind and honours the limit', () => {
    const hits = search('benito juarez', { kinds: ['colonia'], limit: 3 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(3);
    expect(hits.every((h) => h.kind === 'colonia')).toBe(true);
    expect(search('centro', { limit: 1 })).toHaveLength(1);
    expect(search('centro', { kinds: ['quadrant', 'state'] }).every((h) => h.kind === 'quadrant' || h.kind === 'state')).toBe(true);
  });

  it('returns nothing for empty or unknown queries', () => {
    expect(search('')).toEqual([]);
    expect(search(' ,. ')).toEqual([]);
    expect(search('zzzzqqq')).toEqual([]);
    expect(search('cuauhtemoc zzzz')).toEqual([]);
  });
});

describe('gazetteer hits', () => {
  it('carry bbox and a center inside the bbox', () => {
    for (const query of ['jalisco', 'cuauhtemoc centro', 'benito juarez', 'P-1.4.8', 'tlalpan', 'baja california sur']) {
      for (const hit of search(query)) {
        const [minLon, minLat, maxLon, maxLat] = hit.bbox;
        expect(minLon).toBeLessThan(maxLon);
        expect(minLat).toBeLessThan(maxLat);
        expect(hit.center[0]).toBeGreaterThanOrEqual(minLon);
        expect(hit.center[0]).toBeLessThanOrEqual(maxLon);
        expect(hit.center[1]).toBeGreaterThanOrEqual(minLat);
        expect(hit.center[1]).toBeLessThanOrEqual(maxLat);
        expect(minLon).toBeGreaterThan(-119);
        expect(maxLat).toBeLessThan(33);
      }
    }
  });

  it('present colonia names in title case', () => {
    expect(search('del valle i')[0].name).toBe('Del Valle I');
    expect(search('tlacoquemecatl')[0].name).toBe('Tlacoquemecatl del Valle');
    expect(search('centro iv', { kinds: ['colonia'] })[0].name).toBe('Centro IV');
    expect(titleCaseEs('SAN ANDRES DE LAS SALINAS (PBLO)')).toBe('San Andres de las Salinas (Pblo)');
    expect(titleCaseEs('EL ROSARIO A (U HAB)')).toBe('El Rosario A (U Hab)');
    expect(titleCaseEs('EX-HACIENDA EL ROSARIO')).toBe('Ex-Hacienda El Rosario');
    expect(titleCaseEs('CUITLÁHUAC 1 Y 2 (U HAB)')).toBe('Cuitláhuac 1 y 2 (U Hab)');
    expect(titleCaseEs('NUEVA ESPAÑA')).toBe('Nueva España');
  });

  it('normalizes text', () => {
    expect(normalizeText('  Ñuñoa, Álvaro-Obregón!  ')).toBe('nunoa alvaro obregon');
  });

  it('indexes every place', () => {
    expect(gazetteer.size).toBe(32 + 2469 + 1814 + 847);
  });
});

describe('gazetteer speed', () => {
  it('answers typical queries in well under a millisecond', () => {
    const queries = [
      'cuauhtemoc centro',
      'benito juarez',
      'jalisco',
      'del valle',
      'roma nor',
      'P-1.4.8',
      'monterrey',
      'santa maria',
      'iztapalapa',
      'zapopan',
    ];
    for (let i = 0; i < 200; i++) for (const q of queries) search(q); // warm up the JIT
    const rounds = 500;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) for (const q of queries) search(q);
    const perQueryMs = (performance.now() - started) / (rounds * queries.length);
    expect(perQueryMs).toBeLessThan(0.25);
  });
});
