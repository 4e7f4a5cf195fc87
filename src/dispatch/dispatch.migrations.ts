import type { ModuleMigration } from '../platform/db/migrate.js';

export const dispatchMigrations: Record<string, ModuleMigration> = {
  '0003-dispatch-core': async (db, t) => {
    await db.schema
      .createTable('folio_counter')
      .addColumn('centre_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('year', 'integer', (c) => c.notNull())
      .addColumn('last', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('folio_counter_pk', ['centre_id', 'year'])
      .execute();

    await db.schema
      .createTable('incident')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('centre_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('folio', 'varchar(32)', (c) => c.notNull().unique())
      .addColumn('type_code', 'varchar(5)', (c) => c.notNull())
      .addColumn('priority', 'varchar(5)', (c) => c.notNull())
      .addColumn('status', 'varchar(12)', (c) => c.notNull())
      .addColumn('closure_code', 'varchar(32)')
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('uncertainty_m', 'double precision')
      .addColumn('state_code', 'varchar(2)', (c) => c.notNull())
      .addColumn('municipality_code', 'varchar(5)', (c) => c.notNull())
      .addColumn('colonia_id', 'varchar(16)')
      .addColumn('quadrant_id', 'varchar(16)')
      .addColumn('address', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', 'varchar(36)')
      .addColumn('first_dispatched_at', t.timestamp)
      .addColumn('first_arrived_at', t.timestamp)
      .addColumn('closed_at', t.timestamp)
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_centre_status').on('incident').columns(['centre_id', 'status']).execute();
    await db.schema.createIndex('incident_state_created').on('incident').columns(['state_code', 'created_at']).execute();

    await db.schema
      .createTable('incident_entry')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('incident_id', 'varchar(36)', (c) => c.notNull().references('incident.id'))
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('author_id', 'varchar(36)')
      .addColumn('author_name', 'text')
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('text', 'text')
      .addColumn('data', t.json)
      .addColumn('seq', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_entry_incident').on('incident_entry').columns(['incident_id', 'seq']).execute();

    await db.schema
      .createTable('dispatch_call')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('centre_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('ani', 'varchar(32)', (c) => c.notNull())
      .addColumn('caller_name', 'text')
      .addColumn('lat', 'double precision')
      .addColumn('lon', 'double precision')
      .addColumn('uncertainty_m', 'double precision')
      .addColumn('received_at', t.timestamp, (c) => c.notNull())
      .addColumn('answered_at', t.timestamp)
      .addColumn('ended_at', t.timestamp)
      .addColumn('operator_id', 'varchar(36)')
      .addColumn('outcome', 'varchar(12)')
      .addColumn('incident_id', 'varchar(36)', (c) => c.references('incident.id'))
      .addColumn('improper_code', 'varchar(5)')
      .addColumn('transferred_to_centre_id', 'varchar(36)')
      .addColumn('state_code', 'varchar(2)')
      .addColumn('municipality_code', 'varchar(5)')
      .execute();
    await db.schema.createIndex('dispatch_call_centre_received').on('dispatch_call').columns(['centre_id', 'received_at']).execute();

    await db.schema
      .createTable('unit')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('agency_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('call_sign', 'varchar(32)', (c) => c.notNull().unique())
      .addColumn('type', 'varchar(20)', (c) => c.notNull())
      .addColumn('capabilities', t.json, (c) => c.notNull())
      .addColumn('station', 'text')
      .addColumn('crew', t.json, (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('status_at', t.timestamp, (c) => c.notNull())
      .addColumn('lat', 'double precision')
      .addColumn('lon', 'double precision')
      .addColumn('position_at', t.timestamp)
      .addColumn('incident_id', 'varchar(36)', (c) => c.references('incident.id'))
      .execute();
    await db.schema.createIndex('unit_agency').on('unit').column('agency_id').execute();

    await db.schema
      .createTable('assignment')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('incident_id', 'varchar(36)', (c) => c.notNull().references('incident.id'))
      .addColumn('unit_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
      .addColumn('assigned_at', t.timestamp, (c) => c.notNull())
      .addColumn('assigned_by', 'varchar(36)')
      .addColumn('acknowledged_at', t.timestamp)
      .addColumn('en_route_at', t.timestamp)
      .addColumn('on_scene_at', t.timestamp)
      .addColumn('cleared_at', t.timestamp)
      .execute();
    await db.schema.createIndex('assignment_incident').on('assignment').column('incident_id').execute();
    await db.schema.createIndex('assignment_unit').on('assignment').column('unit_id').execute();

    await db.schema
      .createTable('unit_status_log')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('unit_id', 'varchar(36)', (c) => c.notNull().references('unit.id'))
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('incident_id', 'varchar(36)')
      .addColumn('by_user', 'varchar(36)')
      .execute();
    await db.schema.createIndex('unit_status_log_unit').on('unit_status_log').columns(['unit_id', 'at']).execute();

    // A retried request with the same key returns the first answer; the row is
    // written in the same transaction as what it created.
    await db.schema
      .createTable('idempotency_key')
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('key', 'varchar(128)', (c) => c.notNull())
      .addColumn('scope', 'varchar(64)', (c) => c.notNull())
      .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('response', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_key_pk', ['user_id', 'key'])
      .execute();

    // The persisted stream of live-board events; `seq` is the SSE event id.
    await db.schema
      .createTable('dispatch_event')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('kind', 'varchar(32)', (c) => c.notNull())
      .addColumn('centre_id', 'varchar(36)')
      .addColumn('state_code', 'varchar(2)')
      .addColumn('municipality_code', 'varchar(5)')
      .addColumn('agency_ids', t.json)
      .addColumn('payload', t.json, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('camera')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('centre_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('code', 'varchar(32)', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('kind', 'varchar(8)', (c) => c.notNull())
      .addColumn('stream_url', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(12)', (c) => c.notNull())
      .execute();

    // Centre-to-centre transfers: the EIDO document as sent, until the receiving centre accepts it.
    await db.schema
      .createTable('dispatch_transfer')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('from_centre_id', 'varchar(36)')
      .addColumn('from_label', 'text', (c) => c.notNull())
      .addColumn('to_centre_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('call_id', 'varchar(36)')
      .addColumn('document', t.json, (c) => c.notNull())
      .addColumn('summary', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_by', 'varchar(36)')
      .addColumn('accepted_at', t.timestamp)
      .addColumn('accepted_by', 'varchar(36)')
      .addColumn('incident_id', 'varchar(36)')
      .execute();
    await db.schema.createIndex('dispatch_transfer_to').on('dispatch_transfer').columns(['to_centre_id', 'accepted_at']).execute();

    await db.schema
      .createTable('dispatch_alert')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('centre_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('kind', 'varchar(24)', (c) => c.notNull())
      .addColumn('incident_id', 'varchar(36)')
      .addColumn('unit_id', 'varchar(36)')
      .addColumn('raised_at', t.timestamp, (c) => c.notNull())
      .addColumn('acknowledged_at', t.timestamp)
      .addColumn('acknowledged_by', 'varchar(36)')
      .execute();
    await db.schema.createIndex('dispatch_alert_open').on('dispatch_alert').columns(['centre_id', 'acknowledged_at']).execute();
  },
  // Per-agency travel model and supervisor limits (docs/dispatch-state-machine.md, "Settings").
  '0004-dispatch-settings': async (db, t) => {
    await db.schema
      .createTable('dispatch_settings')
      .addColumn('agency_id', 'varchar(36)', (c) => c.primaryKey().references('agency.id'))
      .addColumn('road_factor', 'double precision')
      .addColumn('speeds_kmh', t.json, (c) => c.notNull())
      .addColumn('on_scene_stale_minutes', 'integer')
      .addColumn('dispatch_target_seconds', t.json, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_by', 'varchar(36)')
      .execute();
  },
  // The supervisor timers look every few seconds for incidents still pending past their target and for
  // the open alert of each: without these they read the whole incident and alert tables each time.
  '0011-dispatch-timer-indexes': async (db) => {
    await db.schema.createIndex('incident_status_created').on('incident').columns(['status', 'created_at']).execute();
    await db.schema.createIndex('dispatch_alert_incident').on('dispatch_alert').columns(['incident_id', 'kind']).execute();
  },
};
