import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PRIORITY_TARGET_SECONDS,
  RELATED_TYPE_GROUPS,
  buildCatalogue,
  getType,
  loadCatalogue,
  normalizeText,
  properSpanish,
  relatedTypes,
  requiredCapabilities,
  searchCatalogue,
} from './catalogue.js';
import type { Catalogue, CatalogueEntry } from './catalogue.js';
import type { Priority } from './dispatch.types.js';

const v2 = loadCatalogue({ edition: 'v2' });
const v3 = loadCatalogue();

const countBy = (entries: readonly CatalogueEntry[], key: (e: CatalogueEntry) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const e of entries) out[key(e)] = (out[key(e)] ?? 0) + 1;
  return out;
};
const inForce = (cat: Catalogue): CatalogueEntry[] => cat.entries.filter((e) => !e.replacedBy);
const entry = (code: string, cat: Catalogue = v3): CatalogueEntry => {
  const e = cat.byCode.get(code);
  if (!e) throw new Error(`no ${code}`);
  return e;
};
const codes = (query: string, limit = 10): string[] => searchCatalogue(v3, query, limit).map((h) => h.entry.code);

describe('loading', () => {
  it('v2: 279 codes in 7 types and 24 subtypes, 170/76/33 by priority', () => {
    expect(v2.edition).toBe('v2');
    expect(v2.entries).toHaveLength(279);
    expect(new Set(v2.entries.map((e) => e.typeCode)).size).toBe(7);
    expect(new Set(v2.entries.map((e) => e.subtypeCode)).size).toBe(24);
    expect(countBy(v2.entries, (e) => e.priority)).toEqual({ ALTA: 170, MEDIA: 76, BAJA: 33 });
    expect(v2.entries.every((e) => e.version === 'v2' && !e.replacedBy && !e.change)).toBe(true);
  });

  it('entries have the documented shape', () => {
    const e = entry('10104', v2);
    expect(e).toMatchObject({
      code: '10104',
      typeCode: '1',
      typeName: 'Médico',
      subtypeCode: '101',
      subtypeName: 'Accidentes',
      nameEs: 'Accidente de vehículo automotor con lesionados',
      sourceNameEs: 'ACCIDENTE DE VEHICULO AUTOMOTOR CON LESIONADOS',
      nameEn: 'Motor-vehicle accident with injured',
      priority: 'ALTA',
      improper: false,
      version: 'v2',
    });
    // the source's wrong labels (10116–10121 "TRAUMATICOS") are not used: subtypes come from the code
    expect(entry('10118', v2).subtypeName).toBe('Accidentes');
  });

  it('v3: 83 codes added, 9 replaced, 353 in force, 218/97/38 by priority', () => {
    expect(v3.edition).toBe('v3');
    expect(v3.entries).toHaveLength(279 + 83);
    expect(v3.entries.filter((e) => e.change === 'added')).toHaveLength(83);
    expect(v3.entries.filter((e) => e.replacedBy)).toHaveLength(9);
    const current = inForce(v3);
    expect(current).toHaveLength(353);
    expect(countBy(current, (e) => e.priority)).toEqual({ ALTA: 218, MEDIA: 97, BAJA: 38 });
    expect(countBy(current, (e) => e.typeCode)).toEqual({ '1': 75, '2': 44, '3': 187, '4': 15, '5': 16, '6': 11, '7': 5 });
    // sorted by code
    expect(v3.entries.map((e) => e.code)).toEqual([...v3.entries.map((e) => e.code)].sort());
  });

  it('v3: renames, priority changes and inherited priorities', () => {
    expect(entry('10116')).toMatchObject({ nameEs: 'Atropellamiento con persona(s) lesionada(s)', version: 'v3', change: 'renamed' });
    expect(entry('30432')).toMatchObject({ priority: 'MEDIA', version: 'v3', change: 'priority' });
    expect(entry('30501').priority).toBe('ALTA');
    // "v3-era source gives no priority": the v2 one stays
    expect(entry('30304').priority).toBe('ALTA');
    // 31201–31203 take over 50201–50203 and their priorities
    expect([entry('31201').priority, entry('31202').priority, entry('31203').priority]).toEqual(['MEDIA', 'MEDIA', 'BAJA']);
    expect(entry('31201')).toMatchObject({ typeName: 'Seguridad', subtypeName: 'Notificación de hallazgo', version: 'v3' });
    // untouched v2 rows keep version v2 but take the v3 type names
    expect(entry('70104')).toMatchObject({ version: 'v2', typeName: 'Mal uso del servicio', subtypeName: 'Mal uso del servicio' });
  });

  it('v3: reclassified codes are kept, marked, and resolved by getType', () => {
    expect(entry('70102')).toMatchObject({ replacedBy: '60201', change: 'reclassified', nameEs: 'Llamada de prueba' });
    expect(getType('70102', v3)?.code).toBe('60201');
    expect(getType('50201', v3)?.code).toBe('31201');
    expect(getType('60101', v3)?.code).toBe('40114');
    expect(getType('10104', v3)?.code).toBe('10104');
    expect(getType('99999', v3)).toBeNull();
    expect(getType('70102', v2)?.code).toBe('70102');
    // the default catalogue is v3
    expect(getType('70103')?.code).toBe('60202');
  });

  it('v3: codes absent from the v3 source are kept and flagged', () => {
    const absent = v3.entries.filter((e) => e.absentInV3Source).map((e) => e.code);
    expect(absent).toEqual(['10212', '20401', '20402', '20403', '20404', '30704', '30902']);
    expect(entry('20402')).toMatchObject({ priority: 'ALTA', absentInV3Source: true });
    expect(entry('20402').replacedBy).toBeUndefined();
    expect(getType('20402', v3)?.code).toBe('20402');
  });

  it('improper: type 7 in both editions, subtype 602 in v3', () => {
    expect(v2.entries.filter((e) => e.improper).map((e) => e.code)).toEqual(
      v2.entries.filter((e) => e.typeCode === '7').map((e) => e.code),
    );
    const improper = inForce(v3).filter((e) => e.improper);
    expect(improper.map((e) => e.code)).toEqual([
      '60201',
      '60202',
      '60203',
      '60204',
      '60205',
      '60206',
      '60207',
      '60208',
      '60209',
      '60210',
      '70101',
      '70104',
      '70106',
      '70107',
      '70109',
    ]);
    expect(entry('60103').improper).toBe(false);
    expect(entry('60205').nameEs).toBe('Información de incidente ya reportado');
  });

  it('rejects malformed data', () => {
    const header = 'code,category,subcategory,name_es,name_en,priority\n';
    expect(() => buildCatalogue(`${header}1010,Médico,Accidentes,X,X,ALTA\n`, null)).toThrow(/bad code/);
    expect(() => buildCatalogue(`${header}10101,Médico,Accidentes,X,X,URGENTE\n`, null)).toThrow(/bad priority/);
    const changes = 'code,category,subcategory,name_es,name_en,priority,change,note\n10101,Médico,Accidentes,X,X,ALTA,added,\n';
    expect(() => buildCatalogue(`${header}10101,Médico,Accidentes,X,X,ALTA\n`, changes)).toThrow(/already exists/);
  });

  it('parses quoted fields with commas (v3 file)', () => {
    expect(entry('30505').nameEs).toBe('Maltrato de niñas, niños y adolescentes');
    expect(entry('10116').nameEn).toBe('Pedestrian/cyclist struck, injured');
    const text = readFileSync(new URL('./data/catalogo-incidentes-v3-cambios.csv', import.meta.url), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(117);
  });
});

describe('display names', () => {
  it('sentence case with accents for v2 upper-case names', () => {
    expect(properSpanish('INCENDIO DE CASA HABITACION')).toBe('Incendio de casa habitación');
    expect(properSpanish('TRAUMATISMO DE TORAX (PECHO Y/O ESPALDA)')).toBe('Traumatismo de tórax (pecho y/o espalda)');
    expect(properSpanish('RIÑA/PELEA CLANDESTINA')).toBe('Riña/pelea clandestina');
    expect(properSpanish('APOYO A OTRO ESTADO/CALLE')).toBe('Apoyo a otro estado/CALLE');
    expect(properSpanish('PERSONA EN SITUACION DE CALLE')).toBe('Persona en situación de calle');
    // mixed-case v3 names are kept
    expect(properSpanish('Robo a templo religioso con violencia')).toBe('Robo a templo religioso con violencia');
  });

  it('no in-force name is left in capitals', () => {
    for (const e of inForce(v3)) expect(e.nameEs.slice(1)).not.toMatch(/^\p{Lu}{2}/u);
  });
});

describe('search', () => {
  it('exact code, then code prefix', () => {
    const exact = searchCatalogue(v3, '10101', 10);
    expect(exact).toHaveLength(1);
    expect(exact[0]).toMatchObject({ match: 'code', entry: { code: '10101' } });
    const subtype = searchCatalogue(v3, '103', 50);
    expect(subtype.map((h) => h.entry.code)).toEqual(
      inForce(v3)
        .filter((e) => e.subtypeCode === '103')
        .map((e) => e.code),
    );
    expect(subtype.every((h) => h.match === 'code_prefix')).toBe(true);
    expect(searchCatalogue(v3, '1', 5).map((h) => h.entry.code)).toEqual(['10101', '10102', '10103', '10104', '10105']);
    expect(searchCatalogue(v3, '88', 5)).toEqual([]);
  });

  it('an old v2 code finds its v3 replacement; prefixes skip replaced codes', () => {
    expect(searchCatalogue(v3, '70102', 5)[0]).toMatchObject({ match: 'code', entry: { code: '60201' } });
    expect(codes('701', 10)).toEqual(['70101', '70104', '70106', '70107', '70109']);
  });

  it('"atropellado" finds the pedestrian-struck codes (stem match)', () => {
    expect(codes('atropellado', 3)).toEqual(['10116', '10124']);
  });

  it('"robo vehiculo" ranks vehicle theft with violence first', () => {
    const hits = searchCatalogue(v3, 'robo vehiculo', 10);
    expect(hits[0].entry.code).toBe('30429');
    expect(hits.slice(0, 5).map((h) => h.entry.code)).toEqual(expect.arrayContaining(['30429', '30430', '30452', '30403']));
    expect(hits.slice(0, 5).every((h) => h.match === 'words')).toBe(true);
  });

  it('"incendio casa" → house fire, then other fires as partial matches', () => {
    const hits = searchCatalogue(v3, 'incendio casa', 5);
    expect(hits[0]).toMatchObject({ match: 'words', entry: { code: '20301' } });
    expect(hits[1].match).toBe('partial');
  });

  it('"infarto" → heart attack first, then stroke', () => {
    expect(codes('infarto', 5)).toEqual(['10314', '10304']);
  });

  it('"violencia familiar" → the exact name first', () => {
    const hits = searchCatalogue(v3, 'violencia familiar', 5);
    expect(hits[0]).toMatchObject({ match: 'words', entry: { code: '30503' } });
    expect(hits.slice(1).map((h) => h.match)).toEqual(['partial', 'partial', 'partial', 'partial']);
  });

  it('is accent- and case-insensitive', () => {
    expect(codes('VEHÍCULO AUTOMOTOR', 3)).toEqual(codes('vehiculo automotor', 3));
    expect(codes('Tráfico de armas', 1)).toEqual(['30207']);
    expect(codes('niño extraviado', 1)).toEqual(['30601']);
    expect(codes('cardiologica', 1)).toEqual(['10314']);
  });

  it('colloquial synonyms', () => {
    expect(codes('choque', 1)).toEqual(['10104']);
    expect(codes('choque', 40)).toEqual(expect.arrayContaining(['10107', '30309']));
    expect(codes('balacera', 5)).toEqual(expect.arrayContaining(['30202', '30206', '10209']));
    expect(codes('balacera', 1)).toEqual(['30202']);
    expect(codes('temblor', 1)).toEqual(['20209']);
    // direct matches beat synonyms
    expect(codes('fuego', 1)).toEqual(['30202']);
  });

  it('word prefixes while typing, stop words ignored, limit honoured', () => {
    expect(codes('paro card', 1)).toEqual(['10313']);
    expect(codes('fuga de gas', 1)).toEqual(['20115']);
    expect(searchCatalogue(v3, 'robo', 3)).toHaveLength(3);
    expect(searchCatalogue(v3, '   ', 3)).toEqual([]);
    expect(searchCatalogue(v3, 'xyzzy', 3)).toEqual([]);
  });

  it('leaves replaced codes out of word searches', () => {
    const all = searchCatalogue(v3, 'llamada', 50).map((h) => h.entry.code);
    expect(all).toContain('60201');
    expect(all).not.toContain('70102');
  });

  it('is fast (precomputed index)', () => {
    const queries = ['atropellado', 'robo vehiculo', 'incendio casa', 'infarto', 'violencia familiar', 'balacera', '103', 'persona'];
    for (const q of queries) searchCatalogue(v3, q, 10); // warm up
    const rounds = 2000;
    const start = performance.now();
    for (let i = 0; i < rounds; i++) searchCatalogue(v3, queries[i % queries.length], 10);
    const perSearchMs = (performance.now() - start) / rounds;
    // typically ~0.02 ms; the bound is loose for slow CI machines
    expect(perSearchMs).toBeLessThan(0.5);
  });

  it('normalizeText folds accents, case, plural marks and punctuation', () => {
    expect(normalizeText('Atropellamiento con persona(s) lesionada(s)')).toBe('atropellamiento con personas lesionadas');
    expect(normalizeText('RIÑA/PELEA')).toBe('rina pelea');
  });
});

describe('requiredCapabilities', () => {
  const caps = (code: string): string[] => requiredCapabilities(entry(code));

  it('Médico: medical, ALS for time-critical conditions, police and traffic for road accidents', () => {
    expect(caps('10301')).toEqual(['medical']);
    expect(caps('10313')).toEqual(['medical', 'advanced_life_support']);
    expect(caps('10314')).toEqual(['medical', 'advanced_life_support']);
    expect(caps('10305')).toEqual(['medical', 'advanced_life_support']);
    expect(caps('10104')).toEqual(['police', 'medical', 'traffic']);
    expect(caps('10116')).toEqual(['police', 'medical', 'traffic']);
    expect(caps('10209')).toEqual(['police', 'medical', 'advanced_life_support']);
    expect(caps('10226')).toEqual(['police', 'medical']); // a death: no ALS
    expect(caps('10118')).toEqual(['medical', 'hazmat']);
    expect(caps('10101')).toEqual(['police', 'medical', 'rescue']);
  });

  it('Protección Civil: fire, rescue, hazmat or civil protection', () => {
    expect(caps('20301')).toEqual(['fire']);
    expect(caps('20107')).toEqual(['fire']);
    expect(caps('20402')).toEqual(['rescue']);
    expect(caps('20115')).toEqual(['hazmat']);
    expect(caps('20108')).toEqual(['hazmat']);
    expect(caps('20209')).toEqual(['civil_protection']);
    expect(caps('20210')).toEqual(['civil_protection']);
  });

  it('Seguridad: police, plus traffic/medical where the name says so', () => {
    expect(caps('30503')).toEqual(['police']);
    expect(caps('30202')).toEqual(['police']);
    expect(caps('30309')).toEqual(['police', 'traffic']);
    expect(caps('30307')).toEqual(['police']);
    expect(caps('30902')).toEqual(['police', 'medical', 'traffic']);
    expect(caps('30905')).toEqual(['police', 'medical']);
    expect(caps('31017')).toEqual(['police', 'hazmat']);
    expect(caps('31103')).toEqual(['police', 'traffic']);
  });

  it('Servicios Públicos, Asistencia, Otros, improper', () => {
    expect(caps('40103')).toEqual(['public_services']);
    expect(caps('40104')).toEqual(['traffic', 'public_services']);
    expect(caps('50105')).toEqual(['police']);
    expect(caps('50301')).toEqual(['civil_protection']);
    expect(caps('60103')).toEqual([]);
    expect(caps('60205')).toEqual([]);
    expect(caps('70104')).toEqual([]);
  });

  it('every emergency type in force needs at least one capability', () => {
    for (const e of inForce(v3)) if (e.typeCode <= '5') expect(requiredCapabilities(e).length, e.code).toBeGreaterThan(0);
  });
});

describe('relatedTypes', () => {
  it('same subtype', () => {
    expect(relatedTypes('30429', '30430')).toBe(true);
    expect(relatedTypes('20301', '20305')).toBe(true);
  });

  it('explicit groups: accident with ↔ without injured, fire ↔ explosion', () => {
    expect(relatedTypes('10104', '30309')).toBe(true);
    expect(relatedTypes('30309', '10112')).toBe(true);
    expect(relatedTypes('20301', '20107')).toBe(true);
    expect(relatedTypes('30202', '10209')).toBe(true);
    expect(relatedTypes('30503', '30903')).toBe(true);
  });

  it('unrelated types, improper types, old codes', () => {
    expect(relatedTypes('10104', '30503')).toBe(false);
    expect(relatedTypes('20301', '30202')).toBe(false);
    expect(relatedTypes('70101', '70104')).toBe(false);
    expect(relatedTypes('70101', '70101')).toBe(true);
    expect(relatedTypes('60201', '70102')).toBe(true); // 70102 is now 60201
    expect(relatedTypes('50201', '31202')).toBe(true); // now both subtype 312
    expect(relatedTypes('99999', '99999')).toBe(true);
    expect(relatedTypes('99999', '10104')).toBe(false);
  });

  it('every code of the groups exists in the v3 catalogue', () => {
    for (const group of Object.values(RELATED_TYPE_GROUPS)) for (const code of group) expect(v3.byCode.has(code), code).toBe(true);
  });
});

describe('PRIORITY_TARGET_SECONDS', () => {
  it('ALTA 60 s (NFPA 1225), MEDIA 120 s, BAJA 300 s', () => {
    const expected: Record<Priority, number> = { ALTA: 60, MEDIA: 120, BAJA: 300 };
    expect(PRIORITY_TARGET_SECONDS).toEqual(expected);
  });
});
