/**
 * Importers: a publication file → one release's cells (crime × area × month), checked before
 * anything is written. Two layouts are read:
 *
 * - **wide**, the publishers' own: one row per entity (or municipality), crime classification and
 *   year, with the months as columns `Enero … Diciembre` (SESNSP `IDEFC_NM`, `IDVFC_NM`, `IDM_NM`, the
 *   old CNSP/38 state and municipal files, INEGI's tabulations). Rows of crimes the module does not
 *   track are skipped and counted; rows of the same crime (sub-types, modalidades, sex, age group)
 *   are added up.
 * - **long**, the project's extracts: `year, month, state_code, state, <crime>, …`.
 *
 * Every problem is an error that names the column and line: an unknown or renamed entity, a
 * municipality code INEGI does not have, a blank month before the release's last month, a
 * missing state, a duplicated row, a value that is not a count. A file is accepted whole or not
 * at all.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import type { MessageKey } from '../platform/i18n/messages.js';
import { decodeText, parseCsv, type CsvRow, type Encoding } from './csv.js';
import { MAX_COUNT } from './series-codec.js';
import {
  CRIMES,
  MONTHS_ES,
  NATIONAL,
  STATE_ALIASES,
  monthIndex,
  monthLabel,
  normalizeLabel,
  type CrimeKey,
  type Level,
  type SourceDef,
} from './catalogue.js';

/** The geography an import is checked against (from the geo module's service). */
export type AreaCatalogue = {
  stateCodes: readonly string[];
  stateName: (code: string) => string | undefined;
  /** The state code a publication's entity name stands for. */
  stateByName: (name: string) => string | undefined;
  municipality: (code: string) => { stateCode: string; name: string } | undefined;
};

export function buildAreaCatalogue(
  states: readonly { code: string; name: string; shortName: string }[],
  municipalities: readonly { code: string; stateCode: string; name: string }[],
): AreaCatalogue {
  const byName = new Map<string, string>();
  const names = new Map<string, string>();
  for (const s of states) {
    names.set(s.code, s.name);
    for (const n of [s.name, s.shortName, ...(STATE_ALIASES[s.code] ?? [])]) byName.set(normalizeLabel(n), s.code);
  }
  for (const n of STATE_ALIASES[NATIONAL]) byName.set(normalizeLabel(n), NATIONAL);
  const muns = new Map(municipalities.map((m) => [m.code, { stateCode: m.stateCode, name: m.name }]));
  return {
    stateCodes: states.map((s) => s.code).sort(),
    stateName: (code) => (code === NATIONAL ? 'Nacional' : names.get(code)),
    stateByName: (name) => byName.get(normalizeLabel(name)),
    municipality: (code) => muns.get(code),
  };
}

/** A release read from a file: per crime and area, the monthly values from `first` to `last`. */
export type ParsedRelease = {
  level: Level;
  layout: 'wide' | 'long';
  encoding: Encoding;
  first: number;
  last: number;
  crimes: CrimeKey[];
  /** crime → area code → values, one per month of [first, last]. */
  cells: Map<CrimeKey, Map<string, number[]>>;
  dataRows: number;
  /** Rows of crimes the module does not track (wide layout). */
  skippedRows: number;
  /** SHA-256 of the cells: the same figures give the same hash whatever the file's encoding or layout. */
  hash: string;
};

const fail = (code: string, key: MessageKey, params: Record<string, string | number>, field?: string): never => {
  throw new AppError(400, code, key, params, field);
};

// Header names as the publications spell them, normalized (upper case, no accents).
const COLUMN_NAMES = {
  year: ['ANO', 'ANIO', 'YEAR', 'ANO DE REGISTRO', 'ANO REGISTRO'],
  month: ['MONTH', 'MES', 'MES DE REGISTRO'],
  stateCode: ['CLAVE ENT', 'CVE ENT', 'CVE. ENT', 'CVE. ENTIDAD', 'CLAVE ENTIDAD', 'STATE CODE', 'CVE ENTIDAD', 'INEGI', 'ENT'],
  stateName: ['ENTIDAD', 'STATE', 'NOM ENT', 'ENTIDAD FEDERATIVA'],
  municipalityCode: ['CVE. MUNICIPIO', 'CVE MUNICIPIO', 'CLAVE MUN', 'CVE MUN', 'CVEGEO', 'CLAVE MUNICIPIO', 'MUNICIPALITY CODE'],
  municipalityName: ['MUNICIPIO', 'MUNICIPALITY', 'NOM MUN'],
  modalidad: ['MODALIDAD'],
  tipo: ['TIPO', 'TIPO DE DELITO'],
  subtipo: ['SUBTIPO', 'SUBTIPO DE DELITO'],
  bien: ['BIEN JURIDICO AFECTADO', 'BIEN JURIDICO'],
  sexo: ['SEXO'],
  edad: ['RANGO DE EDAD'],
  total: ['TOTAL'],
} as const;
type ColumnRole = keyof typeof COLUMN_NAMES;

/** Where each role's column is (index), by header name. */
function locateColumns(header: string[]): Partial<Record<ColumnRole, number>> {
  const out: Partial<Record<ColumnRole, number>> = {};
  header.forEach((h, i) => {
    const n = normalizeLabel(h);
    for (const role of Object.keys(COLUMN_NAMES) as ColumnRole[]) {
      if (out[role] === undefined && (COLUMN_NAMES[role] as readonly string[]).includes(n)) out[role] = i;
    }
  });
  return out;
}

const MONTH_NORMALIZED = MONTHS_ES.map((m) => normalizeLabel(m));

/** A count: digits, optionally with thousands separators as spreadsheets export them ("1,234"). */
function parseCount(raw: string, line: number, column: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  const n = /^\d+$/.test(s) || /^\d+\.0+$/.test(s) ? Number(s) : /^\d{1,3}(,\d{3})+$/.test(s) ? Number(s.replace(/,/g, '')) : NaN;
  if (n <= MAX_COUNT) return n;
  return fail('invalid_value', 'error.indicators.invalid_value', { line, value: s.slice(0, 40), column }, column);
}

function parseYear(raw: string, line: number, column: string): number {
  const s = raw.trim();
  const y = /^\d{4}$/.test(s) ? Number(s) : NaN;
  if (!(y >= 1900 && y <= 2100)) fail('invalid_year', 'error.indicators.invalid_year', { line, value: s.slice(0, 40) }, column);
  return y;
}

/**
 * Which of the module's crimes a publication row counts toward, from its classification
 * (normalized labels; prefixes stop before accented letters, which some files mis-encode:
 * "ExtorsiÛn"). A row may count toward two keys (a firearm homicide is also a homicide).
 */
export type Classification = { modalidad: string; tipo: string; subtipo: string; sexo: string };

export function classifyRow(source: SourceDef, c: Classification): CrimeKey[] {
  const out: CrimeKey[] = [];
  if (source.methodology === 'cnsp38') {
    // Old instrument: MODALIDAD / TIPO / SUBTIPO (README of the data: the CNSP/38 mapping).
    if (c.modalidad === 'HOMICIDIOS' && c.tipo === 'DOLOSOS') {
      out.push('homicidio_doloso');
      if (c.subtipo === 'CON ARMA DE FUEGO') out.push('homicidio_doloso_arma_fuego');
    }
    if (c.modalidad === 'HOMICIDIOS' && c.tipo === 'CULPOSOS') out.push('homicidio_culposo');
    if (c.modalidad.startsWith('PRIV. DE LA LIBERTAD') && c.tipo === 'SECUESTRO') out.push('secuestro');
    if (c.modalidad === 'DELITOS PATRIMONIALES' && c.tipo.startsWith('EXTORSI')) out.push('extorsion');
    if (c.modalidad.startsWith('ROBO COM') && c.subtipo.startsWith('DE VEH')) {
      if (c.tipo === 'CON VIOLENCIA') out.push('robo_vehiculo_con_violencia');
      if (c.tipo === 'SIN VIOLENCIA') out.push('robo_vehiculo_sin_violencia');
    }
  } else if (source.methodology === 'cnsp38-15') {
    // New instrument: Tipo de delito / Subtipo de delito / Modalidad (and Sexo in the victims file).
    if (c.subtipo.startsWith('HOMICIDIO DOLOSO')) {
      out.push('homicidio_doloso');
      if (c.modalidad.startsWith('CON ARMA DE FUEGO')) out.push('homicidio_doloso_arma_fuego');
      if (c.sexo === 'MUJER') out.push('homicidio_doloso_mujeres');
    }
    if (c.subtipo.startsWith('HOMICIDIO CULPOSO')) out.push('homicidio_culposo');
    if (c.subtipo.startsWith('FEMINICIDIO') || (c.tipo.startsWith('FEMINICIDIO') && c.subtipo === '')) out.push('feminicidio');
    if (c.tipo.startsWith('SECUESTRO')) out.push('secuestro');
    if (c.tipo.startsWith('EXTORSI')) out.push('extorsion');
    if (c.subtipo.startsWith('ROBO DE VEH')) {
      if (c.modalidad.includes('CON VIOLENCIA')) out.push('robo_vehiculo_con_violencia');
      if (c.modalidad.includes('SIN VIOLENCIA')) out.push('robo_vehiculo_sin_violencia');
    }
  }
  return out.filter((k) => source.crimes.includes(k));
}

/** The long layout's crime columns: the crime keys, plus INEGI's `homicides`. */
function longCrimeColumn(source: SourceDef, header: string): CrimeKey | undefined {
  const h = header.trim().toLowerCase();
  if (source.id === 'inegi-homicides' && (h === 'homicides' || h === 'homicidios' || h === 'homicidio')) return 'homicidio';
  return (source.crimes as readonly string[]).includes(h) ? (h as CrimeKey) : undefined;
}

type Accumulator = {
  /** crime → area → month → value */
  cells: Map<CrimeKey, Map<string, Map<number, number>>>;
  /** Where each classification row was first seen, to refuse duplicated rows. */
  seen: Map<string, number>;
};

function add(acc: Accumulator, crime: CrimeKey, area: string, month: number, value: number) {
  let byArea = acc.cells.get(crime);
  if (!byArea) acc.cells.set(crime, (byArea = new Map()));
  let byMonth = byArea.get(area);
  if (!byMonth) byArea.set(area, (byMonth = new Map()));
  byMonth.set(month, (byMonth.get(month) ?? 0) + value);
}

function cell(row: CsvRow, index: number | undefined): string {
  return index === undefined ? '' : (row.cells[index] ?? '').trim();
}

/**
 * The area a row is about, checked against INEGI's catalogue: a state by code and/or name (a code
 * with a name that is not one of that state's names is refused: a renamed or mislabelled entity),
 * or a municipality by its five-digit code, which must exist and belong to the row's state.
 */
function resolveArea(row: CsvRow, cols: Partial<Record<ColumnRole, number>>, header: string[], level: Level, areas: AreaCatalogue): string {
  const line = row.line;
  const codeRaw = cell(row, cols.stateCode);
  const nameRaw = cell(row, cols.stateName);
  let state: string | undefined;
  if (codeRaw !== '') {
    if (!/^\d{1,2}$/.test(codeRaw))
      fail('unknown_entity', 'error.indicators.unknown_entity', { line, value: codeRaw }, header[cols.stateCode!]);
    const code = codeRaw.padStart(2, '0');
    if (code !== NATIONAL && !areas.stateName(code))
      fail('unknown_entity', 'error.indicators.unknown_entity', { line, value: codeRaw }, header[cols.stateCode!]);
    if (nameRaw !== '' && areas.stateByName(nameRaw) !== code) {
      fail(
        'entity_mismatch',
        'error.indicators.entity_mismatch',
        { line, name: nameRaw, code, expected: areas.stateName(code) ?? code },
        header[cols.stateName!],
      );
    }
    state = code;
  } else if (nameRaw !== '') {
    state = areas.stateByName(nameRaw);
    if (!state) fail('unknown_entity', 'error.indicators.unknown_entity', { line, value: nameRaw }, header[cols.stateName!]);
  } else {
    fail('unknown_entity', 'error.indicators.unknown_entity', { line, value: '' }, header[cols.stateCode ?? cols.stateName ?? 0]);
  }
  if (level === 'state') return state!;
  const munRaw = cell(row, cols.municipalityCode);
  const field = header[cols.municipalityCode!];
  if (!/^\d{4,5}$/.test(munRaw)) fail('unknown_municipality', 'error.indicators.unknown_municipality', { line, code: munRaw }, field);
  const code = munRaw.padStart(5, '0');
  const m = areas.municipality(code);
  if (!m) fail('unknown_municipality', 'error.indicators.unknown_municipality', { line, code }, field);
  if (m!.stateCode !== state) fail('municipality_state', 'error.indicators.municipality_state', { line, code, state: state! }, field);
  return code;
}

/** Parses and checks one publication file of a source. */
export function parseRelease(bytes: Uint8Array, source: SourceDef, areas: AreaCatalogue): ParsedRelease {
  const { text, encoding } = decodeText(bytes);
  const { header, rows } = parseCsv(text);
  if (!header.length || !rows.length) fail('empty_file', 'error.indicators.empty_file', {}, 'file');
  const cols = locateColumns(header);
  const monthCols = MONTH_NORMALIZED.map((m) => header.findIndex((h) => normalizeLabel(h) === m));
  const wide = monthCols.some((i) => i >= 0);
  if (cols.year === undefined) fail('layout', 'error.indicators.layout', { column: wide ? 'Año' : 'year' }, wide ? 'Año' : 'year');
  if (cols.stateCode === undefined && cols.stateName === undefined)
    fail('layout', 'error.indicators.layout', { column: wide ? 'Entidad' : 'state_code' }, wide ? 'Entidad' : 'state_code');
  // Old CNSP/38 municipal files name the five-digit municipality code "INEGI" next to a MUNICIPIO column.
  if (cols.municipalityCode === undefined && cols.municipalityName !== undefined && cols.stateCode !== undefined) {
    if (normalizeLabel(header[cols.stateCode]) === 'INEGI' && rows.some((r) => /^\d{4,5}$/.test(cell(r, cols.stateCode)))) {
      cols.municipalityCode = cols.stateCode;
      cols.stateCode = undefined;
    }
  }
  const level: Level = cols.municipalityCode !== undefined ? 'municipality' : 'state';
  if (!source.levels.includes(level))
    fail('level_not_supported', 'error.indicators.level_not_supported', { source: source.id, level }, 'level');
  if (level === 'municipality' && cols.stateCode === undefined && cols.stateName === undefined)
    fail('layout', 'error.indicators.layout', { column: 'Clave_Ent' }, 'Clave_Ent');
  // A municipal file's state comes from the municipality code when the file has no state column of its own.
  const acc: Accumulator = { cells: new Map(), seen: new Map() };
  let skipped = 0;
  let dataRows = 0;

  if (wide) {
    const missing = monthCols.findIndex((i) => i < 0);
    if (missing >= 0) fail('layout', 'error.indicators.layout', { column: MONTHS_ES[missing] }, MONTHS_ES[missing]);
    const needsClassification = source.crimes.length > 1;
    if (needsClassification && cols.tipo === undefined)
      fail('layout', 'error.indicators.layout', { column: 'Tipo de delito' }, 'Tipo de delito');
    type WideRow = { row: CsvRow; area: string; year: number; crimes: CrimeKey[]; values: (number | null)[] };
    const parsed: WideRow[] = [];
    for (const row of rows) {
      const classification: Classification = {
        modalidad: normalizeLabel(cell(row, cols.modalidad)),
        tipo: normalizeLabel(cell(row, cols.tipo)),
        subtipo: normalizeLabel(cell(row, cols.subtipo)),
        sexo: normalizeLabel(cell(row, cols.sexo)),
      };
      const crimes = needsClassification ? classifyRow(source, classification) : [source.crimes[0]];
      if (!crimes.length) {
        skipped++;
        continue;
      }
      const year = parseYear(cell(row, cols.year), row.line, header[cols.year!]);
      const area = resolveArea(row, cols, header, level, areas);
      const key = [area, year, ...header.map((_, i) => (monthCols.includes(i) || i === cols.total ? '' : cell(row, i)))].join('\u0001');
      const first = acc.seen.get(key);
      if (first !== undefined) fail('duplicate_row', 'error.indicators.duplicate_row', { line: row.line, first }, 'file');
      acc.seen.set(key, row.line);
      const values = monthCols.map((i, k) => parseCount(cell(row, i), row.line, MONTHS_ES[k]));
      parsed.push({ row, area, year, crimes, values });
      dataRows++;
    }
    if (!parsed.length) fail('no_crimes', 'error.indicators.no_crimes', { source: source.id }, 'file');
    // The release's last month: the latest month with a figure anywhere. Blank months after it are
    // the months not yet published; a blank month before it is a hole.
    let last = -Infinity;
    for (const p of parsed) p.values.forEach((v, k) => v !== null && (last = Math.max(last, monthIndex(p.year, k + 1))));
    for (const p of parsed) {
      p.values.forEach((v, k) => {
        const m = monthIndex(p.year, k + 1);
        if (m > last) return;
        if (v === null)
          fail(
            'missing_month',
            'error.indicators.missing_cell',
            { line: p.row.line, month: MONTHS_ES[k], year: p.year, area: p.area },
            MONTHS_ES[k],
          );
        for (const crime of p.crimes) add(acc, crime, p.area, m, v!);
      });
    }
  } else {
    if (cols.month === undefined) fail('layout', 'error.indicators.layout', { column: 'Enero … Diciembre' }, 'Enero');
    const roles = new Set(Object.values(cols));
    const crimeCols: { index: number; crime: CrimeKey }[] = [];
    header.forEach((h, i) => {
      if (roles.has(i)) return;
      const crime = longCrimeColumn(source, h);
      if (!crime) fail('unknown_column', 'error.indicators.unknown_column', { column: h, source: source.id }, h);
      crimeCols.push({ index: i, crime: crime! });
    });
    if (!crimeCols.length) fail('no_crimes', 'error.indicators.no_crimes', { source: source.id }, 'file');
    for (const row of rows) {
      const year = parseYear(cell(row, cols.year), row.line, header[cols.year!]);
      const monthRaw = cell(row, cols.month);
      const month = /^\d{1,2}$/.test(monthRaw) ? Number(monthRaw) : NaN;
      if (!(month >= 1 && month <= 12))
        fail(
          'invalid_value',
          'error.indicators.invalid_value',
          { line: row.line, value: monthRaw, column: header[cols.month!] },
          header[cols.month!],
        );
      const area = resolveArea(row, cols, header, level, areas);
      const m = monthIndex(year, month);
      const key = `${area}\u0001${m}`;
      const first = acc.seen.get(key);
      if (first !== undefined) fail('duplicate_row', 'error.indicators.duplicate_row', { line: row.line, first }, 'file');
      acc.seen.set(key, row.line);
      for (const { index, crime } of crimeCols) {
        const v = parseCount(cell(row, index), row.line, header[index]);
        if (v === null)
          fail('missing_month', 'error.indicators.missing_cell', { line: row.line, month: String(month), year, area }, header[index]);
        add(acc, crime, area, m, v!);
      }
      dataRows++;
    }
  }
  return complete(acc, source, level, areas, wide ? 'wide' : 'long', encoding, dataRows, skipped);
}

/**
 * Every crime of the release must have every month of the release's span for every area: all 32
 * states (and the national row, for a source that publishes one) at state level; every
 * municipality the file names at municipal level (SESNSP's municipal files list all; a partial
 * file leaves the others as marked gaps, never zeros).
 */
function complete(
  acc: Accumulator,
  source: SourceDef,
  level: Level,
  areas: AreaCatalogue,
  layout: 'wide' | 'long',
  encoding: Encoding,
  dataRows: number,
  skippedRows: number,
): ParsedRelease {
  let first = Infinity;
  let last = -Infinity;
  for (const byArea of acc.cells.values())
    for (const byMonth of byArea.values())
      for (const m of byMonth.keys()) {
        first = Math.min(first, m);
        last = Math.max(last, m);
      }
  const monthField = (m: number) => (layout === 'wide' ? MONTHS_ES[m % 12] : 'month');
  const crimes = [...acc.cells.keys()].sort((a, b) => source.crimes.indexOf(a) - source.crimes.indexOf(b));
  const cells = new Map<CrimeKey, Map<string, number[]>>();
  for (const crime of crimes) {
    const byArea = acc.cells.get(crime)!;
    const nationalRow = byArea.get(NATIONAL);
    if (level === 'state') {
      const required = source.national === 'published-row' ? [...areas.stateCodes, NATIONAL] : areas.stateCodes;
      for (const code of required) {
        if (!byArea.has(code))
          fail(
            'missing_area',
            'error.indicators.missing_area',
            { area: areas.stateName(code) ?? code, crime: CRIMES[crime].label.es },
            layout === 'wide' ? 'Entidad' : 'state_code',
          );
      }
    }
    const out = new Map<string, number[]>();
    for (const [area, byMonth] of [...byArea.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const values: number[] = [];
      for (let m = first; m <= last; m++) {
        const v = byMonth.get(m);
        if (v === undefined)
          fail(
            'missing_month',
            'error.indicators.missing_month',
            { area: areas.stateName(area) ?? areas.municipality(area)?.name ?? area, crime: CRIMES[crime].label.es, month: monthLabel(m) },
            monthField(m),
          );
        values.push(v!);
      }
      out.set(area, values);
    }
    // A national row in a source whose national figure is the sum of its states is only a check.
    if (nationalRow && source.national === 'sum-of-states') {
      out.delete(NATIONAL);
      for (let m = first; m <= last; m++) {
        let sum = 0;
        for (const [area, values] of out) if (area.length === 2) sum += values[m - first];
        if (level === 'state' && sum !== nationalRow.get(m))
          fail(
            'national_mismatch',
            'error.indicators.national_mismatch',
            { month: monthLabel(m), crime: CRIMES[crime].label.es, national: nationalRow.get(m) ?? 0, sum },
            monthField(m),
          );
      }
    }
    cells.set(crime, out);
  }
  return { level, layout, encoding, first, last, crimes, cells, dataRows, skippedRows, hash: hashCells(level, first, last, cells) };
}

/** The cells' fingerprint: what makes two imports "the same release". */
export function hashCells(level: Level, first: number, last: number, cells: Map<CrimeKey, Map<string, ArrayLike<number>>>): string {
  const h = createHash('sha256');
  h.update(`${level}|${first}|${last}\n`);
  for (const crime of [...cells.keys()].sort()) {
    const byArea = cells.get(crime)!;
    for (const area of [...byArea.keys()].sort()) h.update(`${crime}|${area}|${Array.from(byArea.get(area)!).join(',')}\n`);
  }
  return h.digest('hex');
}

/** CONAPO's long layout (`year, state_code, state, population, …`): the population of each state (and the nation) by year. */
export function parsePopulationCsv(text: string, areas: AreaCatalogue): Map<string, Map<number, number>> {
  const { header, rows } = parseCsv(text);
  const idx = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) fail('layout', 'error.indicators.layout', { column: name }, name);
    return i;
  };
  const [yi, ci, pi] = [idx('year'), idx('state_code'), idx('population')];
  const out = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const year = parseYear(row.cells[yi] ?? '', row.line, 'year');
    const code = (row.cells[ci] ?? '').trim().padStart(2, '0');
    if (code !== NATIONAL && !areas.stateName(code))
      fail('unknown_entity', 'error.indicators.unknown_entity', { line: row.line, value: code }, 'state_code');
    const pop = parseCount(row.cells[pi] ?? '', row.line, 'population');
    if (pop === null)
      fail('missing_month', 'error.indicators.missing_cell', { line: row.line, month: '-', year, area: code }, 'population');
    let byYear = out.get(code);
    if (!byYear) out.set(code, (byYear = new Map()));
    byYear.set(year, pop!);
  }
  return out;
}
