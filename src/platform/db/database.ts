import fs from 'node:fs';
import path from 'node:path';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  CamelCasePlugin,
  CompiledQuery,
  DefaultConnectionProvider,
  DefaultQueryExecutor,
  type Dialect,
  type KyselyPlugin,
  type QueryResult,
  type Transaction,
} from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { markGroupConnection, restoreTransactionState, saveTransactionState } from './transaction-state.js';
import { isWriteBehindFailure, namingPool, writeBehindTag, writerPool } from './postgres.js';
import { writeBehindStatements } from './prepared.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** A Kysely handle plus the dialect it speaks, for the few places SQL differs. */
export type Db = {
  kind: DatabaseKind;
  db: Kysely<Database>;
  /** Where the embedded database lives (SQLite only), for messages. */
  location: string;
  close: () => Promise<void>;
  /**
   * Runs `work` in a transaction and resolves after its commit. Writes that arrive together
   * share one commit (group commit, see `groupCommitWriter`); each still succeeds or fails on
   * its own. Inside `work`, use only the handle it is given. `work` may run more than once
   * (when an earlier write of its group fails after it started): it must have no effect outside
   * the transaction but what it returns.
   */
  write: <T>(work: (q: Kysely<Database> | Transaction<Database>) => Promise<T>) => Promise<T>;
};

// pg returns timestamptz as Date and int8 as string; the SQLite half stores ISO
// strings and JS numbers. Parsing both to the same shapes keeps the stores free of
// per-dialect branches.
const PG_TIMESTAMPTZ = 1184;
const PG_TIMESTAMP = 1114;
const PG_INT8 = 20;
function pgTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === PG_TIMESTAMPTZ || oid === PG_TIMESTAMP) {
    return (v) => new Date(oid === PG_TIMESTAMP ? `${v}Z` : v).toISOString();
  }
  if (oid === PG_INT8) return (v) => Number(v);
  return pg.types.getTypeParser(oid, (format ?? 'text') as 'text');
}

/**
 * Kysely's SQLite driver prepares every statement anew; compiling the SQL was the
 * largest single cost of a dispatch write (docs/benchmarks.md). The application
 * issues a bounded set of statement shapes, so a small LRU keyed by the SQL text
 * keeps them compiled. A statement still being iterated (a stream) is busy and
 * cannot be reused, so that caller gets a fresh one.
 */
function withStatementCache(sqlite: SQLite.Database, capacity = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = sqlite.prepare(text);
      if (!hit) {
        cache.set(text, stmt);
        if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      }
      return stmt;
    },
  };
}

export type OpenOptions = { databaseUrl?: string; dataDir: string; fileName?: string };

/**
 * Opens the embedded SQLite database (durable: WAL journal, synchronous=FULL, so a
 * transaction acknowledged to a caller survives a power cut) or PostgreSQL when a
 * URL is given.
 */
export function openDatabase(opts: OpenOptions): Db {
  const plugins = [new CamelCasePlugin()];
  if (opts.databaseUrl) {
    const types = { getTypeParser: pgTypeParser } as unknown as pg.CustomTypesConfig;
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, types });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namingPool(pool) }), plugins });
    // The group-commit writer has a connection of its own, pipelined (platform/db/postgres.ts).
    // Named so that an operator can tell it apart in pg_stat_activity.
    const writing = writerPool({ connectionString: opts.databaseUrl, types, application_name: 'openc5-writer' });
    const writer = pipelinedConnection(new PostgresDialect({ pool: writing.pool }), plugins);
    const url = new URL(opts.databaseUrl);
    return {
      kind: 'postgres',
      db,
      write: groupCommitWriter(writer, 'postgres', writing.tag),
      location: `${url.hostname}:${url.port || 5432}${url.pathname}`,
      close: async () => {
        await writer.destroy();
        await db.destroy();
      },
    };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = opts.fileName === ':memory:' ? ':memory:' : path.join(opts.dataDir, opts.fileName ?? 'openc5.sqlite');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A 64 MiB page cache (the default is 2 MiB): bulk imports of crime records write into indexes far
  // larger than that, and re-reading index pages from the OS for every batch halved their rate.
  sqlite.pragma('cache_size = -65536');
  // Temporary files in memory. A group commit keeps a savepoint per write, and SQLite copies each page
  // a write changes into a sub-journal, which outgrew its in-memory start and went to a temporary file
  // on every group: ~70 µs of each 911 incident creation (docs/benchmarks.md). What else goes there is
  // small here (sorts and groupings of query results); migrations, whose index builds may sort a whole
  // table, switch back to files while they run (platform/db/migrate.ts).
  sqlite.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), plugins });
  // One connection, run on this thread: the writer shares Kysely's (its mutex keeps a group and any other
  // transaction apart), and nothing is sent ahead, so there is no position to tag.
  const writer: PipelinedConnection = { execute: (work) => db.connection().execute(work), destroy: async () => undefined };
  return { kind: 'sqlite', db, location: file, close: () => db.destroy(), write: groupCommitWriter(writer, 'sqlite', () => undefined) };
}

/**
 * The group-commit writer's connection, as a Kysely handle that sends each statement as soon as it is
 * made. Kysely's own single-connection handle (`db.connection()`) sends a statement only once the one
 * before it is answered, which a driver that cannot pipeline needs; the PostgreSQL writer's connection
 * pipelines (platform/db/postgres.ts), so the reads a write makes together — an incident's folio and
 * the heads of the audit and event chains — cost one round trip, not three.
 */
type PipelinedConnection = {
  execute: <T>(work: (q: Kysely<Database>) => Promise<T>) => Promise<T>;
  destroy: () => Promise<void>;
};
function pipelinedConnection(dialect: Dialect, plugins: KyselyPlugin[]): PipelinedConnection {
  const driver = dialect.createDriver();
  const executor = new DefaultQueryExecutor(
    dialect.createQueryCompiler(),
    dialect.createAdapter(),
    new DefaultConnectionProvider(driver),
    plugins,
  );
  let ready: Promise<void> | undefined;
  return {
    async execute(work) {
      await (ready ??= driver.init());
      const connection = await driver.acquireConnection();
      try {
        const single = executor.withConnectionProvider({ provideConnection: (consume) => consume(connection) });
        return await work(new Kysely<Database>({ config: { dialect, plugins }, dialect, driver, executor: single }));
      } finally {
        await driver.releaseConnection(connection);
      }
    },
    destroy: async () => {
      if (ready) await ready;
      await driver.destroy();
    },
  };
}

type PendingWrite = {
  work: (q: Kysely<Database>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

/**
 * The statements around and between the writes of a group. PostgreSQL takes several in one simple
 * query, one round trip where there were two: the writer waits for each, and a group of dozens of
 * writes paid for it dozens of times. SQLite, on this thread, takes one statement at a time at no
 * round trip. On PostgreSQL the last write's write-behind statements (platform/db/postgres.ts) are
 * answered with its release, before the commit, because a commit that follows a failed statement
 * rolls the whole group back; the two go as one string, which stops at a failed release.
 */
type Step = 'alone' | 'first' | 'next' | 'lastAndCommit' | 'sync' | 'afterFailure' | 'lastFailed' | 'commit' | 'rollback';
const raw = (...statements: string[]) => statements.map((s) => CompiledQuery.raw(s));
const PG_STEPS: Record<Step, CompiledQuery[]> = {
  alone: raw('begin'),
  first: raw('begin; savepoint group_write'),
  next: raw('release group_write; savepoint group_write'),
  // If the release fails, PostgreSQL skips the rest of the string: the transaction stays open, aborted.
  lastAndCommit: raw('release savepoint group_write; commit'),
  sync: raw('select 1'),
  afterFailure: raw('rollback to group_write; release group_write; savepoint group_write'),
  lastFailed: raw('rollback to savepoint group_write; release savepoint group_write'),
  commit: raw('commit'),
  rollback: raw('rollback'),
};
// SQLite takes one statement at a time.
const SQLITE_STEPS: Record<Step, CompiledQuery[]> = {
  alone: raw('begin immediate'),
  first: raw('begin immediate', 'savepoint group_write'),
  next: raw('release group_write', 'savepoint group_write'),
  lastAndCommit: raw('release savepoint group_write', 'commit'),
  // Nothing is sent ahead on SQLite: a write that failed is the one that failed.
  sync: [],
  afterFailure: raw('rollback to group_write', 'release group_write', 'savepoint group_write'),
  lastFailed: raw('rollback to savepoint group_write', 'release savepoint group_write'),
  commit: raw('commit'),
  rollback: raw('rollback'),
};
// From a group's start to its end the PostgreSQL writer does not wait (see `groupCommitWriter`). The texts of
// the steps it waits for differ from those it does not (`release savepoint x` is `release x`): write-behind is
// a property of a statement's text.
for (const step of ['alone', 'first', 'next', 'afterFailure'] as const) for (const q of PG_STEPS[step]) writeBehindStatements.add(q.sql);

/** Enough to amortise the commit's fsync; few enough that one batch never holds the writer for long. */
const MAX_GROUP = 64;

/**
 * Group commit. SQLite has one writer, and with synchronous=FULL each commit waits for the disk
 * (docs/benchmarks.md measured the commit as the costliest statement of an incident creation);
 * on PostgreSQL one commit, one WAL flush, serves the group. Writes queued while the writer is busy,
 * or in the same turn of the event loop, run one after another in one transaction, each inside its
 * own savepoint so that a failing write is rolled back alone; all are settled only after the commit,
 * so nothing is acknowledged before it is durable, and if the commit fails every write of the group
 * fails.
 *
 * The writer does not wait between writes: a write's write-behind statements and the savepoint step
 * after it are sent, and the next write starts. On PostgreSQL each answer was a round trip, and the
 * writes of a group waited for them one after another. (SQLite answers each statement as it runs, on
 * this thread: there a failure shows at once, in its own write.) A failure shows at
 * the next statement the writer does wait for — a read of a later write, the last write's release,
 * or, when a write fails on its own (a conflict it found), a `select 1` that makes sure nothing sent
 * before failed first — and names the write that sent it (`writeBehindTag`). That write fails; the
 * transaction, refused from the failure on, is rolled back to that write's savepoint, and the writes
 * after it run again. So a write's `work` may run more than once, and must have no effect outside
 * the transaction other than what it returns.
 */
function groupCommitWriter(writer: PipelinedConnection, kind: DatabaseKind, tag: (position: number | undefined) => void): Db['write'] {
  const queue: PendingWrite[] = [];
  const steps = kind === 'postgres' ? PG_STEPS : SQLITE_STEPS;
  let scheduled = false;

  const runGroup = async (): Promise<void> => {
    const group = queue.splice(0, MAX_GROUP);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await writer.execute(async (conn) => {
        markGroupConnection(conn);
        // A step's statements, each once the one before it has succeeded (SQLite's commit only after the
        // release); PostgreSQL takes a step as one string, in one round trip.
        const send = (step: Step) => {
          let before: Promise<QueryResult<unknown> | undefined> = Promise.resolve(undefined);
          return steps[step].map((s) => (before = before.then(() => conn.executeQuery(s))));
        };
        const run = async (step: Step) => (await Promise.all(send(step))).at(-1);
        let committed = false;
        try {
          if (group.length === 1) {
            // Alone in its group: the transaction itself is the write's boundary (no savepoints).
            await run('alone');
            tag(0);
            outcomes.push({ ok: true, value: await group[0]!.work(conn) });
          } else {
            await run('first');
            const saved: Map<string, unknown>[] = [];
            let i = 0;
            /** Write k failed: back to its savepoint, and on with the write after it. */
            const failed = async (k: number, error: unknown) => {
              outcomes.length = k;
              outcomes.push({ ok: false, error });
              restoreTransactionState(conn, saved[k]!);
              tag(undefined);
              await run(k === group.length - 1 ? 'lastFailed' : 'afterFailure');
              i = k + 1;
            };
            /** The write a write-behind failure came from; any other failure here is the group's. */
            const culprit = (error: unknown) => {
              const k = isWriteBehindFailure(error) ? writeBehindTag(error) : undefined;
              if (k === undefined) throw error;
              return k;
            };
            while (i < group.length) {
              const last = i === group.length - 1;
              saved[i] = saveTransactionState(conn);
              tag(i);
              let value: unknown;
              try {
                value = await group[i]!.work(conn);
              } catch (error) {
                if (isWriteBehindFailure(error)) {
                  await failed(culprit(error), error);
                  continue;
                }
                // This write failed on its own, unless something sent before it failed first. (On PostgreSQL
                // a statement of its own that failed aborts the transaction, and the sync says only that.)
                try {
                  await run('sync');
                } catch (earlier) {
                  if (isWriteBehindFailure(earlier)) {
                    await failed(culprit(earlier), earlier);
                    continue;
                  }
                }
                await failed(i, error);
                continue;
              }
              outcomes.push({ ok: true, value });
              if (last) {
                // The last write's release answers for the whole group, and the commit goes with it: on
                // PostgreSQL as one string, which stops at a failed release; on SQLite once the release has
                // succeeded. A failed release names the write it came from; a failed commit fails the group.
                try {
                  await run('lastAndCommit');
                  committed = true;
                } catch (error) {
                  await failed(culprit(error), error);
                  continue;
                }
              } else await run('next'); // not waited for
              i++;
            }
          }
          tag(undefined);
          if (!committed) {
            // PostgreSQL answers a commit of an aborted transaction with a rollback, not an error.
            const answer = await run('commit');
            if ((answer?.rows[0] as { command?: string } | undefined)?.command === 'ROLLBACK')
              throw new Error('group commit: the transaction was aborted and rolled back');
          }
        } catch (err) {
          tag(undefined);
          await run('rollback').catch(() => undefined);
          throw err;
        }
      });
    } catch (error) {
      group.forEach((w) => w.reject(error));
      return;
    }
    group.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  };

  const drain = async (): Promise<void> => {
    while (queue.length) await runGroup();
    scheduled = false;
  };

  return <T>(work: (q: Kysely<Database> | Transaction<Database>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        // Let the other requests of this turn reach their write first, so they share the commit.
        setImmediate(() => void drain());
      }
    });
}
