import type { ModuleMigration } from '../platform/db/migrate.js';

export const indicatorsMigrations: Record<string, ModuleMigration> = {
  '0010-indicators-core': async (db, t, kind) => {
    // One row per import that was accepted. A release of a source and level is identified by its
    // label (the publication month, "2018-07"); re-importing the same figures finds the row and writes
    // nothing, importing different figures under the same label marks the old row `replaced`.
    await db.schema
      .createTable('indicator_release')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('source', 'varchar(32)', (c) => c.notNull())
      .addColumn('level', 'varchar(12)', (c) => c.notNull())
      .addColumn('release', 'varchar(7)', (c) => c.notNull())
      .addColumn('status', 'varchar(10)', (c) => c.notNull())
      .addColumn('methodology', 'varchar(24)', (c) => c.notNull())
      .addColumn('unit', 'varchar(16)', (c) => c.notNull())
      .addColumn('first_month', 'integer', (c) => c.notNull())
      .addColumn('last_month', 'integer', (c) => c.notNull())
      .addColumn('crimes', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('layout', 'varchar(8)', (c) => c.notNull())
      .addColumn('encoding', 'varchar(16)', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('data_rows', 'integer', (c) => c.notNull())
      .addColumn('skipped_rows', 'integer', (c) => c.notNull())
      .addColumn('previous_release_id', 'varchar(36)')
      .addColumn('change_summary', t.json)
      .addColumn('imported_at', t.timestamp, (c) => c.notNull())
      .addColumn('imported_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('replaced_at', t.timestamp)
      .addColumn('replaced_by_id', 'varchar(36)')
      .execute();
    await db.schema
      .createIndex('indicator_release_key')
      .on('indicator_release')
      .columns(['source', 'level', 'status', 'release'])
      .execute();

    // A release's figures: one row per crime with every area's monthly counts from the release's
    // first month, as one block of 32-bit integers (series-codec.ts), the area codes in `areas` in
    // the block's order. The engine always reads a whole crime at once, never one cell.
    await db.schema
      .createTable('indicator_series')
      .addColumn('release_id', 'varchar(36)', (c) => c.notNull().references('indicator_release.id'))
      .addColumn('crime', 'varchar(40)', (c) => c.notNull())
      .addColumn('areas', 'text', (c) => c.notNull())
      .addColumn('counts', kind === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
      .addPrimaryKeyConstraint('indicator_series_pk', ['release_id', 'crime'])
      .execute();

    // What a release changed against the one it replaced: each revised or withdrawn cell with its
    // old and new value (new_value null: withdrawn). Added cells are counted in change_summary.
    await db.schema
      .createTable('indicator_change')
      .addColumn('release_id', 'varchar(36)', (c) => c.notNull().references('indicator_release.id'))
      .addColumn('crime', 'varchar(40)', (c) => c.notNull())
      .addColumn('area_code', 'varchar(5)', (c) => c.notNull())
      .addColumn('month', 'integer', (c) => c.notNull())
      .addColumn('old_value', 'double precision', (c) => c.notNull())
      .addColumn('new_value', 'double precision')
      .addPrimaryKeyConstraint('indicator_change_pk', ['release_id', 'crime', 'area_code', 'month'])
      .execute();

    // Population series (CONAPO) by area and year; the 2020 census comes from the geo module.
    await db.schema
      .createTable('indicator_population')
      .addColumn('series', 'varchar(24)', (c) => c.notNull())
      .addColumn('area_code', 'varchar(5)', (c) => c.notNull())
      .addColumn('year', 'integer', (c) => c.notNull())
      .addColumn('population', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('indicator_population_pk', ['series', 'area_code', 'year'])
      .execute();
    await db.schema
      .createTable('indicator_population_series')
      .addColumn('id', 'varchar(24)', (c) => c.primaryKey())
      .addColumn('first_year', 'integer', (c) => c.notNull())
      .addColumn('last_year', 'integer', (c) => c.notNull())
      .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('imported_at', t.timestamp, (c) => c.notNull())
      .execute();
  },
};
