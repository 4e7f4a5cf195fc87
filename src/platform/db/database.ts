import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, CamelCasePlugin } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** A Kysely handle plus the dialect it speaks, for the few places SQL differs. */
export type Db = {
  kind: DatabaseKind;
  db: Kysely<Database>;
  /** Where the embedded database lives (SQLite only), for messages. */
  location: string;
  close: () => Promise<void>;
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

export type OpenOptions = { databaseUrl?: string; dataDir: string; fileName?: string };

/**
 * Opens the embedded SQLite database (durable: WAL journal, synchronous=FULL, so a
 * transaction acknowledged to a caller survives a power cut) or PostgreSQL when a
 * URL is given.
 */
export function openDatabase(opts: OpenOptions): Db {
  const plugins = [new CamelCasePlugin()];
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      types: { getTypeParser: pgTypeParser } as unknown as pg.CustomTypesConfig,
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    const url = new URL(opts.databaseUrl);
    return {
      kind: 'postgres',
      db,
      location: `${url.hostname}:${url.port || 5432}${url.pathname}`,
      close: () => db.destroy(),
    };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = opts.fileName === ':memory:' ? ':memory:' : path.join(opts.dataDir, opts.fileName ?? 'openc5.sqlite');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), plugins });
  return { kind: 'sqlite', db, location: file, close: () => db.destroy() };
}
