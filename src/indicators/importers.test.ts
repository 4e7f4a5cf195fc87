import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGeoService } from '../geo/geo.service.js';
import { AppError } from '../platform/errors.js';
import { SOURCES, monthIndex } from './catalogue.js';
import { decodeText, parseCsv } from './csv.js';
import { buildAreaCatalogue, classifyRow, parseRelease } from './importers.js';

const geo = createGeoService().catalogue();
const areas = buildAreaCatalogue(geo.states, geo.municipalities);
const MONTHS = 'Enero,Febrero,Marzo,Abril,Mayo,Junio,Julio,Agosto,Septiembre,Octubre,Noviembre,Diciembre';
const NM_HEADER = `Año,Clave_Ent,Entidad,Bien jurídico afectado,Tipo de delito,Subtipo de delito,Modalidad,${MONTHS}`;

/** The 32 states as SESNSP's new-methodology state file writes them (official names, Latin-1 in the download). */
const STATES = geo.states.map((s) => ({ code: s.code, name: s.name }));

/**
 * A release in SESNSP's own wide layout: for each state, two homicide rows (with firearm, with a
 * knife) and one row of a crime the module does not track (robbery of a house), for 2021 and 2022,
 * the release ending in March 2022 (April…December of 2022 left blank, as the publisher does).
 */
function wideRelease(
  edit: (line: { year: number; code: string; name: string; subtipo: string; modalidad: string; values: string[] }) => void = () => {},
) {
  const lines = [NM_HEADER];
  for (const s of STATES)
    for (const year of [2021, 2022])
      for (const [tipo, subtipo, modalidad] of [
        ['Homicidio', 'Homicidio doloso', 'Con arma de fuego'],
        ['Homicidio', 'Homicidio doloso', 'Con arma blanca'],
        ['Robo', 'Robo a casa habitación', 'Con violencia'],
      ]) {
        const n = Number(s.code);
        const values = Array.from({ length: 12 }, (_, k) =>
          year === 2022 && k >= 3 ? '' : String(n + k + (modalidad === 'Con arma blanca' ? 100 : 0)),
        );
        const row = { year, code: s.code, name: s.name, subtipo, modalidad, values };
        edit(row);
        lines.push(
          [row.year, row.code, row.name, 'La vida y la Integridad corporal', tipo, row.subtipo, row.modalidad, ...row.values].join(','),
        );
      }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

function errorOf(fn: () => unknown): { code: string; field?: string; params: Record<string, string | number> } {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, field: e.field, params: e.params };
    throw e;
  }
  throw new Error('expected an error');
}

describe('CSV reading', () => {
  it('decodes Latin-1 bytes and UTF-8 with a byte-order mark', () => {
    const latin = Buffer.from('Entidad\nMichoacán de Ocampo\n', 'latin1');
    expect(latin.includes(0xe1)).toBe(true);
    expect(decodeText(latin)).toEqual({ text: 'Entidad\nMichoacán de Ocampo\n', encoding: 'windows-1252' });
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Año;Nuevo León\n', 'utf8')]);
    expect(decodeText(utf8)).toEqual({ text: 'Año;Nuevo León\n', encoding: 'utf-8' });
  });

  it('splits quoted fields, semicolons and CRLF, keeping line numbers', () => {
    const { header, rows } = parseCsv('a;b;c\r\n1;"x; ""y""";3\r\n\r\n4;"multi\nline";6\r\n7;8;9');
    expect(header).toEqual(['a', 'b', 'c']);
    expect(rows).toEqual([
      { line: 2, cells: ['1', 'x; "y"', '3'] },
      { line: 4, cells: ['4', 'multi\nline', '6'] },
      { line: 6, cells: ['7', '8', '9'] },
    ]);
  });
});

describe('importing the official wide monthly layout', () => {
  it('reads a Latin-1 SESNSP file with entity codes and names, adding modalidades and skipping other crimes', () => {
    const r = parseRelease(wideRelease(), SOURCES['sesnsp-nm'], areas);
    expect(r).toMatchObject({ level: 'state', layout: 'wide', encoding: 'windows-1252', dataRows: 32 * 2 * 2, skippedRows: 32 * 2 });
    expect(r.first).toBe(monthIndex(2021, 1));
    expect(r.last).toBe(monthIndex(2022, 3));
    expect(r.crimes).toEqual(['homicidio_doloso', 'homicidio_doloso_arma_fuego']);
    // Michoacán (16): firearm row 16+k, knife row 116+k → homicidio doloso 132+2k; firearm alone 16+k.
    const mich = r.cells.get('homicidio_doloso')!.get('16')!;
    expect(mich).toHaveLength(15);
    expect(mich.slice(0, 3)).toEqual([132, 134, 136]);
    expect(mich[12]).toBe(132); // January 2022
    expect(r.cells.get('homicidio_doloso_arma_fuego')!.get('16')!.slice(12)).toEqual([16, 17, 18]);
    expect([...r.cells.get('homicidio_doloso')!.keys()]).toHaveLength(32);
  });

  it('gives the same cells (and fingerprint) whether the file is Latin-1 or UTF-8, codes or names only', () => {
    const latin = parseRelease(wideRelease(), SOURCES['sesnsp-nm'], areas);
    const utf8 = parseRelease(Buffer.from(decodeText(wideRelease()).text, 'utf8'), SOURCES['sesnsp-nm'], areas);
    const namesOnly = parseRelease(
      wideRelease((row) => {
        row.code = '';
      }),
      SOURCES['sesnsp-nm'],
      areas,
    );
    expect(utf8.encoding).toBe('utf-8');
    expect(utf8.hash).toBe(latin.hash);
    expect(namesOnly.hash).toBe(latin.hash);
  });

  it('refuses a renamed state, naming the column and line', () => {
    const e = errorOf(() =>
      parseRelease(
        wideRelease((row) => {
          if (row.code === '16') row.name = 'Michoacán del Sur';
        }),
        SOURCES['sesnsp-nm'],
        areas,
      ),
    );
    expect(e).toMatchObject({ code: 'entity_mismatch', field: 'Entidad' });
    expect(e.params).toMatchObject({ name: 'Michoacán del Sur', code: '16', expected: 'Michoacán de Ocampo' });
  });

  it('refuses an unknown entity name when the file gives names only', () => {
    const e = errorOf(() =>
      parseRelease(
        wideRelease((row) => {
          row.code = '';
          if (row.name === 'Zacatecas') row.name = 'Zacatecas del Norte';
        }),
        SOURCES['sesnsp-nm'],
        areas,
      ),
    );
    expect(e).toMatchObject({ code: 'unknown_entity', field: 'Entidad', params: { value: 'Zacatecas del Norte' } });
  });

  it('refuses a blank month before the release’s last month (a hole), naming the month', () => {
    const e = errorOf(() =>
      parseRelease(
        wideRelease((row) => {
          if (row.code === '07' && row.year === 2022 && row.modalidad === 'Con arma blanca') row.values[1] = '';
        }),
        SOURCES['sesnsp-nm'],
        areas,
      ),
    );
    expect(e).toMatchObject({ code: 'missing_month', field: 'Febrero', params: { year: 2022, area: '07' } });
  });

  it('refuses a state missing from a state-level release', () => {
    const buf = wideRelease();
    const text = decodeText(buf)
      .text.split('\r\n')
      .filter((l) => !l.includes(',Yucatán,'))
      .join('\r\n');
    const e = errorOf(() => parseRelease(Buffer.from(text, 'latin1'), SOURCES['sesnsp-nm'], areas));
    expect(e).toMatchObject({ code: 'missing_area', field: 'Entidad', params: { area: 'Yucatán' } });
  });

  it('refuses a value that is not a count, and a duplicated row', () => {
    expect(
      errorOf(() =>
        parseRelease(
          wideRelease((row) => {
            if (row.code === '01' && row.year === 2021) row.values[4] = '-3';
          }),
          SOURCES['sesnsp-nm'],
          areas,
        ),
      ),
    ).toMatchObject({ code: 'invalid_value', field: 'Mayo' });
    const text = decodeText(wideRelease()).text.trimEnd().split('\r\n');
    const e = errorOf(() => parseRelease(Buffer.from([...text, text[1]].join('\n'), 'latin1'), SOURCES['sesnsp-nm'], areas));
    expect(e).toMatchObject({ code: 'duplicate_row', params: { line: text.length + 1, first: 2 } });
  });

  it('reads a municipal file and refuses a municipality code INEGI does not have', () => {
    const header = `Año,Clave_Ent,Entidad,Cve. Municipio,Municipio,Bien jurídico afectado,Tipo de delito,Subtipo de delito,Modalidad,${MONTHS}`;
    const row = (mun: string, name: string) =>
      `2022,16,Michoacán de Ocampo,${mun},${name},La vida y la Integridad corporal,Homicidio,Homicidio doloso,Con arma de fuego,4,5,6,,,,,,,,,`;
    const ok = parseRelease(
      Buffer.from([header, row('16053', 'Morelia'), row('16102', 'Uruapan')].join('\n'), 'latin1'),
      SOURCES['sesnsp-nm'],
      areas,
    );
    expect(ok.level).toBe('municipality');
    expect(ok.cells.get('homicidio_doloso')!.get('16053')).toEqual([4, 5, 6]);
    const bad = errorOf(() =>
      parseRelease(
        Buffer.from([header, row('16053', 'Morelia'), row('16999', 'Inexistente')].join('\n'), 'latin1'),
        SOURCES['sesnsp-nm'],
        areas,
      ),
    );
    expect(bad).toMatchObject({ code: 'unknown_municipality', field: 'Cve. Municipio', params: { line: 3, code: '16999' } });
    const elsewhere = errorOf(() =>
      parseRelease(Buffer.from([header, row('14039', 'Guadalajara')].join('\n'), 'latin1'), SOURCES['sesnsp-nm'], areas),
    );
    expect(elsewhere).toMatchObject({ code: 'municipality_state', field: 'Cve. Municipio' });
  });

  it('maps the old CNSP/38 classification as the data README documents it', () => {
    const c38 = SOURCES['sesnsp-cnsp38'];
    expect(classifyRow(c38, { modalidad: 'HOMICIDIOS', tipo: 'DOLOSOS', subtipo: 'CON ARMA DE FUEGO', sexo: '' })).toEqual([
      'homicidio_doloso',
      'homicidio_doloso_arma_fuego',
    ]);
    expect(classifyRow(c38, { modalidad: 'PRIV. DE LA LIBERTAD (SECUESTRO)', tipo: 'SECUESTRO', subtipo: 'SECUESTRO', sexo: '' })).toEqual([
      'secuestro',
    ]);
    expect(classifyRow(c38, { modalidad: 'ROBO COMUN', tipo: 'CON VIOLENCIA', subtipo: 'DE VEHICULOS', sexo: '' })).toEqual([
      'robo_vehiculo_con_violencia',
    ]);
    // A mis-encoded label ("ExtorsiÛn") still matches on the unaccented prefix.
    expect(classifyRow(SOURCES['sesnsp-nm'], { modalidad: 'EXTORSION', tipo: 'EXTORSIUN', subtipo: 'EXTORSIUN', sexo: '' })).toEqual([
      'extorsion',
    ]);
    expect(
      classifyRow(SOURCES['sesnsp-nm-victims'], {
        modalidad: 'CON ARMA DE FUEGO',
        tipo: 'HOMICIDIO',
        subtipo: 'HOMICIDIO DOLOSO',
        sexo: 'MUJER',
      }),
    ).toEqual(['homicidio_doloso', 'homicidio_doloso_mujeres']);
  });
});

describe('importing the shipped long-layout extracts', () => {
  const file = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'data', name));

  it('reads the INEGI file with its national row kept apart from the states', () => {
    const r = parseRelease(file('inegi_homicides_state_month_1990_2016.csv'), SOURCES['inegi-homicides'], areas);
    expect(r).toMatchObject({ level: 'state', layout: 'long', encoding: 'utf-8', crimes: ['homicidio'], dataRows: 10_692 });
    expect(r.cells.get('homicidio')!.size).toBe(33);
    // First raw rows: "1990,1,0,Nacional,1292" and "1990,1,1,Aguascalientes,1".
    expect(r.cells.get('homicidio')!.get('00')![0]).toBe(1292);
    expect(r.cells.get('homicidio')!.get('01')![0]).toBe(1);
  });

  it('refuses a long file with a column that is not a crime of the source', () => {
    const e = errorOf(() =>
      parseRelease(
        Buffer.from('year,month,state_code,state,homicidio_doloso,robo_a_banco\n2017,1,1,Aguascalientes,3,1\n'),
        SOURCES['sesnsp-nm'],
        areas,
      ),
    );
    expect(e).toMatchObject({ code: 'unknown_column', field: 'robo_a_banco' });
  });
});
