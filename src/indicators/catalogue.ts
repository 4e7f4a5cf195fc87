/**
 * The vocabulary of crime indicators: the sources the module knows (who publishes, by which
 * methodology, counting what), the crimes, the population series, and the names of the states as
 * the publications write them. Pure data, shared with the web client.
 */

export const SOURCE_IDS = ['sesnsp-cnsp38', 'sesnsp-nm', 'sesnsp-nm-victims', 'inegi-homicides'] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export const CRIME_KEYS = [
  'homicidio_doloso',
  'homicidio_doloso_arma_fuego',
  'homicidio_doloso_mujeres',
  'feminicidio',
  'homicidio_culposo',
  'secuestro',
  'extorsion',
  'robo_vehiculo_con_violencia',
  'robo_vehiculo_sin_violencia',
  'homicidio',
] as const;
export type CrimeKey = (typeof CRIME_KEYS)[number];

export const LEVELS = ['state', 'municipality'] as const;
export type Level = (typeof LEVELS)[number];

export type Bilingual = { es: string; en: string };

/** What a figure counts: investigations opened, victims in them, or death certificates. */
export type Unit = 'investigations' | 'victims' | 'deaths';

export type Methodology = 'cnsp38' | 'cnsp38-15' | 'inegi-defunciones';

export type SourceDef = {
  id: SourceId;
  publisher: 'SESNSP' | 'INEGI';
  methodology: Methodology;
  unit: Unit;
  /**
   * How the national figure is obtained: SESNSP publishes states only (national = their sum);
   * INEGI publishes a national row that also counts deaths abroad or in an unspecified state, so
   * summing its states would undercount (docs/indicators.md).
   */
  national: 'sum-of-states' | 'published-row';
  crimes: readonly CrimeKey[];
  levels: readonly Level[];
  label: Bilingual;
};

export const SOURCES: Record<SourceId, SourceDef> = {
  'sesnsp-cnsp38': {
    id: 'sesnsp-cnsp38',
    publisher: 'SESNSP',
    methodology: 'cnsp38',
    unit: 'investigations',
    national: 'sum-of-states',
    crimes: [
      'homicidio_doloso',
      'homicidio_doloso_arma_fuego',
      'homicidio_culposo',
      'secuestro',
      'extorsion',
      'robo_vehiculo_con_violencia',
      'robo_vehiculo_sin_violencia',
    ],
    levels: ['state', 'municipality'],
    label: {
      es: 'SESNSP, incidencia delictiva, metodología anterior CNSP/38 (1997–2017)',
      en: 'SESNSP, crime incidence, old methodology CNSP/38 (1997–2017)',
    },
  },
  'sesnsp-nm': {
    id: 'sesnsp-nm',
    publisher: 'SESNSP',
    methodology: 'cnsp38-15',
    unit: 'investigations',
    national: 'sum-of-states',
    crimes: [
      'homicidio_doloso',
      'homicidio_doloso_arma_fuego',
      'feminicidio',
      'homicidio_culposo',
      'secuestro',
      'extorsion',
      'robo_vehiculo_con_violencia',
      'robo_vehiculo_sin_violencia',
    ],
    levels: ['state', 'municipality'],
    label: {
      es: 'SESNSP, incidencia delictiva, nueva metodología (2015 en adelante)',
      en: 'SESNSP, crime incidence, new methodology (2015 onwards)',
    },
  },
  'sesnsp-nm-victims': {
    id: 'sesnsp-nm-victims',
    publisher: 'SESNSP',
    methodology: 'cnsp38-15',
    unit: 'victims',
    national: 'sum-of-states',
    crimes: ['homicidio_doloso', 'homicidio_doloso_mujeres', 'feminicidio', 'secuestro', 'extorsion'],
    levels: ['state'],
    label: { es: 'SESNSP, víctimas, nueva metodología (2015 en adelante)', en: 'SESNSP, victims, new methodology (2015 onwards)' },
  },
  'inegi-homicides': {
    id: 'inegi-homicides',
    publisher: 'INEGI',
    methodology: 'inegi-defunciones',
    unit: 'deaths',
    national: 'published-row',
    crimes: ['homicidio'],
    levels: ['state'],
    label: {
      es: 'INEGI, defunciones por homicidio (estadísticas vitales, mes de registro)',
      en: 'INEGI, homicide deaths (vital statistics, month of registration)',
    },
  },
};

export const METHODOLOGY_LABEL: Record<Methodology, Bilingual> = {
  cnsp38: { es: 'CNSP/38 (metodología anterior)', en: 'CNSP/38 (old methodology)' },
  'cnsp38-15': { es: 'CNSP/38/15 (nueva metodología)', en: 'CNSP/38/15 (new methodology)' },
  'inegi-defunciones': { es: 'Certificados de defunción (INEGI)', en: 'Death certificates (INEGI)' },
};

export const UNIT_LABEL: Record<Unit, Bilingual> = {
  investigations: { es: 'carpetas de investigación', en: 'criminal investigations' },
  victims: { es: 'víctimas', en: 'victims' },
  deaths: { es: 'defunciones', en: 'deaths' },
};

export type CrimeDef = {
  key: CrimeKey;
  label: Bilingual;
  /** Crimes that measure the same phenomenon in another source (shown side by side, never summed). */
  family: 'homicidio' | 'feminicidio' | 'homicidio_culposo' | 'secuestro' | 'extorsion' | 'robo_vehiculo';
};

export const CRIMES: Record<CrimeKey, CrimeDef> = {
  homicidio_doloso: { key: 'homicidio_doloso', label: { es: 'Homicidio doloso', en: 'Intentional homicide' }, family: 'homicidio' },
  homicidio_doloso_arma_fuego: {
    key: 'homicidio_doloso_arma_fuego',
    label: { es: 'Homicidio doloso con arma de fuego', en: 'Intentional homicide with a firearm' },
    family: 'homicidio',
  },
  homicidio_doloso_mujeres: {
    key: 'homicidio_doloso_mujeres',
    label: { es: 'Homicidio doloso de mujeres (víctimas)', en: 'Intentional homicide of women (victims)' },
    family: 'homicidio',
  },
  feminicidio: { key: 'feminicidio', label: { es: 'Feminicidio', en: 'Femicide' }, family: 'feminicidio' },
  homicidio_culposo: {
    key: 'homicidio_culposo',
    label: { es: 'Homicidio culposo', en: 'Negligent homicide' },
    family: 'homicidio_culposo',
  },
  secuestro: { key: 'secuestro', label: { es: 'Secuestro', en: 'Kidnapping' }, family: 'secuestro' },
  extorsion: { key: 'extorsion', label: { es: 'Extorsión', en: 'Extortion' }, family: 'extorsion' },
  robo_vehiculo_con_violencia: {
    key: 'robo_vehiculo_con_violencia',
    label: { es: 'Robo de vehículo con violencia', en: 'Vehicle theft with violence' },
    family: 'robo_vehiculo',
  },
  robo_vehiculo_sin_violencia: {
    key: 'robo_vehiculo_sin_violencia',
    label: { es: 'Robo de vehículo sin violencia', en: 'Vehicle theft without violence' },
    family: 'robo_vehiculo',
  },
  homicidio: { key: 'homicidio', label: { es: 'Homicidio (defunciones)', en: 'Homicide (deaths)' }, family: 'homicidio' },
};

export const POPULATION_IDS = ['conapo-2010', 'conapo-2023', 'censo-2020', 'censo-2020-fijo'] as const;
export type PopulationId = (typeof POPULATION_IDS)[number];

export type PopulationDef = {
  id: PopulationId;
  label: Bilingual;
  levels: readonly Level[];
  /** `constant`: the census count used for every year, an approximation every figure states. */
  method: 'estimate' | 'census' | 'constant';
  /** The series whose rows a constant series reuses. */
  basis?: PopulationId;
  national: 'sum-of-states' | 'published-row';
};

export const POPULATIONS: Record<PopulationId, PopulationDef> = {
  'conapo-2010': {
    id: 'conapo-2010',
    label: { es: 'CONAPO, proyecciones base 2010 (1990–2030)', en: 'CONAPO, 2010-based projections (1990–2030)' },
    levels: ['state'],
    method: 'estimate',
    national: 'sum-of-states',
  },
  'conapo-2023': {
    id: 'conapo-2023',
    label: { es: 'CONAPO, conciliación y proyecciones 2023 (1990–2030)', en: 'CONAPO, 2023 reconciliation and projections (1990–2030)' },
    levels: ['state'],
    method: 'estimate',
    national: 'published-row',
  },
  'censo-2020': {
    id: 'censo-2020',
    label: { es: 'INEGI, Censo de Población y Vivienda 2020 (sólo 2020)', en: 'INEGI, 2020 Population Census (2020 only)' },
    levels: ['state', 'municipality'],
    method: 'census',
    national: 'sum-of-states',
  },
  'censo-2020-fijo': {
    id: 'censo-2020-fijo',
    label: {
      es: 'Censo 2020 constante (aproximación: la población de 2020 para todos los años)',
      en: '2020 census held constant (approximation: the 2020 population for every year)',
    },
    levels: ['state', 'municipality'],
    method: 'constant',
    basis: 'censo-2020',
    national: 'sum-of-states',
  },
};

/** Month names as the Spanish publications write them (the wide layout's column headers). */
export const MONTHS_ES = [
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
] as const;

export const NATIONAL = '00';

/**
 * Names the publications have used for each state, beyond the geo catalogue's official and short
 * names: SESNSP's old upper-case spellings and names since changed (Distrito Federal became Ciudad de
 * México in 2016). A name not listed here for the code it comes with is refused at import.
 */
export const STATE_ALIASES: Record<string, readonly string[]> = {
  '05': ['Coahuila'],
  '09': ['Distrito Federal', 'CDMX', 'DF'],
  '15': ['Estado de México', 'Edo. de México', 'Edomex', 'Mexico'],
  '16': ['Michoacán'],
  '30': ['Veracruz', 'Veracruz de Ignacio de la Llave'],
  '00': ['Nacional', 'Total nacional', 'Estados Unidos Mexicanos', 'Total'],
};

/** Upper case without accents or extra spaces, for matching names and labels as publications spell them. */
export function normalizeLabel(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .toUpperCase()
    .replace(/[\s_]+/g, ' ')
    .trim();
}

// ── months as integers: year × 12 + (month − 1), so periods are plain ranges ──
export const monthIndex = (year: number, month: number) => year * 12 + (month - 1);
export const yearOf = (m: number) => Math.floor(m / 12);
export const monthOf = (m: number) => (m % 12) + 1;
export const monthLabel = (m: number) => `${yearOf(m)}-${String(monthOf(m)).padStart(2, '0')}`;

/** A closed range of months. */
export type Period = { from: number; to: number };

export const periodMonths = (p: Period) => p.to - p.from + 1;

/** `2017`, `2017-03`, `2015..2017`, `2015-01..2016-06` → months; null when not a period. */
export function parsePeriod(text: string): Period | null {
  const part = (s: string, end: boolean): number | null => {
    const m = /^(\d{4})(?:-(\d{2}))?$/.exec(s.trim());
    if (!m) return null;
    const year = Number(m[1]);
    if (m[2] === undefined) return monthIndex(year, end ? 12 : 1);
    const month = Number(m[2]);
    if (month < 1 || month > 12) return null;
    return monthIndex(year, month);
  };
  const [a, b, ...rest] = text.split('..');
  if (rest.length) return null;
  const from = part(a, false);
  const to = part(b ?? a, true);
  if (from === null || to === null) return null;
  return { from, to };
}

export function periodLabel(p: Period): string {
  const fullYears = monthOf(p.from) === 1 && monthOf(p.to) === 12;
  if (fullYears) return yearOf(p.from) === yearOf(p.to) ? String(yearOf(p.from)) : `${yearOf(p.from)}..${yearOf(p.to)}`;
  return p.from === p.to ? monthLabel(p.from) : `${monthLabel(p.from)}..${monthLabel(p.to)}`;
}
