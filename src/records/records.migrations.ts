import type { ModuleMigration } from '../platform/db/migrate.js';
import { crimeMigrations } from './crime.migrations.js';

/** The records module's migrations: crime records and imports (0004, 0006-…), IPH, detentions and evidence (0005-…). */
export const recordsMigrations: Record<string, ModuleMigration> = { ...crimeMigrations };
