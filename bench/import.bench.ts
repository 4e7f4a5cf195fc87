/**
 * Bulk-import benchmark: the real importer (streamed CSV → checks, geography, H3 → batched
 * inserts with the job's committed position) on a file of 1,000,000 crimes, against the raw
 * bulk-insert rate of the same database, on SQLite and on PostgreSQL.
 *
 *   npx tsx bench/import.bench.ts                 (npm run bench:import)
 *   npx tsx bench/import.bench.ts sqlite          (one database only: sqlite | postgres)
 *   npx tsx bench/import.bench.ts --rows 200000   (a smaller file)
 *
 * The file is drawn from the real Mexico City records (src/records/data/incidents, copies of ../shared/data/incidents, 110,507 rows
 * of 2013–2015): each row is a real row resampled (seeded), its point moved by up to ±0.001°
 * (≈ ±110 m), its date by up to ±3 days and its time by up to ±30 min, with a new unique id; so
 * categories, places and dates follow the real distribution, and as in the real file a few
 * points fall just outside Mexico City (rejected: outside the declared state).
 *
 * Per database, in one run: a fresh database (SQLite as the server opens it: WAL,
 * synchronous=FULL; PostgreSQL: a throw-away cluster with fsync, synchronous_commit and
 * full_page_writes on), the import through `createImportJob` + `runImport` reading the file
 * from disk (what the CLI and the upload route run), resident memory sampled every 50 ms, then
 * the raw baseline: the same number of rows, built beforehand from rows the import stored,
 * inserted into a table with the same columns and indexes, 1,000 rows per multi-row INSERT, one
 * transaction per batch (the importer's batch size), through the bare driver.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openDatabase, type Db } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { createGeoService } from '../src/geo/geo.service.js';
import { createImportJob, runImport } from '../src/records/import.service.js';
import { newId } from '../src/platform/ids.js';
import { postgresAvailable, startCluster, type Cluster } from '../test/support/postgres.js';
import { processTreeCpuMs, selfCpuMs } from './support/cpu.js';
import { fmt } from './support/stats.js';

type Kind = 'sqlite' | 'postgres';
const DATA = path.resolve(import.meta.dirname, '../src/records/data/incidents');
const YEARS = ['2013', '2014', '2015'].map((y) => path.join(DATA, `cdmx-ssp-delitos-${y}.csv`));
const BATCH = 1000;
const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;

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

/** Writes `rows` resampled real rows to a CSV file, streamed (the sample is never held whole). */
async function generate(file: string, rows: number): Promise<void> {
  const real = YEARS.flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')),
  );
  const random = seededRandom(20_150_101);
  const first = Date.UTC(2013, 0, 1);
  const last = Date.UTC(2015, 11, 31);
  const out = fs.createWriteStream(file);
  out.write('id,date,time,crime,cuadrante,lat,lon\n');
  let chunk: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const [, date, time, crime, cuadrante, lat, lon] = real[Math.floor(random() * real.length)];
    const day = Math.min(last, Math.max(first, Date.parse(`${date}T00:00:00Z`) + Math.round((random() - 0.5) * 6) * 86_400_000));
    let hhmm = time;
    if (time) {
      const minutes = (Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)) + Math.round((random() - 0.5) * 60) + 1440) % 1440;
      hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    }
    const jitter = () => (random() - 0.5) * 0.002;
    chunk.push(
      `${i},${new Date(day).toISOString().slice(0, 10)},${hhmm},${crime},${cuadrante},${(Number(lat) + jitter()).toFixed(5)},${(Number(lon) + jitter()).toFixed(5)}`,
    );
    if (chunk.length === 10_000 || i === rows) {
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end();
  await once(out, 'finish');
}

type Result = {
  kind: Kind;
  rows: number;
  accepted: number;
  rejected: number;
  seconds: number;
  rate: number;
  raw: number;
  rawRows: number;
  rss: { base: number; at10: number; at50: number; at100: number; peak: number };
  cpuSelf: number;
  cpuDb?: number;
};

const tempDirs: string[] = [];

async function target(kind: Kind, cluster: Cluster | undefined): Promise<{ handle: Db; dataDir: string; url?: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-bench-import-'));
  tempDirs.push(dataDir);
  if (kind === 'sqlite') return { handle: openDatabase({ dataDir }), dataDir };
  const name = `bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster!.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(cluster!.url);
  u.pathname = `/${name}`;
  return { handle: openDatabase({ databaseUrl: u.toString(), dataDir }), dataDir, url: u.toString() };
}

const COLUMNS = [
  'id',
  'classification_code',
  'occurred_on',
  'occurred_time',
  'lat',
  'lon',
  'state_code',
  'municipality_code',
  'colonia_id',
  'quadrant_id',
  'h3_r7',
  'h3_r8',
  'h3_r9',
  'h3_r10',
  'violent',
  'status',
  'source',
  'source_ref',
  'source_dataset',
  'source_id',
  'owner_agency_id',
  'created_at',
  'created_by',
];

/**
 * The raw baseline: `rows` rows into `bench_raw` (same columns and indexes as crime_record), from
 * real rows the import stored (located, with their H3 cells), each with a new id and source id.
 */
async function rawInserts(kind: Kind, t: { dataDir: string; url?: string }, rows: number): Promise<number> {
  const values = (templates: unknown[][], i: number) => {
    const v = [...templates[i % templates.length]];
    v[0] = newId();
    v[19] = `raw-${i}`;
    return v;
  };
  if (kind === 'sqlite') {
    const db = new SQLite(path.join(t.dataDir, 'openc5.sqlite'), { fileMustExist: true });
    try {
      // As src/platform/db/database.ts opens it.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('cache_size = -65536');
      const ddl = db.prepare(`select sql from sqlite_master where tbl_name = 'crime_record' and sql is not null`).all() as {
        sql: string;
      }[];
      for (const { sql } of ddl) db.exec(sql.replace(/crime_record/g, 'bench_raw'));
      const templates = db
        .prepare(`select ${COLUMNS.join(',')} from crime_record limit 20000`)
        .raw()
        .all() as unknown[][];
      const stmt = db.prepare(
        `insert into bench_raw (${COLUMNS.join(',')}) values ${Array.from({ length: BATCH }, () => `(${COLUMNS.map(() => '?').join(',')})`).join(',')}`,
      );
      const insert = db.transaction((params: unknown[]) => stmt.run(params));
      const t0 = performance.now();
      let n = 0;
      for (; n < rows; n += BATCH) insert(Array.from({ length: BATCH }, (_, k) => values(templates, n + k)).flat());
      return n / ((performance.now() - t0) / 1000);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    await client.query('create table bench_raw (like crime_record including all)');
    const templates = (await client.query({ text: `select ${COLUMNS.join(',')} from crime_record limit 20000`, rowMode: 'array' }))
      .rows as unknown[][];
    const text = `insert into bench_raw (${COLUMNS.join(',')}) values ${Array.from(
      { length: BATCH },
      (_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(',')})`,
    ).join(',')}`;
    const t0 = performance.now();
    let n = 0;
    for (; n < rows; n += BATCH) {
      await client.query('begin');
      await client.query(text, Array.from({ length: BATCH }, (_, k) => values(templates, n + k)).flat());
      await client.query('commit');
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await client.end();
  }
}

async function benchDatabase(kind: Kind, cluster: Cluster | undefined, file: string): Promise<Result> {
  const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const t = await target(kind, cluster);
  await migrateToLatest(t.handle);
  const geo = createGeoService();
  geo.warmUp();
  const deps = { handle: t.handle, geo };
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  const size = fs.statSync(file).size;
  const job = await createImportJob(
    deps,
    { agencyId: null, userId: null, name: 'bench' },
    { fileName: path.basename(file), fileSize: size, mappingName: 'cdmx-ssp' },
  );
  const rss = { base, at10: 0, at50: 0, at100: 0, peak: base };
  const sampler = setInterval(() => (rss.peak = Math.max(rss.peak, process.memoryUsage().rss)), 50);
  let lastShown = -1;
  const cpu0 = { self: selfCpuMs(), db: processTreeCpuMs(cluster?.pid()) };
  process.stdout.write(`${label}: importing…`);
  const t0 = performance.now();
  const done = await runImport(deps, job.id, fs.createReadStream(file, { highWaterMark: 256 * 1024 }), {
    offset: 0,
    contentLength: size,
    onProgress: (j) => {
      const share = j.bytesCommitted / size;
      const now = process.memoryUsage().rss;
      rss.peak = Math.max(rss.peak, now);
      if (!rss.at10 && share >= 0.1) rss.at10 = now;
      if (!rss.at50 && share >= 0.5) rss.at50 = now;
      const tenth = Math.floor(share * 10);
      if (tenth > lastShown) {
        process.stdout.write(` ${tenth * 10}%`);
        lastShown = tenth;
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  rss.at100 = process.memoryUsage().rss;
  clearInterval(sampler);
  const cpu1 = { self: selfCpuMs(), db: processTreeCpuMs(cluster?.pid()) };
  if (done.status !== 'completed') throw new Error(`import ended ${done.status}: ${done.errorCode ?? ''}`);
  await t.handle.close();
  process.stdout.write(` — raw inserts…`);
  const raw = await rawInserts(kind, t, done.rowsAccepted);
  process.stdout.write(' done\n');
  return {
    kind,
    rows: done.rowsRead,
    accepted: done.rowsAccepted,
    rejected: done.rowsRejected,
    seconds,
    rate: done.rowsRead / seconds,
    raw,
    rawRows: done.rowsAccepted,
    rss,
    cpuSelf: (cpu1.self - cpu0.self) / done.rowsRead,
    cpuDb: cpu0.db === undefined || cpu1.db === undefined ? undefined : (cpu1.db - cpu0.db) / done.rowsRead,
  };
}

function table(results: Result[]): string {
  const cols = results.map((r) => (r.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'));
  const rows: [string, (r: Result) => string, string][] = [
    ['rows read / imported / rejected', (r) => `${fmt(r.rows)} / ${fmt(r.accepted)} / ${fmt(r.rejected)}`, ''],
    ['import time (s)', (r) => fmt(r.seconds, 1), ''],
    ['importer rows/s', (r) => fmt(r.rate), ''],
    ['raw bulk insert rows/s (same rows, 1,000/txn)', (r) => fmt(r.raw), 'baseline'],
    ['ratio importer ÷ raw', (r) => fmt(r.rate / r.raw, 2), 'aim ≥ 0.5'],
    [
      'CPU µs per row: importer process / database',
      (r) => `${fmt(r.cpuSelf * 1000)} / ${r.cpuDb === undefined ? '—' : fmt(r.cpuDb * 1000)}`,
      '',
    ],
    ['RSS before the import', (r) => mb(r.rss.base), ''],
    ['RSS at 10 % / 50 % / 100 % of the file', (r) => `${mb(r.rss.at10)} / ${mb(r.rss.at50)} / ${mb(r.rss.at100)}`, 'aim: flat'],
    ['peak RSS during the import (sampled 50 ms)', (r) => mb(r.rss.peak), ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const cells = rows.map(([, f]) => results.map(f));
  const w = results.map((_, i) => Math.max(cols[i].length, ...cells.map((c) => c[i].length)));
  const line = (label: string, values: string[], note: string) =>
    `${label.padEnd(w0)}  ${values.map((v, i) => v.padStart(w[i])).join('  ')}  ${note}`.trimEnd();
  return [line('', cols, ''), ...rows.map(([label, , note], i) => line(label, cells[i], note))].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.find((a) => a === 'sqlite' || a === 'postgres') as Kind | undefined;
  const rowsArg = args.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
  const kinds: Kind[] = only ? [only] : ['sqlite', 'postgres'];
  const started = performance.now();
  console.log(
    `OpenC5 import benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-bench-file-'));
  tempDirs.push(dir);
  const file = path.join(dir, 'delitos.csv');
  await generate(file, rows);
  console.log(`file: ${fmt(rows)} rows resampled from the real Mexico City records, ${mb(fs.statSync(file).size)}`);
  let cluster: Cluster | undefined;
  const results: Result[] = [];
  try {
    for (const kind of kinds) {
      if (kind === 'postgres') {
        if (!postgresAvailable()) {
          console.warn('PostgreSQL binaries not found: PostgreSQL skipped.');
          continue;
        }
        cluster = await startCluster({ durable: true });
      }
      results.push(await benchDatabase(kind, cluster, file));
    }
  } finally {
    cluster?.stop();
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  }
  console.log(`\n${table(results)}\n`);
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${os.loadavg()[0].toFixed(1)})`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
