import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';

export interface GeoTables {
  geoState: { code: string; name: string; shortName: string; abbreviation: string; region: string; population: number };
  geoMunicipality: { code: string; stateCode: string; name: string; population: number };
}

export type StateRow = GeoTables['geoState'];
export type MunicipalityRow = GeoTables['geoMunicipality'];

/** Loads the jurisdiction catalogue once; a second start finds it and writes nothing. */
export async function ensureCatalogue(db: Kysely<Database>, states: StateRow[], municipalities: MunicipalityRow[]): Promise<boolean> {
  const existing = await db
    .selectFrom('geoState')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(existing.n) >= states.length) return false;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('geoMunicipality').execute();
    await trx.deleteFrom('geoState').execute();
    await trx.insertInto('geoState').values(states).execute();
    for (let i = 0; i < municipalities.length; i += 500) {
      await trx
        .insertInto('geoMunicipality')
        .values(municipalities.slice(i, i + 500))
        .execute();
    }
  });
  return true;
}

export async function stateExists(db: Kysely<Database>, code: string): Promise<boolean> {
  return (await db.selectFrom('geoState').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

export async function municipalityState(db: Kysely<Database>, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('geoMunicipality').select('stateCode').where('code', '=', code).executeTakeFirst();
  return row?.stateCode;
}
