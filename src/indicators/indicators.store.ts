/** All SQL of the indicators module. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';

type Ts = string;
export interface IndicatorTables {
  indicatorRelease: {
    id: string;
    source: string;
    level: string;
    release: string;
    status: string;
    methodology: string;
    unit: string;
    firstMonth: number;
    lastMonth: number;
    crimes: string;
    contentHash: string;
    layout: string;
    encoding: string;
    fileName: string;
    dataRows: number;
    skippedRows: number;
    previousReleaseId: string | null;
    changeSummary: string | null;
    importedAt: Ts;
    importedBy: string;
    replacedAt: Ts | null;
    replacedById: string | null;
  };
  indicatorSeries: { releaseId: string; crime: string; areas: string; counts: Uint8Array };
  indicatorChange: { releaseId: string; crime: string; areaCode: string; month: number; oldValue: number; newValue: number | null };
  indicatorPopulation: { series: string; areaCode: string; year: number; population: number };
  indicatorPopulationSeries: { id: string; firstYear: number; lastYear: number; contentHash: string; fileName: string; importedAt: Ts };
}

export type Q = Kysely<Database> | Transaction<Database>;
export type ReleaseRow = IndicatorTables['indicatorRelease'];
export type ChangeRow = IndicatorTables['indicatorChange'];

/** Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 1000;

async function insertChunked<T extends keyof IndicatorTables>(q: Q, table: T, rows: IndicatorTables[T][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // The table name is one of ours; Kysely cannot narrow a generic table's row type.
    await q
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

const num = (r: ReleaseRow): ReleaseRow => ({
  ...r,
  firstMonth: Number(r.firstMonth),
  lastMonth: Number(r.lastMonth),
  dataRows: Number(r.dataRows),
  skippedRows: Number(r.skippedRows),
});

/** Every release, newest label first (replaced ones included). */
export async function listReleases(q: Q): Promise<ReleaseRow[]> {
  const rows = await q
    .selectFrom('indicatorRelease')
    .selectAll()
    .orderBy('source')
    .orderBy('level')
    .orderBy('release', 'desc')
    .orderBy('importedAt', 'desc')
    .execute();
  return rows.map(num);
}

export async function findRelease(q: Q, id: string): Promise<ReleaseRow | undefined> {
  const r = await q.selectFrom('indicatorRelease').selectAll().where('id', '=', id).executeTakeFirst();
  return r && num(r);
}

/** The active releases of a source and level, newest label first. */
export async function activeReleases(q: Q, source: string, level: string): Promise<ReleaseRow[]> {
  const rows = await q
    .selectFrom('indicatorRelease')
    .selectAll()
    .where('source', '=', source)
    .where('level', '=', level)
    .where('status', '=', 'active')
    .orderBy('release', 'desc')
    .execute();
  return rows.map(num);
}

export async function insertRelease(
  q: Q,
  row: ReleaseRow,
  series: IndicatorTables['indicatorSeries'][],
  changes: ChangeRow[],
): Promise<void> {
  await q.insertInto('indicatorRelease').values(row).execute();
  // One statement per crime: each row carries a block of up to a few megabytes.
  for (const s of series) await q.insertInto('indicatorSeries').values(s).execute();
  await insertChunked(q, 'indicatorChange', changes);
}

/** Marks a release replaced; false when it was no longer active (another import got there first). */
export async function markReplaced(q: Q, id: string, byId: string, at: string): Promise<boolean> {
  const r = await q
    .updateTable('indicatorRelease')
    .set({ status: 'replaced', replacedAt: at, replacedById: byId })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** One crime's block of a release (series-codec.ts). */
export async function seriesOf(q: Q, releaseId: string, crime: string): Promise<{ areas: string; counts: Uint8Array } | undefined> {
  return q
    .selectFrom('indicatorSeries')
    .select(['areas', 'counts'])
    .where('releaseId', '=', releaseId)
    .where('crime', '=', crime)
    .executeTakeFirst();
}

/** Every crime's block of a release (to compare a new release with it). */
export async function allSeriesOf(q: Q, releaseId: string): Promise<{ crime: string; areas: string; counts: Uint8Array }[]> {
  return q.selectFrom('indicatorSeries').select(['crime', 'areas', 'counts']).where('releaseId', '=', releaseId).execute();
}

export async function changesOf(
  q: Q,
  releaseId: string,
  opts: { crime?: string; limit: number; offset: number },
): Promise<{ rows: ChangeRow[]; total: number }> {
  let base = q.selectFrom('indicatorChange').where('releaseId', '=', releaseId);
  if (opts.crime) base = base.where('crime', '=', opts.crime);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('crime').orderBy('areaCode').orderBy('month').limit(opts.limit).offset(opts.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({
      ...r,
      month: Number(r.month),
      oldValue: Number(r.oldValue),
      newValue: r.newValue === null ? null : Number(r.newValue),
    })),
    total: Number(count.n),
  };
}

// ── population ─────────────────────────────────────────────────────────────
export async function populationSeriesList(q: Q): Promise<IndicatorTables['indicatorPopulationSeries'][]> {
  const rows = await q.selectFrom('indicatorPopulationSeries').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, firstYear: Number(r.firstYear), lastYear: Number(r.lastYear) }));
}

export async function insertPopulation(
  q: Q,
  series: IndicatorTables['indicatorPopulationSeries'],
  rows: IndicatorTables['indicatorPopulation'][],
): Promise<void> {
  await q.insertInto('indicatorPopulationSeries').values(series).execute();
  await insertChunked(q, 'indicatorPopulation', rows);
}

export async function populationRows(q: Q, series: string): Promise<{ areaCode: string; year: number; population: number }[]> {
  const rows = await q.selectFrom('indicatorPopulation').select(['areaCode', 'year', 'population']).where('series', '=', series).execute();
  return rows.map((r) => ({ areaCode: r.areaCode, year: Number(r.year), population: Number(r.population) }));
}
