/**
 * Indicators benchmark: ranking all 2,469 municipalities by rate over ten years of monthly data for
 * one crime, with the cache cold and warm, beside a plain SQL `group by` over the same rows measured
 * in the same run, on SQLite and (when its binaries are installed) PostgreSQL.
 *
 *   npx tsx bench/indicators.bench.ts            (npm run bench:indicators)
 *   npx tsx bench/indicators.bench.ts sqlite     (one database only: sqlite | postgres)
 *
 * There is no real municipal SESNSP file in the repository, so the municipal series are
 * **generated**: each month's real state count of the shipped CNSP/38 file (homicidio doloso,
 * release 2018-07, 2008-01 … 2017-12) is split among the state's municipalities in proportion to
 * their 2020 census population times a deterministic noise factor (0.75–1.25, seeded PRNG), rounded
 * by largest remainder so that the municipalities add up to the state's figure exactly. The result
 * is written in SESNSP's own old municipal layout (AÑO, INEGI, ENTIDAD, MUNICIPIO, MODALIDAD, TIPO,
 * SUBTIPO, ENERO … DICIEMBRE; 24,690 rows) and loaded through the real importer as a municipal release.
 * Nothing generated is kept: the databases are temporary.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { createGeoService } from '../src/geo/geo.service.js';
import { openDatabase, type Db } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { MONTHS_ES } from '../src/indicators/catalogue.js';
import {
  clearCache,
  createIndicatorsDeps,
  importRelease,
  loadSeedData,
  ranking,
  type IndicatorsDeps,
} from '../src/indicators/indicators.service.js';
import { postgresAvailable, startCluster, type Cluster } from '../test/support/postgres.js';
import { fmt, percentile } from './support/stats.js';

const FIRST_YEAR = 2008;
const YEARS = 10;
const COLD_RUNS = 30;
const WARM_RUNS = 500;
const BASELINE_RUNS = 30;

type Kind = 'sqlite' | 'postgres';

function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Real state series: state code → 120 monthly counts of homicidio doloso (CNSP/38, 2018-07). */
function stateSeries(): Map<string, number[]> {
  const text = fs.readFileSync(path.resolve(import.meta.dirname, '../src/indicators/data/sesnsp_cnsp38_state_month_1997_2017.csv'), 'utf8');
  const [head, ...rows] = text.trim().split('\n');
  const col = head.split(',').indexOf('homicidio_doloso');
  const out = new Map<string, number[]>();
  for (const row of rows) {
    const c = row.split(',');
    const year = Number(c[0]);
    if (year < FIRST_YEAR || year >= FIRST_YEAR + YEARS) continue;
    const code = c[2].padStart(2, '0');
    const list = out.get(code) ?? new Array<number>(YEARS * 12).fill(0);
    list[(year - FIRST_YEAR) * 12 + Number(c[1]) - 1] = Number(c[col]);
    out.set(code, list);
  }
  return out;
}

/** Splits n among weights by largest remainder: integers summing to n exactly. */
function split(n: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (n * w) / total);
  const out = exact.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k++, left--) out[order[k % order.length][1]]++;
  return out;
}

/** The generated municipal release in SESNSP's old municipal layout, and the same cells as rows for the SQL baseline. */
function generate() {
  const geo = createGeoService().catalogue();
  const random = seededRandom(2026);
  const states = stateSeries();
  const stateName = new Map(geo.states.map((s) => [s.code, s.name]));
  const byState = new Map<string, { code: string; name: string; population: number; noise: number }[]>();
  for (const m of geo.municipalities) {
    const list = byState.get(m.stateCode) ?? [];
    list.push({ code: m.code, name: m.name, population: m.population, noise: 0.75 + random() * 0.5 });
    byState.set(m.stateCode, list);
  }
  const series = new Map<string, number[]>();
  for (const [state, counts] of states) {
    const muns = byState.get(state)!;
    const weights = muns.map((m) => m.population * m.noise);
    for (const m of muns) series.set(m.code, new Array<number>(counts.length).fill(0));
    counts.forEach((n, k) => split(n, weights).forEach((v, i) => (series.get(muns[i].code)![k] = v)));
  }
  const lines = [`AÑO,INEGI,ENTIDAD,MUNICIPIO,MODALIDAD,TIPO,SUBTIPO,${MONTHS_ES.map((m) => m.toUpperCase()).join(',')}`];
  for (const m of geo.municipalities) {
    const values = series.get(m.code)!;
    for (let y = 0; y < YEARS; y++) {
      const name = m.name.includes(',') ? `"${m.name}"` : m.name;
      lines.push(
        [
          FIRST_YEAR + y,
          m.code,
          stateName.get(m.stateCode),
          name,
          'HOMICIDIOS',
          'DOLOSOS',
          'OTROS',
          ...values.slice(y * 12, y * 12 + 12),
        ].join(','),
      );
    }
  }
  // The publisher's files are Latin-1.
  return {
    file: Buffer.from(lines.join('\r\n') + '\r\n', 'latin1'),
    series,
    population: new Map(geo.municipalities.map((m) => [m.code, m.population])),
    rows: lines.length - 1,
  };
}

/**
 * Runs `work` `runs` times, one query per turn of the event loop (a setImmediate between them), and
 * measures its wall time, the process's CPU time (all threads: V8's concurrent GC included) and how
 * long the event loop was held: the delay of a 1 ms timer, which is what a concurrent request waits.
 */
async function timed<T>(runs: number, before: () => void, work: (i: number) => Promise<T>) {
  const wall: number[] = [];
  const cpu: number[] = [];
  let last: T | undefined;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  for (let i = 0; i < runs; i++) {
    before();
    await new Promise((r) => setImmediate(r));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = await work(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  loop.disable();
  return {
    p50: percentile(wall, 50),
    p95: percentile(wall, 95),
    cpu50: percentile(cpu, 50),
    cpu95: percentile(cpu, 95),
    // The histogram holds nanoseconds, and counts the timer's own 1 ms.
    block99: Math.max(0, loop.percentile(99) / 1e6 - 1),
    blockMax: Math.max(0, loop.max / 1e6 - 1),
    last: last!,
  };
}

type Row = { label: string; p50: number; p95: number; cpu50: number; cpu95: number; block99: number; blockMax: number };

async function benchOne(
  kind: Kind,
  cluster: Cluster | undefined,
  data: ReturnType<typeof generate>,
): Promise<{ rows: Row[]; importMs: number; check: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-bench-ind-'));
  let databaseUrl: string | undefined;
  if (kind === 'postgres') {
    const name = `bench_${crypto.randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: cluster!.url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(cluster!.url);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
  }
  const handle: Db = openDatabase({ dataDir, databaseUrl });
  try {
    await migrateToLatest(handle);
    const deps: IndicatorsDeps = createIndicatorsDeps(handle, createGeoService());
    await loadSeedData(deps);
    const t0 = performance.now();
    const imported = await importRelease(
      deps,
      { system: 'bench' },
      { source: 'sesnsp-cnsp38', release: '2018-07', fileName: 'generado-municipal.csv', bytes: data.file },
    );
    const importMs = performance.now() - t0;
    if (imported.release?.level !== 'municipality') throw new Error('the generated release did not load as municipal');

    const query = (period: string) =>
      ranking(deps, {
        source: 'sesnsp-cnsp38',
        crime: 'homicidio_doloso',
        level: 'municipality',
        period,
        population: 'censo-2020-fijo',
        by: 'rate',
      });
    const tenYears = `${FIRST_YEAR}..${FIRST_YEAR + YEARS - 1}`;
    // Warm-up: JIT and the geography's catalogue.
    await query(tenYears);
    const cold = await timed(
      COLD_RUNS,
      () => clearCache(deps, { populations: false }),
      () => query(tenYears),
    );
    const coldAll = await timed(
      COLD_RUNS,
      () => clearCache(deps),
      () => query(tenYears),
    );
    const random = seededRandom(7);
    const periods = Array.from({ length: WARM_RUNS }, () => {
      const a = FIRST_YEAR + Math.floor(random() * YEARS);
      const b = a + Math.floor(random() * (FIRST_YEAR + YEARS - a));
      return `${a}..${b}`;
    });
    periods[0] = tenYears;
    const warm = await timed(
      WARM_RUNS,
      () => {},
      (i) => query(periods[i]),
    );
    const warmTen = await timed(
      WARM_RUNS,
      () => {},
      () => query(tenYears),
    );
    const json = await timed(
      WARM_RUNS,
      () => {},
      async () => JSON.stringify(await query(tenYears)).length,
    );

    // Baseline: the same cells as plain rows, one per municipality and month, ranked by SQL.
    await sql`create table bench_cell (area_code varchar(5) not null, month integer not null, value integer not null)`.execute(handle.db);
    await sql`create table bench_population (area_code varchar(5) primary key, population integer not null)`.execute(handle.db);
    const first = FIRST_YEAR * 12;
    const cells: { area_code: string; month: number; value: number }[] = [];
    for (const [code, values] of data.series) values.forEach((value, k) => cells.push({ area_code: code, month: first + k, value }));
    await handle.db.transaction().execute(async (trx) => {
      for (let i = 0; i < cells.length; i += 5000) {
        const chunk = cells.slice(i, i + 5000);
        await sql`insert into bench_cell (area_code, month, value) values ${sql.join(chunk.map((c) => sql`(${c.area_code}, ${c.month}, ${c.value})`))}`.execute(
          trx,
        );
      }
      const pops = [...data.population];
      for (let i = 0; i < pops.length; i += 1000) {
        await sql`insert into bench_population (area_code, population) values ${sql.join(pops.slice(i, i + 1000).map(([c, p]) => sql`(${c}, ${p})`))}`.execute(
          trx,
        );
      }
    });
    await sql`create index bench_cell_month on bench_cell (month, area_code, value)`.execute(handle.db);
    if (kind === 'postgres') await sql`analyze`.execute(handle.db);
    else await sql`analyze`.execute(handle.db);
    const months = YEARS * 12;
    const baseline = await timed(
      BASELINE_RUNS,
      () => {},
      async () =>
        (
          await sql<{ areaCode: string; n: number; rate: number }>`
            select c.area_code, sum(c.value) as n, sum(c.value) * 100000.0 / (p.population * ${months} / 12.0) as rate
            from bench_cell c join bench_population p on p.area_code = c.area_code
            where c.month between ${first} and ${first + months - 1}
            group by c.area_code, p.population
            order by rate desc`.execute(handle.db)
        ).rows,
    );
    // The two must agree: same municipalities, same counts, in the same order at the top.
    const ours = cold.last.rows.filter((r) => r.rank !== null).slice(0, 20);
    const theirs = baseline.last.slice(0, 20);
    const agree = ours.every((r, i) => r.code === theirs[i].areaCode && r.count === Number(theirs[i].n));
    const check = `${agree ? 'agree' : 'DISAGREE'} (top 20: ${ours
      .slice(0, 3)
      .map((r) => `${r.code} ${r.count}`)
      .join(', ')} …; ${cold.last.rows.length} ranked rows)`;
    return {
      importMs,
      check,
      rows: [
        { label: 'ranking, cube cold (read the crime block, build the cube, rank)', ...cold },
        { label: '  … population table cold too (first query after a start)', ...coldAll },
        { label: 'ranking, cache warm, random periods within the ten years', ...warm },
        { label: 'ranking, cache warm, the ten years', ...warmTen },
        { label: '  … plus JSON of the answer (2,469 rows)', ...json },
        { label: 'baseline: SQL group by + join + order over 296,280 rows', ...baseline },
      ],
    };
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const only = process.argv[2] as Kind | undefined;
const kinds: Kind[] = only ? [only] : postgresAvailable() ? ['sqlite', 'postgres'] : ['sqlite'];
const started = performance.now();
const data = generate();
console.log(
  `\nindicators benchmark — ${data.series.size.toLocaleString('en-US')} municipalities × ${YEARS * 12} months (${FIRST_YEAR}-01 … ${FIRST_YEAR + YEARS - 1}-12), one crime (generated from the real state series); node ${process.version}\n`,
);
let cluster: Cluster | undefined;
try {
  if (kinds.includes('postgres')) cluster = await startCluster({ durable: true });
  for (const kind of kinds) {
    const r = await benchOne(kind, cluster, data);
    console.log(
      `${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: import of the generated release (${data.rows.toLocaleString('en-US')} rows, Latin-1): ${fmt(r.importMs)} ms`,
    );
    const w = Math.max(...r.rows.map((x) => x.label.length));
    console.log(`${''.padEnd(w)}   p50 ms   p95 ms   CPU ms p50 / p95   loop held ms p99 / max`);
    for (const x of r.rows)
      console.log(
        `${x.label.padEnd(w)}  ${fmt(x.p50, 2).padStart(7)}  ${fmt(x.p95, 2).padStart(7)}   ${`${fmt(x.cpu50, 1)} / ${fmt(x.cpu95, 1)}`.padStart(15)}   ${`${fmt(x.block99, 1)} / ${fmt(x.blockMax, 1)}`.padStart(20)}`,
      );
    console.log(`results vs baseline: ${r.check}\n`);
  }
} finally {
  cluster?.stop();
}
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
