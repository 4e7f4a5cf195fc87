import type { DatabaseKind } from '../platform/db/database.js';
import type { IphTables, Q } from './iph.store.js';

export type EvidenceRow = IphTables['evidenceItem'];
export type TransferRow = IphTables['custodyTransfer'];
export type PhotoRow = IphTables['evidencePhoto'];

export const insertItem = (q: Q, row: EvidenceRow) => q.insertInto('evidenceItem').values(row).execute();

export const getItem = (q: Q, id: string) => q.selectFrom('evidenceItem').selectAll().where('id', '=', id).executeTakeFirst();

export function getItemForUpdate(q: Q, kind: DatabaseKind, id: string) {
  let query = q.selectFrom('evidenceItem').selectAll().where('id', '=', id);
  if (kind === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Moves the chain's head, only from the head the transfer was checked against (a concurrent transfer makes it fail). */
export async function advanceHead(
  q: Q,
  id: string,
  from: { headHash: string; transferCount: number },
  to: Pick<EvidenceRow, 'headHash' | 'transferCount' | 'custodian'>,
): Promise<boolean> {
  const r = await q
    .updateTable('evidenceItem')
    .set(to)
    .where('id', '=', id)
    .where('headHash', '=', from.headHash)
    .where('transferCount', '=', from.transferCount)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const insertTransfer = (q: Q, row: TransferRow) => q.insertInto('custodyTransfer').values(row).execute();

export const transfersOf = (q: Q, itemId: string) =>
  q.selectFrom('custodyTransfer').selectAll().where('itemId', '=', itemId).orderBy('seq').execute();

export const insertPhoto = (q: Q, row: PhotoRow) => q.insertInto('evidencePhoto').values(row).execute();

export const photosOf = (q: Q, itemId: string) =>
  q.selectFrom('evidencePhoto').selectAll().where('itemId', '=', itemId).orderBy('uploadedAt').execute();

export const getPhoto = (q: Q, itemId: string, photoId: string) =>
  q.selectFrom('evidencePhoto').selectAll().where('itemId', '=', itemId).where('id', '=', photoId).executeTakeFirst();

export async function countsOf(q: Q, itemIds: readonly string[]): Promise<Map<string, number>> {
  if (!itemIds.length) return new Map();
  const rows = await q
    .selectFrom('evidencePhoto')
    .select(['itemId', (eb) => eb.fn.countAll<number>().as('n')])
    .where('itemId', 'in', [...itemIds])
    .groupBy('itemId')
    .execute();
  return new Map(rows.map((r) => [r.itemId, Number(r.n)]));
}

/** Records that an agency holds (or held) the item; idempotent. */
export const addCustodyAgency = (q: Q, itemId: string, agencyId: string) =>
  q
    .insertInto('evidenceCustodyAgency')
    .values({ itemId, agencyId })
    .onConflict((oc) => oc.columns(['itemId', 'agencyId']).doNothing())
    .execute();

export async function custodyAgenciesOf(q: Q, itemId: string): Promise<string[]> {
  const rows = await q.selectFrom('evidenceCustodyAgency').select('agencyId').where('itemId', '=', itemId).execute();
  return rows.map((r) => r.agencyId);
}

export type EvidenceFilter = { agencyIds: readonly string[]; iphId?: string; limit: number };

/** Items that any of the given agencies registered or has held. */
export async function listItems(q: Q, f: EvidenceFilter): Promise<EvidenceRow[]> {
  if (!f.agencyIds.length) return [];
  let query = q
    .selectFrom('evidenceItem')
    .selectAll()
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('evidenceCustodyAgency')
        .select('itemId')
        .where('agencyId', 'in', [...f.agencyIds]),
    )
    .orderBy('registeredAt', 'desc')
    .limit(f.limit);
  if (f.iphId) query = query.where('iphId', '=', f.iphId);
  return query.execute();
}
