import {
  CRIME_KEYS,
  LEVELS,
  POPULATION_IDS,
  SOURCES,
  SOURCE_IDS,
  type CrimeKey,
  type Level,
  type PopulationId,
  type SourceId,
} from '../../indicators/catalogue.js';
import type { IndicatorCatalogue } from '../api.js';

/**
 * What the indicators view shows, kept in the page's URL so that a copied link reproduces the view:
 * `?crime=homicidio_doloso&source=sesnsp-nm&a=2020-01..2020-12&b=2021-01..2021-12&area=09&level=state…`.
 */
export type ViewState = {
  crime: CrimeKey;
  source: SourceId;
  /** A release label ("2018-07"), or '' for the current one. */
  release: string;
  population: PopulationId | '';
  level: Level;
  /** The area of the time series: "00" national, a state or a municipality. */
  area: string;
  /** Restricts the municipal ranking, map and table to one state. */
  state: string;
  aFrom: string;
  aTo: string;
  bFrom: string;
  bTo: string;
  /** A second series shown side by side: "inegi-homicides:homicidio", or ''. */
  compare: string;
};

const pick = <T extends string>(v: string | null, list: readonly T[], fallback: T): T =>
  v && (list as readonly string[]).includes(v) ? (v as T) : fallback;
const month = (v: string | undefined) => (v && /^\d{4}-(0[1-9]|1[0-2])$/.test(v) ? v : '');

export function readState(search: URLSearchParams): ViewState {
  const [aFrom, aTo] = (search.get('a') ?? '').split('..');
  const [bFrom, bTo] = (search.get('b') ?? '').split('..');
  const crime = pick(search.get('crime'), CRIME_KEYS, 'homicidio_doloso');
  const source = pick(search.get('source'), SOURCE_IDS, 'sesnsp-nm');
  return {
    crime,
    source,
    release: month(search.get('release') ?? undefined),
    population: pick(search.get('population'), ['', ...POPULATION_IDS] as const, ''),
    level: pick(search.get('level'), LEVELS, 'state'),
    area: /^\d{2}(\d{3})?$/.test(search.get('area') ?? '') ? search.get('area')! : '00',
    state: /^\d{2}$/.test(search.get('state') ?? '') ? search.get('state')! : '',
    aFrom: month(aFrom),
    aTo: month(aTo ?? aFrom),
    bFrom: month(bFrom),
    bTo: month(bTo ?? bFrom),
    compare: /^[a-z0-9-]+:[a-z_]+$/.test(search.get('compare') ?? '') ? search.get('compare')! : '',
  };
}

export function writeState(s: ViewState): string {
  const q = new URLSearchParams();
  q.set('crime', s.crime);
  q.set('source', s.source);
  if (s.release) q.set('release', s.release);
  if (s.population) q.set('population', s.population);
  q.set('level', s.level);
  q.set('area', s.area);
  if (s.state) q.set('state', s.state);
  if (s.aFrom && s.aTo) q.set('a', `${s.aFrom}..${s.aTo}`);
  if (s.bFrom && s.bTo) q.set('b', `${s.bFrom}..${s.bTo}`);
  if (s.compare) q.set('compare', s.compare);
  return q.toString();
}

/** The release the view reads: the chosen label, or the current one of the source and level. */
export function releaseOf(cat: IndicatorCatalogue, s: ViewState, level: Level = 'state') {
  const list = cat.sources.find((x) => x.id === s.source)?.releases.filter((r) => r.level === level) ?? [];
  return (s.release ? list.find((r) => r.release === s.release) : list.find((r) => r.current)) ?? list[0];
}

/** Sources that publish a crime (and have a release loaded). */
export const sourcesFor = (cat: IndicatorCatalogue, crime: CrimeKey) =>
  cat.sources.filter((x) => x.crimes.includes(crime) && x.releases.some((r) => r.crimes.includes(crime)));

/**
 * Fills what the URL left open: a source that publishes the crime, and as periods the last two
 * whole years of the release (or its last months when it covers less).
 */
export function withDefaults(cat: IndicatorCatalogue, s: ViewState): ViewState {
  let out = { ...s };
  const sources = sourcesFor(cat, out.crime);
  if (!sources.some((x) => x.id === out.source) && sources.length) out = { ...out, source: sources[0].id, release: '' };
  if (!SOURCES[out.source].crimes.includes(out.crime)) out.crime = SOURCES[out.source].crimes[0];
  const rel = releaseOf(cat, out);
  if (rel && !(out.aFrom && out.aTo && out.bFrom && out.bTo)) {
    const [ly, lm] = rel.coverage.to.split('-').map(Number);
    const [fy] = rel.coverage.from.split('-').map(Number);
    const lastWhole = lm === 12 ? ly : ly - 1;
    const b = Math.max(fy, lastWhole);
    const a = Math.max(fy, b - 1);
    out = { ...out, aFrom: `${a}-01`, aTo: `${a}-12`, bFrom: `${b}-01`, bTo: `${b}-12` };
  }
  return out;
}
