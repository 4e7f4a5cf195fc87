import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { DatabaseKind } from '../platform/db/database.js';

type Ts = string;
/** The tables of the IPH, the detention register and the chain of custody (SQL: iph.store.ts, detention.store.ts, evidence.store.ts). */
export interface IphTables {
  recordsFolioCounter: { agencyId: string; kind: string; year: number; last: number };
  iph: {
    id: string;
    agencyId: string;
    folio: string;
    year: number;
    incidentId: string | null;
    incidentFolio: string | null;
    stateCode: string;
    municipalityCode: string | null;
    status: string;
    crimeCode: string | null;
    content: string;
    version: number;
    authors: string;
    responderUserId: string;
    prosecutorAgencyId: string | null;
    createdBy: string;
    createdAt: Ts;
    updatedAt: Ts;
    signedBy: string | null;
    signerName: string | null;
    signedAt: Ts | null;
    contentHash: string | null;
    amendmentCount: number;
    headHash: string | null;
  };
  iphAmendment: {
    id: string;
    iphId: string;
    seq: number;
    section: string;
    field: string;
    oldValue: string | null;
    newValue: string | null;
    reason: string;
    signedBy: string;
    signerName: string;
    signedAt: Ts;
    prevHash: string;
    hash: string;
  };
  detention: {
    id: string;
    agencyId: string;
    folio: string;
    iphId: string | null;
    incidentId: string | null;
    detainedAt: Ts;
    stateCode: string;
    municipalityCode: string;
    record: string;
    status: string;
    handover: string | null;
    prosecutorAgencyId: string | null;
    handedOverAt: Ts | null;
    version: number;
    createdBy: string;
    createdAt: Ts;
    updatedAt: Ts;
  };
  evidenceItem: {
    id: string;
    agencyId: string;
    folio: string;
    iphId: string | null;
    incidentId: string | null;
    kind: string;
    description: string;
    quantity: number;
    unit: string;
    collectedAt: Ts;
    place: string;
    collectedBy: string;
    seal: string | null;
    condition: string | null;
    registeredBy: string;
    registeredByName: string;
    registeredAt: Ts;
    registrationHash: string;
    custodian: string;
    transferCount: number;
    headHash: string;
  };
  evidenceCustodyAgency: { itemId: string; agencyId: string };
  custodyTransfer: {
    id: string;
    itemId: string;
    seq: number;
    at: Ts;
    fromParty: string;
    toParty: string;
    place: string;
    purpose: string;
    purposeDetail: string | null;
    condition: string;
    seal: string | null;
    observations: string | null;
    recordedBy: string;
    recordedAt: Ts;
    prevHash: string;
    hash: string;
  };
  evidencePhoto: {
    id: string;
    itemId: string;
    sha256: string;
    sizeBytes: number;
    contentType: string;
    uploadedBy: string;
    uploadedAt: Ts;
  };
}

export type Q = Kysely<Database> | Transaction<Database>;
export type IphRow = IphTables['iph'];
export type AmendmentRow = IphTables['iphAmendment'];

// ── folios ──────────────────────────────────────────────────────────────────
/**
 * Next number of an agency's records of one kind in a year. Inside the write's
 * transaction: the row lock (PostgreSQL) or the single writer (SQLite) keeps it
 * gapless and unique, so a folio is unique per agency and year.
 */
export async function nextFolioNumber(q: Q, agencyId: string, kind: 'iph' | 'detention' | 'evidence', year: number): Promise<number> {
  const updated = await q
    .updateTable('recordsFolioCounter')
    .set((eb) => ({ last: eb('last', '+', 1) }))
    .where('agencyId', '=', agencyId)
    .where('kind', '=', kind)
    .where('year', '=', year)
    .returning('last')
    .executeTakeFirst();
  if (updated) return Number(updated.last);
  await q
    .insertInto('recordsFolioCounter')
    .values({ agencyId, kind, year, last: 1 })
    .onConflict((oc) => oc.columns(['agencyId', 'kind', 'year']).doUpdateSet((eb) => ({ last: eb('recordsFolioCounter.last', '+', 1) })))
    .execute();
  const row = await q
    .selectFrom('recordsFolioCounter')
    .select('last')
    .where('agencyId', '=', agencyId)
    .where('kind', '=', kind)
    .where('year', '=', year)
    .executeTakeFirstOrThrow();
  return Number(row.last);
}

// ── IPH ─────────────────────────────────────────────────────────────────────
export const insertIph = (q: Q, row: IphRow) => q.insertInto('iph').values(row).execute();

export const getIph = (q: Q, id: string) => q.selectFrom('iph').selectAll().where('id', '=', id).executeTakeFirst();

/** The row under a lock (PostgreSQL); SQLite's single writer already serializes the write. */
export function getIphForUpdate(q: Q, kind: DatabaseKind, id: string) {
  let query = q.selectFrom('iph').selectAll().where('id', '=', id);
  if (kind === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

export const updateIph = (q: Q, id: string, patch: Partial<IphRow>) => q.updateTable('iph').set(patch).where('id', '=', id).execute();

/** Updates a draft only if nobody saved it since `version` was read; returns whether it did. */
export async function updateDraft(q: Q, id: string, version: number, patch: Partial<IphRow>): Promise<boolean> {
  const r = await q
    .updateTable('iph')
    .set(patch)
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const iphsOfIncident = (q: Q, incidentId: string) => q.selectFrom('iph').selectAll().where('incidentId', '=', incidentId).execute();

export type IphFilter = {
  /** Agencies whose IPHs the user may read (RA-1); `undefined` = none by agency. */
  agencyIds?: readonly string[];
  /** Prosecutor's offices whose received IPHs the user may read (RA-2). */
  prosecutorAgencyIds?: readonly string[];
  incidentId?: string;
  status?: string;
  limit: number;
};

export async function listIphs(q: Q, f: IphFilter): Promise<IphRow[]> {
  let query = q.selectFrom('iph').selectAll().orderBy('createdAt', 'desc').limit(f.limit);
  if (f.incidentId) query = query.where('incidentId', '=', f.incidentId);
  if (f.status) query = query.where('status', '=', f.status);
  const agencyIds = f.agencyIds ?? [];
  const prosecutorIds = f.prosecutorAgencyIds ?? [];
  if (!agencyIds.length && !prosecutorIds.length) return [];
  query = query.where((eb) =>
    eb.or([
      ...(agencyIds.length ? [eb('agencyId', 'in', [...agencyIds])] : []),
      // A prosecutor's office sees what was handed to it, once signed.
      ...(prosecutorIds.length ? [eb.and([eb('prosecutorAgencyId', 'in', [...prosecutorIds]), eb('status', '=', 'signed')])] : []),
    ]),
  );
  return query.execute();
}

export const amendmentsOf = (q: Q, iphId: string) =>
  q.selectFrom('iphAmendment').selectAll().where('iphId', '=', iphId).orderBy('seq').execute();

export const insertAmendment = (q: Q, row: AmendmentRow) => q.insertInto('iphAmendment').values(row).execute();
