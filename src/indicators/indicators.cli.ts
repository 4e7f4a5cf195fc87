/**
 * `npm run cli -- indicators …`: the indicator tables in a terminal, and release imports for the
 * operator who has the publisher's file at hand. Output is Spanish (es-MX numbers), each table headed
 * by its source, methodology, release and population series.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CRIMES,
  CRIME_KEYS,
  LEVELS,
  METHODOLOGY_LABEL,
  POPULATIONS,
  POPULATION_IDS,
  SOURCES,
  SOURCE_IDS,
  UNIT_LABEL,
  type CrimeKey,
  type Level,
  type PopulationId,
  type SourceId,
} from './catalogue.js';
import {
  change,
  importRelease,
  listReleases,
  loadSeedData,
  ranking,
  seriesIndicator,
  type IndicatorsDeps,
  type Meta,
} from './indicators.service.js';

export const INDICATORS_USAGE = `  indicators change --crime C --source S --from 2015 --to 2017 [--state 09] [--level state|municipality]
                [--release AAAA-MM] [--population P]     Comparación de dos periodos (conteos, tasas, cambio %)
  indicators rank --crime C --source S --period 2017 [--level …] [--state 09] [--by rate|count] [--limit N]
  indicators series --crime C --source S --area 09 --period 2015..2017 [--population P]
  indicators import --source S --release AAAA-MM <archivo.csv> [--confirm-removals] [--dry-run]
  indicators releases                  Publicaciones cargadas
  Fuentes: ${SOURCE_IDS.join(', ')}
  Delitos: ${CRIME_KEYS.join(', ')}
  Población: ${POPULATION_IDS.join(', ')}`;

export type IndicatorArgs = {
  crime?: string;
  source?: string;
  release?: string;
  from?: string;
  to?: string;
  period?: string;
  area?: string;
  state?: string;
  level?: string;
  population?: string;
  by?: string;
  limit?: string;
  'confirm-removals'?: boolean;
  'dry-run'?: boolean;
};

const nf = (digits: number) => new Intl.NumberFormat('es-MX', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (v: number | null) => (v === null ? '—' : nf(0).format(v));
const dec = (v: number | null) => (v === null ? '—' : nf(2).format(v));
const pct = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${nf(1).format(v)} %`);

function oneOf<T extends string>(value: string | undefined, list: readonly T[], flag: string, fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!value || !(list as readonly string[]).includes(value)) throw new Error(`--${flag} debe ser uno de: ${list.join(', ')}`);
  return value as T;
}

/** A fixed-width table: first column left-aligned, the rest right-aligned. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Names read left to right; numbers line up on the right.
  const left = head.map((h, i) => i === 0 || h === 'área' || h === 'fuente' || h === 'nivel' || h === 'estado' || h === 'por');
  const line = (cells: string[]) => cells.map((c, i) => (left[i] ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const NOTES: Record<string, string> = {
  national_sum_of_states: 'Nacional = suma de las 32 entidades.',
  national_sum_of_municipalities: 'Total = suma de los municipios de la publicación.',
  national_published_row: 'Nacional = renglón nacional del INEGI (incluye defunciones en el extranjero o en entidad no especificada).',
  inegi_registration_month: 'INEGI: por mes de registro, no de defunción.',
  population_constant: 'Población: la del Censo 2020 para todos los años (aproximación).',
  annualised: 'Tasas de periodos que no son años completos: anualizadas.',
  unequal_periods: 'Periodos de distinta duración: sólo se comparan las tasas anualizadas.',
  not_current_release: 'No es la publicación vigente de esta fuente.',
};

function header(meta: Meta, title: string): string {
  const s = SOURCES[meta.source];
  return [
    title,
    `Fuente: ${s.label.es}`,
    `Metodología: ${METHODOLOGY_LABEL[s.methodology].es} · unidad: ${UNIT_LABEL[s.unit].es} · publicación ${meta.release} (cubre ${meta.coverage.from} a ${meta.coverage.to})`,
    `Población: ${meta.population ? POPULATIONS[meta.population].label.es : '—'}`,
    ...meta.notes.map((n) => `Nota: ${NOTES[n] ?? n}`),
    '',
  ].join('\n');
}

/** Runs one `indicators …` command; returns the exit code. */
export async function runIndicatorsCommand(
  deps: IndicatorsDeps,
  command: string | undefined,
  args: IndicatorArgs,
  rest: string[],
): Promise<number> {
  // The CLI may run before the server ever started: the shipped statistics are loaded on first use.
  await loadSeedData(deps);
  const source = () => oneOf<SourceId>(args.source, SOURCE_IDS, 'source');
  const crime = () => oneOf<CrimeKey>(args.crime, CRIME_KEYS, 'crime');
  const population = () => (args.population ? oneOf<PopulationId>(args.population, POPULATION_IDS, 'population') : undefined);
  const level = () => oneOf<Level>(args.level, LEVELS, 'level', 'state');
  switch (command) {
    case 'change': {
      if (!args.from || !args.to) throw new Error('--from y --to son obligatorios (p. ej. --from 2015 --to 2017)');
      const lvl = level();
      const t = await change(deps, {
        source: source(),
        release: args.release,
        crime: crime(),
        level: lvl,
        a: args.from,
        b: args.to,
        population: population(),
        // --state 09 at state level shows that state (with the national row); at municipal level, its municipalities.
        ...(args.state && lvl === 'state' ? { area: args.state } : {}),
        ...(args.state && lvl === 'municipality' ? { state: args.state } : {}),
      });
      const a = t.a.label;
      const b = t.b.label;
      console.log(header(t.meta, `${CRIMES[t.meta.crime].label.es}: ${a} → ${b}`));
      console.log(
        table(
          ['área', `conteo ${a}`, `conteo ${b}`, 'cambio', `tasa ${a}`, `tasa ${b}`, 'cambio tasa'],
          t.rows.map((r) => [
            `${r.code} ${r.name}`,
            int(r.countA),
            int(r.countB),
            pct(r.countChange),
            dec(r.rateA),
            dec(r.rateB),
            pct(r.rateChange),
          ]),
        ),
      );
      console.log('\nTasas por 100 mil habitantes al año.');
      return 0;
    }
    case 'rank': {
      if (!args.period) throw new Error('--period es obligatorio (p. ej. --period 2017)');
      const t = await ranking(deps, {
        source: source(),
        release: args.release,
        crime: crime(),
        level: level(),
        period: args.period,
        population: population(),
        by: oneOf(args.by, ['rate', 'count'] as const, 'by', 'rate'),
        state: args.state,
      });
      const limit = args.limit ? Number(args.limit) : t.rows.length;
      console.log(
        header(
          t.meta,
          `${CRIMES[t.meta.crime].label.es}: ranking ${t.level === 'state' ? 'de entidades' : 'de municipios'}, ${t.period.label}`,
        ),
      );
      console.log(
        table(
          ['lugar', 'área', 'conteo', 'población', 'tasa', '% nacional'],
          t.rows
            .slice(0, limit)
            .map((r) => [
              r.rank === null ? 's/d' : String(r.rank),
              `${r.code} ${r.name}`,
              int(r.count),
              int(r.population),
              dec(r.rate),
              dec(r.share),
            ]),
        ),
      );
      console.log(
        `\nNacional: ${int(t.national.count)} (${dec(t.national.rate)} por 100 mil).${t.missing ? ` Sin datos: ${t.missing}.` : ''}`,
      );
      return 0;
    }
    case 'series': {
      if (!args.area || !args.period) throw new Error('--area y --period son obligatorios');
      const t = await seriesIndicator(deps, {
        source: source(),
        release: args.release,
        crime: crime(),
        area: args.area,
        period: args.period,
        population: population(),
      });
      console.log(header(t.meta, `${CRIMES[t.meta.crime].label.es}: ${t.area.code} ${t.area.name}, ${t.period.label}`));
      console.log(
        table(
          ['año', 'meses', 'conteo', 'población', 'tasa', '% nacional'],
          t.annual.map((y) => [
            String(y.year),
            `${y.months}${y.annualised ? '*' : ''}`,
            int(y.count),
            int(y.population),
            dec(y.rate),
            dec(y.share),
          ]),
        ),
      );
      if (t.annual.some((y) => y.annualised)) console.log('\n* año incompleto: tasa anualizada.');
      return 0;
    }
    case 'import': {
      const file = rest[0];
      if (!file) throw new Error('Indique el archivo de la publicación.');
      if (!args.release || !/^\d{4}-(0[1-9]|1[0-2])$/.test(args.release))
        throw new Error('--release debe ser el mes de publicación, AAAA-MM');
      const r = await importRelease(
        deps,
        { system: `cli:${process.env.USER ?? 'operador'}` },
        {
          source: source(),
          release: args.release,
          fileName: path.basename(file),
          bytes: fs.readFileSync(file),
          confirmRemovals: args['confirm-removals'],
          dryRun: args['dry-run'],
        },
      );
      const what = {
        created: 'cargada (primera publicación de la fuente)',
        replaced: 'cargada: ahora es la vigente',
        corrected: 'cargada: corrige la publicación del mismo mes',
        historical: 'cargada como publicación anterior (la vigente no cambia)',
        unchanged: 'sin cambios: esas cifras ya estaban cargadas',
      }[r.outcome];
      console.log(`${r.dryRun ? '[prueba, nada se escribió] ' : ''}Publicación ${args.release} de ${args.source}: ${what}.`);
      if (r.release)
        console.log(
          `Nivel ${r.release.level}, ${r.release.coverage.from} a ${r.release.coverage.to}, delitos: ${r.release.crimes.join(', ')}.`,
        );
      if (r.change) {
        console.log(
          `Cambios respecto de ${r.change.previous.release}: ${r.change.changedCells} datos revisados, ${r.change.removedCells} retirados, ${r.change.addedCells} nuevos.`,
        );
        for (const c of r.change.largest) console.log(`  ${c.crime} ${c.area} ${c.month}: ${c.old} → ${c.new ?? 'retirado'}`);
      }
      return 0;
    }
    case 'releases': {
      const list = await listReleases(deps);
      console.log(
        table(
          ['fuente', 'nivel', 'publicación', 'estado', 'cubre', 'cargada', 'por'],
          list.map((r) => [
            r.source,
            r.level,
            r.release,
            r.status === 'replaced' ? 'reemplazada' : r.current ? 'vigente' : 'anterior',
            `${r.coverage.from}…${r.coverage.to}`,
            r.importedAt.slice(0, 16).replace('T', ' '),
            r.importedBy,
          ]),
        ),
      );
      return 0;
    }
    default:
      console.error(`Uso:\n${INDICATORS_USAGE}`);
      return 1;
  }
}
