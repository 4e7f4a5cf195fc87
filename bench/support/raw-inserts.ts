/**
 * The dispatch benchmark's baseline: what the database beneath the API does at all. Used by the
 * benchmark and by its phase without HTTP (a child process), on the same database as the phase it
 * follows.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { DbTarget } from './demo-mfa.js';

export type Kind = 'sqlite' | 'postgres';

/** Durable single-row inserts into a plain table: one insert per transaction, for `ms`; inserts per second. */
export async function rawInserts(kind: Kind, target: DbTarget, writers: number, ms: number): Promise<number> {
  const payload = 'x'.repeat(200);
  if (kind === 'sqlite') {
    // Same file and the same pragmas as src/platform/db/database.ts: WAL, synchronous=FULL.
    const db = new SQLite(path.join(target.dataDir, 'openc5.sqlite'), { fileMustExist: true });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec('create table if not exists bench_raw (id integer primary key, at text not null, payload text not null)');
      const insert = db.prepare('insert into bench_raw (at, payload) values (?, ?)');
      let n = 0;
      const t0 = performance.now();
      const end = t0 + ms;
      while (performance.now() < end) {
        insert.run(new Date().toISOString(), payload); // autocommit: one transaction, one WAL fsync
        n++;
      }
      const rate = n / ((performance.now() - t0) / 1000);
      // The next HTTP round starts from an empty WAL, as the first one does, not with these rows to copy back.
      db.pragma('wal_checkpoint(TRUNCATE)');
      return rate;
    } finally {
      db.close();
    }
  }
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const c = new pg.Client({ connectionString: target.databaseUrl });
      await c.connect();
      return c;
    }),
  );
  try {
    await clients[0].query(
      'create table if not exists bench_raw (id bigserial primary key, at timestamptz not null, payload text not null)',
    );
    let n = 0;
    const t0 = performance.now();
    const end = t0 + ms;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          await c.query('insert into bench_raw (at, payload) values ($1, $2)', [new Date().toISOString(), payload]);
          n++;
        }
      }),
    );
    const rate = n / ((performance.now() - t0) / 1000);
    // The next HTTP round does not pay for writing these rows' pages out.
    await clients[0].query('checkpoint');
    return rate;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
