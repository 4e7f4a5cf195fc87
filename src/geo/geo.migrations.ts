import type { ModuleMigration } from '../platform/db/migrate.js';

export const geoMigrations: Record<string, ModuleMigration> = {
  '0001-geo-jurisdictions': async (db) => {
    await db.schema
      .createTable('geo_state')
      .addColumn('code', 'varchar(2)', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('short_name', 'text', (c) => c.notNull())
      .addColumn('abbreviation', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('population', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('geo_municipality')
      .addColumn('code', 'varchar(5)', (c) => c.primaryKey())
      .addColumn('state_code', 'varchar(2)', (c) => c.notNull().references('geo_state.code'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('population', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('geo_municipality_state').on('geo_municipality').column('state_code').execute();
  },
};
