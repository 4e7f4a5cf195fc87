import type { ModuleMigration } from '../platform/db/migrate.js';

/**
 * The IPH, the detention register and the chain of custody. Content, records and
 * parties are JSON text validated by the module's zod schemas; the columns beside them
 * are what the module filters on and what the hash chains need.
 */
export const iphMigrations: Record<string, ModuleMigration> = {
  '0005-records-iph': async (db, t) => {
    // One gapless counter per agency, kind of record (iph, detention, evidence) and year.
    await db.schema
      .createTable('records_folio_counter')
      .addColumn('agency_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('kind', 'varchar(12)', (c) => c.notNull())
      .addColumn('year', 'integer', (c) => c.notNull())
      .addColumn('last', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('records_folio_counter_pk', ['agency_id', 'kind', 'year'])
      .execute();

    await db.schema
      .createTable('iph')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('agency_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('folio', 'varchar(80)', (c) => c.notNull().unique())
      .addColumn('year', 'integer', (c) => c.notNull())
      .addColumn('incident_id', 'varchar(36)')
      .addColumn('incident_folio', 'varchar(32)')
      .addColumn('state_code', 'varchar(2)', (c) => c.notNull())
      .addColumn('municipality_code', 'varchar(5)')
      .addColumn('status', 'varchar(8)', (c) => c.notNull())
      .addColumn('crime_code', 'varchar(32)')
      .addColumn('content', t.json, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('authors', t.json, (c) => c.notNull())
      .addColumn('responder_user_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('prosecutor_agency_id', 'varchar(36)')
      .addColumn('created_by', 'varchar(36)', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('signed_by', 'varchar(36)')
      .addColumn('signer_name', 'text')
      .addColumn('signed_at', t.timestamp)
      .addColumn('content_hash', 'varchar(64)')
      .addColumn('amendment_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('head_hash', 'varchar(64)')
      .execute();
    await db.schema.createIndex('iph_agency_created').on('iph').columns(['agency_id', 'created_at']).execute();
    await db.schema.createIndex('iph_incident').on('iph').column('incident_id').execute();
    await db.schema.createIndex('iph_prosecutor').on('iph').column('prosecutor_agency_id').execute();

    // Amendments are appended, never updated: each carries the hash of the one before (the first, the signed content's).
    await db.schema
      .createTable('iph_amendment')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('iph_id', 'varchar(36)', (c) => c.notNull().references('iph.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('section', 'varchar(16)', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('old_value', t.json)
      .addColumn('new_value', t.json)
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('signed_by', 'varchar(36)', (c) => c.notNull())
      .addColumn('signer_name', 'text', (c) => c.notNull())
      .addColumn('signed_at', t.timestamp, (c) => c.notNull())
      .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('hash', 'varchar(64)', (c) => c.notNull())
      .addUniqueConstraint('iph_amendment_seq', ['iph_id', 'seq'])
      .execute();

    await db.schema
      .createTable('detention')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('agency_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('folio', 'varchar(80)', (c) => c.notNull().unique())
      .addColumn('iph_id', 'varchar(36)', (c) => c.references('iph.id'))
      .addColumn('incident_id', 'varchar(36)')
      .addColumn('detained_at', t.timestamp, (c) => c.notNull())
      .addColumn('state_code', 'varchar(2)', (c) => c.notNull())
      .addColumn('municipality_code', 'varchar(5)', (c) => c.notNull())
      .addColumn('record', t.json, (c) => c.notNull())
      .addColumn('status', 'varchar(12)', (c) => c.notNull())
      .addColumn('handover', t.json)
      .addColumn('prosecutor_agency_id', 'varchar(36)')
      .addColumn('handed_over_at', t.timestamp)
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'varchar(36)', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('detention_agency_detained').on('detention').columns(['agency_id', 'detained_at']).execute();
    await db.schema.createIndex('detention_iph').on('detention').column('iph_id').execute();
    await db.schema.createIndex('detention_prosecutor').on('detention').column('prosecutor_agency_id').execute();

    // The registration is hashed at once; later changes of custody are appended to custody_transfer.
    await db.schema
      .createTable('evidence_item')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('agency_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('folio', 'varchar(80)', (c) => c.notNull().unique())
      .addColumn('iph_id', 'varchar(36)', (c) => c.references('iph.id'))
      .addColumn('incident_id', 'varchar(36)')
      .addColumn('kind', 'varchar(24)', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('quantity', 'double precision', (c) => c.notNull())
      .addColumn('unit', 'varchar(24)', (c) => c.notNull())
      .addColumn('collected_at', t.timestamp, (c) => c.notNull())
      .addColumn('place', t.json, (c) => c.notNull())
      .addColumn('collected_by', t.json, (c) => c.notNull())
      .addColumn('seal', 'varchar(64)')
      .addColumn('condition', 'text')
      .addColumn('registered_by', 'varchar(36)', (c) => c.notNull())
      .addColumn('registered_by_name', 'text', (c) => c.notNull())
      .addColumn('registered_at', t.timestamp, (c) => c.notNull())
      .addColumn('registration_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('custodian', t.json, (c) => c.notNull())
      .addColumn('transfer_count', 'integer', (c) => c.notNull())
      .addColumn('head_hash', 'varchar(64)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('evidence_item_agency').on('evidence_item').columns(['agency_id', 'registered_at']).execute();
    await db.schema.createIndex('evidence_item_iph').on('evidence_item').column('iph_id').execute();

    // Every agency that has held an item (the registering one first): who may read it (RA-2).
    await db.schema
      .createTable('evidence_custody_agency')
      .addColumn('item_id', 'varchar(36)', (c) => c.notNull().references('evidence_item.id'))
      .addColumn('agency_id', 'varchar(36)', (c) => c.notNull())
      .addPrimaryKeyConstraint('evidence_custody_agency_pk', ['item_id', 'agency_id'])
      .execute();
    await db.schema.createIndex('evidence_custody_agency_agency').on('evidence_custody_agency').column('agency_id').execute();

    await db.schema
      .createTable('custody_transfer')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('item_id', 'varchar(36)', (c) => c.notNull().references('evidence_item.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('from_party', t.json, (c) => c.notNull())
      .addColumn('to_party', t.json, (c) => c.notNull())
      .addColumn('place', 'text', (c) => c.notNull())
      .addColumn('purpose', 'varchar(24)', (c) => c.notNull())
      .addColumn('purpose_detail', 'text')
      .addColumn('condition', 'text', (c) => c.notNull())
      .addColumn('seal', 'varchar(64)')
      .addColumn('observations', 'text')
      .addColumn('recorded_by', 'varchar(36)', (c) => c.notNull())
      .addColumn('recorded_at', t.timestamp, (c) => c.notNull())
      .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('hash', 'varchar(64)', (c) => c.notNull())
      .addUniqueConstraint('custody_transfer_seq', ['item_id', 'seq'])
      .execute();

    // Photos are files named by their SHA-256 under DATA_DIR/evidence; the row records the hash to re-verify.
    await db.schema
      .createTable('evidence_photo')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('item_id', 'varchar(36)', (c) => c.notNull().references('evidence_item.id'))
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('content_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('uploaded_by', 'varchar(36)', (c) => c.notNull())
      .addColumn('uploaded_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('evidence_photo_item').on('evidence_photo').column('item_id').execute();
  },
};
