/**
 * The analysis engine as the request thread sees it: a store worker holding every crime record in
 * columns (engine/store-worker.ts), fed through the records module's service (`streamCrimeRecords`)
 * at start and every few seconds after; job workers for the long statistics (engine/job-worker.ts),
 * with progress, cancellation and a time limit. The request thread only reads pages of records,
 * passes messages and sends the bytes the workers wrote: analysis never holds the request loop.
 */
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { AppError, notFound } from '../platform/errors.js';
import { t, type Language, type MessageKey } from '../platform/i18n/messages.js';
import type { Actor } from '../identity/access-policy.js';
import {
  crimeRecordIdsBetween,
  crimeRecordsByIds,
  crimeScope,
  streamCrimeRecords,
  type CrimeDeps,
  type CrimeRowForAnalysis,
} from '../records/crime.service.js';
import type { Scope } from './engine/filter.js';
import type { PublicMapConfig, QueryOp, StoreRequest, StoreStats, WireError, WorkerReply } from './engine/protocol.js';
import type { JobInput, JobMethod, JobParams } from './engine/study.js';
import { fromWire } from './engine/wire.js';

export interface AnalysisOptions {
  /** How often new records are read (ms); 0 = only when `refresh()` is called. */
  readonly pollMs: number;
  /** A job running longer than this is stopped with `time_limit`. */
  readonly jobTimeLimitMs: number;
  /** Jobs run at once (one worker each). */
  readonly jobWorkers: number;
  readonly publicMap: PublicMapConfig;
}

export type AnalysisDeps = { crime: CrimeDeps; options: AnalysisOptions; log?: (msg: string, err?: unknown) => void };

/** Records per page read from the database: ~20 ms of a SQLite read, so the request loop keeps its turns. */
export const LOAD_BATCH = 5000;
/**
 * How long a record's transaction may take to commit after its id was taken (id time is wall-clock time):
 * each poll looks this far back, from now, for records committed after a later one was read.
 */
export const LATE_COMMIT_MS = 5_000;
/** How long a question waits for the initial load before answering 503 `not_ready`. */
export const READY_WAIT_MS = 15_000;
/** Jobs waiting at most; more are refused (503). */
export const MAX_QUEUED_JOBS = 50;
/** Finished jobs are kept this long for their owner to read. */
export const JOB_RETENTION_MS = 60 * 60_000;
/** Results kept at most (a 4-million-cell KDE is ~20 MB of JSON). */
export const JOB_RESULTS_BYTES = 512 * 2 ** 20;

const workerUrl = (name: string) => new URL(`./engine/${name}.mjs`, import.meta.url);

// ── a worker with request/answer messages ───────────────────────────────────

type Pending = { resolve: (r: Extract<WorkerReply, { ok: true }>) => void; reject: (e: Error) => void; progress?: (p: number) => void };

function messenger(name: 'store-worker' | 'job-worker', onExit: (code: number) => void) {
  const worker = new Worker(workerUrl(name), { execArgv: [] });
  const pending = new Map<number, Pending>();
  let next = 1;
  let dead = false;
  worker.on('message', (m: WorkerReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    if ('progress' in m) return p.progress?.(m.progress);
    pending.delete(m.id);
    if (!pending.size) worker.unref();
    if (m.ok) p.resolve(m);
    else p.reject(fromWire(m.error));
  });
  const fail = (err: Error) => {
    dead = true;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => {
    fail(new Error(`${name} exited (${code})`));
    onExit(code);
  });
  // Referenced only while a question is pending: an idle engine never keeps the process alive.
  worker.unref();
  return {
    get dead() {
      return dead;
    },
    ask(message: Record<string, unknown>, transfer: ArrayBuffer[] = [], progress?: (p: number) => void) {
      if (dead) return Promise.reject(new Error(`${name} is not running`));
      const id = next++;
      return new Promise<Extract<WorkerReply, { ok: true }>>((resolve, reject) => {
        if (!pending.size) worker.ref();
        pending.set(id, { resolve, reject, progress });
        worker.postMessage({ ...message, id }, transfer);
      });
    },
    terminate: () => worker.terminate(),
  };
}

type Messenger = ReturnType<typeof messenger>;

// ── jobs ────────────────────────────────────────────────────────────────────

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

type Job = {
  id: string;
  userId: string;
  method: JobMethod;
  params: JobParams;
  scope: Scope;
  status: JobStatus;
  progress: number;
  error?: WireError & { status?: number };
  result?: Buffer;
  finishedAt?: number;
  /** Settles when the job ends (GET /forecast waits on it). */
  done: Promise<void>;
  settle: () => void;
  slot?: number;
};

/** The job's error as the API shows it. */
function jobError(job: Job, lang: Language): { code: string; message: string; field?: string } | undefined {
  const e = job.error;
  if (!e) return undefined;
  if ('messageKey' in e)
    return { code: e.code, message: t(lang, e.messageKey as MessageKey, e.params), ...(e.field ? { field: e.field } : {}) };
  return { code: 'internal', message: t(lang, 'error.analysis.failed', { requestId: job.id }) };
}

/** The field a time limit names: what makes the job large. */
function sizeField(p: JobParams): string {
  if (p.method === 'kde') return 'cellSize';
  if (p.method === 'knox') return 'permutations';
  return p.unit === 'grid' ? 'cellSize' : 'resolution';
}

export interface AnalysisEngine {
  /** Starts the store worker and the initial load (idempotent). */
  start(): void;
  /** Resolves once the initial load is done (starting it if needed). */
  ready(): Promise<void>;
  /** Reads the records committed since the last read; resolves with how many were added. */
  refresh(): Promise<number>;
  /** A map question's JSON answer; with `gzip` (the client accepts it) possibly compressed, as `gzip` says. */
  query(
    op: QueryOp,
    params: Record<string, unknown>,
    scope: Scope,
    gzip?: boolean,
    ifNoneMatch?: string,
  ): Promise<{ bytes: Buffer; etag?: string; gzip: boolean; notModified: boolean }>;
  stats(): Promise<StoreStats>;
  createJob(actor: Actor, params: JobParams): { id: string };
  /** The job as JSON bytes: `{ id, method, status, progress, error?, result? }`; 404 for another user's. */
  jobView(actor: Actor, id: string, lang: Language): Buffer;
  cancelJob(actor: Actor, id: string): void;
  /** Runs a job for a request and waits for it (GET /forecast). */
  runNow(actor: Actor, params: JobParams): Promise<Buffer>;
  close(): Promise<void>;
}

export function createAnalysisEngine(deps: AnalysisDeps): AnalysisEngine {
  const { options } = deps;
  const log = deps.log ?? (() => {});
  let store: Messenger | undefined;
  let loaded: Promise<void> | undefined;
  let closed = false;
  let maxId: string | null = null;
  let maxMs = 0;
  /** Ids read within LATE_COMMIT_MS (id time) of the newest: the late-commit check compares against them. */
  const recent = new Map<string, number>();
  let polling: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  const idAt = (ms: number) => {
    const h = Math.max(0, ms).toString(16).padStart(12, '0');
    return `${h.slice(0, 8)}-${h.slice(8)}-0000-0000-000000000000`;
  };

  async function append(rows: CrimeRowForAnalysis[]): Promise<number> {
    if (!rows.length) return 0;
    for (const r of rows) {
      const ms = msOf(r.id);
      recent.set(r.id, ms);
      if (maxId === null || r.id > maxId) {
        maxId = r.id;
        maxMs = ms;
      }
    }
    if (recent.size > 50_000) {
      const cutoff = Date.now() - LATE_COMMIT_MS;
      for (const [id, ms] of recent) if (ms < cutoff) recent.delete(id);
    }
    const reply = await store!.ask({ kind: 'append', rows } satisfies Omit<StoreRequest & { kind: 'append' }, 'id'>);
    return reply.value as number;
  }

  async function readNew(): Promise<number> {
    let added = 0;
    for (;;) {
      const rows = await streamCrimeRecords(deps.crime, maxId, LOAD_BATCH);
      added += await append(rows);
      if (rows.length < LOAD_BATCH) break;
    }
    // Records whose transaction committed after a later id was read: ids are taken before the commit, so a
    // record committing now has an id from the last few seconds. The ids of that window not seen yet are read
    // again; with no record that recent (the usual case between imports) there is nothing to look at.
    const cutoff = Date.now() - LATE_COMMIT_MS;
    for (const [id, ms] of recent) if (ms < cutoff) recent.delete(id);
    if (maxId !== null && maxMs >= cutoff) {
      const ids = await crimeRecordIdsBetween(deps.crime, idAt(cutoff), maxId);
      const missing = ids.filter((id) => !recent.has(id));
      for (let k = 0; k < missing.length; k += 500) added += await append(await crimeRecordsByIds(deps.crime, missing.slice(k, k + 500)));
    }
    return added;
  }

  function start(): void {
    if (loaded || closed) return;
    store = messenger('store-worker', (code) => {
      if (closed) return;
      // A crashed store worker is rebuilt from the database on the next question.
      log(`analysis store worker exited (${code}); it will reload`);
      loaded = undefined;
      maxId = null;
      maxMs = 0;
      recent.clear();
    });
    const s = store;
    loaded = (async () => {
      await s.ask({ kind: 'init', publicMap: options.publicMap });
      const t0 = Date.now();
      const n = await readNew();
      await s.ask({ kind: 'compact' });
      log(`analysis engine: ${n} records loaded in ${Date.now() - t0} ms`);
    })();
    loaded.catch((err: unknown) => log('analysis engine: initial load failed', err));
    if (options.pollMs > 0 && !timer) {
      timer = setInterval(() => {
        if (loaded) void refresh().catch((err: unknown) => log('analysis engine: refresh failed', err));
      }, options.pollMs);
      timer.unref();
    }
  }

  async function ready(): Promise<void> {
    start();
    await loaded;
  }

  function refresh(): Promise<number> {
    if (!polling) {
      polling = (async () => {
        await ready();
        return readNew();
      })().finally(() => (polling = undefined));
    }
    return polling;
  }

  /** Waits for the initial load at most READY_WAIT_MS; a question asked earlier answers 503 (the map retries). */
  async function readySoon(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), READY_WAIT_MS)));
    try {
      if ((await Promise.race([ready(), late])) === 'late') throw new AppError(503, 'not_ready', 'error.analysis.not_ready');
    } finally {
      clearTimeout(timer);
    }
  }

  async function query(op: QueryOp, params: Record<string, unknown>, scope: Scope, gzip = false, ifNoneMatch?: string) {
    await readySoon();
    const r = await store!.ask({ kind: 'query', op, params, scope, gzip, ifNoneMatch });
    const u8 = r.bytes ?? new Uint8Array(0);
    return { bytes: Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength), etag: r.etag, gzip: !!r.gzip, notModified: !!r.notModified };
  }

  // ── jobs ──
  const jobs = new Map<string, Job>();
  const queue: Job[] = [];
  const slots: { worker?: Messenger; job?: Job }[] = Array.from({ length: Math.max(1, options.jobWorkers) }, () => ({}));

  const finish = (job: Job, status: JobStatus, patch: Partial<Job> = {}) => {
    if (job.status === 'done' || job.status === 'failed' || job.status === 'cancelled') return;
    Object.assign(job, patch, { status, finishedAt: Date.now() });
    if (status === 'done') job.progress = 1;
    job.settle();
  };

  /** Finished jobs go after JOB_RETENTION_MS, and the oldest first when their results pass JOB_RESULTS_BYTES. */
  function prune(): void {
    const now = Date.now();
    for (const [id, job] of jobs) if (job.finishedAt && now - job.finishedAt > JOB_RETENTION_MS) jobs.delete(id);
    const finished = [...jobs.values()].filter((j) => j.finishedAt).sort((a, b) => b.finishedAt! - a.finishedAt!);
    let bytes = 0;
    for (const job of finished) {
      bytes += job.result?.length ?? 0;
      if (bytes > JOB_RESULTS_BYTES) jobs.delete(job.id);
    }
  }

  async function runOn(slot: (typeof slots)[number], index: number, job: Job): Promise<void> {
    slot.job = job;
    job.slot = index;
    job.status = 'running';
    job.progress = 0.01;
    const limit = setTimeout(() => {
      // A synchronous statistic cannot be interrupted from inside: its thread goes.
      void slot.worker?.terminate();
      slot.worker = undefined;
      finish(job, 'failed', {
        error: {
          status: 400,
          code: 'time_limit',
          messageKey: 'error.analysis.time_limit',
          params: { seconds: Math.round(options.jobTimeLimitMs / 100) / 10 },
          field: sizeField(job.params),
        },
      });
    }, options.jobTimeLimitMs);
    try {
      await ready();
      const drawn = await store!.ask({ kind: 'jobInput', params: job.params, scope: job.scope });
      if (job.status !== 'running') return;
      job.progress = 0.05;
      const input = drawn.value as JobInput;
      slot.worker ??= messenger('job-worker', () => {});
      const worker = slot.worker;
      const transfer = [
        ...Object.values(input).filter((v): v is Float64Array => v instanceof Float64Array),
        ...('lattice' in input ? Object.values(input.lattice).filter((v): v is Float64Array => v instanceof Float64Array) : []),
      ].map((a) => a.buffer as ArrayBuffer);
      const r = await worker.ask({ input }, [...new Set(transfer)], (p) => {
        if (job.status === 'running') job.progress = Math.max(job.progress, 0.05 + 0.95 * p);
      });
      const u8 = r.bytes!;
      finish(job, 'done', { result: Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength) });
    } catch (err) {
      if (job.status === 'running') {
        const e = err as AppError;
        finish(job, 'failed', {
          error:
            err instanceof AppError
              ? { status: e.status, code: e.code, messageKey: e.messageKey, params: e.params, field: e.field }
              : { message: String(err) },
        });
        if (!(err instanceof AppError)) log(`analysis job ${job.id} failed`, err);
      }
    } finally {
      clearTimeout(limit);
      slot.job = undefined;
      pump();
    }
  }

  function pump(): void {
    if (closed) return;
    slots.forEach((slot, index) => {
      if (slot.job || !queue.length) return;
      const job = queue.shift()!;
      void runOn(slot, index, job);
    });
  }

  function newJob(actor: Actor, params: JobParams): Job {
    prune();
    if (queue.length >= MAX_QUEUED_JOBS) throw new AppError(503, 'busy', 'error.analysis.busy');
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    const job: Job = {
      id: crypto.randomUUID(),
      userId: actor.userId,
      method: params.method,
      params,
      scope: crimeScope(actor),
      status: 'queued',
      progress: 0,
      done,
      settle,
    };
    jobs.set(job.id, job);
    queue.push(job);
    pump();
    return job;
  }

  const ownJob = (actor: Actor, id: string) => {
    const job = jobs.get(id);
    // Another user's job answers like a missing one.
    if (!job || job.userId !== actor.userId) throw notFound();
    return job;
  };

  return {
    start,
    ready,
    refresh,
    query,
    async stats() {
      await ready();
      return (await store!.ask({ kind: 'stats' })).value as StoreStats;
    },
    createJob(actor, params) {
      return { id: newJob(actor, params).id };
    },
    jobView(actor, id, lang) {
      const job = ownJob(actor, id);
      const error = jobError(job, lang);
      const head = JSON.stringify({
        id: job.id,
        method: job.method,
        status: job.status,
        progress: Math.round(job.progress * 1000) / 1000,
        ...(error ? { error } : {}),
      });
      if (!job.result) return Buffer.from(head);
      return Buffer.concat([Buffer.from(`${head.slice(0, -1)},"result":`), job.result, Buffer.from('}')]);
    },
    cancelJob(actor, id) {
      const job = ownJob(actor, id);
      if (job.status === 'queued') {
        queue.splice(queue.indexOf(job), 1);
        finish(job, 'cancelled');
      } else if (job.status === 'running') {
        const slot = slots[job.slot ?? 0];
        void slot.worker?.terminate();
        slot.worker = undefined;
        finish(job, 'cancelled');
      }
    },
    async runNow(actor, params) {
      const job = newJob(actor, params);
      await job.done;
      jobs.delete(job.id);
      if (job.result) return job.result;
      const e = job.error;
      if (e && 'messageKey' in e) throw fromWire(e);
      throw new Error(`analysis: ${e && 'message' in e ? e.message : 'job did not finish'}`);
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      for (const job of queue.splice(0)) finish(job, 'cancelled');
      await Promise.all([store?.terminate(), ...slots.map((s) => s.worker?.terminate())]);
    },
  };
}
