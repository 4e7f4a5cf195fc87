import type { ModuleMigration } from '../platform/db/migrate.js';

export const crimeMigrations: Record<string, ModuleMigration> = {
  '0004-records-crime': async (db, t) => {
    // One row per crime: what, when, where — never who (persons stay in the IPH tables).
    await db.schema
      .createTable('crime_record')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('classification_code', 'varchar(16)', (c) => c.notNull())
      .addColumn('occurred_on', 'varchar(10)', (c) => c.notNull())
      .addColumn('occurred_time', 'varchar(5)')
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('state_code', 'varchar(2)', (c) => c.notNull())
      .addColumn('municipality_code', 'varchar(5)', (c) => c.notNull())
      .addColumn('colonia_id', 'varchar(32)')
      .addColumn('quadrant_id', 'varchar(32)')
      .addColumn('h3_r7', 'varchar(16)', (c) => c.notNull())
      .addColumn('h3_r8', 'varchar(16)', (c) => c.notNull())
      .addColumn('h3_r9', 'varchar(16)', (c) => c.notNull())
      .addColumn('h3_r10', 'varchar(16)', (c) => c.notNull())
      .addColumn('violent', 'integer', (c) => c.notNull())
      .addColumn('status', 'varchar(12)', (c) => c.notNull())
      .addColumn('source', 'varchar(8)', (c) => c.notNull())
      .addColumn('source_ref', 'varchar(36)')
      .addColumn('source_dataset', 'varchar(64)', (c) => c.notNull())
      .addColumn('source_id', 'varchar(128)', (c) => c.notNull())
      .addColumn('owner_agency_id', 'varchar(36)', (c) => c.references('agency.id'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', 'varchar(36)')
      .execute();
    // A source row becomes at most one record: re-importing a file or re-signing an IPH creates nothing twice.
    await db.schema
      .createIndex('crime_record_source')
      .on('crime_record')
      .columns(['source', 'source_dataset', 'source_id'])
      .unique()
      .execute();
    await db.schema.createIndex('crime_record_state_date').on('crime_record').columns(['state_code', 'occurred_on']).execute();
    await db.schema
      .createIndex('crime_record_municipality_date')
      .on('crime_record')
      .columns(['municipality_code', 'occurred_on'])
      .execute();
    await db.schema.createIndex('crime_record_class_date').on('crime_record').columns(['classification_code', 'occurred_on']).execute();

    await db.schema
      .createTable('crime_idempotency_key')
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('key', 'varchar(128)', (c) => c.notNull())
      .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('response', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('crime_idempotency_key_pk', ['user_id', 'key'])
      .execute();

    // Named column mappings of an agency: columns → fields, category values → SESNSP codes.
    await db.schema
      .createTable('crime_import_mapping')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('owner_agency_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('definition', t.json, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', 'varchar(36)')
      .execute();
    await db.schema
      .createIndex('crime_import_mapping_name')
      .on('crime_import_mapping')
      .columns(['owner_agency_id', 'name'])
      .unique()
      .execute();

    // An import job and its committed position: every batch of records moves `bytes_committed`
    // and `next_line` in the same transaction, so an interrupted import resumes exactly there.
    await db.schema
      .createTable('crime_import_job')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('owner_agency_id', 'varchar(36)', (c) => c.references('agency.id'))
      .addColumn('created_by', 'varchar(36)')
      .addColumn('created_by_name', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('heartbeat_at', t.timestamp)
      .addColumn('finished_at', t.timestamp)
      .addColumn('status', 'varchar(12)', (c) => c.notNull())
      .addColumn('format', 'varchar(8)', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('file_size', 'bigint')
      .addColumn('head_sha256', 'varchar(64)')
      .addColumn('encoding', 'varchar(16)', (c) => c.notNull())
      .addColumn('encoding_used', 'varchar(16)')
      .addColumn('delimiter', 'varchar(5)', (c) => c.notNull())
      .addColumn('delimiter_used', 'varchar(5)')
      .addColumn('header', t.json)
      .addColumn('mapping_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('mapping', t.json, (c) => c.notNull())
      .addColumn('declared_state', 'varchar(2)')
      .addColumn('bytes_committed', 'bigint', (c) => c.notNull())
      .addColumn('next_line', 'bigint', (c) => c.notNull())
      .addColumn('rows_read', 'bigint', (c) => c.notNull())
      .addColumn('rows_accepted', 'bigint', (c) => c.notNull())
      .addColumn('rows_duplicate', 'bigint', (c) => c.notNull())
      .addColumn('rows_rejected', 'bigint', (c) => c.notNull())
      .addColumn('warnings', t.json)
      .addColumn('error_code', 'varchar(32)')
      .addColumn('error_params', t.json)
      .execute();
    await db.schema.createIndex('crime_import_job_owner').on('crime_import_job').columns(['owner_agency_id', 'created_at']).execute();

    // Rows refused by an import, with their line and raw text: listed, downloadable, never dropped silently.
    await db.schema
      .createTable('crime_import_rejection')
      .addColumn('job_id', 'varchar(36)', (c) => c.notNull().references('crime_import_job.id'))
      .addColumn('record', 'bigint', (c) => c.notNull())
      .addColumn('line', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'varchar(32)', (c) => c.notNull())
      .addColumn('field', 'varchar(64)')
      .addColumn('params', t.json)
      .addColumn('raw', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('crime_import_rejection_pk', ['job_id', 'record'])
      .execute();
  },
};
