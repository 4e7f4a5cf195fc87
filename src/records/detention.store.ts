import type { DatabaseKind } from '../platform/db/database.js';
import type { IphTables, Q } from './iph.store.js';

export type DetentionRow = IphTables['detention'];

export const insertDetention = (q: Q, row: DetentionRow) => q.insertInto('detention').values(row).execute();

export const getDetention = (q: Q, id: string) => q.selectFrom('detention').selectAll().where('id', '=', id).executeTakeFirst();

export function getDetentionForUpdate(q: Q, kind: DatabaseKind, id: string) {
  let query = q.selectFrom('detention').selectAll().where('id', '=', id);
  if (kind === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Updates a detention still in custody, only if nobody changed it since `version`; returns whether it did. */
export async function updateDetention(q: Q, id: string, version: number, patch: Partial<DetentionRow>): Promise<boolean> {
  const r = await q
    .updateTable('detention')
    .set(patch)
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'in_custody')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const detentionsOfIph = (q: Q, iphId: string) =>
  q.selectFrom('detention').selectAll().where('iphId', '=', iphId).orderBy('detainedAt').execute();

export type DetentionFilter = {
  agencyIds: readonly string[];
  prosecutorAgencyIds: readonly string[];
  iphId?: string;
  status?: string;
  limit: number;
};

export async function listDetentions(q: Q, f: DetentionFilter): Promise<DetentionRow[]> {
  if (!f.agencyIds.length && !f.prosecutorAgencyIds.length) return [];
  let query = q.selectFrom('detention').selectAll().orderBy('detainedAt', 'desc').limit(f.limit);
  if (f.iphId) query = query.where('iphId', '=', f.iphId);
  if (f.status) query = query.where('status', '=', f.status);
  return query
    .where((eb) =>
      eb.or([
        ...(f.agencyIds.length ? [eb('agencyId', 'in', [...f.agencyIds])] : []),
        ...(f.prosecutorAgencyIds.length ? [eb('prosecutorAgencyId', 'in', [...f.prosecutorAgencyIds])] : []),
      ]),
    )
    .execute();
}
