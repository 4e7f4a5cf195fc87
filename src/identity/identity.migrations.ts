import type { ModuleMigration } from '../platform/db/migrate.js';

export const identityMigrations: Record<string, ModuleMigration> = {
  '0002-identity-core': async (db, t) => {
    await db.schema
      .createTable('agency')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('code', 'varchar(40)', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('level', 'varchar(10)', (c) => c.notNull())
      .addColumn('kind', 'varchar(24)', (c) => c.notNull())
      .addColumn('state_code', 'varchar(2)', (c) => c.references('geo_state.code'))
      .addColumn('municipality_code', 'varchar(5)', (c) => c.references('geo_municipality.code'))
      .addColumn('parent_id', 'varchar(36)', (c) => c.references('agency.id'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('disabled_at', t.timestamp)
      .execute();
    await db.schema.createIndex('agency_parent').on('agency').column('parent_id').execute();

    await db.schema
      .createTable('app_user')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('agency_id', 'varchar(36)', (c) => c.notNull().references('agency.id'))
      .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('full_name', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('password_changed_at', t.timestamp, (c) => c.notNull())
      .addColumn('mfa_secret', 'text')
      .addColumn('mfa_enrolled_at', t.timestamp)
      .addColumn('mfa_last_step', 'bigint')
      .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_at', t.timestamp)
      .addColumn('disabled_at', t.timestamp)
      .addColumn('language', 'varchar(5)', (c) => c.notNull().defaultTo('es'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('app_user_agency').on('app_user').column('agency_id').execute();

    await db.schema
      .createTable('user_role')
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('app_user.id'))
      .addColumn('role', 'varchar(32)', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_role_pk', ['user_id', 'role'])
      .execute();

    await db.schema
      .createTable('user_session')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('app_user.id'))
      .addColumn('stage', 'varchar(12)', (c) => c.notNull())
      .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('pending_secret', 'text')
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .execute();
    await db.schema.createIndex('user_session_user').on('user_session').column('user_id').execute();

    await db.schema
      .createTable('login_attempt')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('app_user.id'))
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('ok', 'integer', (c) => c.notNull())
      .addColumn('ip', 'text')
      .execute();
    await db.schema.createIndex('login_attempt_user_at').on('login_attempt').columns(['user_id', 'at']).execute();

    // The audit log is append-only: the application never updates or deletes it, and
    // each row carries the hash of the one before so that tampering is detectable.
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('at', t.timestamp, (c) => c.notNull())
      .addColumn('actor_user_id', 'varchar(36)')
      .addColumn('actor_username', 'text')
      .addColumn('actor_agency_id', 'varchar(36)')
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('outcome', 'varchar(12)', (c) => c.notNull())
      .addColumn('target_type', 'varchar(40)')
      .addColumn('target_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('request_id', 'text')
      .addColumn('details', t.json)
      .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('hash', 'varchar(64)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema.createIndex('audit_log_actor').on('audit_log').column('actor_user_id').execute();
    await db.schema.createIndex('audit_log_action').on('audit_log').column('action').execute();
  },
};
