/**
 * CSV of the indicator tables. Every row repeats the source, methodology, release and population
 * series, so that a row copied out of its file still says where its figure comes from. Numbers are
 * written with a dot and up to four decimals; text cells that a spreadsheet would run as a formula
 * are neutralised.
 */
import { CRIMES, METHODOLOGY_LABEL, POPULATIONS, SOURCES, UNIT_LABEL, type CrimeKey, type PopulationId } from './catalogue.js';
import type { Meta } from './indicators.service.js';
import type { Language } from '../platform/i18n/messages.js';

type Cell = string | number | boolean | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.round(v * 10_000) / 10_000) : '';
  const s = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (cells: Cell[]) => cells.map(cell).join(',');
const areaName = (code: string, name: string, lang: Language) => (code === '00' ? (lang === 'es' ? 'Nacional' : 'National') : name);

const HEAD = {
  es: { source: 'fuente', methodology: 'metodologia', unit: 'unidad', release: 'publicacion', crime: 'delito', population: 'poblacion' },
  en: { source: 'source', methodology: 'methodology', unit: 'unit', release: 'release', crime: 'crime', population: 'population_series' },
} as const;

function provenance(meta: Meta, lang: Language): Cell[] {
  return [
    SOURCES[meta.source].label[lang],
    METHODOLOGY_LABEL[SOURCES[meta.source].methodology][lang],
    UNIT_LABEL[SOURCES[meta.source].unit][lang],
    meta.release,
    CRIMES[meta.crime as CrimeKey].label[lang],
    meta.population ? POPULATIONS[meta.population as PopulationId].label[lang] : '',
  ];
}
const provenanceHead = (lang: Language) => Object.values(HEAD[lang]);

export type ChangeTable = {
  meta: Meta;
  a: { label: string };
  b: { label: string };
  rows: {
    code: string;
    name: string;
    countA: number | null;
    countB: number | null;
    countChange: number | null;
    rateA: number | null;
    rateB: number | null;
    rateChange: number | null;
  }[];
};

export function changeCsv(t: ChangeTable, lang: Language): string {
  const head =
    lang === 'es'
      ? [
          'clave',
          'area',
          'periodo_a',
          'periodo_b',
          'conteo_a',
          'conteo_b',
          'cambio_conteo_pct',
          'tasa_a_100k',
          'tasa_b_100k',
          'cambio_tasa_pct',
        ]
      : ['code', 'area', 'period_a', 'period_b', 'count_a', 'count_b', 'count_change_pct', 'rate_a_100k', 'rate_b_100k', 'rate_change_pct'];
  const lines = [line([...head, ...provenanceHead(lang)])];
  for (const r of t.rows) {
    lines.push(
      line([
        r.code,
        areaName(r.code, r.name, lang),
        t.a.label,
        t.b.label,
        r.countA,
        r.countB,
        r.countChange,
        r.rateA,
        r.rateB,
        r.rateChange,
        ...provenance(t.meta, lang),
      ]),
    );
  }
  return lines.join('\n') + '\n';
}

export type RankingTable = {
  meta: Meta;
  period: { label: string };
  rows: {
    rank: number | null;
    code: string;
    name: string;
    count: number | null;
    population: number | null;
    rate: number | null;
    share: number | null;
  }[];
};

export function rankingCsv(t: RankingTable, lang: Language): string {
  const head =
    lang === 'es'
      ? ['lugar', 'clave', 'area', 'periodo', 'conteo', 'poblacion_media', 'tasa_100k', 'porcentaje_nacional']
      : ['rank', 'code', 'area', 'period', 'count', 'mean_population', 'rate_100k', 'share_of_national_pct'];
  const lines = [line([...head, ...provenanceHead(lang)])];
  for (const r of t.rows)
    lines.push(
      line([
        r.rank,
        r.code,
        areaName(r.code, r.name, lang),
        t.period.label,
        r.count,
        r.population,
        r.rate,
        r.share,
        ...provenance(t.meta, lang),
      ]),
    );
  return lines.join('\n') + '\n';
}

export type SeriesTable = {
  meta: Meta;
  area: { code: string; name: string };
  monthly: { month: string; count: number; sum12: number | null }[];
  annual: {
    year: number;
    months: number;
    count: number;
    population: number;
    rate: number | null;
    annualised: boolean;
    share: number | null;
  }[];
};

export function seriesCsv(t: SeriesTable, lang: Language): string {
  const head =
    lang === 'es'
      ? ['clave', 'area', 'anio', 'meses', 'conteo', 'poblacion', 'tasa_100k', 'anualizada', 'porcentaje_nacional']
      : ['code', 'area', 'year', 'months', 'count', 'population', 'rate_100k', 'annualised', 'share_of_national_pct'];
  const lines = [line([...head, ...provenanceHead(lang)])];
  for (const r of t.annual) {
    lines.push(
      line([
        t.area.code,
        areaName(t.area.code, t.area.name, lang),
        r.year,
        r.months,
        r.count,
        r.population,
        r.rate,
        r.annualised,
        r.share,
        ...provenance(t.meta, lang),
      ]),
    );
  }
  return lines.join('\n') + '\n';
}

export function monthlyCsv(t: SeriesTable, lang: Language): string {
  const head =
    lang === 'es' ? ['clave', 'area', 'mes', 'conteo', 'suma_12_meses'] : ['code', 'area', 'month', 'count', 'moving_12_month_sum'];
  const lines = [line([...head, ...provenanceHead(lang)])];
  for (const r of t.monthly)
    lines.push(line([t.area.code, areaName(t.area.code, t.area.name, lang), r.month, r.count, r.sum12, ...provenance(t.meta, lang)]));
  return lines.join('\n') + '\n';
}
