/**
 * Crime map engine benchmark (issue 5): the in-memory column store against DuckDB on the same
 * data, the hotspot statistics at portal sizes, memory per record, and the server under load —
 * map questions from 20 analysts while 911 incidents are created, and what that does to dispatch.
 *
 *   npx tsx bench/analysis.bench.ts                      (npm run bench:analysis: 1M and 10M records)
 *   npx tsx bench/analysis.bench.ts --records 1000000    (one size)
 *   npx tsx bench/analysis.bench.ts --no-server          (part A only; --server-only: part B only)
 *
 * A. Engine vs DuckDB, in this process, per size. Records are resampled (seeded) from the 110,507 real
 *    Mexico City rows of src/records/data/incidents (put through the records module's checks once, so
 *    each has its real colonia, quadrant and alcaldía): the point moved by up to ±0.001° (≈ ±110 m),
 *    the date by up to ±3 days, the time by up to ±30 min; H3 cells recomputed for the moved point
 *    (resolution 10 by h3-js, its parents from the index bits). They are appended to the engine's
 *    column store exactly as the store worker appends records read from the database. DuckDB
 *    (@duckdb/node-api, in memory, no extensions, its default threads = the machine's cores) gets the
 *    same records from the store's columns through its appender: the H3 resolution-9 id as BIGINT
 *    (computed in JS, DuckDB has no H3 without an extension), x and y (EPSG:6372 metres) as DOUBLE,
 *    the colonia as a precomputed integer id, the classification node, the day and the minute. Each
 *    aggregation returns (unit, count) pairs to JavaScript on both sides — the engine: filter and
 *    count (one pass) + unit ids; DuckDB: `SELECT … GROUP BY` and its rows. Median of 9 runs, alternating, after a warm-up; ratio =
 *    DuckDB ÷ engine (above 1: the engine is faster). Then Gi* over ~100,000 grid cells (queen) and a
 *    1000 × 1000 KDE, and the engine's whole answer (GeoJSON text with geometry) for the map.
 *
 * B. The real server (child process, SQLite, the 110,507 real rows imported by the records
 *    importer, preloaded into the engine at start). Three phases of 15 s: 911 incident creations on
 *    a fixed schedule (open loop, 100/s, latency from the scheduled time) alone; 20 analysts asking
 *    map questions back to back (in their own worker thread, so the dispatch client's event loop is not
 *    the one receiving their answers) (aggregates by H3 9, 250 m grid and colonias, series, matrices, with
 *    filters) alone; both together. Prints map p50/p95 and dispatch p50/p99 with and without.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIGINT, DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, SMALLINT, type DuckDBConnection } from '@duckdb/node-api';
import { latLngToCell } from 'h3-js';
import { giStar } from '../src/analysis/gistar.js';
import { countPointsInGrid, gridCovering } from '../src/analysis/grid.js';
import { kdeQuartic } from '../src/analysis/kde.js';
import { seededRandom } from '../src/analysis/random.js';
import { latticeContiguity } from '../src/analysis/weights.js';
import { loadAreas } from '../src/analysis/engine/areas.js';
import { dateOf, dayOf } from '../src/analysis/engine/calendar.js';
import { classificationIndex } from '../src/analysis/engine/classification.js';
import {
  appendRows,
  BYTES_PER_RECORD,
  columnBytes,
  createColumnStore,
  sortByDay,
  type ColumnStore,
} from '../src/analysis/engine/columns.js';
import { compileFilter } from '../src/analysis/engine/filter.js';
import { aggregate, type EngineContext } from '../src/analysis/engine/queries.js';
import { incidentsFile, readIncidents, realRows, rowId } from '../src/analysis/engine/real-rows.js';
import { countUnitsFiltered } from '../src/analysis/engine/units.js';
import { openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { createGeoService } from '../src/geo/geo.service.js';
import { h3Parent } from '../src/records/crime-checks.js';
import type { CrimeRowForAnalysis } from '../src/records/crime.service.js';
import { createImportJob, runImport } from '../src/records/import.service.js';
import { createClient, login, type ApiClient, type Session } from './support/api-client.js';
import { nextDemoCode } from './support/demo-mfa.js';
import { startAnalysts } from './support/map-analysts.js';
import { startServer } from './support/server-process.js';
import { fmt, percentile, sleep } from './support/stats.js';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
};
const SIZES = arg('--records') ? [Number(arg('--records'))] : [1_000_000, 10_000_000];
const SERVER = !args.includes('--no-server');
const ENGINE = !args.includes('--server-only');
const RUNS = 9;
const ANALYSTS = 20;
const DISPATCH_RATE = 100;
const PHASE_MS = 15_000;

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function timeAsync(fn: () => Promise<number>): Promise<{ ms: number; size: number }> {
  let size = await fn();
  const wall: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    size = await fn();
    wall.push(performance.now() - t0);
  }
  return { ms: median(wall), size };
}

/**
 * Median times of two ways of answering, warmed up, then run alternately (the machine is shared:
 * whatever else runs weighs on both alike).
 */
async function compare(a: () => Promise<number>, b: () => Promise<number>) {
  const ta: number[] = [];
  const tb: number[] = [];
  let sa = await a();
  let sb = await b();
  for (let k = 0; k < RUNS; k++) {
    // A pause before each timed run: DuckDB's threads (and the collector) settle, neither inherits the other's work.
    await sleep(30);
    let t0 = performance.now();
    sa = await a();
    ta.push(performance.now() - t0);
    await sleep(30);
    t0 = performance.now();
    sb = await b();
    tb.push(performance.now() - t0);
  }
  return { e: { ms: median(ta), size: sa }, d: { ms: median(tb), size: sb } };
}

// ── A. generated records ────────────────────────────────────────────────────

/** Resampled real records, in batches (the sample is never held whole). */
function* generated(base: CrimeRowForAnalysis[], n: number, batch = 100_000): Generator<CrimeRowForAnalysis[]> {
  const random = seededRandom(20_150_101);
  const first = dayOf('2013-01-01');
  const last = dayOf('2015-12-31');
  for (let start = 0; start < n; start += batch) {
    const rows: CrimeRowForAnalysis[] = [];
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const src = base[random.int(base.length)];
      const lat = src.lat + (random.next() - 0.5) * 0.002;
      const lon = src.lon + (random.next() - 0.5) * 0.002;
      const day = Math.min(last, Math.max(first, dayOf(src.occurredOn) + Math.round((random.next() - 0.5) * 6)));
      let time = src.occurredTime;
      if (time) {
        const m = (Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)) + Math.round((random.next() - 0.5) * 60) + 1440) % 1440;
        time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      }
      const r10 = latLngToCell(lat, lon, 10);
      rows.push({
        ...src,
        id: rowId(i + 1),
        lat,
        lon,
        occurredOn: dateOf(day),
        occurredTime: time,
        h3R10: r10,
        h3R9: h3Parent(r10, 9),
        h3R8: h3Parent(r10, 8),
        h3R7: h3Parent(r10, 7),
      });
    }
    yield rows;
  }
}

/** DuckDB in memory with the store's records: the columns the aggregations need. */
async function duckdbFrom(s: ColumnStore): Promise<{ con: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run('create table crimes (h3_9 BIGINT, x DOUBLE, y DOUBLE, colonia INTEGER, cls INTEGER, day INTEGER, minute SMALLINT)');
  // H3 ids as 64-bit integers, computed here (DuckDB would need its h3 extension).
  const h3Big = s.dict.h3[2].values.map((cell) => BigInt(`0x${cell}`));
  const appender = await con.createAppender('crimes');
  const CHUNK = 2048;
  for (let start = 0; start < s.n; start += CHUNK) {
    const n = Math.min(CHUNK, s.n - start);
    const chunk = DuckDBDataChunk.create([BIGINT, DOUBLE, DOUBLE, INTEGER, INTEGER, INTEGER, SMALLINT], n);
    const at = (a: ArrayLike<number>) => Array.from({ length: n }, (_, k) => a[start + k]);
    chunk.setColumnValues(
      0,
      Array.from({ length: n }, (_, k) => h3Big[s.h3r9[start + k]]),
    );
    chunk.setColumnValues(1, at(s.x));
    chunk.setColumnValues(2, at(s.y));
    chunk.setColumnValues(3, at(s.colonia));
    chunk.setColumnValues(4, at(s.cls));
    chunk.setColumnValues(5, at(s.day));
    chunk.setColumnValues(6, at(s.minute));
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
  return { con, close: () => (con.closeSync(), instance.closeSync()) };
}

type Row = [string, string, string, string];

async function partA(base: CrimeRowForAnalysis[], n: number): Promise<Row[]> {
  const out: Row[] = [];
  const areas = loadAreas();
  global.gc?.();
  const mem0 = process.memoryUsage();
  const store = createColumnStore(areas, classificationIndex(), 1024);
  let genMs = 0;
  let appendMs = 0;
  const batches = generated(base, n);
  for (;;) {
    const g0 = performance.now();
    const next = batches.next();
    genMs += performance.now() - g0;
    if (next.done) break;
    const a0 = performance.now();
    appendRows(store, next.value);
    appendMs += performance.now() - a0;
  }
  const s0 = performance.now();
  sortByDay(store);
  const sortMs = performance.now() - s0;
  global.gc?.();
  const mem1 = process.memoryUsage();
  console.log(`  ${fmt(n)} records: generated in ${fmt(genMs / 1000, 1)} s, appended in ${fmt(appendMs / 1000, 1)} s`);
  out.push(['records in the store', fmt(store.n), '', '']);
  out.push(['append to the store (µs/record)', fmt((appendMs * 1000) / store.n, 2), '', 'in the worker, from records as read']);
  out.push(['sort the store by day, once after loading', `${fmt(sortMs)} ms`, '', 'date ranges then scan one slice']);
  out.push(['memory: columns (bytes/record)', `${BYTES_PER_RECORD}`, '', `${mb(columnBytes(store))}; aim ≤ 100 bytes/record`]);
  out.push([
    'memory: typed arrays / JS heap growth (bytes/record)',
    `${fmt((mem1.arrayBuffers - mem0.arrayBuffers) / store.n, 1)} / ${fmt((mem1.heapUsed - mem0.heapUsed) / store.n, 1)}`,
    '',
    `measured after GC; the heap holds the dictionaries (${fmt(store.dict.h3.reduce((t, d) => t + d.values.length, 0))} H3 cells); RSS +${mb(mem1.rss - mem0.rss)}`,
  ]);
  const t0 = performance.now();
  const duck = await duckdbFrom(store);
  console.log(`  DuckDB loaded in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  const ctx: EngineContext = { store, areas, publicMap: { snap: 'h3', minCount: 5 } };
  const all = compileFilter(store, areas, {}, { all: true });
  const filterInput = { classification: '4.1', from: '2014-01-01', to: '2014-12-31', hours: '18-23' };
  const filtered = compileFilter(store, areas, filterInput, { all: true });
  const k41 = store.classes.indexOf.get('4.1')!;
  const duckWhere = `cls >= ${k41} and cls < ${store.classes.end[k41]} and day between ${dayOf('2014-01-01')} and ${dayOf('2014-12-31')} and minute >= 1080`;

  const engineCount = (f: typeof all, spec: Parameters<typeof countUnitsFiltered>[2], ids: (k: number) => string | number) => async () => {
    const units = countUnitsFiltered(store, f, spec);
    const pairs: [string | number, number][] = new Array(units.keys.length);
    for (let p = 0; p < units.keys.length; p++) pairs[p] = [ids(units.keys[p]), units.counts[p]];
    return pairs.length;
  };
  const duckCount = (sql: string) => async () => (await (await duck.con.run(sql)).getRows()).length;
  const h3Ids = store.dict.h3[2].values;
  const colIds = store.dict.colonia.values;
  const cases: [string, () => Promise<number>, () => Promise<number>][] = [
    [
      'H3 resolution 9, all records',
      engineCount(all, { unit: 'h3', resolution: 9 }, (k) => h3Ids[k]),
      duckCount('select h3_9, count(*) from crimes group by h3_9'),
    ],
    [
      '250 m grid, all records',
      engineCount(all, { unit: 'grid', cellSize: 250 }, (k) => k),
      duckCount('select floor(x / 250) as gx, floor(y / 250) as gy, count(*) from crimes group by gx, gy'),
    ],
    [
      'colonias, all records',
      engineCount(all, { unit: 'colonia' }, (k) => colIds[k]),
      duckCount('select colonia, count(*) from crimes where colonia > 0 group by colonia'),
    ],
    [
      'H3 9, robbery in 2014, 18–23 h',
      engineCount(filtered, { unit: 'h3', resolution: 9 }, (k) => h3Ids[k]),
      duckCount(`select h3_9, count(*) from crimes where ${duckWhere} group by h3_9`),
    ],
    [
      'colonias, robbery in 2014, 18–23 h',
      engineCount(filtered, { unit: 'colonia' }, (k) => colIds[k]),
      duckCount(`select colonia, count(*) from crimes where colonia > 0 and ${duckWhere} group by colonia`),
    ],
  ];
  for (const [label, engine, duckdb] of cases) {
    const { e, d } = await compare(engine, duckdb);
    if (e.size !== d.size) console.warn(`  ⚠ ${label}: the engine found ${e.size} units, DuckDB ${d.size}`);
    out.push([`${label} (${fmt(e.size)} units)`, `${fmt(e.ms, 1)} ms`, `${fmt(d.ms, 1)} ms`, `ratio ${fmt(d.ms / e.ms, 2)}`]);
  }
  duck.close();

  // The whole answer the map receives (GeoJSON text with polygons; geometry cached after the first).
  for (const [label, q] of [
    ['GeoJSON answer: H3 9, robbery 2014', { unit: 'h3' as const, resolution: 9, ...filterInput }],
    ['GeoJSON answer: colonias, all', { unit: 'colonia' as const }],
  ] as const) {
    let bytes = 0;
    const r = await timeAsync(async () => {
      bytes = aggregate(ctx, q, { all: true }).length;
      return bytes;
    });
    out.push([label, `${fmt(r.ms, 1)} ms`, '', mb(bytes)]);
  }

  // Gi* over ~100,000 cells: the city's extent in square cells, queen contiguity.
  const x = Float64Array.from(store.x);
  const y = Float64Array.from(store.y);
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < store.n; i++) {
    xmin = Math.min(xmin, x[i]);
    xmax = Math.max(xmax, x[i]);
    ymin = Math.min(ymin, y[i]);
    ymax = Math.max(ymax, y[i]);
  }
  const cell = Math.sqrt(((xmax - xmin) * (ymax - ymin)) / 100_000);
  const lattice = gridCovering(xmin, ymin, xmax + 1e-6, ymax + 1e-6, cell);
  const counts = countPointsInGrid(lattice, x, y);
  let wMs = 0;
  const gi = await timeAsync(async () => {
    const w0 = performance.now();
    const w = latticeContiguity(lattice.rows, lattice.cols, 'queen');
    wMs = performance.now() - w0;
    return giStar(counts, w).z.length;
  });
  out.push([
    `Gi* over ${fmt(lattice.rows * lattice.cols)} cells (${fmt(cell)} m, queen)`,
    `${fmt(gi.ms, 1)} ms`,
    '',
    `weights ${fmt(wMs, 1)} ms of it; z, p, bins, FDR bins`,
  ]);

  // A 1000 × 1000 KDE of every record (quartic, 500 m).
  const side = Math.max(xmax - xmin, ymax - ymin) / 1000;
  const grid = { xmin, ymin, cellSize: side, cols: Math.ceil((xmax - xmin) / side), rows: Math.ceil((ymax - ymin) / side) };
  const t1 = performance.now();
  kdeQuartic(x, y, grid, 500, { method: 'binned' });
  out.push([`KDE ${grid.cols} × ${grid.rows}, quartic 500 m, binned`, `${fmt(performance.now() - t1)} ms`, '', `${fmt(side, 1)} m cells`]);
  if (store.n <= 2_000_000) {
    const t2 = performance.now();
    kdeQuartic(x, y, grid, 500, { method: 'exact' });
    out.push([`KDE ${grid.cols} × ${grid.rows}, quartic 500 m, exact`, `${fmt(performance.now() - t2)} ms`, '', '']);
  }
  return out;
}

// ── B. the server under load ────────────────────────────────────────────────

const TYPES = ['30101', '30404', '30422', '31101', '30307'];
const ZOCALO = { lat: 19.4326, lon: -99.1332 };
const jitter = () => Math.round((Math.random() - 0.5) * 0.02 * 1e6) / 1e6;

async function dispatchLoad(client: ApiClient, s: Session, offset: number) {
  const total = Math.round((DISPATCH_RATE * PHASE_MS) / 1000);
  const interval = 1000 / DISPATCH_RATE;
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const body = {
      typeCode: TYPES[(offset + i) % TYPES.length],
      location: { lat: ZOCALO.lat + jitter(), lon: ZOCALO.lon + jitter(), address: `Centro ${offset + i}` },
      note: `Carga de prueba ${offset + i}`,
    };
    pending.push(
      client
        .request('POST', '/api/dispatch/incidents', {
          session: s,
          body,
          headers: { 'idempotency-key': crypto.randomUUID() },
          timeoutMs: 20_000,
        })
        .then(
          (r) => {
            if (r.status === 201) latencies.push(performance.now() - due);
            else errors++;
          },
          () => void errors++,
        ),
    );
  }
  await Promise.all(pending);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

async function partB(): Promise<Row[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-bench-analysis-'));
  try {
    // The real rows, through the records importer (as `npm run cli -- records import`).
    const handle = openDatabase({ dataDir });
    await migrateToLatest(handle);
    const deps = { handle, geo: createGeoService() };
    let imported = 0;
    for (const year of [2013, 2014, 2015] as const) {
      const job = await createImportJob(
        deps,
        { agencyId: null, userId: null, name: 'bench' },
        { fileName: `${year}.csv`, mappingName: 'cdmx-ssp' },
      );
      const done = await runImport(deps, job.id, fs.createReadStream(incidentsFile(year)), { offset: 0 });
      imported += done.rowsAccepted;
    }
    await handle.close();
    console.log(`  server: ${fmt(imported)} real records imported`);
    const server = await startServer({ dataDir, startTimeoutMs: 120_000 });
    const client = createClient(server.url, { maxSockets: 64 });
    try {
      const target = { dataDir };
      const operador = await login(client, 'operador', () => nextDemoCode(target, 'operador'));
      const analista = await login(client, 'analista', () => nextDemoCode(target, 'analista'));
      const t0 = performance.now();
      const ready = await client.request('GET', '/api/analysis/matrix', { session: analista, timeoutMs: 120_000 });
      if (ready.status !== 200) throw new Error(`analysis: HTTP ${ready.status} ${ready.text}`);
      console.log(`  server: engine ready ${fmt(performance.now() - t0)} ms after the first question`);
      await dispatchLoad(client, operador, 0); // warm-up
      const alone = await dispatchLoad(client, operador, 10_000);
      const mapOnly = startAnalysts(server.url, analista, ANALYSTS);
      await sleep(PHASE_MS);
      const mapAlone = await mapOnly.stop();
      const mapLoaded = startAnalysts(server.url, analista, ANALYSTS);
      await sleep(1000);
      const together = await dispatchLoad(client, operador, 20_000);
      const mapWith = await mapLoaded.stop();
      // Alone again: the machine is shared, and what else runs drifts between phases.
      const aloneAgain = await dispatchLoad(client, operador, 30_000);
      const q = (l: number[]) => `${fmt(percentile(l, 50))} / ${fmt(percentile(l, 95))} ms`;
      return [
        [
          `map questions, ${ANALYSTS} analysts alone: p50 / p95`,
          q(mapAlone.latencies),
          '',
          `${fmt(mapAlone.latencies.length / (PHASE_MS / 1000), 1)}/s, ${mapAlone.errors} errors`,
        ],
        [
          `map questions with ${DISPATCH_RATE} incidents/s: p50 / p95`,
          q(mapWith.latencies),
          '',
          `${fmt(mapWith.latencies.length)} answered, ${mapWith.errors} errors`,
        ],
        [
          `dispatch ${DISPATCH_RATE}/s alone (before, after): p50 / p99`,
          `${fmt(alone.p50, 1)} / ${fmt(alone.p99, 1)} ms`,
          '',
          `after: ${fmt(aloneAgain.p50, 1)} / ${fmt(aloneAgain.p99, 1)} ms; ${alone.errors + aloneAgain.errors} errors`,
        ],
        [
          `dispatch ${DISPATCH_RATE}/s with ${ANALYSTS} analysts: p50 / p99`,
          `${fmt(together.p50, 1)} / ${fmt(together.p99, 1)} ms`,
          '',
          `${together.errors} errors`,
        ],
      ];
    } finally {
      client.close();
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ── run ─────────────────────────────────────────────────────────────────────

function table(title: string, rows: Row[]) {
  console.log(`\n${title}`);
  const w = [52, 18, 12];
  console.log(`${'measure'.padEnd(w[0])}${'engine'.padStart(w[1])}${'DuckDB'.padStart(w[2])}   note`);
  for (const [a, b, c, d] of rows) console.log(`${a.padEnd(w[0])}${b.padStart(w[1])}${c.padStart(w[2])}   ${d}`);
}

console.log(
  `bench:analysis — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const t0 = performance.now();
const base = realRows([2013, 2014, 2015].flatMap((y) => readIncidents(incidentsFile(y as 2013))));
console.log(`real rows checked and located: ${fmt(base.length)} in ${fmt((performance.now() - t0) / 1000, 1)} s`);
for (const n of ENGINE ? SIZES : []) {
  console.log(`\nA. ${fmt(n)} records`);
  table(`A. engine vs DuckDB, ${fmt(n)} records`, await partA(base, n));
}
if (SERVER) {
  console.log('\nB. server under load');
  table('B. the server: map questions and dispatch', await partB());
}
console.log(
  `\nload average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
