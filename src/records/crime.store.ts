import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { DatabaseKind } from '../platform/db/database.js';
import type { CrimeRecord, CrimeSource, CrimeStatus } from './crime.types.js';
import { factColumns } from './crime-checks.js';

type Ts = string;
export interface CrimeTables {
  crimeRecord: {
    id: string;
    classificationCode: string;
    occurredOn: string;
    occurredTime: string | null;
    lat: number;
    lon: number;
    stateCode: string;
    municipalityCode: string;
    coloniaId: string | null;
    quadrantId: string | null;
    h3R7: string;
    h3R8: string;
    h3R9: string;
    h3R10: string;
    violent: number;
    status: string;
    source: string;
    sourceRef: string | null;
    sourceDataset: string;
    sourceId: string;
    ownerAgencyId: string | null;
    createdAt: Ts;
    createdBy: string | null;
  };
  crimeIdempotencyKey: { userId: string; key: string; requestHash: string; response: string; createdAt: Ts };
}

export type Q = Kysely<Database> | Transaction<Database>;
export type CrimeRow = CrimeTables['crimeRecord'];

export function toRecord(r: CrimeRow): CrimeRecord {
  return {
    id: r.id,
    classificationCode: r.classificationCode,
    occurredOn: r.occurredOn,
    occurredTime: r.occurredTime,
    lat: Number(r.lat),
    lon: Number(r.lon),
    stateCode: r.stateCode,
    municipalityCode: r.municipalityCode,
    coloniaId: r.coloniaId,
    quadrantId: r.quadrantId,
    h3: { r7: r.h3R7, r8: r.h3R8, r9: r.h3R9, r10: r.h3R10 },
    violent: Number(r.violent) === 1,
    status: r.status as CrimeStatus,
    source: r.source as CrimeSource,
    sourceRef: r.sourceRef,
    sourceDataset: r.sourceDataset,
    sourceId: r.sourceId,
    ownerAgencyId: r.ownerAgencyId,
    createdAt: r.createdAt,
  };
}

export function fromRecord(c: CrimeRecord, createdBy: string | null): CrimeRow {
  return {
    id: c.id,
    ...factColumns(c),
    status: c.status,
    source: c.source,
    sourceRef: c.sourceRef,
    sourceDataset: c.sourceDataset,
    sourceId: c.sourceId,
    ownerAgencyId: c.ownerAgencyId,
    createdAt: c.createdAt,
    createdBy,
  };
}

/** Inserts a record unless its (source, dataset, source id) exists; true when this call created it. */
export async function insertRecord(q: Q, row: CrimeRow): Promise<boolean> {
  const r = await q
    .insertInto('crimeRecord')
    .values(row)
    .onConflict((oc) => oc.columns(['source', 'sourceDataset', 'sourceId']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function getRecord(q: Q, id: string): Promise<CrimeRecord | undefined> {
  const r = await q.selectFrom('crimeRecord').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRecord(r) : undefined;
}

export async function getBySource(q: Q, source: CrimeSource, dataset: string, sourceId: string): Promise<CrimeRecord | undefined> {
  const r = await q
    .selectFrom('crimeRecord')
    .selectAll()
    .where('source', '=', source)
    .where('sourceDataset', '=', dataset)
    .where('sourceId', '=', sourceId)
    .executeTakeFirst();
  return r ? toRecord(r) : undefined;
}

// ── batches (bulk import) ───────────────────────────────────────────────────
const BATCH_COLUMNS = [
  'id',
  'classification_code',
  'occurred_on',
  'occurred_time',
  'lat',
  'lon',
  'state_code',
  'municipality_code',
  'colonia_id',
  'quadrant_id',
  'h3_r7',
  'h3_r8',
  'h3_r9',
  'h3_r10',
  'violent',
  'status',
  'source',
  'source_ref',
  'source_dataset',
  'source_id',
  'owner_agency_id',
  'created_at',
  'created_by',
] as const;

const batchSql = new Map<string, string>();
/**
 * The multi-row insert for `n` rows, built once per (dialect, n): the import sends
 * thousands of batches of the same size, and a fixed SQL text is also what SQLite's
 * statement cache keys on. Kysely's query builder is bypassed here on purpose: building
 * and compiling a 23,000-value AST per batch cost more than the insert itself.
 */
function batchInsertSql(kind: DatabaseKind, n: number): string {
  const key = `${kind}:${n}`;
  let text = batchSql.get(key);
  if (!text) {
    const width = BATCH_COLUMNS.length;
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      const ph = Array.from({ length: width }, (_, j) => (kind === 'postgres' ? `$${i * width + j + 1}` : '?'));
      rows.push(`(${ph.join(',')})`);
    }
    text = `insert into crime_record (${BATCH_COLUMNS.join(',')}) values ${rows.join(',')} on conflict (source, source_dataset, source_id) do nothing`;
    batchSql.set(key, text);
  }
  return text;
}

/** Inserts rows in one statement, skipping those whose source row exists; returns how many were inserted. */
export async function insertRecordBatch(q: Q, kind: DatabaseKind, rows: CrimeRow[]): Promise<number> {
  if (!rows.length) return 0;
  const params: unknown[] = new Array(rows.length * BATCH_COLUMNS.length);
  let k = 0;
  for (const r of rows) {
    params[k++] = r.id;
    params[k++] = r.classificationCode;
    params[k++] = r.occurredOn;
    params[k++] = r.occurredTime;
    params[k++] = r.lat;
    params[k++] = r.lon;
    params[k++] = r.stateCode;
    params[k++] = r.municipalityCode;
    params[k++] = r.coloniaId;
    params[k++] = r.quadrantId;
    params[k++] = r.h3R7;
    params[k++] = r.h3R8;
    params[k++] = r.h3R9;
    params[k++] = r.h3R10;
    params[k++] = r.violent;
    params[k++] = r.status;
    params[k++] = r.source;
    params[k++] = r.sourceRef;
    params[k++] = r.sourceDataset;
    params[k++] = r.sourceId;
    params[k++] = r.ownerAgencyId;
    params[k++] = r.createdAt;
    params[k++] = r.createdBy;
  }
  const result = await q.executeQuery(CompiledQuery.raw(batchInsertSql(kind, rows.length), params));
  return Number(result.numAffectedRows ?? 0);
}

// ── reading ─────────────────────────────────────────────────────────────────
/** Who may see which records: everything, or the records of a place plus those the agency subtree owns. */
export type CrimeScope =
  { all: true } | { all: false; stateCode: string | null; municipalityCode: string | null; ownerAgencyIds: readonly string[] };

export type CrimeFilter = {
  scope: CrimeScope;
  /** Classification codes (a node and its descendants). */
  codes?: string[];
  from?: string;
  to?: string;
  stateCode?: string;
  municipalityCode?: string;
  coloniaId?: string;
  quadrantId?: string;
  h3?: { resolution: 7 | 8 | 9 | 10; cell: string };
  bbox?: [number, number, number, number];
  violent?: boolean;
  status?: CrimeStatus;
  source?: CrimeSource;
  sourceRef?: string;
  /** Keyset paging: records strictly after this one in (occurredOn desc, id desc) order. */
  after?: { occurredOn: string; id: string };
  limit: number;
};

/** Records the scope lets through (CR-1): a place's records plus those the agency subtree owns. */
function scoped(q: Q, s: CrimeScope) {
  const base = q.selectFrom('crimeRecord');
  if (s.all) return base;
  return base.where((eb) =>
    eb.or([
      // A municipality's code starts with its state's: saying the state lets the (state, date) index serve.
      ...(s.municipalityCode
        ? [eb.and([eb('stateCode', '=', s.municipalityCode.slice(0, 2)), eb('municipalityCode', '=', s.municipalityCode)])]
        : s.stateCode
          ? [eb('stateCode', '=', s.stateCode)]
          : []),
      ...(s.ownerAgencyIds.length ? [eb('ownerAgencyId', 'in', [...s.ownerAgencyIds])] : []),
      sql<boolean>`1 = 0`,
    ]),
  );
}

/** Counts by colonia (null: outside Mexico City's colonias) and month (`YYYY-MM`) of occurrence, within a scope. */
export async function countByColoniaMonth(
  q: Q,
  f: { scope: CrimeScope; codes?: string[]; from: string; to: string },
): Promise<{ coloniaId: string | null; month: string; n: number }[]> {
  let query = scoped(q, f.scope).where('occurredOn', '>=', f.from).where('occurredOn', '<=', f.to);
  if (f.codes) query = query.where('classificationCode', 'in', f.codes.length ? f.codes : ['']);
  const month = sql<string>`substr(occurred_on, 1, 7)`;
  const rows = await query
    .select((eb) => ['coloniaId', month.as('month'), eb.fn.countAll<number>().as('n')])
    .groupBy(['coloniaId', month])
    .execute();
  return rows.map((r) => ({ coloniaId: r.coloniaId, month: r.month, n: Number(r.n) }));
}

export async function listRecords(q: Q, f: CrimeFilter): Promise<CrimeRecord[]> {
  let query = scoped(q, f.scope).selectAll().orderBy('occurredOn', 'desc').orderBy('id', 'desc').limit(f.limit);
  if (f.codes) query = query.where('classificationCode', 'in', f.codes.length ? f.codes : ['']);
  if (f.from) query = query.where('occurredOn', '>=', f.from);
  if (f.to) query = query.where('occurredOn', '<=', f.to);
  if (f.stateCode) query = query.where('stateCode', '=', f.stateCode);
  if (f.municipalityCode)
    query = query.where('stateCode', '=', f.municipalityCode.slice(0, 2)).where('municipalityCode', '=', f.municipalityCode);
  if (f.coloniaId) query = query.where('coloniaId', '=', f.coloniaId);
  if (f.quadrantId) query = query.where('quadrantId', '=', f.quadrantId);
  if (f.h3) {
    const column = ({ 7: 'h3R7', 8: 'h3R8', 9: 'h3R9', 10: 'h3R10' } as const)[f.h3.resolution];
    query = query.where(column, '=', f.h3.cell);
  }
  if (f.bbox) {
    const [minLon, minLat, maxLon, maxLat] = f.bbox;
    query = query.where('lon', '>=', minLon).where('lon', '<=', maxLon).where('lat', '>=', minLat).where('lat', '<=', maxLat);
  }
  if (f.violent !== undefined) query = query.where('violent', '=', f.violent ? 1 : 0);
  if (f.status) query = query.where('status', '=', f.status);
  if (f.source) query = query.where('source', '=', f.source);
  if (f.sourceRef) query = query.where('sourceRef', '=', f.sourceRef);
  if (f.after) {
    const a = f.after;
    query = query.where((eb) =>
      eb.or([eb('occurredOn', '<', a.occurredOn), eb.and([eb('occurredOn', '=', a.occurredOn), eb('id', '<', a.id)])]),
    );
  }
  return (await query.execute()).map(toRecord);
}

/** The columns the analysis engine keeps of a record (no source, status or audit columns). */
export type CrimeRowForAnalysis = Pick<
  CrimeRow,
  | 'id'
  | 'classificationCode'
  | 'occurredOn'
  | 'occurredTime'
  | 'lat'
  | 'lon'
  | 'stateCode'
  | 'municipalityCode'
  | 'coloniaId'
  | 'quadrantId'
  | 'h3R7'
  | 'h3R8'
  | 'h3R9'
  | 'h3R10'
  | 'violent'
  | 'ownerAgencyId'
>;

const ANALYSIS_COLUMNS = [
  'id',
  'classificationCode',
  'occurredOn',
  'occurredTime',
  'lat',
  'lon',
  'stateCode',
  'municipalityCode',
  'coloniaId',
  'quadrantId',
  'h3R7',
  'h3R8',
  'h3R9',
  'h3R10',
  'violent',
  'ownerAgencyId',
] as const;

/**
 * Records counted in analyses (not voided) with an id after `afterId` (all when null), in id order (ids are
 * time-ordered), at most `limit`. Keyset paging on the primary key: every page is one index range scan.
 */
export async function listRecordsAfterId(q: Q, afterId: string | null, limit: number): Promise<CrimeRowForAnalysis[]> {
  let query = q.selectFrom('crimeRecord').select(ANALYSIS_COLUMNS).where('status', '!=', 'voided').orderBy('id').limit(limit);
  if (afterId !== null) query = query.where('id', '>', afterId);
  return query.execute();
}

/** Ids (only) of the records in (fromId, toId], in id order: what the analysis engine re-checks for late commits. */
export async function listIdsBetween(q: Q, fromId: string, toId: string): Promise<string[]> {
  const rows = await q
    .selectFrom('crimeRecord')
    .select('id')
    .where('id', '>', fromId)
    .where('id', '<=', toId)
    .where('status', '!=', 'voided')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Records (analysis columns) with the given ids. */
export async function listRecordsByIds(q: Q, ids: readonly string[]): Promise<CrimeRowForAnalysis[]> {
  if (!ids.length) return [];
  return q
    .selectFrom('crimeRecord')
    .select(ANALYSIS_COLUMNS)
    .where('id', 'in', [...ids])
    .where('status', '!=', 'voided')
    .execute();
}

export async function countBySourceRef(q: Q, sourceRef: string): Promise<number> {
  const r = await q
    .selectFrom('crimeRecord')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sourceRef', '=', sourceRef)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// ── idempotency ─────────────────────────────────────────────────────────────
export async function getIdempotency(q: Q, userId: string, key: string) {
  return q.selectFrom('crimeIdempotencyKey').selectAll().where('userId', '=', userId).where('key', '=', key).executeTakeFirst();
}
export const insertIdempotency = (q: Q, row: CrimeTables['crimeIdempotencyKey']) =>
  q.insertInto('crimeIdempotencyKey').values(row).execute();
