import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, CamelCasePlugin, CompiledQuery, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { markGroupConnection, restoreTransactionState, saveTransactionState } from './transaction-state.js';
import { isWriteBehindFailure, namingPool, writerPool } from './postgres.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** A Kysely handle plus the dialect it speaks, for the few places SQL differs. */
export type Db = {
  kind: DatabaseKind;
  db: Kysely<Database>;
  /** Where the embedded database lives (SQLite only), for messages. */
  location: string;
  close: () => Promise<void>;
  /**
   * Runs `work` in a transaction and resolves after its commit. On SQLite, writes that
   * arrive together share one commit (group commit, see `groupCommitWriter`); each still
   * succeeds or fails on its own. Inside `work`, use only the handle it is given.
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
    const writer = new Kysely<Database>({
      // Named so that an operator can tell it apart in pg_stat_activity.
      dialect: new PostgresDialect({ pool: writerPool({ connectionString: opts.databaseUrl, types, application_name: 'openc5-writer' }) }),
      plugins,
    });
    const url = new URL(opts.databaseUrl);
    return {
      kind: 'postgres',
      db,
      write: groupCommitWriter(writer, 'postgres'),
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
  return { kind: 'sqlite', db, location: file, close: () => db.destroy(), write: groupCommitWriter(db, 'sqlite') };
}

type PendingWrite = {
  work: (q: Kysely<Database>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

/**
 * The statements around and between the writes of a group. PostgreSQL takes several in one simple
 * query, one round trip where there were two: the writer waits for each, and a group of dozens of
 * writes paid for it dozens of times. better-sqlite3 prepares one statement at a time and costs no
 * round trip. On SQLite a commit releases the last write's savepoint; on PostgreSQL the last write's
 * write-behind statements (platform/db/postgres.ts) are answered with its release, before the
 * commit, because a commit that follows a failed statement rolls the whole group back.
 */
type Step = 'alone' | 'first' | 'next' | 'last' | 'afterFailure' | 'lastFailed' | 'commit' | 'rollback';
const raw = (...statements: string[]) => statements.map((s) => CompiledQuery.raw(s));
const PG_STEPS: Record<Step, CompiledQuery[]> = {
  alone: raw('begin'),
  first: raw('begin; savepoint group_write'),
  next: raw('release group_write; savepoint group_write'),
  last: raw('release group_write'),
  afterFailure: raw('rollback to group_write; release group_write; savepoint group_write'),
  lastFailed: raw('rollback to group_write; release group_write'),
  commit: raw('commit'),
  rollback: raw('rollback'),
};
const SQLITE_STEPS: Record<Step, CompiledQuery[]> = {
  alone: raw('begin immediate'),
  first: raw('begin immediate', 'savepoint group_write'),
  next: raw('release group_write', 'savepoint group_write'),
  last: [],
  afterFailure: raw('rollback to group_write', 'release group_write', 'savepoint group_write'),
  lastFailed: raw('rollback to group_write', 'release group_write'),
  commit: raw('commit'),
  rollback: raw('rollback'),
};

/** Enough to amortise the commit's fsync; few enough that one batch never holds the writer for long. */
const MAX_GROUP = 64;

/**
 * Group commit for the embedded database. SQLite has one writer, and with
 * synchronous=FULL each commit waits for the disk (docs/benchmarks.md measured the
 * commit as the costliest statement of an incident creation). Writes queued while
 * the writer is busy, or in the same turn of the event loop, run one after another in
 * one transaction, each inside its own savepoint so that a failing write is rolled
 * back alone; all are settled only after the commit, so nothing is acknowledged
 * before it is durable, and if the commit fails every write of the group fails.
 */
function groupCommitWriter(db: Kysely<Database>, kind: DatabaseKind): Db['write'] {
  const queue: PendingWrite[] = [];
  const steps = kind === 'postgres' ? PG_STEPS : SQLITE_STEPS;
  let scheduled = false;

  const runGroup = async (): Promise<void> => {
    const group = queue.splice(0, MAX_GROUP);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await db.connection().execute(async (conn) => {
        markGroupConnection(conn);
        const run = async (step: Step) => {
          let result: { rows: unknown[] } | undefined;
          for (const statement of steps[step]) result = await conn.executeQuery(statement);
          return result;
        };
        try {
          if (group.length === 1) {
            // Alone in its group: the transaction itself is the write's boundary (no savepoints).
            await run('alone');
            outcomes.push({ ok: true, value: await group[0]!.work(conn) });
          } else {
            await run('first');
            for (let i = 0; i < group.length; i++) {
              const saved = saveTransactionState(conn);
              const last = i === group.length - 1;
              let done = false;
              try {
                const value = await group[i]!.work(conn);
                done = true;
                // The step after a write also answers for its write-behind statements.
                await run(last ? 'last' : 'next');
                outcomes.push({ ok: true, value });
              } catch (error) {
                if (done && !isWriteBehindFailure(error)) throw error;
                outcomes.push({ ok: false, error });
                restoreTransactionState(conn, saved);
                await run(last ? 'lastFailed' : 'afterFailure');
              }
            }
          }
          // PostgreSQL answers a commit of an aborted transaction with a rollback, not an error.
          const committed = await run('commit');
          if ((committed?.rows[0] as { command?: string } | undefined)?.command === 'ROLLBACK')
            throw new Error('group commit: the transaction was aborted and rolled back');
        } catch (err) {
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
