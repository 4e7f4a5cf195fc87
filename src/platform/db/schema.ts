/**
 * The database as Kysely sees it, camelCased by the CamelCasePlugin
 * (`app_user.agency_id` → `appUser.agencyId`). Each module owns its tables and
 * touches only those, in its `*.store.ts`.
 */
import type { GeoTables } from '../../geo/geo.store.js';
import type { IdentityTables } from '../../identity/identity.store.js';
import type { DispatchTables } from '../../dispatch/dispatch.store.js';
import type { IphTables } from '../../records/iph.store.js';
import type { CrimeTables } from '../../records/crime.store.js';
import type { ImportTables } from '../../records/import.store.js';
import type { IndicatorTables } from '../../indicators/indicators.store.js';

export interface Database extends GeoTables, IdentityTables, DispatchTables, IphTables, CrimeTables, ImportTables, IndicatorTables {}
