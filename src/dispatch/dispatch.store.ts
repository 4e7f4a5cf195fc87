import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { DatabaseKind } from '../platform/db/database.js';
import { prepared } from '../platform/db/prepared.js';
import { transactionState } from '../platform/db/transaction-state.js';
import type { Assignment, Call, Camera, Capability, Incident, TimelineEntry, Unit } from './dispatch.types.js';

type Ts = string;
export interface DispatchTables {
  folioCounter: { centreId: string; year: number; last: number };
  incident: {
    id: string;
    centreId: string;
    folio: string;
    typeCode: string;
    priority: string;
    status: string;
    closureCode: string | null;
    lat: number;
    lon: number;
    uncertaintyM: number | null;
    stateCode: string;
    municipalityCode: string;
    coloniaId: string | null;
    quadrantId: string | null;
    address: string | null;
    createdAt: Ts;
    createdBy: string | null;
    firstDispatchedAt: Ts | null;
    firstArrivedAt: Ts | null;
    closedAt: Ts | null;
    updatedAt: Ts;
  };
  incidentEntry: {
    id: string;
    incidentId: string;
    at: Ts;
    authorId: string | null;
    authorName: string | null;
    kind: string;
    text: string | null;
    data: string | null;
    seq: number;
  };
  dispatchCall: {
    id: string;
    centreId: string;
    ani: string;
    callerName: string | null;
    lat: number | null;
    lon: number | null;
    uncertaintyM: number | null;
    receivedAt: Ts;
    answeredAt: Ts | null;
    endedAt: Ts | null;
    operatorId: string | null;
    outcome: string | null;
    incidentId: string | null;
    improperCode: string | null;
    transferredToCentreId: string | null;
    stateCode: string | null;
    municipalityCode: string | null;
  };
  unit: {
    id: string;
    agencyId: string;
    callSign: string;
    type: string;
    capabilities: string;
    station: string | null;
    crew: string;
    status: string;
    statusAt: Ts;
    lat: number | null;
    lon: number | null;
    positionAt: Ts | null;
    incidentId: string | null;
  };
  assignment: {
    id: string;
    incidentId: string;
    unitId: string;
    assignedAt: Ts;
    assignedBy: string | null;
    acknowledgedAt: Ts | null;
    enRouteAt: Ts | null;
    onSceneAt: Ts | null;
    clearedAt: Ts | null;
  };
  unitStatusLog: { id: string; unitId: string; status: string; at: Ts; incidentId: string | null; byUser: string | null };
  idempotencyKey: { userId: string; key: string; scope: string; requestHash: string; status: number; response: string; createdAt: Ts };
  dispatchEvent: {
    seq: number;
    at: Ts;
    kind: string;
    centreId: string | null;
    stateCode: string | null;
    municipalityCode: string | null;
    agencyIds: string | null;
    payload: string;
  };
  dispatchTransfer: {
    id: string;
    fromCentreId: string | null;
    fromLabel: string;
    toCentreId: string;
    callId: string | null;
    document: string;
    summary: string;
    createdAt: Ts;
    createdBy: string | null;
    acceptedAt: Ts | null;
    acceptedBy: string | null;
    incidentId: string | null;
  };
  camera: {
    id: string;
    centreId: string;
    code: string;
    name: string;
    lat: number;
    lon: number;
    kind: string;
    streamUrl: string;
    status: string;
  };
  dispatchAlert: {
    id: string;
    centreId: string;
    kind: string;
    incidentId: string | null;
    unitId: string | null;
    raisedAt: Ts;
    acknowledgedAt: Ts | null;
    acknowledgedBy: string | null;
  };
  dispatchSettings: {
    agencyId: string;
    roadFactor: number | null;
    /** JSON: unit type → km/h, only the types the agency overrides. */
    speedsKmh: string;
    onSceneStaleMinutes: number | null;
    /** JSON: priority → seconds, only the priorities the centre overrides. */
    dispatchTargetSeconds: string;
    updatedAt: Ts;
    updatedBy: string | null;
  };
}

export type Q = Kysely<Database> | Transaction<Database>;
type IncidentRow = DispatchTables['incident'];
type UnitRow = DispatchTables['unit'];

// ── mapping rows ↔ model ────────────────────────────────────────────────────
export function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    centreId: r.centreId,
    folio: r.folio,
    typeCode: r.typeCode,
    priority: r.priority as Incident['priority'],
    status: r.status as Incident['status'],
    closureCode: r.closureCode,
    location: {
      lat: Number(r.lat),
      lon: Number(r.lon),
      uncertaintyM: r.uncertaintyM === null ? null : Number(r.uncertaintyM),
      stateCode: r.stateCode,
      municipalityCode: r.municipalityCode,
      coloniaId: r.coloniaId,
      quadrantId: r.quadrantId,
      address: r.address,
    },
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    firstDispatchedAt: r.firstDispatchedAt,
    firstArrivedAt: r.firstArrivedAt,
    closedAt: r.closedAt,
    updatedAt: r.updatedAt,
  };
}

export function fromIncident(i: Incident): IncidentRow {
  return {
    id: i.id,
    centreId: i.centreId,
    folio: i.folio,
    typeCode: i.typeCode,
    priority: i.priority,
    status: i.status,
    closureCode: i.closureCode,
    lat: i.location.lat,
    lon: i.location.lon,
    uncertaintyM: i.location.uncertaintyM ?? null,
    stateCode: i.location.stateCode,
    municipalityCode: i.location.municipalityCode,
    coloniaId: i.location.coloniaId ?? null,
    quadrantId: i.location.quadrantId ?? null,
    address: i.location.address ?? null,
    createdAt: i.createdAt,
    createdBy: i.createdBy,
    firstDispatchedAt: i.firstDispatchedAt,
    firstArrivedAt: i.firstArrivedAt,
    closedAt: i.closedAt,
    updatedAt: i.updatedAt,
  };
}

export function toUnit(r: UnitRow): Unit {
  return {
    id: r.id,
    agencyId: r.agencyId,
    callSign: r.callSign,
    type: r.type as Unit['type'],
    capabilities: JSON.parse(r.capabilities) as Capability[],
    station: r.station,
    crew: JSON.parse(r.crew) as string[],
    status: r.status as Unit['status'],
    statusAt: r.statusAt,
    position: r.lat === null || r.lon === null ? null : { lat: Number(r.lat), lon: Number(r.lon), at: r.positionAt ?? r.statusAt },
    incidentId: r.incidentId,
  };
}

export function toCall(r: DispatchTables['dispatchCall']): Call {
  return {
    id: r.id,
    centreId: r.centreId,
    ani: r.ani,
    callerName: r.callerName,
    callerLocation:
      r.lat === null || r.lon === null
        ? null
        : { lat: Number(r.lat), lon: Number(r.lon), uncertaintyM: r.uncertaintyM === null ? null : Number(r.uncertaintyM) },
    receivedAt: r.receivedAt,
    answeredAt: r.answeredAt,
    endedAt: r.endedAt,
    operatorId: r.operatorId,
    outcome: r.outcome as Call['outcome'],
    incidentId: r.incidentId,
    improperCode: r.improperCode,
    transferredToCentreId: r.transferredToCentreId,
  };
}

const toEntry = (r: DispatchTables['incidentEntry']): TimelineEntry => ({
  id: r.id,
  incidentId: r.incidentId,
  at: r.at,
  authorId: r.authorId,
  authorName: r.authorName,
  kind: r.kind as TimelineEntry['kind'],
  text: r.text,
  data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
});

// ── folios ──────────────────────────────────────────────────────────────────
/**
 * Next folio number for a centre and year; the row lock (PostgreSQL) or the single writer (SQLite) makes
 * it gapless and unique. The lock is held from the first increment to the commit, so a transaction that
 * has taken a number knows the next one without reading it (platform/db/transaction-state.ts): in a group
 * commit only the first incident of a centre waits for the counter, the others increment it write-behind.
 */
const folioStep = prepared((q, centreId: string, year: number) =>
  q
    .updateTable('folioCounter')
    .set((eb) => ({ last: eb('last', '+', 1) }))
    .where('centreId', '=', centreId)
    .where('year', '=', year)
    .returning('last'),
);
const folioIncrement = prepared(
  (q, centreId: string, year: number) =>
    q
      .updateTable('folioCounter')
      .set((eb) => ({ last: eb('last', '+', 1) }))
      .where('centreId', '=', centreId)
      .where('year', '=', year),
  { writeBehind: true },
);
export async function nextFolioNumber(q: Q, centreId: string, year: number): Promise<number> {
  const state = transactionState(q);
  const key = `dispatch.folio:${centreId}:${year}`;
  const known = state?.get(key) as number | undefined;
  if (known !== undefined) {
    await folioIncrement(q, centreId, year);
    state!.set(key, known + 1);
    return known + 1;
  }
  const n = await readNextFolio(q, centreId, year);
  state?.set(key, n);
  return n;
}
async function readNextFolio(q: Q, centreId: string, year: number): Promise<number> {
  const [updated] = await folioStep(q, centreId, year);
  if (updated) return Number(updated.last);
  await q
    .insertInto('folioCounter')
    .values({ centreId, year, last: 1 })
    .onConflict((oc) => oc.columns(['centreId', 'year']).doUpdateSet((eb) => ({ last: eb('folioCounter.last', '+', 1) })))
    .execute();
  const row = await q
    .selectFrom('folioCounter')
    .select('last')
    .where('centreId', '=', centreId)
    .where('year', '=', year)
    .executeTakeFirstOrThrow();
  return Number(row.last);
}

// ── incidents ───────────────────────────────────────────────────────────────
// Inserts whose result nobody reads are write-behind: the PostgreSQL writer does not wait for them (platform/db/prepared.ts).
const incidentInsert = prepared((q, row: ReturnType<typeof fromIncident>) => q.insertInto('incident').values(row), { writeBehind: true });
export const insertIncident = (q: Q, i: Incident) => incidentInsert(q, fromIncident(i));
export async function getIncident(q: Q, id: string): Promise<Incident | undefined> {
  const r = await q.selectFrom('incident').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toIncident(r) : undefined;
}
export async function getIncidentForUpdate(q: Q, kind: DatabaseKind, id: string): Promise<Incident | undefined> {
  let query = q.selectFrom('incident').selectAll().where('id', '=', id);
  if (kind === 'postgres') query = query.forUpdate();
  const r = await query.executeTakeFirst();
  return r ? toIncident(r) : undefined;
}
export const updateIncident = (q: Q, id: string, patch: Partial<IncidentRow>) =>
  q.updateTable('incident').set(patch).where('id', '=', id).execute();

export type IncidentFilter = {
  stateCodes?: string[];
  municipalityCodes?: string[];
  ids?: string[];
  open?: boolean;
  centreId?: string;
  limit: number;
};
export async function listIncidents(q: Q, f: IncidentFilter): Promise<Incident[]> {
  let query = q.selectFrom('incident').selectAll().orderBy('createdAt', 'desc').limit(f.limit);
  if (f.open) query = query.where('status', 'not in', ['closed', 'cancelled']);
  if (f.centreId) query = query.where('centreId', '=', f.centreId);
  if (f.stateCodes || f.municipalityCodes || f.ids) {
    query = query.where((eb) =>
      eb.or([
        ...(f.stateCodes?.length ? [eb('stateCode', 'in', f.stateCodes)] : []),
        ...(f.municipalityCodes?.length ? [eb('municipalityCode', 'in', f.municipalityCodes)] : []),
        ...(f.ids?.length ? [eb('id', 'in', f.ids)] : []),
        sql<boolean>`1 = 0`,
      ]),
    );
  }
  return (await query.execute()).map(toIncident);
}

/** Open incidents of related interest near a point, for duplicate-call detection. */
export async function openIncidentsSince(q: Q, stateCode: string, since: string): Promise<Incident[]> {
  const rows = await q
    .selectFrom('incident')
    .selectAll()
    .where('stateCode', '=', stateCode)
    .where('status', 'not in', ['closed', 'cancelled'])
    .where('createdAt', '>=', since)
    .execute();
  return rows.map(toIncident);
}

/** Appends to an incident's timeline; `seq` keeps entries written in the same instant in their order. */
export async function insertEntry(q: Q, e: TimelineEntry): Promise<void> {
  const last = await q
    .selectFrom('incidentEntry')
    .select((eb) => eb.fn.max('seq').as('m'))
    .where('incidentId', '=', e.incidentId)
    .executeTakeFirst();
  await q
    .insertInto('incidentEntry')
    .values({ ...e, data: e.data ? JSON.stringify(e.data) : null, seq: Number(last?.m ?? 0) + 1 })
    .execute();
}
/** The first entries of a new incident, numbered from 1, in one statement. */
const entryInsert = prepared((q, row: DispatchTables['incidentEntry']) => q.insertInto('incidentEntry').values(row), { writeBehind: true });
/** A new incident's first timeline entries, numbered from 1 (it has no others to read). */
export async function insertFirstEntries(q: Q, entries: TimelineEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    await entryInsert(q, { ...e, data: e.data ? JSON.stringify(e.data) : null, seq: i + 1 });
  }
}
export async function timeline(q: Q, incidentId: string): Promise<TimelineEntry[]> {
  return (await q.selectFrom('incidentEntry').selectAll().where('incidentId', '=', incidentId).orderBy('seq').execute()).map(toEntry);
}

// ── calls ───────────────────────────────────────────────────────────────────
const callInsert = prepared((q, row: DispatchTables['dispatchCall']) => q.insertInto('dispatchCall').values(row), { writeBehind: true });
export const insertCall = (q: Q, row: DispatchTables['dispatchCall']) => callInsert(q, row);
export async function getCall(q: Q, id: string): Promise<DispatchTables['dispatchCall'] | undefined> {
  return q.selectFrom('dispatchCall').selectAll().where('id', '=', id).executeTakeFirst();
}
export const updateCall = (q: Q, id: string, patch: Partial<DispatchTables['dispatchCall']>) =>
  q.updateTable('dispatchCall').set(patch).where('id', '=', id).execute();
export async function callsOfIncident(q: Q, incidentId: string): Promise<Call[]> {
  return (await q.selectFrom('dispatchCall').selectAll().where('incidentId', '=', incidentId).orderBy('receivedAt').execute()).map(toCall);
}

// ── units ───────────────────────────────────────────────────────────────────
export const insertUnit = (q: Q, u: Unit) =>
  q
    .insertInto('unit')
    .values({
      id: u.id,
      agencyId: u.agencyId,
      callSign: u.callSign,
      type: u.type,
      capabilities: JSON.stringify(u.capabilities),
      station: u.station,
      crew: JSON.stringify(u.crew),
      status: u.status,
      statusAt: u.statusAt,
      lat: u.position?.lat ?? null,
      lon: u.position?.lon ?? null,
      positionAt: u.position?.at ?? null,
      incidentId: u.incidentId,
    })
    .execute();
export async function getUnit(q: Q, id: string): Promise<Unit | undefined> {
  const r = await q.selectFrom('unit').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUnit(r) : undefined;
}
export async function listUnits(q: Q, agencyIds?: string[]): Promise<Unit[]> {
  let query = q.selectFrom('unit').selectAll().orderBy('callSign');
  if (agencyIds) query = query.where('agencyId', 'in', agencyIds.length ? agencyIds : ['']);
  return (await query.execute()).map(toUnit);
}
export async function unitsOfIncident(q: Q, incidentId: string): Promise<Unit[]> {
  return (await q.selectFrom('unit').selectAll().where('incidentId', '=', incidentId).execute()).map(toUnit);
}
export async function unitCount(q: Q): Promise<number> {
  return Number(
    (
      await q
        .selectFrom('unit')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

/**
 * Claims an available unit for an incident. The conditional update is the lock:
 * of two dispatchers assigning the same unit at once, exactly one sees a row changed.
 */
export async function claimUnit(q: Q, unitId: string, incidentId: string, at: string): Promise<boolean> {
  const r = await q
    .updateTable('unit')
    .set({ incidentId, status: 'dispatched', statusAt: at })
    .where('id', '=', unitId)
    .where('status', '=', 'available')
    .where('incidentId', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
export const updateUnit = (q: Q, id: string, patch: Partial<UnitRow>) => q.updateTable('unit').set(patch).where('id', '=', id).execute();
export const logUnitStatus = (q: Q, row: DispatchTables['unitStatusLog']) => q.insertInto('unitStatusLog').values(row).execute();

// ── assignments ─────────────────────────────────────────────────────────────
export const insertAssignment = (q: Q, a: Assignment) => q.insertInto('assignment').values(a).execute();
export async function activeAssignment(q: Q, unitId: string, incidentId: string): Promise<Assignment | undefined> {
  return q
    .selectFrom('assignment')
    .selectAll()
    .where('unitId', '=', unitId)
    .where('incidentId', '=', incidentId)
    .where('clearedAt', 'is', null)
    .executeTakeFirst();
}
export async function assignmentsOfIncident(q: Q, incidentId: string): Promise<Assignment[]> {
  return q.selectFrom('assignment').selectAll().where('incidentId', '=', incidentId).orderBy('assignedAt').execute();
}
export const updateAssignment = (q: Q, id: string, patch: Partial<Assignment>) =>
  q.updateTable('assignment').set(patch).where('id', '=', id).execute();

// ── idempotency ─────────────────────────────────────────────────────────────
const idempotencyByKey = prepared((q, userId: string, key: string) =>
  q.selectFrom('idempotencyKey').selectAll().where('userId', '=', userId).where('key', '=', key),
);
export async function getIdempotency(q: Q, userId: string, key: string) {
  return (await idempotencyByKey(q, userId, key))[0];
}
const idempotencyInsert = prepared((q, row: DispatchTables['idempotencyKey']) => q.insertInto('idempotencyKey').values(row), {
  writeBehind: true,
});
export const insertIdempotency = (q: Q, row: DispatchTables['idempotencyKey']) => idempotencyInsert(q, row);

// ── events ──────────────────────────────────────────────────────────────────
// Every incident, call and status change appends an event: compiled once (platform/db/prepared.ts).
const EVENT_HEAD = 'dispatch.event.head';
const lastEvent = prepared((q) => q.selectFrom('dispatchEvent').select('seq').orderBy('seq', 'desc').limit(1));
// PostgreSQL: the lock that serializes appends, write-behind so that it travels with the head's read behind it.
const lockEvents = prepared((q) => q.selectNoFrom(sql<number>`pg_advisory_xact_lock(482902)`.as('locked')), { writeBehind: true });
const eventInsert = prepared((q, row: DispatchTables['dispatchEvent']) => q.insertInto('dispatchEvent').values(row), { writeBehind: true });
/** Appends a board event; serialized like the audit log so that ids commit in order and a resuming console skips none. */
export async function appendEvent(q: Q, kind: DatabaseKind, row: Omit<DispatchTables['dispatchEvent'], 'seq'>): Promise<number> {
  const state = transactionState(q);
  const last = (state?.get(EVENT_HEAD) as number | undefined) ?? (await readEventHead(q, kind));
  const seq = last + 1;
  await eventInsert(q, { ...row, seq });
  // Held until this transaction ends (platform/db/transaction-state.ts): the next append needs no read.
  state?.set(EVENT_HEAD, seq);
  return seq;
}
async function readEventHead(q: Q, kind: DatabaseKind): Promise<number> {
  if (kind === 'postgres') await lockEvents(q);
  const [head] = await lastEvent(q);
  return head ? Number(head.seq) : 0;
}
/** Like the audit chain's `prepareAuditChain`: the lock and the head, read beside a write's other reads. */
export async function prepareEventLog(q: Q, kind: DatabaseKind): Promise<void> {
  const state = transactionState(q);
  if (state && !state.has(EVENT_HEAD)) state.set(EVENT_HEAD, await readEventHead(q, kind));
}
export async function eventsAfter(q: Q, seq: number, limit = 1000) {
  return q.selectFrom('dispatchEvent').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute();
}
export async function lastEventSeq(q: Q): Promise<number> {
  const r = await q.selectFrom('dispatchEvent').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return r ? Number(r.seq) : 0;
}

// ── cameras and alerts ──────────────────────────────────────────────────────
export const insertCamera = (q: Q, c: Camera) => q.insertInto('camera').values(c).execute();
export async function camerasOfCentre(q: Q, centreId: string): Promise<Camera[]> {
  return (await q.selectFrom('camera').selectAll().where('centreId', '=', centreId).execute()).map(
    (c) => ({ ...c, lat: Number(c.lat), lon: Number(c.lon) }) as Camera,
  );
}
export async function getCamera(q: Q, id: string): Promise<Camera | undefined> {
  const c = await q.selectFrom('camera').selectAll().where('id', '=', id).executeTakeFirst();
  return c ? ({ ...c, lat: Number(c.lat), lon: Number(c.lon) } as Camera) : undefined;
}
export const insertAlert = (q: Q, a: DispatchTables['dispatchAlert']) => q.insertInto('dispatchAlert').values(a).execute();
export async function openAlerts(q: Q, centreIds: string[]) {
  return q
    .selectFrom('dispatchAlert')
    .leftJoin('incident', 'incident.id', 'dispatchAlert.incidentId')
    .leftJoin('unit', 'unit.id', 'dispatchAlert.unitId')
    .selectAll('dispatchAlert')
    .select(['incident.folio as folio', 'unit.callSign as callSign'])
    .where('dispatchAlert.centreId', 'in', centreIds.length ? centreIds : [''])
    .where('dispatchAlert.acknowledgedAt', 'is', null)
    .orderBy('dispatchAlert.raisedAt')
    .execute();
}
/** Incidents still pending that were created at or before `createdBy` (the supervisor timers' candidates). */
export async function pendingCreatedBy(q: Q, createdBy: string) {
  return q
    .selectFrom('incident')
    .select(['id', 'centreId', 'folio', 'priority', 'createdAt', 'stateCode', 'municipalityCode'])
    .where('status', '=', 'pending')
    .where('createdAt', '<=', createdBy)
    .execute();
}
/** Units on scene since `since` or earlier, with no status change after it. */
export async function onSceneSince(q: Q, since: string) {
  return q.selectFrom('unit').selectAll().where('status', '=', 'on_scene').where('statusAt', '<=', since).execute();
}
export async function openAlertFor(q: Q, kind: string, incidentId: string | null, unitId: string | null) {
  let query = q.selectFrom('dispatchAlert').selectAll().where('kind', '=', kind).where('acknowledgedAt', 'is', null);
  query = incidentId ? query.where('incidentId', '=', incidentId) : query.where('incidentId', 'is', null);
  query = unitId ? query.where('unitId', '=', unitId) : query.where('unitId', 'is', null);
  return query.executeTakeFirst();
}
export const acknowledgeAlert = (q: Q, id: string, by: string, at: string) =>
  q
    .updateTable('dispatchAlert')
    .set({ acknowledgedAt: at, acknowledgedBy: by })
    .where('id', '=', id)
    .where('acknowledgedAt', 'is', null)
    .executeTakeFirst();
export async function getAlert(q: Q, id: string) {
  return q.selectFrom('dispatchAlert').selectAll().where('id', '=', id).executeTakeFirst();
}

// ── transfers ───────────────────────────────────────────────────────────────
export const insertTransfer = (q: Q, row: DispatchTables['dispatchTransfer']) => q.insertInto('dispatchTransfer').values(row).execute();
export async function getTransfer(q: Q, id: string) {
  return q.selectFrom('dispatchTransfer').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function pendingTransfers(q: Q, toCentreId: string) {
  return q
    .selectFrom('dispatchTransfer')
    .selectAll()
    .where('toCentreId', '=', toCentreId)
    .where('acceptedAt', 'is', null)
    .orderBy('createdAt')
    .execute();
}
/** Marks a transfer accepted once: of two consoles accepting at once, one changes the row. */
export async function claimTransfer(q: Q, id: string, by: string, at: string, incidentId: string): Promise<boolean> {
  const r = await q
    .updateTable('dispatchTransfer')
    .set({ acceptedAt: at, acceptedBy: by, incidentId })
    .where('id', '=', id)
    .where('acceptedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ── per-agency dispatch settings ───────────────────────────────────────────

export type SettingsRow = DispatchTables['dispatchSettings'];
export async function listSettings(q: Q): Promise<SettingsRow[]> {
  return q.selectFrom('dispatchSettings').selectAll().execute();
}
export async function getSettings(q: Q, agencyId: string): Promise<SettingsRow | undefined> {
  return q.selectFrom('dispatchSettings').selectAll().where('agencyId', '=', agencyId).executeTakeFirst();
}
export async function putSettings(q: Q, row: SettingsRow): Promise<void> {
  await q
    .insertInto('dispatchSettings')
    .values(row)
    .onConflict((oc) =>
      oc.column('agencyId').doUpdateSet({
        roadFactor: row.roadFactor,
        speedsKmh: row.speedsKmh,
        onSceneStaleMinutes: row.onSceneStaleMinutes,
        dispatchTargetSeconds: row.dispatchTargetSeconds,
        updatedAt: row.updatedAt,
        updatedBy: row.updatedBy,
      }),
    )
    .execute();
}
