// The embedded database's own thread (see sqlite-thread.ts for why and for the protocol). Plain
// JavaScript: it needs nothing but better-sqlite3, and a worker that loads TypeScript through tsx
// takes a few hundred milliseconds longer to start, once per opened database.
import { parentPort, workerData } from 'node:worker_threads';
import { Buffer } from 'node:buffer';
import SQLite from 'better-sqlite3';

const { file, cacheStatements } = workerData;

/**
 * Kysely's SQLite driver prepares every statement anew, and compiling the SQL was the largest single
 * cost of a dispatch write (docs/benchmarks.md). The application issues a bounded set of statement
 * shapes, so a small LRU keyed by the SQL text keeps them compiled. A statement still being iterated
 * is busy and cannot be reused, so that caller gets a fresh one.
 */
function withStatementCache(db, capacity) {
  const cache = new Map();
  return (text) => {
    const hit = cache.get(text);
    if (hit && !hit.busy) {
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const stmt = db.prepare(text);
    if (!hit) {
      cache.set(text, stmt);
      if (cache.size > capacity) cache.delete(cache.keys().next().value);
    }
    return stmt;
  };
}

function open(readOnly) {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  // Durable: a transaction acknowledged to a caller survives a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A 64 MiB page cache (the default is 2 MiB): bulk imports of crime records write into indexes far
  // larger than that, and re-reading index pages from the OS for every batch halved their rate.
  db.pragma('cache_size = -65536');
  // Temporary files in memory. A group commit keeps a savepoint per write, and SQLite copies each page
  // a write changes into a sub-journal, which outgrew its in-memory start and went to a temporary file
  // on every group: ~70 µs of each 911 incident creation (docs/benchmarks.md). What else goes there is
  // small here (sorts and groupings of query results); migrations, whose index builds may sort a whole
  // table, switch back to files while they run (platform/db/migrate.ts).
  db.pragma('temp_store = MEMORY');
  if (readOnly) db.pragma('query_only = ON');
  return { db, prepare: withStatementCache(db, cacheStatements) };
}

// The writer first: it creates the file and sets WAL mode before the reader opens it.
const writer = open(false);
// An in-memory database exists once per connection: the writer is then the only one.
const reader = file === ':memory:' ? undefined : open(true);

/** Failure of a write-behind statement: the writer's transaction refuses all but a rollback until then. */
let aborted;
/** Statements that write, sent outside any transaction, while the writer is in one: run after it. */
const waiting = [];
/** Whether a statement only reads (asked once per text). */
const readOnlyText = new Map();

const wireError = (e) => ({ message: String(e?.message ?? e), code: e?.code, name: e?.name });
// Structured cloning turns a Buffer into a plain Uint8Array, which better-sqlite3 does not bind.
const bindable = (params) =>
  params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));

function execute(conn, m) {
  const stmt = conn.prepare(m.sql);
  const params = bindable(m.params);
  if (stmt.reader) return { id: m.id, rows: stmt.all(params) };
  const { changes, lastInsertRowid } = stmt.run(params);
  return { id: m.id, rows: [], changes, lastInsertRowid: typeof lastInsertRowid === 'bigint' ? Number(lastInsertRowid) : lastInsertRowid };
}

function onWriter(m, out) {
  if (aborted && !/^\s*rollback/i.test(m.sql)) {
    if (!m.behind) out.push({ id: m.id, error: aborted.error, behindFailure: true, tag: aborted.tag });
    return;
  }
  if (/^\s*rollback/i.test(m.sql)) aborted = undefined;
  try {
    const r = execute(writer, m);
    if (!m.behind) out.push(r);
  } catch (e) {
    if (m.behind) aborted = { error: wireError(e), tag: m.tag };
    else out.push({ id: m.id, error: wireError(e) });
  }
  if (!writer.db.inTransaction) while (waiting.length && !writer.db.inTransaction) runOn(writer, waiting.shift(), out);
}

function runOn(conn, m, out) {
  try {
    out.push(execute(conn, m));
  } catch (e) {
    out.push({ id: m.id, error: wireError(e) });
  }
}

function isReadOnly(sql) {
  let ro = readOnlyText.get(sql);
  if (ro === undefined) {
    // Pragmas set the connection they run on: the writer's is the one that matters.
    ro = !!reader && !/^\s*pragma/i.test(sql) && reader.prepare(sql).readonly;
    readOnlyText.set(sql, ro);
  }
  return ro;
}

function onAuto(m, out) {
  let ro;
  try {
    ro = isReadOnly(m.sql);
  } catch (e) {
    out.push({ id: m.id, error: wireError(e) });
    return;
  }
  if (ro) runOn(reader, m, out);
  else if (writer.db.inTransaction) waiting.push(m);
  else runOn(writer, m, out);
}

/** A value JSON carries unchanged (blobs and big integers need structured cloning). */
const plain = (v) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const plainAnswer = (a) => !a.rows || a.rows.every((row) => Object.values(row).every(plain));

parentPort.on('message', (message) => {
  // Batches come as JSON text when they can (cloning objects costs more on both sides), else as objects.
  const msg = typeof message === 'string' ? { batch: JSON.parse(message) } : message;
  if (msg.close) {
    reader?.db.close();
    writer.db.close();
    parentPort.close();
    return;
  }
  let out = [];
  const answer = () => {
    if (out.length) parentPort.postMessage(out.every(plainAnswer) ? JSON.stringify(out) : out);
    out = [];
  };
  for (const m of msg.batch) {
    // What is answered goes before a commit waits for the disk: the group-commit writer, told that its
    // last release succeeded, starts the next group meanwhile (platform/db/database.ts).
    if (m.channel === 'writer' && /^\s*commit/i.test(m.sql)) answer();
    if (m.channel === 'writer') onWriter(m, out);
    else onAuto(m, out);
  }
  answer();
});
