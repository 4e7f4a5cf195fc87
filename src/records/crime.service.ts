/**
 * Crime records: classification, occurrence, place and source; no persons. The one door
 * for other modules is {@link recordCrime} (the IPH part calls it when a report is signed,
 * inside its own transaction). Need to know (CR-1): a federal agency sees every record, a
 * state agency the records located in its state, a municipal agency those in its
 * municipality, and any agency the records its subtree created.
 */
import { newId } from '../platform/ids.js';
import crypto from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import { AppError, notFound } from '../platform/errors.js';
import type { MessageKey } from '../platform/i18n/messages.js';
import { scopeOf, type Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import type { GeoService } from '../geo/geo.service.js';
import { crimeCatalogue, type CrimeCatalogue } from './crime-catalogue.js';
import { checkCrime, localToday, type CrimeFacts, type Failure, type Place } from './crime-checks.js';
import * as store from './crime.store.js';
import type { CrimeFilter, CrimeRowForAnalysis, CrimeScope, Q } from './crime.store.js';
import type { CrimeRecord, CrimeSource, CrimeStatus } from './crime.types.js';

export type CrimeDeps = { handle: Db; geo: GeoService; catalogue?: CrimeCatalogue; now?: () => Date };

export const catalogueOf = (deps: CrimeDeps) => deps.catalogue ?? crimeCatalogue();
export const nowOf = (deps: CrimeDeps) => (deps.now ? deps.now() : new Date());

/** A check that failed, as the API error naming the field at fault. */
export function failureError(f: Failure, fieldPrefix = ''): AppError {
  return new AppError(400, f.reason, `crime.reason.${f.reason}` as MessageKey, f.params, `${fieldPrefix}${f.field}`);
}

// ── need to know (CR-1) ─────────────────────────────────────────────────────

/** Which records an actor may read (the scope of `crime.read`, narrowed by the agency's jurisdiction). */
export function crimeScope(actor: Actor): CrimeScope {
  if (scopeOf(actor, 'crime.read') === 'global' || actor.agencyLevel === 'federal') return { all: true };
  return {
    all: false,
    stateCode: actor.agencyLevel === 'state' ? actor.stateCode : null,
    municipalityCode: actor.agencyLevel === 'municipal' ? actor.municipalityCode : null,
    ownerAgencyIds: [...actor.subtree],
  };
}

export function canSeeCrime(actor: Actor, r: Pick<CrimeRecord, 'stateCode' | 'municipalityCode' | 'ownerAgencyId'>): boolean {
  const s = crimeScope(actor);
  if (s.all) return true;
  if (r.ownerAgencyId && s.ownerAgencyIds.includes(r.ownerAgencyId)) return true;
  if (s.municipalityCode) return r.municipalityCode === s.municipalityCode;
  return !!s.stateCode && r.stateCode === s.stateCode;
}

/** Whether a place is within the jurisdiction of an agency (for records it creates or imports). */
export function withinJurisdiction(
  agency: { level: Actor['agencyLevel']; stateCode: string | null; municipalityCode: string | null } | null,
  place: Pick<Place, 'stateCode' | 'municipalityCode'>,
): boolean {
  if (!agency || agency.level === 'federal') return true;
  if (agency.level === 'municipal') return place.municipalityCode === agency.municipalityCode;
  return place.stateCode === agency.stateCode;
}

// ── creating ────────────────────────────────────────────────────────────────

/** What another module (or the API) states about a crime. */
export type NewCrimeRecord = CrimeFacts & {
  status?: CrimeStatus;
  /** `iph`: the signed report it comes from; `api`: the caller's own id, if it has one (unique per agency). */
  source: { kind: 'iph'; iphId: string } | { kind: 'api'; sourceId?: string | null };
};

/**
 * Creates a crime record — once per source row: a second call for the same IPH (or the same
 * API source id of the same agency) returns the existing record with `created: false`. The
 * record is owned by the actor's agency and audited in the same transaction.
 *
 * Pass `q`, the caller's transaction (e.g. inside `handle.write`), to commit the record with
 * the caller's own writes; without it the record is written in a transaction of its own.
 * Throws an `AppError` (400) naming the field when a check fails (unknown classification, date
 * in the future, suspicious coordinates: see `crime-checks.ts`).
 */
export async function recordCrime(
  deps: CrimeDeps,
  actor: Actor,
  input: NewCrimeRecord,
  q?: Q,
): Promise<{ record: CrimeRecord; created: boolean }> {
  const checked = checkCrime(deps.geo, catalogueOf(deps), input, localToday(nowOf(deps)));
  if (!checked.ok) throw failureError(checked);
  const id = newId();
  const [source, sourceRef, sourceDataset, sourceId]: [CrimeSource, string | null, string, string] =
    input.source.kind === 'iph'
      ? ['iph', input.source.iphId, '', input.source.iphId]
      : ['api', null, actor.agencyId, input.source.sourceId ?? id];
  const record: CrimeRecord = {
    id,
    ...checked.value,
    status: input.status ?? 'registered',
    source,
    sourceRef,
    sourceDataset,
    sourceId,
    ownerAgencyId: actor.agencyId,
    createdAt: nowOf(deps).toISOString(),
  };
  const run = async (t: Q) => {
    const created = await store.insertRecord(t, store.fromRecord(record, actor.userId));
    if (!created) return { record: (await store.getBySource(t, source, sourceDataset, sourceId))!, created: false };
    await appendAudit(deps.handle, actor, { action: 'crime.create', targetType: 'crime_record', targetId: id, details: { source } }, t);
    return { record, created: true };
  };
  return q ? run(q) : deps.handle.write(run);
}

const hashBody = (body: unknown) => crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex');

/**
 * The API's creation: the actor may only record crimes within its agency's jurisdiction, and
 * an `Idempotency-Key` makes a retry return the first answer (the key row commits with the
 * record). `replayed` is true for a retry or for a source id the agency already recorded.
 */
export async function createCrimeRecord(
  deps: CrimeDeps,
  actor: Actor,
  input: Omit<NewCrimeRecord, 'source'> & { sourceId?: string | null },
  idemKey: string | undefined,
): Promise<{ record: CrimeRecord; replayed: boolean }> {
  const requestHash = hashBody(input);
  const replay = async () => {
    if (!idemKey) return undefined;
    const row = await store.getIdempotency(deps.handle.db, actor.userId, idemKey);
    if (!row) return undefined;
    if (row.requestHash !== requestHash)
      throw new AppError(409, 'idempotency_mismatch', 'error.crime.idempotency_mismatch', {}, 'Idempotency-Key');
    return { record: JSON.parse(row.response) as CrimeRecord, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const { sourceId, ...facts } = input;
  const checked = checkCrime(deps.geo, catalogueOf(deps), facts, localToday(nowOf(deps)));
  if (!checked.ok) throw failureError(checked);
  const agency = { level: actor.agencyLevel, stateCode: actor.stateCode, municipalityCode: actor.municipalityCode };
  if (scopeOf(actor, 'crime.write') !== 'global' && !withinJurisdiction(agency, checked.value)) {
    throw new AppError(400, 'outside_jurisdiction', 'crime.reason.outside_jurisdiction', {}, 'lat');
  }
  try {
    const out = await deps.handle.write(async (q) => {
      const r = await recordCrime(deps, actor, { ...facts, source: { kind: 'api', sourceId } }, q);
      if (idemKey) {
        await store.insertIdempotency(q, {
          userId: actor.userId,
          key: idemKey,
          requestHash,
          response: JSON.stringify(r.record),
          createdAt: nowOf(deps).toISOString(),
        });
      }
      return r;
    });
    return { record: out.record, replayed: !out.created };
  } catch (err) {
    // A concurrent retry with the same key committed first: answer as it did.
    if (err instanceof AppError) throw err;
    const again = await replay();
    if (again) return again;
    throw err;
  }
}

// ── reading ─────────────────────────────────────────────────────────────────

export type CrimeQuery = Omit<CrimeFilter, 'scope' | 'codes' | 'after'> & { classification?: string; cursor?: string };

const encodeCursor = (r: CrimeRecord) => Buffer.from(`${r.occurredOn}|${r.id}`).toString('base64url');
function decodeCursor(cursor: string): CrimeFilter['after'] {
  const [occurredOn, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!occurredOn || !id || !/^\d{4}-\d{2}-\d{2}$/.test(occurredOn))
    throw new AppError(400, 'validation', 'error.validation', { field: 'cursor', detail: cursor }, 'cursor');
  return { occurredOn, id };
}

function toFilter(deps: CrimeDeps, actor: Actor, q: CrimeQuery): CrimeFilter {
  const { classification, cursor, ...rest } = q;
  let codes: string[] | undefined;
  if (classification) {
    const catalogue = catalogueOf(deps);
    if (!catalogue.get(classification))
      throw new AppError(400, 'unknown_classification', 'crime.reason.unknown_classification', { code: classification }, 'classification');
    codes = catalogue.subtreeCodes(classification);
  }
  return { ...rest, scope: crimeScope(actor), codes, after: cursor ? decodeCursor(cursor) : undefined };
}

export async function listCrimes(
  deps: CrimeDeps,
  actor: Actor,
  q: CrimeQuery,
): Promise<{ records: CrimeRecord[]; nextCursor: string | null }> {
  const records = await store.listRecords(deps.handle.db, toFilter(deps, actor, q));
  return { records, nextCursor: records.length === q.limit ? encodeCursor(records[records.length - 1]) : null };
}

// ── for the analysis engine ─────────────────────────────────────────────────

export type { CrimeRowForAnalysis } from './crime.store.js';

/**
 * One page of the records counted in analyses (every status but `voided`), in id order after
 * `afterId` (from the first when null): the analysis engine loads its in-memory store with these at
 * start and follows new records with them. Only what a map needs: classification, occurrence,
 * place, H3 cells, violence and the owner agency (for the CR-1 scope) — no source, no person.
 * `lat`, `lon` and `violent` are numbers on both databases.
 */
export async function streamCrimeRecords(deps: CrimeDeps, afterId: string | null, batch: number): Promise<CrimeRowForAnalysis[]> {
  const rows = await store.listRecordsAfterId(deps.handle.db, afterId, batch);
  for (const r of rows) {
    r.lat = Number(r.lat);
    r.lon = Number(r.lon);
    r.violent = Number(r.violent);
  }
  return rows;
}

/**
 * The ids of the records in (fromId, toId], and those records by id: how the engine finds a record
 * whose transaction committed after a later id had already been read (ids are taken before commit).
 */
export async function crimeRecordIdsBetween(deps: CrimeDeps, fromId: string, toId: string): Promise<string[]> {
  return store.listIdsBetween(deps.handle.db, fromId, toId);
}

export async function crimeRecordsByIds(deps: CrimeDeps, ids: readonly string[]): Promise<CrimeRowForAnalysis[]> {
  const rows = await store.listRecordsByIds(deps.handle.db, ids);
  for (const r of rows) {
    r.lat = Number(r.lat);
    r.lon = Number(r.lon);
    r.violent = Number(r.violent);
  }
  return rows;
}

export async function getCrime(deps: CrimeDeps, actor: Actor, id: string): Promise<CrimeRecord> {
  const r = await store.getRecord(deps.handle.db, id);
  // A record outside the actor's reach answers exactly like a missing one.
  if (!r || !canSeeCrime(actor, r)) throw notFound();
  return r;
}

/**
 * The export's columns: the record and its classification, place and source — no person,
 * no free text, nothing an IPH narrative could leak (records hold none).
 */
export const CSV_COLUMNS = [
  'id',
  'classification_code',
  'legal_interest',
  'type',
  'subtype',
  'modality',
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
  'source_dataset',
  'source_id',
  'created_at',
] as const;

export const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // Neutralize spreadsheet formulas (CSV injection); quote when needed.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * CSV of the records a query finds, page by page (never the whole result in memory); audited by
 * the caller. The query is checked before the first byte is sent.
 */
export function exportCrimesCsv(deps: CrimeDeps, actor: Actor, q: Omit<CrimeQuery, 'limit' | 'cursor'>): AsyncGenerator<string> {
  return csvPages(deps, toFilter(deps, actor, { ...q, limit: 2000 }));
}

async function* csvPages(deps: CrimeDeps, filter: CrimeFilter): AsyncGenerator<string> {
  const catalogue = catalogueOf(deps);
  yield `${CSV_COLUMNS.join(',')}\n`;
  for (;;) {
    const page = await store.listRecords(deps.handle.db, filter);
    if (!page.length) return;
    const lines = page.map((r) => {
      const node = catalogue.get(r.classificationCode);
      const names = [...(node?.path ?? []), ...(node ? [node] : [])].map((n) => n.name);
      return [
        r.id,
        r.classificationCode,
        names[0],
        names[1],
        names[2],
        names[3],
        r.occurredOn,
        r.occurredTime,
        r.lat,
        r.lon,
        r.stateCode,
        r.municipalityCode,
        r.coloniaId,
        r.quadrantId,
        r.h3.r7,
        r.h3.r8,
        r.h3.r9,
        r.h3.r10,
        r.violent ? 1 : 0,
        r.status,
        r.source,
        r.sourceDataset,
        r.sourceId,
        r.createdAt,
      ]
        .map(csvCell)
        .join(',');
    });
    yield lines.join('\n') + '\n';
    if (page.length < filter.limit) return;
    const last = page[page.length - 1];
    filter.after = { occurredOn: last.occurredOn, id: last.id };
  }
}
