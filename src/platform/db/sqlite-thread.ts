import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { markWriteBehindFailure, writeBehindStatements } from './prepared.js';

/**
 * The embedded database on a thread of its own. better-sqlite3 runs each statement, and each commit's
 * fsync, on the thread that calls it: with the database on the server's one event loop, SQLite's own
 * work was about half of the CPU time of a 911 incident creation, and HTTP, validation and the
 * dispatch logic waited for it (docs/benchmarks.md). Here a worker thread owns two connections to the
 * file and the event loop only sends statements and receives rows:
 *
 * - the **writer**, the only connection that writes: every transaction runs on it, one at a time
 *   (a mutex on this side: the group-commit writer's, or a Kysely transaction's), and a statement
 *   that writes outside any transaction runs on it between transactions;
 * - the **reader** (`query_only`), for every statement outside a transaction that only reads. In WAL
 *   mode it reads the last committed state while the writer's transaction is open, so a request's
 *   session lookup, say, no longer waits for a group commit to end.
 *
 * Statements sent in one turn of the event loop go as one message, and the answers to one message
 * come back as one. On the group-commit writer's connection the statements declared `writeBehind`
 * (platform/db/prepared.ts) are sent without waiting, as on PostgreSQL (platform/db/postgres.ts):
 * if one fails, the worker refuses the transaction's next statements, up to a rollback, with that
 * failure, marked so that `isWriteBehindFailure` tells the writer that the write, not the group,
 * failed.
 */
type Channel = 'auto' | 'writer';
type Outgoing = { id: number; channel: Channel; sql: string; params: readonly unknown[]; behind: boolean; tag?: number };
type WireError = { message: string; code?: string; name?: string };
type Answer = {
  id: number;
  rows: Record<string, unknown>[];
  changes?: number;
  lastInsertRowid?: number;
  error?: WireError;
  behindFailure?: boolean;
  tag?: number;
};

const NO_ROWS: QueryResult<never> = { rows: [] };

/** A value JSON carries unchanged (blobs and big integers need structured cloning). */
const plain = (v: unknown) =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function fromWire(e: WireError): Error {
  const error = new Error(e.message) as Error & { code?: string };
  if (e.name && e.name !== 'Error') error.name = e.name;
  if (e.code) error.code = e.code;
  return error;
}

// Structured cloning turns the Buffers of blob columns into plain Uint8Arrays; the stores expect Buffers.
function withBuffers(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const row of rows)
    for (const k in row) {
      const v = row[k];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  return rows;
}

class Mutex {
  #held = false;
  #queue: (() => void)[] = [];
  async lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }
  unlock(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#held = false;
  }
}

export type SqliteThread = {
  /** The dialect of the handle everything but the group-commit writer uses. */
  dialect: Dialect;
  /** The dialect of the group-commit writer's handle: one connection, the writer, held per group. */
  writerDialect: Dialect;
  /** The position in its group of the write now sending statements (see `writeBehindTag`). */
  tag: (position: number | undefined) => void;
};

export function sqliteThread(file: string): SqliteThread {
  const worker = new Worker(new URL('./sqlite-thread-worker.mjs', import.meta.url), {
    workerData: { file, cacheStatements: 500 },
    execArgv: [],
  });
  const pending = new Map<number, { resolve: (r: QueryResult<unknown>) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let outbox: Outgoing[] = [];
  let dead: Error | undefined;
  let tag: number | undefined;
  let closed: Promise<void> | undefined;

  const fail = (error: Error) => {
    dead = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (message: Answer[] | string) => {
    const answers: Answer[] = typeof message === 'string' ? (JSON.parse(message) as Answer[]) : message;
    for (const a of answers) {
      const p = pending.get(a.id);
      if (!p) continue;
      pending.delete(a.id);
      if (a.error) {
        const error = fromWire(a.error);
        if (a.behindFailure) markWriteBehindFailure(error, a.tag);
        p.reject(error);
      } else if (a.changes !== undefined) {
        p.resolve({
          rows: [],
          numAffectedRows: BigInt(a.changes),
          insertId: a.lastInsertRowid === undefined ? undefined : BigInt(a.lastInsertRowid),
        });
      } else p.resolve({ rows: withBuffers(a.rows) });
    }
    // Referenced only while an answer is awaited: an idle database never keeps the process alive.
    if (!pending.size) worker.unref();
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new Error(`the database thread exited (${code})`)));
  worker.unref();

  const flush = () => {
    const batch = outbox;
    outbox = [];
    // As JSON text when it can be: cloning the batch as objects cost a fifth of the event loop's time.
    worker.postMessage(batch.every((m) => m.params.every(plain)) ? JSON.stringify(batch) : { batch });
  };
  const send = (channel: Channel, query: CompiledQuery, behind: boolean): Promise<QueryResult<unknown>> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    if (!outbox.length) process.nextTick(flush);
    if (behind) {
      outbox.push({ id, channel, sql: query.sql, params: query.parameters, behind, tag });
      return Promise.resolve(NO_ROWS);
    }
    outbox.push({ id, channel, sql: query.sql, params: query.parameters, behind });
    if (!pending.size) worker.ref();
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  };

  const writerMutex = new Mutex();
  const close = async () => {
    closed ??= new Promise<void>((resolve) => {
      if (dead) return resolve();
      worker.once('exit', () => resolve());
      worker.ref();
      if (outbox.length) flush();
      worker.postMessage({ close: true, batch: [] });
    });
    await closed;
  };

  const connection = (channel: Channel, behindAllowed: boolean) => {
    const conn = {
      channel,
      executeQuery: <R>(q: CompiledQuery) =>
        send(conn.channel, q, behindAllowed && writeBehindStatements.has(q.sql)) as Promise<QueryResult<R>>,
      // Nothing here streams; a select's rows come as one chunk.
      async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
        yield (await send(conn.channel, q, false)) as QueryResult<R>;
      },
    };
    return conn;
  };

  const run = (conn: DatabaseConnection, sql: string) => conn.executeQuery(CompiledQuery.raw(sql)).then(() => undefined);
  const adapterParts = {
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };

  // Outside a transaction a connection is only a way to send statements; a transaction holds the writer.
  const sharedDriver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection('auto', false),
    beginTransaction: async (conn) => {
      await writerMutex.lock();
      (conn as ReturnType<typeof connection>).channel = 'writer';
      try {
        await run(conn, 'begin');
      } catch (error) {
        (conn as ReturnType<typeof connection>).channel = 'auto';
        writerMutex.unlock();
        throw error;
      }
    },
    commitTransaction: (conn) => run(conn, 'commit'),
    rollbackTransaction: (conn) => run(conn, 'rollback'),
    savepoint: (conn, name) => run(conn, `savepoint "${name}"`),
    rollbackToSavepoint: (conn, name) => run(conn, `rollback to "${name}"`),
    releaseSavepoint: (conn, name) => run(conn, `release "${name}"`),
    releaseConnection: async (conn) => {
      const c = conn as ReturnType<typeof connection>;
      if (c.channel === 'writer') {
        c.channel = 'auto';
        writerMutex.unlock();
      }
    },
    destroy: close,
  };

  const writerConnection = connection('writer', true);
  const writerDriver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => {
      await writerMutex.lock();
      return writerConnection;
    },
    beginTransaction: (conn) => run(conn, 'begin'),
    commitTransaction: (conn) => run(conn, 'commit'),
    rollbackTransaction: (conn) => run(conn, 'rollback'),
    releaseConnection: async () => writerMutex.unlock(),
    destroy: close,
  };

  return {
    dialect: { ...adapterParts, createDriver: () => sharedDriver },
    writerDialect: { ...adapterParts, createDriver: () => writerDriver },
    tag: (position) => void (tag = position),
  };
}
