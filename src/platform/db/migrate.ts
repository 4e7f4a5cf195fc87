import type { Kysely } from 'kysely';
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Db, DatabaseKind } from './database.js';
import { geoMigrations } from '../../geo/geo.migrations.js';
import { identityMigrations } from '../../identity/identity.migrations.js';
import { dispatchMigrations } from '../../dispatch/dispatch.migrations.js';
import { iphMigrations } from '../../records/iph.migrations.js';
import { recordsMigrations } from '../../records/records.migrations.js';
import { indicatorsMigrations } from '../../indicators/indicators.migrations.js';

/** Column types that differ between the two dialects. */
export type ColumnTypes = {
  /** ISO-8601 instants: text in SQLite, timestamptz in PostgreSQL. */
  timestamp: 'text' | 'timestamptz';
  /** JSON documents: text in SQLite, jsonb in PostgreSQL (stored as text through the stores). */
  json: 'text';
};

export function columnTypes(kind: DatabaseKind): ColumnTypes {
  return { timestamp: kind === 'postgres' ? 'timestamptz' : 'text', json: 'text' };
}

/** A migration that knows which dialect it runs on. Forward-only: no `down`. */
export type ModuleMigration = (db: Kysely<unknown>, types: ColumnTypes, kind: DatabaseKind) => Promise<void>;

/**
 * Every module's migrations, keyed by a name whose sort order is the apply order
 * (`NNNN-module-what`). Names are never renamed once released.
 */
export function allMigrations(): Record<string, ModuleMigration> {
  return {
    ...geoMigrations,
    ...identityMigrations,
    ...dispatchMigrations,
    ...recordsMigrations,
    ...iphMigrations,
    ...indicatorsMigrations,
  };
}

function provider(kind: DatabaseKind): MigrationProvider {
  const types = columnTypes(kind);
  return {
    getMigrations: async () => {
      const out: Record<string, Migration> = {};
      for (const [name, up] of Object.entries(allMigrations())) {
        out[name] = { up: (db) => up(db as Kysely<unknown>, types, kind) };
      }
      return out;
    },
  };
}

/** Applies pending migrations; returns the name of the latest applied one. */
export async function migrateToLatest(handle: Db): Promise<string> {
  const migrator = new Migrator({ db: handle.db, provider: provider(handle.kind) });
  // An index built on a table of millions of crime records sorts it whole: on disk, not in memory
  // (the connection otherwise keeps temporary files in memory, platform/db/database.ts).
  if (handle.kind === 'sqlite') await sql`pragma temp_store = file`.execute(handle.db);
  const { error, results } = await migrator.migrateToLatest().finally(async () => {
    if (handle.kind === 'sqlite') await sql`pragma temp_store = memory`.execute(handle.db);
  });
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`La migración ${failed?.migrationName ?? '?'} falló: ${String(error)}`, { cause: error });
  }
  return migrationLevel(handle);
}

export async function migrationLevel(handle: Db): Promise<string> {
  const migrator = new Migrator({ db: handle.db, provider: provider(handle.kind) });
  const list = await migrator.getMigrations();
  const applied = list.filter((m) => m.executedAt !== undefined);
  return applied.length ? applied[applied.length - 1].name : 'none';
}
