import type { Q } from './crime.store.js';

type Ts = string;
export interface ImportTables {
  crimeImportMapping: {
    id: string;
    ownerAgencyId: string;
    name: string;
    definition: string;
    updatedAt: Ts;
    updatedBy: string | null;
  };
  crimeImportJob: {
    id: string;
    ownerAgencyId: string | null;
    createdBy: string | null;
    createdByName: string | null;
    createdAt: Ts;
    updatedAt: Ts;
    heartbeatAt: Ts | null;
    finishedAt: Ts | null;
    status: string;
    format: string;
    fileName: string;
    fileSize: number | null;
    headSha256: string | null;
    encoding: string;
    encodingUsed: string | null;
    delimiter: string;
    delimiterUsed: string | null;
    header: string | null;
    mappingName: string;
    mapping: string;
    declaredState: string | null;
    bytesCommitted: number;
    nextLine: number;
    rowsRead: number;
    rowsAccepted: number;
    rowsDuplicate: number;
    rowsRejected: number;
    warnings: string | null;
    errorCode: string | null;
    errorParams: string | null;
  };
  crimeImportRejection: {
    jobId: string;
    record: number;
    line: number;
    reason: string;
    field: string | null;
    params: string | null;
    raw: string;
  };
}

export type JobRow = ImportTables['crimeImportJob'];
export type RejectionRow = ImportTables['crimeImportRejection'];
export type MappingRow = ImportTables['crimeImportMapping'];

const numeric = (r: JobRow): JobRow => ({
  ...r,
  fileSize: r.fileSize === null ? null : Number(r.fileSize),
  bytesCommitted: Number(r.bytesCommitted),
  nextLine: Number(r.nextLine),
  rowsRead: Number(r.rowsRead),
  rowsAccepted: Number(r.rowsAccepted),
  rowsDuplicate: Number(r.rowsDuplicate),
  rowsRejected: Number(r.rowsRejected),
});

// ── jobs ────────────────────────────────────────────────────────────────────
export const insertJob = (q: Q, row: JobRow) => q.insertInto('crimeImportJob').values(row).execute();

export async function getJob(q: Q, id: string): Promise<JobRow | undefined> {
  const r = await q.selectFrom('crimeImportJob').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? numeric(r) : undefined;
}

/** Jobs, newest first; `ownerAgencyIds` undefined = every job. */
export async function listJobs(q: Q, ownerAgencyIds: readonly string[] | undefined, limit: number): Promise<JobRow[]> {
  let query = q.selectFrom('crimeImportJob').selectAll().orderBy('createdAt', 'desc').limit(limit);
  if (ownerAgencyIds) query = query.where('ownerAgencyId', 'in', ownerAgencyIds.length ? [...ownerAgencyIds] : ['']);
  return (await query.execute()).map(numeric);
}

export const updateJob = (q: Q, id: string, patch: Partial<JobRow>) =>
  q.updateTable('crimeImportJob').set(patch).where('id', '=', id).execute();

/**
 * Moves a job's committed position and counters forward by one batch. Runs in the batch's
 * transaction; the `bytes_committed` guard makes a stale writer (an older run of the same job)
 * change nothing.
 */
export async function advanceJob(
  q: Q,
  id: string,
  from: number,
  to: { bytes: number; nextLine: number; read: number; accepted: number; duplicate: number; rejected: number; at: Ts },
): Promise<boolean> {
  const r = await q
    .updateTable('crimeImportJob')
    .set((eb) => ({
      bytesCommitted: to.bytes,
      nextLine: to.nextLine,
      rowsRead: eb('rowsRead', '+', to.read),
      rowsAccepted: eb('rowsAccepted', '+', to.accepted),
      rowsDuplicate: eb('rowsDuplicate', '+', to.duplicate),
      rowsRejected: eb('rowsRejected', '+', to.rejected),
      updatedAt: to.at,
      heartbeatAt: to.at,
    }))
    .where('id', '=', id)
    .where('bytesCommitted', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ── rejections ──────────────────────────────────────────────────────────────
export async function insertRejections(q: Q, rows: RejectionRow[]): Promise<void> {
  // A few hundred at a time keeps each statement well under SQLite's and PostgreSQL's parameter limits.
  for (let i = 0; i < rows.length; i += 500) {
    await q
      .insertInto('crimeImportRejection')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['jobId', 'record']).doNothing())
      .execute();
  }
}

export async function listRejections(q: Q, jobId: string, afterRecord: number, limit: number): Promise<RejectionRow[]> {
  const rows = await q
    .selectFrom('crimeImportRejection')
    .selectAll()
    .where('jobId', '=', jobId)
    .where('record', '>', afterRecord)
    .orderBy('record')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, record: Number(r.record), line: Number(r.line) }));
}

// ── mappings ────────────────────────────────────────────────────────────────
export async function listMappings(q: Q, ownerAgencyIds: readonly string[] | undefined): Promise<MappingRow[]> {
  let query = q.selectFrom('crimeImportMapping').selectAll().orderBy('name');
  if (ownerAgencyIds) query = query.where('ownerAgencyId', 'in', ownerAgencyIds.length ? [...ownerAgencyIds] : ['']);
  return query.execute();
}

export async function upsertMapping(q: Q, row: MappingRow): Promise<void> {
  await q
    .insertInto('crimeImportMapping')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['ownerAgencyId', 'name']).doUpdateSet({ definition: row.definition, updatedAt: row.updatedAt, updatedBy: row.updatedBy }),
    )
    .execute();
}
