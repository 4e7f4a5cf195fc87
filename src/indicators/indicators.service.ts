/**
 * The indicators module's service: releases of official statistics (import, replace with the change
 * recorded, list), and the indicators computed from them — counts, rates per 100,000, percent
 * changes, moving 12-month sums, shares of the national total, rankings, and two sources side by side.
 *
 * Every answer names its source, methodology, release and population series (`Meta`); nothing mixes
 * two of them: a period outside a release, or a population series that does not cover it, is an
 * error naming the field, never a silently shorter sum. Series are read from the database once per
 * (release, crime) and kept in memory as cubes of running sums (engine.ts): releases are immutable
 * (a replacement is a new row), so the cache needs no invalidation.
 */
import { newId } from '../platform/ids.js';
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../platform/db/database.js';
import { AppError } from '../platform/errors.js';
import type { MessageKey } from '../platform/i18n/messages.js';
import type { GeoService } from '../geo/geo.service.js';
import { appendAudit, type AuditActor } from '../identity/audit.service.js';
import type { Actor } from '../identity/access-policy.js';
import type { AreaCountsAdapter } from './adapters.js';
import {
  CRIMES,
  NATIONAL,
  POPULATIONS,
  SOURCES,
  monthLabel,
  parsePeriod,
  periodLabel,
  periodMonths,
  type CrimeKey,
  type Level,
  type Period,
  type PopulationId,
  type SourceId,
} from './catalogue.js';
import {
  buildCube,
  buildCubeFromMatrix,
  buildPopulationTable,
  countOf,
  countsOf,
  covers,
  moving12,
  percentChange,
  personYears,
  rank,
  ratePer100k,
  wholeYears,
  withSumRow,
  yearsOf,
  type Cube,
  type PopulationTable,
} from './engine.js';
import { buildAreaCatalogue, parsePopulationCsv, type AreaCatalogue } from './importers.js';
import { startImport, type ChangeSummary, type ParsedSummary, type PreparedRelease, type PreviousRelease } from './import-job.js';
import type { WorkerError, WorkerRequest } from './import-worker.js';
import * as store from './indicators.store.js';
import { decodeCounts } from './series-codec.js';
import type { ReleaseRow } from './indicators.store.js';

const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

// ── dependencies and caches ──────────────────────────────────────────────────

type AreaInfo = { code: string; name: string; stateCode: string; level: Level | 'national' };

export type IndicatorCache = {
  cubes: Map<string, Cube>;
  cubeBytes: number;
  populations: Map<string, Promise<LoadedPopulation>>;
  hits: number;
  misses: number;
};

export type IndicatorsDeps = { handle: Db; geo: GeoService; cache: IndicatorCache };

/** Memory the cubes may hold (a municipal cube of ten years is ≈ 2.4 MB). */
const CUBE_BUDGET_BYTES = 96 * 2 ** 20;

export function createIndicatorsDeps(handle: Db, geo: GeoService): IndicatorsDeps {
  return { handle, geo, cache: { cubes: new Map(), cubeBytes: 0, populations: new Map(), hits: 0, misses: 0 } };
}

/** Drops the cached cubes, and the population tables unless told not to (the benchmark's cold runs). */
export function clearCache(deps: IndicatorsDeps, opts: { populations?: boolean } = {}): void {
  deps.cache.cubes.clear();
  deps.cache.cubeBytes = 0;
  if (opts.populations !== false) deps.cache.populations.clear();
}

let areaIndex: { catalogue: AreaCatalogue; info: Map<string, AreaInfo>; states: AreaInfo[]; municipalities: AreaInfo[] } | undefined;

/** Names of the nation, states and municipalities (geo module's catalogue), built once. */
function areasOf(deps: IndicatorsDeps) {
  if (!areaIndex) {
    const { states, municipalities } = deps.geo.catalogue();
    const info = new Map<string, AreaInfo>();
    info.set(NATIONAL, { code: NATIONAL, name: 'Nacional', stateCode: NATIONAL, level: 'national' });
    const stateRows = states.map((s): AreaInfo => ({
      code: s.code,
      name: s.code === '15' ? 'Estado de México' : s.shortName,
      stateCode: s.code,
      level: 'state',
    }));
    const munRows = municipalities.map((m): AreaInfo => ({ code: m.code, name: m.name, stateCode: m.stateCode, level: 'municipality' }));
    for (const a of [...stateRows, ...munRows]) info.set(a.code, a);
    areaIndex = { catalogue: buildAreaCatalogue(states, municipalities), info, states: stateRows, municipalities: munRows };
  }
  return areaIndex;
}

const fail = (status: number, code: string, key: MessageKey, params: Record<string, string | number>, field?: string): never => {
  throw new AppError(status, code, key, params, field);
};

// ── releases ─────────────────────────────────────────────────────────────────

export type { ChangeSummary } from './import-job.js';

export type ReleaseView = {
  id: string;
  source: SourceId;
  level: Level;
  release: string;
  status: 'active' | 'replaced';
  current: boolean;
  methodology: string;
  unit: string;
  coverage: { from: string; to: string };
  crimes: CrimeKey[];
  fileName: string;
  layout: string;
  encoding: string;
  dataRows: number;
  skippedRows: number;
  importedAt: string;
  importedBy: string;
  replacedAt: string | null;
  change: ChangeSummary | null;
};

function releaseView(r: ReleaseRow, current: boolean): ReleaseView {
  return {
    id: r.id,
    source: r.source as SourceId,
    level: r.level as Level,
    release: r.release,
    status: r.status as 'active' | 'replaced',
    current,
    methodology: r.methodology,
    unit: r.unit,
    coverage: { from: monthLabel(r.firstMonth), to: monthLabel(r.lastMonth) },
    crimes: r.crimes.split(',') as CrimeKey[],
    fileName: r.fileName,
    layout: r.layout,
    encoding: r.encoding,
    dataRows: r.dataRows,
    skippedRows: r.skippedRows,
    importedAt: r.importedAt,
    importedBy: r.importedBy,
    replacedAt: r.replacedAt,
    change: r.changeSummary ? (JSON.parse(r.changeSummary) as ChangeSummary) : null,
  };
}

/** Every release, the current one of each source and level marked. */
export async function listReleases(deps: IndicatorsDeps): Promise<ReleaseView[]> {
  const rows = await store.listReleases(deps.handle.db);
  const current = new Set<string>();
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.source}|${r.level}`;
    if (r.status === 'active' && !seen.has(key)) {
      seen.add(key);
      current.add(r.id);
    }
  }
  return rows.map((r) => releaseView(r, current.has(r.id)));
}

export async function releaseChanges(deps: IndicatorsDeps, id: string, opts: { crime?: string; limit: number; offset: number }) {
  const release = await store.findRelease(deps.handle.db, id);
  if (!release) throw new AppError(404, 'not_found', 'error.not_found');
  const { rows, total } = await store.changesOf(deps.handle.db, id, opts);
  const areas = areasOf(deps).info;
  return {
    release: releaseView(release, false).release,
    total,
    changes: rows.map((c) => ({
      crime: c.crime,
      area: c.areaCode,
      areaName: areas.get(c.areaCode)?.name ?? c.areaCode,
      month: monthLabel(c.month),
      old: c.oldValue,
      new: c.newValue,
      delta: c.newValue === null ? null : c.newValue - c.oldValue,
    })),
  };
}

export type ImportInput = {
  source: SourceId;
  /** The publication month, "YYYY-MM". */
  release: string;
  fileName: string;
  bytes: Uint8Array;
  /** The new release may lack cells the current one has (a publisher withdrawing figures): say so explicitly. */
  confirmRemovals?: boolean;
  /** Check and compare only; write nothing. */
  dryRun?: boolean;
  /**
   * Read and compare the file in a worker thread (uploads to a running server: a municipal file would
   * hold the event loop for seconds). The seed files and the CLI run on the calling thread.
   */
  worker?: boolean;
};

export type ImportResult = {
  /**
   * `created`: the first release of its source and level; `replaced`: it is now the current release
   * (the previous one stays readable by its label, the change is recorded); `corrected`: same label,
   * different figures (the old row is marked replaced); `historical`: an older label than the
   * current one, kept for reading; `unchanged`: the same figures were already there.
   */
  outcome: 'created' | 'replaced' | 'corrected' | 'historical' | 'unchanged';
  dryRun: boolean;
  release: ReleaseView | null;
  change: ChangeSummary | null;
};

/**
 * Imports a release file. Idempotent per source, level and release label: the same figures again
 * change nothing. Everything is checked before anything is written, and the write is one
 * transaction, so a refused file leaves every accepted release as it was.
 */
export async function importRelease(
  deps: IndicatorsDeps,
  actor: AuditActor,
  input: ImportInput,
  ctx: { ip?: string; requestId?: string } = {},
): Promise<ImportResult> {
  const job = input.worker ? await importInWorker(deps, input) : importInThread(deps, input);
  try {
    const parsed = job.summary;
    const active = await store.activeReleases(deps.handle.db, input.source, parsed.level);
    const sameLabel = active.find((r) => r.release === input.release);
    if (sameLabel?.contentHash === parsed.hash) {
      return {
        outcome: 'unchanged',
        dryRun: !!input.dryRun,
        release: releaseView(sameLabel, active[0]?.id === sameLabel.id),
        change: null,
      };
    }
    const current = active[0];
    const outcome: ImportResult['outcome'] = sameLabel
      ? 'corrected'
      : !current
        ? 'created'
        : input.release > current.release
          ? 'replaced'
          : 'historical';
    const previous = sameLabel ?? (outcome === 'replaced' ? current : undefined);
    const id = newId();
    const prepared = await job.finish(
      previous
        ? {
            id: previous.id,
            release: previous.release,
            firstMonth: previous.firstMonth,
            lastMonth: previous.lastMonth,
            blocks: await store.allSeriesOf(deps.handle.db, previous.id),
          }
        : null,
      id,
    );
    const change = prepared.change;
    if (previous && change) {
      // A release that becomes current may not quietly lose figures the current one had.
      const becomesCurrent = outcome === 'replaced' || (outcome === 'corrected' && sameLabel?.id === current?.id);
      if (becomesCurrent && change.summary.removedCells > 0 && !input.confirmRemovals) {
        const first = change.rows.find((r) => r.newValue === null)!;
        fail(
          409,
          'release_drops_cells',
          'error.indicators.drops_cells',
          {
            release: input.release,
            previous: previous.release,
            count: change.summary.removedCells,
            example: `${first.crime} ${first.areaCode} ${monthLabel(first.month)}`,
          },
          'confirmRemovals',
        );
      }
    }
    return await writeRelease(deps, actor, input, ctx, { parsed, prepared, outcome, active, sameLabel, current, previous, id });
  } finally {
    job.close();
  }
}

type ImportJob = {
  summary: ParsedSummary;
  finish: (previous: PreviousRelease | null, newId: string) => Promise<PreparedRelease>;
  close: () => void;
};

function importInThread(deps: IndicatorsDeps, input: ImportInput): ImportJob {
  const job = startImport(input.bytes, input.source, areasOf(deps).catalogue);
  return { summary: job.summary, finish: async (previous, newId) => job.finish(previous, newId), close: () => {} };
}

/** The same two phases in a worker thread (import-worker.ts), answered one message each. */
async function importInWorker(deps: IndicatorsDeps, input: ImportInput): Promise<ImportJob> {
  const worker = new Worker(new URL('./import-worker.mjs', import.meta.url), { execArgv: [] });
  const ask = <T>(message: WorkerRequest, transfer: ArrayBuffer[] = []) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { ok: true; value: T } | { ok: false; error: WorkerError }) => {
        cleanup();
        if (m.ok) resolve(m.value);
        else if ('code' in m.error)
          reject(new AppError(m.error.status, m.error.code, m.error.messageKey as MessageKey, m.error.params, m.error.field));
        else reject(new Error(`import worker: ${m.error.message}`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`import worker exited (${code})`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(message, transfer);
    });
  const { states, municipalities } = deps.geo.catalogue();
  try {
    // The upload's bytes move to the worker (a copy: the request body's buffer may be pooled).
    const bytes = new Uint8Array(input.bytes);
    const summary = await ask<ParsedSummary>({ phase: 'parse', bytes, source: input.source, areas: { states, municipalities } }, [
      bytes.buffer,
    ]);
    return {
      summary,
      finish: async (previous, newId) => {
        const prepared = await ask<PreparedRelease>({ phase: 'finish', previous, newId });
        // Back from the worker as plain Uint8Arrays; the database drivers bind Buffers.
        return {
          ...prepared,
          blocks: prepared.blocks.map((b) => ({ ...b, counts: Buffer.from(b.counts.buffer, b.counts.byteOffset, b.counts.byteLength) })),
        };
      },
      close: () => void worker.terminate(),
    };
  } catch (err) {
    void worker.terminate();
    throw err;
  }
}

type WriteContext = {
  parsed: ParsedSummary;
  prepared: PreparedRelease;
  outcome: ImportResult['outcome'];
  active: ReleaseRow[];
  sameLabel: ReleaseRow | undefined;
  current: ReleaseRow | undefined;
  previous: ReleaseRow | undefined;
  id: string;
};

async function writeRelease(
  deps: IndicatorsDeps,
  actor: AuditActor,
  input: ImportInput,
  ctx: { ip?: string; requestId?: string },
  { parsed, prepared, outcome, active, sameLabel, current, previous, id }: WriteContext,
): Promise<ImportResult> {
  const source = SOURCES[input.source];
  const change = prepared.change;
  const now = new Date().toISOString();
  const row: ReleaseRow = {
    id,
    source: input.source,
    level: parsed.level,
    release: input.release,
    status: 'active',
    methodology: source.methodology,
    unit: source.unit,
    firstMonth: parsed.first,
    lastMonth: parsed.last,
    crimes: parsed.crimes.join(','),
    contentHash: parsed.hash,
    layout: parsed.layout,
    encoding: parsed.encoding,
    fileName: input.fileName.slice(0, 200),
    dataRows: parsed.dataRows,
    skippedRows: parsed.skippedRows,
    previousReleaseId: previous?.id ?? null,
    changeSummary: change ? JSON.stringify(change.summary) : null,
    importedAt: now,
    importedBy: 'userId' in actor ? actor.username : actor.system,
    replacedAt: null,
    replacedById: null,
  };
  const willBeCurrent = outcome === 'created' || outcome === 'replaced' || (outcome === 'corrected' && sameLabel?.id === current?.id);
  if (input.dryRun) return { outcome, dryRun: true, release: releaseView(row, willBeCurrent), change: change?.summary ?? null };
  const series = prepared.blocks.map((b) => ({ releaseId: id, ...b }));
  await deps.handle.write(async (q) => {
    // Another import of the same source may have landed since we compared: compare again, or refuse.
    const now2 = await store.activeReleases(q, input.source, parsed.level);
    if (now2.map((r) => r.id).join() !== active.map((r) => r.id).join()) {
      fail(409, 'release_conflict', 'error.indicators.release_conflict', { source: input.source }, 'release');
    }
    if (sameLabel && !(await store.markReplaced(q, sameLabel.id, id, now))) {
      fail(409, 'release_conflict', 'error.indicators.release_conflict', { source: input.source }, 'release');
    }
    await store.insertRelease(q, row, series, change?.rows ?? []);
    if ('userId' in actor) {
      await appendAudit(
        deps.handle,
        actor,
        {
          action: 'indicators.import',
          targetType: 'indicator_release',
          targetId: id,
          details: {
            source: input.source,
            level: parsed.level,
            release: input.release,
            outcome,
            fileName: row.fileName,
            changedCells: change?.summary.changedCells ?? 0,
            removedCells: change?.summary.removedCells ?? 0,
          },
          ...ctx,
        },
        q,
      );
    }
  });
  return { outcome, dryRun: false, release: releaseView(row, willBeCurrent), change: change?.summary ?? null };
}

// ── population ───────────────────────────────────────────────────────────────

type LoadedPopulation = { table: PopulationTable; firstYear: number; lastYear: number };

/** Loads a CONAPO series file once (seed); a second start finds it. */
async function ensurePopulation(deps: IndicatorsDeps, id: 'conapo-2010' | 'conapo-2023', fileName: string): Promise<boolean> {
  const existing = await store.populationSeriesList(deps.handle.db);
  if (existing.some((s) => s.id === id)) return false;
  const text = fs.readFileSync(path.join(DATA_DIR, fileName), 'utf8');
  const rows = parsePopulationCsv(text, areasOf(deps).catalogue);
  const flat = [...rows].flatMap(([areaCode, byYear]) =>
    [...byYear].map(([year, population]) => ({ series: id, areaCode, year, population })),
  );
  const years = flat.map((r) => r.year);
  await deps.handle.write(async (q) =>
    store.insertPopulation(
      q,
      {
        id,
        firstYear: Math.min(...years),
        lastYear: Math.max(...years),
        contentHash: crypto.createHash('sha256').update(text).digest('hex'),
        fileName,
        importedAt: new Date().toISOString(),
      },
      flat,
    ),
  );
  return true;
}

/**
 * A population series as a table by area and year, with the national row: CONAPO 2023's published
 * one, otherwise the sum of the states (CONAPO 2010 publishes states only; the census total is the
 * sum of its states).
 */
async function loadPopulation(deps: IndicatorsDeps, id: PopulationId): Promise<LoadedPopulation> {
  const def = POPULATIONS[id];
  const basis = def.basis ?? id;
  const rows = new Map<string, Map<number, number>>();
  const put = (area: string, year: number, v: number) => {
    let byYear = rows.get(area);
    if (!byYear) rows.set(area, (byYear = new Map()));
    byYear.set(year, v);
  };
  if (basis === 'censo-2020') {
    const { states, municipalities } = deps.geo.catalogue();
    for (const s of states) put(s.code, 2020, s.population);
    for (const m of municipalities) put(m.code, 2020, m.population);
  } else {
    for (const r of await store.populationRows(deps.handle.db, basis)) put(r.areaCode, r.year, r.population);
  }
  if (def.national === 'sum-of-states' || !rows.has(NATIONAL)) {
    const national = new Map<number, number>();
    for (const [area, byYear] of rows)
      if (area.length === 2 && area !== NATIONAL) for (const [y, v] of byYear) national.set(y, (national.get(y) ?? 0) + v);
    rows.set(NATIONAL, national);
  }
  const table = buildPopulationTable(rows);
  return { table, firstYear: table.firstYear, lastYear: table.firstYear + table.years - 1 };
}

type Population = { id: PopulationId; loaded: LoadedPopulation; constantYear?: number };

async function population(deps: IndicatorsDeps, id: PopulationId, level: Level, p: Period, value: string): Promise<Population> {
  const def = POPULATIONS[id];
  if (!def.levels.includes(level))
    fail(400, 'population_level', 'error.indicators.population_level', { population: id, level }, 'population');
  let pending = deps.cache.populations.get(id);
  if (!pending) {
    pending = loadPopulation(deps, id);
    deps.cache.populations.set(id, pending);
    pending.catch(() => deps.cache.populations.delete(id));
  }
  const loaded = await pending;
  if (!loaded.table.years)
    fail(
      400,
      'population_coverage',
      'error.indicators.population_coverage',
      { population: id, first: '—', last: '—', value, year: '—' },
      'population',
    );
  const constantYear = def.method === 'constant' ? loaded.firstYear : undefined;
  if (constantYear === undefined) {
    for (const { year } of yearsOf(p)) {
      if (year < loaded.firstYear || year > loaded.lastYear)
        fail(
          400,
          'population_coverage',
          'error.indicators.population_coverage',
          { population: id, first: loaded.firstYear, last: loaded.lastYear, value, year },
          'population',
        );
    }
  }
  return { id, loaded, constantYear };
}

const personYearsOf = (pop: Population, code: string, p: Period | readonly { year: number; months: number }[]) =>
  personYears(pop.loaded.table, code, p, pop.constantYear);

// ── reading a release ────────────────────────────────────────────────────────

export type Meta = {
  source: SourceId;
  publisher: string;
  methodology: string;
  unit: string;
  release: string;
  releaseId: string;
  current: boolean;
  coverage: { from: string; to: string };
  crime: CrimeKey;
  level: Level;
  population: PopulationId | null;
  populationMethod: string | null;
  /** How the national figure is made: the sum of the states, or the publisher's national row. */
  national: 'sum-of-states' | 'published-row';
  /** Codes of the caveats that apply (docs/indicators.md § Notes). */
  notes: string[];
};

type Resolved = { release: ReleaseRow; current: boolean; crime: CrimeKey; cube: Cube };

export const DEFAULT_POPULATION: Record<Level, PopulationId> = { state: 'conapo-2023', municipality: 'censo-2020-fijo' };

export type SeriesRef = { source: SourceId; release?: string; crime: CrimeKey };

async function resolve(deps: IndicatorsDeps, ref: SeriesRef, level: Level, side?: 'a' | 'b'): Promise<Resolved> {
  const source = SOURCES[ref.source];
  // The compare query names its two series' fields aSource, bCrime, …
  const f = (name: string) => (side ? `${side}${name[0].toUpperCase()}${name.slice(1)}` : name);
  if (!source.crimes.includes(ref.crime)) {
    fail(
      400,
      'crime_not_in_source',
      'error.indicators.crime_not_in_source',
      { source: source.id, crime: ref.crime, crimes: source.crimes.join(', ') },
      f('crime'),
    );
  }
  const active = await store.activeReleases(deps.handle.db, ref.source, level);
  if (!active.length) fail(404, 'no_release', 'error.indicators.no_release', { source: ref.source, level }, f('source'));
  const release = ref.release ? active.find((r) => r.release === ref.release) : active[0];
  if (!release)
    fail(
      404,
      'release_not_found',
      'error.indicators.release_not_found',
      { source: ref.source, release: ref.release ?? '', level },
      f('release'),
    );
  if (!release!.crimes.split(',').includes(ref.crime)) {
    fail(
      400,
      'crime_not_in_release',
      'error.indicators.crime_not_in_release',
      { source: ref.source, release: release!.release, crime: ref.crime },
      f('crime'),
    );
  }
  return { release: release!, current: release!.id === active[0].id, crime: ref.crime, cube: await cubeOf(deps, release!, ref.crime) };
}

/** The release's cube for a crime, with a national row "00" (summed, unless the publisher's own row is there). */
async function cubeOf(deps: IndicatorsDeps, release: ReleaseRow, crime: CrimeKey): Promise<Cube> {
  const key = `${release.id}|${crime}`;
  const cache = deps.cache;
  const hit = cache.cubes.get(key);
  if (hit) {
    cache.hits++;
    cache.cubes.delete(key);
    cache.cubes.set(key, hit);
    return hit;
  }
  cache.misses++;
  const row = await store.seriesOf(deps.handle.db, release.id, crime);
  if (!row) throw new Error(`release ${release.id} has no series of ${crime}`);
  const months = release.lastMonth - release.firstMonth + 1;
  const areas = row.areas.split(',');
  let cube = buildCubeFromMatrix(release.firstMonth, months, areas, decodeCounts(row.counts, areas.length, months));
  if (!cube.index.has(NATIONAL)) cube = withSumRow(cube, NATIONAL, (a) => a !== NATIONAL);
  const bytes = cube.cumulative.byteLength;
  cache.cubes.set(key, cube);
  cache.cubeBytes += bytes;
  for (const [k, c] of cache.cubes) {
    if (cache.cubeBytes <= CUBE_BUDGET_BYTES || k === key) break;
    cache.cubes.delete(k);
    cache.cubeBytes -= c.cumulative.byteLength;
  }
  return cube;
}

function meta(r: Resolved, pop: Population | null, extraNotes: string[] = []): Meta {
  const source = SOURCES[r.release.source as SourceId];
  const notes = [...extraNotes];
  // In a municipal release the "national" row is the sum of the municipalities it names.
  if (r.release.level === 'municipality') notes.push('national_sum_of_municipalities');
  else if (source.national === 'published-row') notes.push('national_published_row');
  else notes.push('national_sum_of_states');
  if (source.unit === 'deaths') notes.push('inegi_registration_month');
  if (pop && POPULATIONS[pop.id].method === 'constant') notes.push('population_constant');
  if (!r.current) notes.push('not_current_release');
  return {
    source: source.id,
    publisher: source.publisher,
    methodology: source.methodology,
    unit: source.unit,
    release: r.release.release,
    releaseId: r.release.id,
    current: r.current,
    coverage: { from: monthLabel(r.release.firstMonth), to: monthLabel(r.release.lastMonth) },
    crime: r.crime,
    level: r.release.level as Level,
    population: pop?.id ?? null,
    populationMethod: pop ? POPULATIONS[pop.id].method : null,
    national: source.national,
    notes: [...new Set(notes)],
  };
}

/** Parses a period parameter; a zero-length or reversed one is an error naming the field. */
export function periodParam(value: string, field: string): Period {
  const p = parsePeriod(value);
  if (!p) return fail(400, 'period_invalid', 'error.indicators.period_invalid', { value }, field);
  if (p.to < p.from) fail(400, 'period_empty', 'error.indicators.period_empty', { value }, field);
  return p;
}

function checkCovered(r: Resolved, p: Period, field: string, value: string) {
  if (!covers(r.cube, p)) {
    fail(
      400,
      'period_not_covered',
      'error.indicators.period_not_covered',
      {
        source: r.release.source,
        release: r.release.release,
        first: monthLabel(r.release.firstMonth),
        last: monthLabel(r.release.lastMonth),
        value,
      },
      field,
    );
  }
}

function levelOfArea(deps: IndicatorsDeps, code: string): Level {
  const info = areasOf(deps).info.get(code);
  if (!info) fail(400, 'unknown_area', 'error.indicators.unknown_area', { area: code }, 'area');
  return info!.level === 'municipality' ? 'municipality' : 'state';
}

const areaName = (deps: IndicatorsDeps, code: string) => areasOf(deps).info.get(code)?.name ?? code;

const periodInfo = (p: Period) => ({
  from: monthLabel(p.from),
  to: monthLabel(p.to),
  label: periodLabel(p),
  months: periodMonths(p),
  wholeYears: wholeYears(p),
});

// ── indicators ───────────────────────────────────────────────────────────────

export type SeriesQuery = SeriesRef & { area: string; period: string; population?: PopulationId };

export async function seriesIndicator(deps: IndicatorsDeps, q: SeriesQuery) {
  const p = periodParam(q.period, 'period');
  const level = levelOfArea(deps, q.area);
  const r = await resolve(deps, q, level);
  checkCovered(r, p, 'period', q.period);
  const a = r.cube.index.get(q.area);
  if (a === undefined) fail(404, 'area_not_in_release', 'error.indicators.area_level', { area: q.area, level }, 'area');
  const national = r.cube.index.get(NATIONAL)!;
  const pop = await population(deps, q.population ?? DEFAULT_POPULATION[level], level, p, q.period);
  const sums = moving12(r.cube, a!, p);
  const monthly = [];
  for (let m = p.from; m <= p.to; m++)
    monthly.push({ month: monthLabel(m), count: countOf(r.cube, a!, { from: m, to: m }), sum12: sums[m - p.from] });
  const figure = (span: Period) => {
    const count = countOf(r.cube, a!, span);
    const nationalCount = countOf(r.cube, national, span);
    const py = personYearsOf(pop, q.area, span);
    if (Number.isNaN(py))
      fail(
        400,
        'population_missing',
        'error.indicators.population_missing',
        { population: pop.id, area: q.area, year: periodLabel(span) },
        'population',
      );
    return {
      count,
      population: Math.round((py * 12) / periodMonths(span)),
      rate: ratePer100k(count, py),
      annualised: !wholeYears(span),
      share: nationalCount ? (count * 100) / nationalCount : null,
    };
  };
  const annual = yearsOf(p).map(({ year }) => {
    const span = { from: Math.max(p.from, year * 12), to: Math.min(p.to, year * 12 + 11) };
    return { year, months: periodMonths(span), ...figure(span) };
  });
  return {
    meta: meta(r, pop, wholeYears(p) ? [] : ['annualised']),
    area: { code: q.area, name: areaName(deps, q.area), level: q.area === NATIONAL ? ('national' as const) : level },
    period: periodInfo(p),
    monthly,
    annual,
    total: figure(p),
  };
}

export type RankingQuery = SeriesRef & { level: Level; period: string; population?: PopulationId; by: 'rate' | 'count'; state?: string };

export async function ranking(deps: IndicatorsDeps, q: RankingQuery) {
  const p = periodParam(q.period, 'period');
  const r = await resolve(deps, q, q.level);
  checkCovered(r, p, 'period', q.period);
  const pop = await population(deps, q.population ?? DEFAULT_POPULATION[q.level], q.level, p, q.period);
  const counts = countsOf(r.cube, p);
  const nationalCount = counts[r.cube.index.get(NATIONAL)!];
  const areas = areasOf(deps);
  const universe = (q.level === 'state' ? areas.states : areas.municipalities).filter((x) => !q.state || x.stateCode === q.state);
  const months = periodMonths(p);
  const years = yearsOf(p);
  const rows = universe.map((area) => {
    const a = r.cube.index.get(area.code);
    if (a === undefined) {
      // In the level's catalogue but not in the release: a marked gap, never a zero.
      return {
        code: area.code,
        name: area.name,
        stateCode: area.stateCode,
        count: null,
        population: null,
        rate: null,
        share: null,
        value: null,
        noData: true,
      };
    }
    const count = counts[a];
    const py = personYearsOf(pop, area.code, years);
    const rate = ratePer100k(count, py);
    return {
      code: area.code,
      name: area.name,
      stateCode: area.stateCode,
      count,
      population: Number.isNaN(py) ? null : Math.round((py * 12) / months),
      rate,
      share: nationalCount ? (count * 100) / nationalCount : null,
      value: q.by === 'rate' ? rate : count,
      noData: false,
    };
  });
  const pyNational = personYearsOf(pop, NATIONAL, p);
  return {
    meta: meta(r, pop, wholeYears(p) ? [] : ['annualised']),
    level: q.level,
    by: q.by,
    state: q.state ?? null,
    period: periodInfo(p),
    national: {
      count: nationalCount,
      rate: ratePer100k(nationalCount, pyNational),
      population: Number.isNaN(pyNational) ? null : Math.round((pyNational * 12) / months),
    },
    rows: rank(rows).map(({ value: _value, ...row }) => row),
    missing: rows.filter((x) => x.noData).length,
  };
}

export type ChangeQuery = SeriesRef & { level: Level; a: string; b: string; population?: PopulationId; state?: string; area?: string };

/** The period-comparison table: each area's count and rate in periods A and B, and their percent changes. */
export async function change(deps: IndicatorsDeps, q: ChangeQuery) {
  const pa = periodParam(q.a, 'a');
  const pb = periodParam(q.b, 'b');
  const level = q.area ? levelOfArea(deps, q.area) : q.level;
  const r = await resolve(deps, q, level);
  checkCovered(r, pa, 'a', q.a);
  checkCovered(r, pb, 'b', q.b);
  const popId = q.population ?? DEFAULT_POPULATION[level];
  const popA = await population(deps, popId, level, pa, q.a);
  const popB = await population(deps, popId, level, pb, q.b);
  const equalLength = periodMonths(pa) === periodMonths(pb);
  const countsA = countsOf(r.cube, pa);
  const countsB = countsOf(r.cube, pb);
  const areas = areasOf(deps);
  const universe = q.area
    ? [areas.info.get(q.area)!]
    : (level === 'state' ? areas.states : areas.municipalities).filter((x) => !q.state || x.stateCode === q.state);
  const codes = [NATIONAL, ...universe.map((x) => x.code).filter((c) => c !== NATIONAL)];
  const nA = countsA[r.cube.index.get(NATIONAL)!];
  const nB = countsB[r.cube.index.get(NATIONAL)!];
  const rows = codes.map((code) => {
    const a = r.cube.index.get(code);
    if (a === undefined)
      return {
        code,
        name: areaName(deps, code),
        countA: null,
        countB: null,
        countChange: null,
        rateA: null,
        rateB: null,
        rateChange: null,
        shareA: null,
        shareB: null,
        noData: true,
      };
    const rateA = ratePer100k(countsA[a], personYearsOf(popA, code, pa));
    const rateB = ratePer100k(countsB[a], personYearsOf(popB, code, pb));
    return {
      code,
      name: areaName(deps, code),
      countA: countsA[a],
      countB: countsB[a],
      // Counts of periods of different length are not comparable; their annualised rates are.
      countChange: equalLength ? percentChange(countsA[a], countsB[a]) : null,
      rateA,
      rateB,
      rateChange: percentChange(rateA, rateB),
      shareA: nA ? (countsA[a] * 100) / nA : null,
      shareB: nB ? (countsB[a] * 100) / nB : null,
      noData: false,
    };
  });
  const notes = [...(wholeYears(pa) && wholeYears(pb) ? [] : ['annualised']), ...(equalLength ? [] : ['unequal_periods'])];
  return { meta: meta(r, popA, notes), level, a: periodInfo(pa), b: periodInfo(pb), equalLength, rows };
}

export type CompareQuery = { a: SeriesRef; b: SeriesRef; area: string; period: string; population?: PopulationId };

/**
 * The same phenomenon from two sources side by side (SESNSP investigations and INEGI deaths for
 * homicide), year by year. Never added together; a year one source does not cover is a gap.
 */
export async function compare(deps: IndicatorsDeps, q: CompareQuery) {
  if (q.a.source === q.b.source && q.a.crime === q.b.crime && (q.a.release ?? '') === (q.b.release ?? '')) {
    fail(400, 'same_series', 'error.indicators.same_series', {}, 'bSource');
  }
  const p = periodParam(q.period, 'period');
  const level = levelOfArea(deps, q.area);
  const ra = await resolve(deps, q.a, level, 'a');
  const rb = await resolve(deps, q.b, level, 'b');
  const pop = await population(deps, q.population ?? DEFAULT_POPULATION[level], level, p, q.period);
  const side = (r: Resolved, span: Period) => {
    const a = r.cube.index.get(q.area);
    if (a === undefined || !covers(r.cube, span)) return { count: null, rate: null };
    const count = countOf(r.cube, a, span);
    return { count, rate: ratePer100k(count, personYearsOf(pop, q.area, span)) };
  };
  const years = yearsOf(p).map(({ year }) => {
    const span = { from: Math.max(p.from, year * 12), to: Math.min(p.to, year * 12 + 11) };
    const A = side(ra, span);
    const B = side(rb, span);
    return {
      year,
      months: periodMonths(span),
      countA: A.count,
      countB: B.count,
      rateA: A.rate,
      rateB: B.rate,
      // How many of B per one of A (e.g. INEGI deaths per SESNSP investigation).
      ratio: A.count && B.count !== null ? B.count / A.count : null,
    };
  });
  const notes = wholeYears(p) ? [] : ['annualised'];
  return {
    a: meta(ra, pop, notes),
    b: meta(rb, pop, notes),
    area: { code: q.area, name: areaName(deps, q.area) },
    period: periodInfo(p),
    years,
  };
}

/** What the module offers: sources with their releases, crimes and population series. */
export async function catalogue(deps: IndicatorsDeps) {
  const releases = await listReleases(deps);
  const pops = await store.populationSeriesList(deps.handle.db);
  return {
    sources: Object.values(SOURCES).map((s) => ({
      id: s.id,
      publisher: s.publisher,
      methodology: s.methodology,
      unit: s.unit,
      national: s.national,
      crimes: [...s.crimes],
      levels: [...s.levels],
      releases: releases
        .filter((r) => r.source === s.id && r.status === 'active')
        .map((r) => ({
          id: r.id,
          release: r.release,
          level: r.level,
          current: r.current,
          coverage: r.coverage,
          crimes: r.crimes,
          importedAt: r.importedAt,
          change: r.change,
        })),
    })),
    crimes: Object.values(CRIMES).map((c) => ({ key: c.key, family: c.family })),
    states: areasOf(deps).states.map((x) => ({ code: x.code, name: x.name })),
    populations: Object.values(POPULATIONS).map((def) => {
      const loaded = pops.find((x) => x.id === (def.basis ?? def.id));
      const census = (def.basis ?? def.id) === 'censo-2020';
      return {
        id: def.id,
        method: def.method,
        levels: [...def.levels],
        firstYear: def.method === 'constant' ? null : census ? 2020 : (loaded?.firstYear ?? null),
        lastYear: def.method === 'constant' ? null : census ? 2020 : (loaded?.lastYear ?? null),
        available: census || !!loaded,
      };
    }),
  };
}

// ── the platform's own data ─────────────────────────────────────────────────

export type PlatformQuery = { measure: string; period: string; population?: 'censo-2020' | 'censo-2020-fijo' };

/**
 * The platform's own counts (911 calls, crime records) by area through the same engine: rates per
 * 100,000 with the 2020 census (INEGI municipalities) or the adapter's own population (colonias),
 * shares of the total, a ranking, and the adapter's non-additive statistics beside them.
 */
export async function platformIndicator(deps: IndicatorsDeps, adapter: AreaCountsAdapter, actor: Actor, q: PlatformQuery) {
  const p = periodParam(q.period, 'period');
  if (periodMonths(p) > 24) fail(400, 'platform_range', 'error.indicators.platform_range', {}, 'period');
  if (!adapter.measures.some((m) => m.key === q.measure))
    fail(400, 'validation', 'error.validation', { field: 'measure', detail: adapter.measures.map((m) => m.key).join(', ') }, 'measure');
  const counts = await adapter.monthlyCounts(actor, { measure: q.measure, from: p.from, to: p.to });
  const unlocatedSeries = counts.get('') ?? [];
  counts.delete('');
  const months = periodMonths(p);
  const cube = withSumRow(buildCube(p.from, months, counts), NATIONAL, () => true);
  const totals = countsOf(cube, p);
  const unlocated = unlocatedSeries.reduce((n, v) => n + v, 0);
  const total = totals[cube.index.get(NATIONAL)!] + unlocated;
  const stats = await adapter.periodStats(actor, { from: p.from, to: p.to });
  let pop: Population | null = null;
  let own: Map<string, { name: string; population: number }> | undefined;
  if (adapter.level === 'municipality') pop = await population(deps, q.population ?? 'censo-2020-fijo', 'municipality', p, q.period);
  else own = adapter.population?.();
  const rows = cube.areas
    .filter((code) => code !== NATIONAL)
    .map((code) => {
      const count = totals[cube.index.get(code)!];
      const py = pop ? personYearsOf(pop, code, p) : ((own?.get(code)?.population ?? NaN) * months) / 12;
      const rate = ratePer100k(count, py);
      return {
        code,
        name: own?.get(code)?.name ?? areaName(deps, code),
        count,
        population: Number.isNaN(py) ? null : Math.round((py * 12) / months),
        rate,
        share: total ? (count * 100) / total : null,
        stats: stats.get(code) ?? {},
        value: rate,
      };
    });
  const monthly = [];
  for (let m = p.from; m <= p.to; m++) {
    monthly.push({
      month: monthLabel(m),
      count: countOf(cube, cube.index.get(NATIONAL)!, { from: m, to: m }) + (unlocatedSeries[m - p.from] ?? 0),
    });
  }
  const constant = own !== undefined || (pop !== null && POPULATIONS[pop.id].method === 'constant');
  const notes = ['platform_data', ...(constant ? ['population_constant'] : []), ...(wholeYears(p) ? [] : ['annualised'])];
  return {
    dataset: adapter.id,
    measure: q.measure,
    level: adapter.level,
    period: periodInfo(p),
    population: pop?.id ?? null,
    notes,
    total,
    unlocated,
    monthly,
    rows: rank(rows).map(({ value: _value, ...row }) => row),
  };
}

// ── seed data ────────────────────────────────────────────────────────────────

/**
 * The shipped releases, oldest vintage first so that the 2018 CNSP/38 release replaces the 2014 one
 * with the revisions recorded.
 */
export const SEED_RELEASES: readonly { source: SourceId; release: string; file: string }[] = [
  { source: 'sesnsp-cnsp38', release: '2014-04', file: 'sesnsp_cnsp38_state_month_1997_2014m03_vintage2014.csv' },
  { source: 'sesnsp-cnsp38', release: '2018-07', file: 'sesnsp_cnsp38_state_month_1997_2017.csv' },
  { source: 'sesnsp-nm', release: '2022-03', file: 'sesnsp_nm_state_month_2015_2022m03.csv' },
  { source: 'sesnsp-nm-victims', release: '2025-06', file: 'sesnsp_nm_victims_state_month_2015_2025m06.csv' },
  { source: 'inegi-homicides', release: '2018-07', file: 'inegi_homicides_state_month_1990_2016.csv' },
];

/**
 * Loads the shipped statistics into an empty database (first start), like the geography: the
 * CONAPO population series and the SESNSP and INEGI releases not yet present. Returns how many
 * releases it loaded (0 on every later start).
 */
export async function loadSeedData(deps: IndicatorsDeps): Promise<number> {
  await ensurePopulation(deps, 'conapo-2010', 'conapo2010_state_population_1990_2030.csv');
  await ensurePopulation(deps, 'conapo-2023', 'conapo2023_state_population_1990_2030.csv');
  const present = new Set((await store.listReleases(deps.handle.db)).map((r) => `${r.source}|${r.release}`));
  let loaded = 0;
  for (const seed of SEED_RELEASES) {
    if (present.has(`${seed.source}|${seed.release}`)) continue;
    const bytes = fs.readFileSync(path.join(DATA_DIR, seed.file));
    await importRelease(deps, { system: 'seed' }, { source: seed.source, release: seed.release, fileName: seed.file, bytes });
    loaded++;
  }
  return loaded;
}
