import { newId } from '../platform/ids.js';
import crypto from 'node:crypto';
import { isClosureCode } from './closure-codes.js';
import { allSettings } from './settings.service.js';
import type { Db } from '../platform/db/database.js';
import type { Config } from '../platform/config.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import type { BusEvent, EventBus } from '../platform/events.js';
import type { Actor } from '../identity/access-policy.js';
import { appendAudit, prepareAuditChain } from '../identity/audit.service.js';
import { listAgencies, type Agency } from '../identity/identity.service.js';
import type { GeoService } from '../geo/geo.service.js';
import * as store from './dispatch.store.js';
import type { Q } from './dispatch.store.js';
import { canChangeIncident, canChangeUnit, incidentStatusAfterUnit, OPEN_STATUSES, ACTIVE_UNIT_STATUSES } from './state-machine.js';
import type {
  Assignment,
  Call,
  Camera,
  Capability,
  Incident,
  IncidentStatus,
  Location,
  Priority,
  TimelineEntry,
  Unit,
  UnitStatus,
  UnitType,
} from './dispatch.types.js';
import { type DispatchCatalogue } from './dispatch-catalogue.js';
import { coverage, haversineM, recommendUnits, type Recommendation } from './recommend.js';

export type DispatchDeps = {
  handle: Db;
  config: Config;
  geo: GeoService;
  catalogue: DispatchCatalogue;
  bus: EventBus;
  now?: () => Date;
};
export type Ctx = { ip?: string; userAgent?: string; requestId?: string };

const nowIso = (deps: DispatchDeps) => (deps.now ? deps.now() : new Date()).toISOString();
const uuid = newId;

/** Folio prefixes per state (INEGI CVE_ENT), the customary short names used by the C5s. */
export const FOLIO_PREFIX: Record<string, string> = {
  '01': 'AGS', '02': 'BC', '03': 'BCS', '04': 'CAM', '05': 'COA', '06': 'COL', '07': 'CHS', '08': 'CHH',
  '09': 'CDMX', '10': 'DGO', '11': 'GTO', '12': 'GRO', '13': 'HGO', '14': 'JAL', '15': 'MEX', '16': 'MIC',
  '17': 'MOR', '18': 'NAY', '19': 'NL', '20': 'OAX', '21': 'PUE', '22': 'QRO', '23': 'QROO', '24': 'SLP',
  '25': 'SIN', '26': 'SON', '27': 'TAB', '28': 'TAM', '29': 'TLX', '30': 'VER', '31': 'YUC', '32': 'ZAC',
}; // prettier-ignore

// ── access: who sees and who tasks ──────────────────────────────────────────

/**
 * Need to know for incidents (DA-1): a federal agency sees every incident; a state
 * agency those located in its state; a municipal agency those in its municipality;
 * any agency sees the incidents its own units (or its subtree's) are assigned to.
 */
export function canSeeIncident(
  actor: Actor,
  where: { stateCode: string | null; municipalityCode: string | null },
  unitAgencyIds: readonly string[] = [],
): boolean {
  if (unitAgencyIds.some((a) => actor.subtree.has(a))) return true;
  if (actor.agencyLevel === 'federal') return true;
  if (actor.agencyLevel === 'state') return !!actor.stateCode && where.stateCode === actor.stateCode;
  return !!actor.municipalityCode && where.municipalityCode === actor.municipalityCode;
}

/** A field officer (without a dispatch console role) sees only incidents of units they crew (DA-2). */
const consoleRoles = ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'commander'] as const;
export const hasConsole = (actor: Actor) => consoleRoles.some((r) => actor.roles.includes(r));

/**
 * Which units a dispatcher may task (DA-3): units of their own agency subtree, and
 * for a C4/C5 centre every unit of an agency in its state (state or municipal).
 */
export function canTask(actor: Actor, unitAgency: Agency): boolean {
  if (actor.subtree.has(unitAgency.id)) return true;
  if (actor.agencyKind === 'c5' && actor.stateCode) return unitAgency.stateCode === actor.stateCode && unitAgency.level !== 'federal';
  return false;
}

export async function agencyMap(deps: DispatchDeps): Promise<Map<string, Agency>> {
  return new Map((await listAgencies({ handle: deps.handle })).map((a) => [a.id, a]));
}

/** The C4/C5 centre that owns a state's incidents: the (first) centre agency of that state. */
export async function centreForState(deps: DispatchDeps, stateCode: string): Promise<Agency | undefined> {
  const all = [...(await agencyMap(deps)).values()].filter((a) => a.kind === 'c5' && a.stateCode === stateCode && !a.disabledAt);
  return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
}

/** The centre a console user works for: their own agency when it is a centre, else their state's. */
export async function actorCentre(deps: DispatchDeps, actor: Actor): Promise<Agency> {
  const agencies = await agencyMap(deps);
  const own = agencies.get(actor.agencyId);
  if (own?.kind === 'c5') return own;
  const centre = actor.stateCode ? await centreForState(deps, actor.stateCode) : undefined;
  if (!centre) throw new AppError(409, 'no_centre', 'error.dispatch.no_centre', { state: actor.stateCode ?? '—' });
  return centre;
}

// ── events ──────────────────────────────────────────────────────────────────

export type PendingEvent = {
  kind: string;
  centreId: string | null;
  stateCode: string | null;
  municipalityCode: string | null;
  agencyIds: string[];
  payload: unknown;
};

/** Writes events inside the transaction; returns a function that publishes them once it has committed. */
export async function writeEvents(deps: DispatchDeps, q: Q, events: PendingEvent[]): Promise<() => void> {
  const at = nowIso(deps);
  const written: BusEvent[] = [];
  for (const e of events) {
    const seq = await store.appendEvent(q, deps.handle.kind, {
      at,
      kind: e.kind,
      centreId: e.centreId,
      stateCode: e.stateCode,
      municipalityCode: e.municipalityCode,
      agencyIds: JSON.stringify(e.agencyIds),
      payload: JSON.stringify(e.payload),
    });
    written.push({ ...e, seq, at });
  }
  return () => written.forEach((e) => deps.bus.publish(e));
}

export type IncidentView = Incident & {
  typeName: string;
  typeNameEn: string;
  /** Names of the location's places, for lists and the field view (the codes stay in `location`). */
  place: { stateName: string; municipalityName: string | null; coloniaName: string | null };
  units: { id: string; callSign: string; status: UnitStatus; agencyId: string }[];
};

/** The one way an incident is shown: type names in both languages, place names, its units. */
export function toIncidentView(deps: DispatchDeps, incident: Incident, units: Unit[]): IncidentView {
  const type = deps.catalogue.get(incident.typeCode);
  const hit = deps.geo.locate(incident.location.lat, incident.location.lon);
  return {
    ...incident,
    typeName: type?.name ?? incident.typeCode,
    typeNameEn: type?.nameEn ?? incident.typeCode,
    place: {
      stateName: stateName(deps, incident.location.stateCode),
      municipalityName: hit?.municipality.code === incident.location.municipalityCode ? hit.municipality.name : null,
      coloniaName: hit?.colonia && hit.colonia.id === incident.location.coloniaId ? hit.colonia.name : null,
    },
    units: units.map((u) => ({ id: u.id, callSign: u.callSign, status: u.status, agencyId: u.agencyId })),
  };
}

export async function incidentView(deps: DispatchDeps, q: Q, incident: Incident): Promise<IncidentView> {
  return toIncidentView(deps, incident, await store.unitsOfIncident(q, incident.id));
}

export function incidentEvent(kind: string, v: IncidentView): PendingEvent {
  return {
    kind,
    centreId: v.centreId,
    stateCode: v.location.stateCode,
    municipalityCode: v.location.municipalityCode,
    agencyIds: [...new Set(v.units.map((u) => u.agencyId))],
    payload: v,
  };
}

function unitEvent(u: Unit, agency: Agency | undefined): PendingEvent {
  return {
    kind: 'unit',
    centreId: null,
    stateCode: agency?.stateCode ?? null,
    municipalityCode: agency?.municipalityCode ?? null,
    agencyIds: [u.agencyId],
    payload: u,
  };
}

// ── idempotency ─────────────────────────────────────────────────────────────

const hashBody = (body: unknown) => crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex');

/**
 * Runs `create` once per (user, key): the key row is written in the same
 * transaction, so an acknowledged answer and its key commit together; a retry gets
 * the stored answer, the same key with another body a 409.
 *
 * The key is not looked up first: nearly every request is a first one, and a lookup
 * was one more statement each (on PostgreSQL a round trip of its own). A retry runs
 * its write again, and that write fails — on the key's row at the latest, or earlier
 * on a check the first run has made false (its call is already linked) — and rolls
 * back whole; the failure is then answered from what the first run stored.
 */
async function idempotent<T>(
  deps: DispatchDeps,
  actor: Actor,
  key: string | undefined,
  scope: string,
  body: unknown,
  create: (q: Q) => Promise<{ value: T; publish: () => void }>,
): Promise<{ value: T; replayed: boolean; after?: () => void }> {
  const requestHash = hashBody({ scope, body });
  try {
    const out = await deps.handle.write(async (trx) => {
      const created = await create(trx);
      if (key) {
        await store.insertIdempotency(trx, {
          userId: actor.userId,
          key,
          scope,
          requestHash,
          status: 201,
          response: JSON.stringify(created.value),
          createdAt: nowIso(deps),
        });
      }
      return created;
    });
    return { value: out.value, replayed: false, after: out.publish };
  } catch (err) {
    const row = key ? await store.getIdempotency(deps.handle.db, actor.userId, key) : undefined;
    if (!row) throw err;
    if (row.requestHash !== requestHash || row.scope !== scope) {
      throw new AppError(409, 'idempotency_mismatch', 'error.dispatch.idempotency_mismatch', {}, 'Idempotency-Key');
    }
    return { value: JSON.parse(row.response) as T, replayed: true };
  }
}

// ── locations ───────────────────────────────────────────────────────────────

export function stateName(deps: DispatchDeps, code: string): string {
  return deps.geo.listStates().find((s) => s.code === code)?.name ?? code;
}

export function locatePoint(deps: DispatchDeps, lat: number, lon: number, field: string): Omit<Location, 'address' | 'uncertaintyM'> {
  const hit = deps.geo.locate(lat, lon);
  if (!hit) throw new AppError(400, 'outside_mexico', 'error.outside_mexico', { lat, lon }, field);
  return {
    lat,
    lon,
    stateCode: hit.state.code,
    municipalityCode: hit.municipality.code,
    coloniaId: hit.colonia?.id ?? null,
    quadrantId: hit.quadrant?.id ?? null,
  };
}

// ── calls ───────────────────────────────────────────────────────────────────

export type NewCall = {
  ani: string;
  callerName?: string | null;
  callerLocation?: { lat: number; lon: number; uncertaintyM?: number | null } | null;
  receivedAt?: string;
};

export async function createCall(
  deps: DispatchDeps,
  actor: Actor,
  input: NewCall,
  idemKey: string | undefined,
  ctx: Ctx = {},
): Promise<{ call: Call; replayed: boolean }> {
  const centre = await actorCentre(deps, actor);
  const where = input.callerLocation ? locatePoint(deps, input.callerLocation.lat, input.callerLocation.lon, 'callerLocation.lat') : null;
  const r = await idempotent(deps, actor, idemKey, 'call.create', input, async (q) => {
    await Promise.all([prepareAuditChain(deps.handle, q), store.prepareEventLog(q, deps.handle.kind)]);
    const now = nowIso(deps);
    const row = {
      id: uuid(),
      centreId: centre.id,
      ani: input.ani,
      callerName: input.callerName ?? null,
      lat: input.callerLocation?.lat ?? null,
      lon: input.callerLocation?.lon ?? null,
      uncertaintyM: input.callerLocation?.uncertaintyM ?? null,
      receivedAt: input.receivedAt ?? now,
      answeredAt: now,
      endedAt: null,
      operatorId: actor.userId,
      outcome: null,
      incidentId: null,
      improperCode: null,
      transferredToCentreId: null,
      stateCode: where?.stateCode ?? null,
      municipalityCode: where?.municipalityCode ?? null,
    };
    await store.insertCall(q, row);
    await appendAudit(deps.handle, actor, { action: 'dispatch.call.create', targetType: 'call', targetId: row.id, ...ctx }, q);
    const call = store.toCall(row);
    const publish = await writeEvents(deps, q, [
      { kind: 'call', centreId: centre.id, stateCode: centre.stateCode, municipalityCode: null, agencyIds: [centre.id], payload: call },
    ]);
    return { value: call, publish };
  });
  r.after?.();
  return { call: r.value, replayed: r.replayed };
}

export async function visibleCall(deps: DispatchDeps, actor: Actor, id: string) {
  const row = await store.getCall(deps.handle.db, id);
  // Callers' numbers and names are for the console staff only (DA-2).
  if (!row || !hasConsole(actor)) throw notFound();
  const centre = (await agencyMap(deps)).get(row.centreId);
  if (!centre || !canSeeIncident(actor, { stateCode: centre.stateCode, municipalityCode: centre.municipalityCode }, [])) throw notFound();
  return row;
}

export async function getCall(deps: DispatchDeps, actor: Actor, id: string): Promise<Call> {
  return store.toCall(await visibleCall(deps, actor, id));
}

/** Closes a call without an incident: improper (with its catalogue code) or abandoned. */
export async function closeCall(
  deps: DispatchDeps,
  actor: Actor,
  id: string,
  input: { outcome: 'improper' | 'abandoned'; improperCode?: string },
  ctx: Ctx = {},
): Promise<Call> {
  const row = await visibleCall(deps, actor, id);
  if (row.outcome) throw new AppError(409, 'call_closed', 'error.dispatch.call_closed');
  if (input.outcome === 'improper') {
    const entry = input.improperCode ? deps.catalogue.get(input.improperCode) : undefined;
    if (!entry || !entry.improper)
      throw badRequest('unknown_type', 'error.dispatch.improper_code', 'improperCode', { code: input.improperCode ?? '' });
  }
  const patch = { outcome: input.outcome, improperCode: input.outcome === 'improper' ? input.improperCode! : null, endedAt: nowIso(deps) };
  await deps.handle.write(async (trx) => {
    await store.updateCall(trx, id, patch);
    await appendAudit(deps.handle, actor, { action: `dispatch.call.${input.outcome}`, targetType: 'call', targetId: id, ...ctx }, trx);
  });
  return store.toCall({ ...row, ...patch });
}

// ── incidents ───────────────────────────────────────────────────────────────

export type NewIncident = {
  callId?: string;
  typeCode: string;
  priority?: Priority;
  priorityReason?: string;
  location: { lat: number; lon: number; uncertaintyM?: number | null; address?: string | null };
  note?: string;
};

export async function createIncident(
  deps: DispatchDeps,
  actor: Actor,
  input: NewIncident,
  idemKey: string | undefined,
  ctx: Ctx = {},
): Promise<{ incident: IncidentView; replayed: boolean }> {
  const type = deps.catalogue.get(input.typeCode);
  if (!type) throw badRequest('unknown_type', 'error.dispatch.unknown_type', 'typeCode', { code: input.typeCode });
  if (type.improper) throw badRequest('improper_type', 'error.dispatch.improper_type', 'typeCode', { code: input.typeCode });
  const priority = input.priority ?? type.priority;
  if (priority !== type.priority && !input.priorityReason?.trim())
    throw badRequest('priority_reason', 'error.dispatch.priority_reason', 'priorityReason');
  const where = locatePoint(deps, input.location.lat, input.location.lon, 'location.lat');
  const mine = await actorCentre(deps, actor);
  // The state of the location decides the centre (routing): another state's incident is transferred, not created here.
  if (where.stateCode !== mine.stateCode) {
    const target = await centreForState(deps, where.stateCode);
    throw new AppError(
      409,
      'wrong_centre',
      'error.dispatch.wrong_centre',
      { state: stateName(deps, where.stateCode), centre: target?.name ?? '—' },
      'location',
    );
  }
  const call = input.callId ? await visibleCall(deps, actor, input.callId) : undefined;

  const r = await idempotent(deps, actor, idemKey, 'incident.create', input, async (q) => {
    // A retried creation fails here (its first run linked the call) and is answered from the stored response.
    if (call && (await store.getCall(q, call.id))?.outcome)
      throw new AppError(409, 'call_closed', 'error.dispatch.call_closed', {}, 'callId');
    const now = nowIso(deps);
    // The folio and the heads of the two chains this write appends to, read together (in a group commit,
    // by its first incident only; the order of the locks is the folio's, the audit's, the events').
    const [incident] = await Promise.all([
      insertNewIncident(q, mine, now, actor.userId, {
        typeCode: type.code,
        priority,
        location: { ...where, uncertaintyM: input.location.uncertaintyM ?? null, address: input.location.address ?? null },
      }),
      prepareAuditChain(deps.handle, q),
      store.prepareEventLog(q, deps.handle.kind),
    ]);
    const entry = (kind: TimelineEntry['kind'], text: string | null, data: Record<string, unknown> | null): TimelineEntry => ({
      id: uuid(),
      incidentId: incident.id,
      at: now,
      authorId: actor.userId,
      authorName: actor.username,
      kind,
      text,
      data,
    });
    const entries = [entry('created', null, { typeCode: type.code, priority })];
    if (priority !== type.priority) entries.push(entry('priority', input.priorityReason ?? null, { from: type.priority, to: priority }));
    if (input.note?.trim()) entries.push(entry('note', input.note.trim(), null));
    if (call) {
      await store.updateCall(q, call.id, { outcome: 'incident', incidentId: incident.id, endedAt: call.endedAt ?? now });
      entries.push(entry('call_linked', null, { callId: call.id, ani: call.ani }));
    }
    await store.insertFirstEntries(q, entries);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'dispatch.incident.create', targetType: 'incident', targetId: incident.id, details: { folio: incident.folio }, ...ctx },
      q,
    );
    // A new incident has no units yet.
    const view = toIncidentView(deps, incident, []);
    const publish = await writeEvents(deps, q, [incidentEvent('incident', view)]);
    return { value: view, publish };
  });
  r.after?.();
  return { incident: r.value, replayed: r.replayed };
}

/** Writes a new pending incident (IS-1) with the centre's next folio for the year. */
export async function insertNewIncident(
  q: Q,
  centre: Agency,
  now: string,
  createdBy: string | null,
  fields: Pick<Incident, 'typeCode' | 'priority' | 'location'>,
): Promise<Incident> {
  const year = Number(now.slice(0, 4));
  const n = await store.nextFolioNumber(q, centre.id, year);
  const incident: Incident = {
    id: uuid(),
    centreId: centre.id,
    folio: `${FOLIO_PREFIX[centre.stateCode ?? ''] ?? centre.code}-${year}-${String(n).padStart(6, '0')}`,
    ...fields,
    status: 'pending',
    closureCode: null,
    createdAt: now,
    createdBy,
    firstDispatchedAt: null,
    firstArrivedAt: null,
    closedAt: null,
    updatedAt: now,
  };
  await store.insertIncident(q, incident);
  return incident;
}

/** Reads an incident the actor may see; anything else is "not found" (AP-2). */
export async function visibleIncident(deps: DispatchDeps, actor: Actor, id: string, q: Q = deps.handle.db): Promise<Incident> {
  const incident = await store.getIncident(q, id);
  if (!incident) throw notFound();
  const units = await store.unitsOfIncident(q, id);
  const assigned = (await store.assignmentsOfIncident(q, id)).map((a) => a.unitId);
  const unitAgencies = [...units.map((u) => u.agencyId)];
  if (!hasConsole(actor)) {
    // DA-2: field officers see incidents their unit is or was assigned to.
    const mine = (await store.listUnits(q)).filter((u) => u.crew.includes(actor.userId) && assigned.includes(u.id));
    if (!mine.length) throw notFound();
    return incident;
  }
  if (!canSeeIncident(actor, incident.location, unitAgencies)) throw notFound();
  return incident;
}

export type IncidentDetail = IncidentView & { timeline: TimelineEntry[]; calls: Call[]; assignments: Assignment[] };

export async function getIncident(deps: DispatchDeps, actor: Actor, id: string): Promise<IncidentDetail> {
  const incident = await visibleIncident(deps, actor, id);
  const db = deps.handle.db;
  const timeline = await store.timeline(db, id);
  // Callers' numbers and names are for the console staff only (DA-2): a field officer's view omits them.
  const forConsole = hasConsole(actor);
  return {
    ...(await incidentView(deps, db, incident)),
    timeline: forConsole ? timeline : timeline.map((e) => (e.kind === 'call_linked' ? { ...e, data: null } : e)),
    calls: forConsole ? await store.callsOfIncident(db, id) : [],
    assignments: await store.assignmentsOfIncident(db, id),
  };
}

/** Runs a change to one incident under its row lock, then publishes the board event. */
async function changeIncident(
  deps: DispatchDeps,
  actor: Actor,
  id: string,
  change: (
    q: Q,
    incident: Incident,
    now: string,
  ) => Promise<{ audit: string; details?: Record<string, unknown>; extra?: PendingEvent[]; alsoAgencies?: string[] }>,
  ctx: Ctx,
): Promise<IncidentView> {
  await visibleIncident(deps, actor, id);
  const { view, publish } = await deps.handle.write(async (trx) => {
    const incident = (await store.getIncidentForUpdate(trx, deps.handle.kind, id))!;
    const now = nowIso(deps);
    const done = await change(trx, incident, now);
    await store.updateIncident(trx, id, { updatedAt: now });
    await appendAudit(deps.handle, actor, { action: done.audit, targetType: 'incident', targetId: id, details: done.details, ...ctx }, trx);
    const fresh = (await store.getIncident(trx, id))!;
    const v = await incidentView(deps, trx, fresh);
    const event = incidentEvent('incident', v);
    // Units released by this change still hear about it (their crews' phones follow the incident).
    event.agencyIds = [...new Set([...event.agencyIds, ...(done.alsoAgencies ?? [])])];
    return { view: v, publish: await writeEvents(deps, trx, [event, ...(done.extra ?? [])]) };
  });
  publish();
  return view;
}

export const entryOf = (
  actor: Actor,
  incidentId: string,
  at: string,
  kind: TimelineEntry['kind'],
  text: string | null,
  data: Record<string, unknown> | null,
): TimelineEntry => ({
  id: uuid(),
  incidentId,
  at,
  authorId: actor.userId,
  authorName: actor.username,
  kind,
  text,
  data,
});

export const NOTE_MAX = 4000;

export async function addNote(deps: DispatchDeps, actor: Actor, id: string, text: string, ctx: Ctx = {}): Promise<IncidentView> {
  const clean = text.trim();
  if (!clean) throw badRequest('validation', 'error.dispatch.note_empty', 'text');
  if (clean.length > NOTE_MAX) throw badRequest('note_too_long', 'error.dispatch.note_too_long', 'text', { max: NOTE_MAX });
  return changeIncident(
    deps,
    actor,
    id,
    async (q, incident, now) => {
      await store.insertEntry(q, entryOf(actor, incident.id, now, 'note', clean, null));
      return { audit: 'dispatch.incident.note' };
    },
    ctx,
  );
}

export async function changePriority(
  deps: DispatchDeps,
  actor: Actor,
  id: string,
  priority: Priority,
  reason: string,
  ctx: Ctx = {},
): Promise<IncidentView> {
  if (!reason.trim()) throw badRequest('priority_reason', 'error.dispatch.priority_reason', 'reason');
  return changeIncident(
    deps,
    actor,
    id,
    async (q, incident, now) => {
      await store.updateIncident(q, id, { priority });
      await store.insertEntry(q, entryOf(actor, incident.id, now, 'priority', reason.trim(), { from: incident.priority, to: priority }));
      return { audit: 'dispatch.incident.priority', details: { from: incident.priority, to: priority } };
    },
    ctx,
  );
}

export async function changeLocation(
  deps: DispatchDeps,
  actor: Actor,
  id: string,
  loc: { lat: number; lon: number; address?: string | null },
  ctx: Ctx = {},
): Promise<IncidentView> {
  const where = locatePoint(deps, loc.lat, loc.lon, 'lat');
  return changeIncident(
    deps,
    actor,
    id,
    async (q, incident, now) => {
      if (where.stateCode !== incident.location.stateCode)
        throw new AppError(
          409,
          'wrong_centre',
          'error.dispatch.wrong_centre',
          { state: stateName(deps, where.stateCode), centre: '—' },
          'lat',
        );
      await store.updateIncident(q, id, {
        lat: where.lat,
        lon: where.lon,
        municipalityCode: where.municipalityCode,
        coloniaId: where.coloniaId ?? null,
        quadrantId: where.quadrantId ?? null,
        address: loc.address ?? incident.location.address ?? null,
      });
      await store.insertEntry(
        q,
        entryOf(actor, incident.id, now, 'location', loc.address ?? null, {
          from: { lat: incident.location.lat, lon: incident.location.lon },
          to: { lat: where.lat, lon: where.lon },
        }),
      );
      return { audit: 'dispatch.incident.location' };
    },
    ctx,
  );
}

/** Releases every unit of an incident (IS-8). */
async function releaseUnits(q: Q, actor: Actor, agencies: Map<string, Agency>, incidentId: string, now: string): Promise<PendingEvent[]> {
  const events: PendingEvent[] = [];
  for (const u of await store.unitsOfIncident(q, incidentId)) {
    await store.updateUnit(q, u.id, { status: 'available', statusAt: now, incidentId: null });
    await store.logUnitStatus(q, { id: uuid(), unitId: u.id, status: 'available', at: now, incidentId, byUser: actor.userId });
    const a = await store.activeAssignment(q, u.id, incidentId);
    if (a) await store.updateAssignment(q, a.id, { clearedAt: now });
    events.push(unitEvent({ ...u, status: 'available', statusAt: now, incidentId: null }, agencies.get(u.agencyId)));
  }
  return events;
}

export type StatusChange = { status: 'closed' | 'cancelled' | 'pending'; closureCode?: string; reason?: string };

export async function changeStatus(
  deps: DispatchDeps,
  actor: Actor,
  id: string,
  input: StatusChange,
  ctx: Ctx = {},
): Promise<IncidentView> {
  // Read outside the transaction: the embedded database has one connection, which the transaction holds.
  const agencies = await agencyMap(deps);
  return changeIncident(
    deps,
    actor,
    id,
    async (q, incident, now) => {
      if (!canChangeIncident(incident.status, input.status)) {
        throw new AppError(
          409,
          'invalid_transition',
          'error.dispatch.invalid_transition',
          { from: incident.status, to: input.status },
          'status',
        );
      }
      if (input.status === 'closed' && !input.closureCode?.trim())
        throw badRequest('closure_code', 'error.dispatch.closure_code', 'closureCode');
      if (input.status === 'closed' && !isClosureCode(input.closureCode!.trim()))
        throw badRequest('closure_code_unknown', 'error.dispatch.closure_code_unknown', 'closureCode', { code: input.closureCode!.trim() });
      if (input.status !== 'closed' && !input.reason?.trim()) throw badRequest('reason', 'error.dispatch.reason', 'reason');
      // Read before release: the released units' crews must still hear that the incident closed.
      const released = (await store.unitsOfIncident(q, id)).map((u) => u.agencyId);
      const extra = input.status === 'pending' ? [] : await releaseUnits(q, actor, agencies, id, now);
      await store.updateIncident(q, id, {
        status: input.status,
        closureCode: input.status === 'closed' ? input.closureCode!.trim() : null,
        closedAt: input.status === 'pending' ? null : now,
      });
      await store.insertEntry(
        q,
        entryOf(actor, id, now, 'status', input.reason?.trim() ?? null, {
          from: incident.status,
          to: input.status,
          closureCode: input.closureCode ?? null,
        }),
      );
      return {
        audit: `dispatch.incident.${input.status === 'pending' ? 'reopen' : input.status}`,
        details: { closureCode: input.closureCode },
        extra,
        alsoAgencies: released,
      };
    },
    ctx,
  );
}

// ── units and assignment ────────────────────────────────────────────────────

export async function assignUnits(
  deps: DispatchDeps,
  actor: Actor,
  incidentId: string,
  unitIds: string[],
  ctx: Ctx = {},
): Promise<IncidentView> {
  const agencies = await agencyMap(deps);
  const units = await Promise.all(unitIds.map((u) => store.getUnit(deps.handle.db, u)));
  units.forEach((u, i) => {
    if (!u) throw new AppError(404, 'unit_not_found', 'error.not_found', {}, `unitIds.${i}`);
    const agency = agencies.get(u.agencyId);
    if (!agency || !canTask(actor, agency))
      throw new AppError(403, 'unit_not_taskable', 'error.dispatch.unit_not_taskable', { unit: u.callSign }, `unitIds.${i}`);
    if (u.status === 'out_of_service')
      throw new AppError(409, 'unit_out_of_service', 'error.dispatch.unit_out_of_service', { unit: u.callSign }, `unitIds.${i}`);
  });
  return changeIncident(
    deps,
    actor,
    incidentId,
    async (q, incident, now) => {
      if (!OPEN_STATUSES.includes(incident.status))
        throw new AppError(409, 'invalid_transition', 'error.dispatch.incident_not_open', { folio: incident.folio }, 'incidentId');
      const extra: PendingEvent[] = [];
      for (const [i, u] of units.entries()) {
        const unit = u!;
        if (!(await store.claimUnit(q, unit.id, incident.id, now))) {
          throw new AppError(409, 'unit_unavailable', 'error.dispatch.unit_unavailable', { unit: unit.callSign }, `unitIds.${i}`);
        }
        await store.insertAssignment(q, {
          id: uuid(),
          incidentId: incident.id,
          unitId: unit.id,
          assignedAt: now,
          assignedBy: actor.userId,
          acknowledgedAt: null,
          enRouteAt: null,
          onSceneAt: null,
          clearedAt: null,
        });
        await store.logUnitStatus(q, {
          id: uuid(),
          unitId: unit.id,
          status: 'dispatched',
          at: now,
          incidentId: incident.id,
          byUser: actor.userId,
        });
        await store.insertEntry(q, entryOf(actor, incident.id, now, 'assignment', null, { unitId: unit.id, callSign: unit.callSign }));
        extra.push(unitEvent({ ...unit, status: 'dispatched', statusAt: now, incidentId: incident.id }, agencies.get(unit.agencyId)));
      }
      const next = incidentStatusAfterUnit(incident.status, 'dispatched');
      if (next) await store.updateIncident(q, incident.id, { status: next });
      if (!incident.firstDispatchedAt) await store.updateIncident(q, incident.id, { firstDispatchedAt: now });
      return { audit: 'dispatch.incident.assign', details: { units: units.map((u) => u!.callSign) }, extra };
    },
    ctx,
  );
}

/** May the actor report for this unit: its crew, or a dispatcher who may task it. */
function canReportFor(actor: Actor, unit: Unit, agency: Agency | undefined): boolean {
  if (unit.crew.includes(actor.userId)) return true;
  return !!agency && canTask(actor, agency) && (actor.roles.includes('dispatcher') || actor.roles.includes('supervisor'));
}

export async function visibleUnit(deps: DispatchDeps, actor: Actor, unitId: string): Promise<{ unit: Unit; agency: Agency | undefined }> {
  const unit = await store.getUnit(deps.handle.db, unitId);
  if (!unit) throw notFound();
  const agency = (await agencyMap(deps)).get(unit.agencyId);
  const visible =
    unit.crew.includes(actor.userId) ||
    (!!agency &&
      (canTask(actor, agency) || canSeeIncident(actor, { stateCode: agency.stateCode, municipalityCode: agency.municipalityCode })));
  if (!visible) throw notFound();
  return { unit, agency };
}

export async function changeUnitStatus(deps: DispatchDeps, actor: Actor, unitId: string, status: UnitStatus, ctx: Ctx = {}): Promise<Unit> {
  const { unit, agency } = await visibleUnit(deps, actor, unitId);
  if (!canReportFor(actor, unit, agency)) throw new AppError(403, 'forbidden', 'error.forbidden');
  if (!canChangeUnit(unit.status, status))
    throw new AppError(409, 'invalid_transition', 'error.dispatch.unit_transition', { from: unit.status, to: status }, 'status');
  const { updated, publish } = await deps.handle.write(async (trx) => {
    const now = nowIso(deps);
    const incidentId = unit.incidentId;
    const leaving = status === 'returning' || status === 'available';
    const patch = { status, statusAt: now, incidentId: leaving ? null : incidentId };
    // Re-check the status under the write so that two reports cannot both apply.
    const r = await trx.updateTable('unit').set(patch).where('id', '=', unitId).where('status', '=', unit.status).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError(409, 'unit_changed', 'error.dispatch.unit_changed', { unit: unit.callSign });
    await store.logUnitStatus(trx, { id: uuid(), unitId, status, at: now, incidentId, byUser: actor.userId });
    const events: PendingEvent[] = [];
    const u2: Unit = { ...unit, ...patch };
    events.push(unitEvent(u2, agency));
    if (incidentId) {
      const a = await store.activeAssignment(trx, unitId, incidentId);
      if (a) {
        const stamp =
          status === 'en_route' ? { enRouteAt: now } : status === 'on_scene' ? { onSceneAt: now } : leaving ? { clearedAt: now } : {};
        await store.updateAssignment(trx, a.id, stamp);
      }
      const incident = (await store.getIncidentForUpdate(trx, deps.handle.kind, incidentId))!;
      const next = incidentStatusAfterUnit(incident.status, status);
      const patchI: Partial<store.DispatchTables['incident']> = { updatedAt: now };
      if (next) patchI.status = next;
      if (status === 'on_scene' && !incident.firstArrivedAt) patchI.firstArrivedAt = now;
      await store.updateIncident(trx, incidentId, patchI);
      await store.insertEntry(trx, entryOf(actor, incidentId, now, 'unit_status', null, { unitId, callSign: unit.callSign, status }));
      const v = await incidentView(deps, trx, (await store.getIncident(trx, incidentId))!);
      events.push(incidentEvent('incident', v));
    }
    await appendAudit(
      deps.handle,
      actor,
      { action: 'dispatch.unit.status', targetType: 'unit', targetId: unitId, details: { status }, ...ctx },
      trx,
    );
    return { updated: u2, publish: await writeEvents(deps, trx, events) };
  });
  publish();
  return updated;
}

export async function acknowledgeAssignment(deps: DispatchDeps, actor: Actor, unitId: string, ctx: Ctx = {}): Promise<Assignment> {
  const { unit, agency } = await visibleUnit(deps, actor, unitId);
  if (!canReportFor(actor, unit, agency)) throw new AppError(403, 'forbidden', 'error.forbidden');
  if (!unit.incidentId) throw new AppError(409, 'no_assignment', 'error.dispatch.no_assignment', { unit: unit.callSign });
  const a = (await store.activeAssignment(deps.handle.db, unitId, unit.incidentId))!;
  const now = nowIso(deps);
  if (!a.acknowledgedAt) {
    const incident = (await store.getIncident(deps.handle.db, unit.incidentId))!;
    const publish = await deps.handle.write(async (trx) => {
      await store.updateAssignment(trx, a.id, { acknowledgedAt: now });
      await store.insertEntry(
        trx,
        entryOf(actor, unit.incidentId!, now, 'unit_status', null, { unitId, callSign: unit.callSign, status: 'acknowledged' }),
      );
      await appendAudit(deps.handle, actor, { action: 'dispatch.unit.acknowledge', targetType: 'unit', targetId: unitId, ...ctx }, trx);
      // The dispatcher's console shows the acknowledgement in the incident's timeline at once.
      return writeEvents(deps, trx, [incidentEvent('incident', await incidentView(deps, trx, incident))]);
    });
    publish();
  }
  return { ...a, acknowledgedAt: a.acknowledgedAt ?? now };
}

export async function reportPosition(deps: DispatchDeps, actor: Actor, unitId: string, pos: { lat: number; lon: number }): Promise<Unit> {
  const { unit, agency } = await visibleUnit(deps, actor, unitId);
  if (!canReportFor(actor, unit, agency)) throw new AppError(403, 'forbidden', 'error.forbidden');
  locatePoint(deps, pos.lat, pos.lon, 'lat');
  const now = nowIso(deps);
  const publish = await deps.handle.write(async (trx) => {
    await store.updateUnit(trx, unitId, { lat: pos.lat, lon: pos.lon, positionAt: now });
    return writeEvents(deps, trx, [unitEvent({ ...unit, position: { ...pos, at: now } }, agency)]);
  });
  publish();
  return { ...unit, position: { ...pos, at: now } };
}

export type NewUnit = {
  agencyId: string;
  callSign: string;
  type: UnitType;
  capabilities: Capability[];
  station?: string | null;
  crew?: string[];
  position?: { lat: number; lon: number } | null;
};

export async function createUnit(deps: DispatchDeps, actor: Actor | { system: string }, input: NewUnit, ctx: Ctx = {}): Promise<Unit> {
  const agencies = await agencyMap(deps);
  const agency = agencies.get(input.agencyId);
  if (!agency || ('roles' in actor && !actor.subtree.has(agency.id) && !actor.roles.includes('system_admin')))
    throw badRequest('agency_not_found', 'error.not_found', 'agencyId');
  const now = nowIso(deps);
  const unit: Unit = {
    id: uuid(),
    agencyId: agency.id,
    callSign: input.callSign,
    type: input.type,
    capabilities: [...new Set(input.capabilities)],
    station: input.station ?? null,
    crew: input.crew ?? [],
    status: 'available',
    statusAt: now,
    position: input.position ? { ...input.position, at: now } : null,
    incidentId: null,
  };
  await deps.handle.write(async (trx) => {
    const taken = await trx.selectFrom('unit').select('id').where('callSign', '=', unit.callSign).executeTakeFirst();
    if (taken) throw new AppError(409, 'conflict', 'error.dispatch.call_sign_taken', { callSign: unit.callSign }, 'callSign');
    await store.insertUnit(trx, unit);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'dispatch.unit.create', targetType: 'unit', targetId: unit.id, details: { callSign: unit.callSign }, ...ctx },
      trx,
    );
  });
  return unit;
}

export async function listVisibleUnits(deps: DispatchDeps, actor: Actor): Promise<Unit[]> {
  const agencies = await agencyMap(deps);
  return (await store.listUnits(deps.handle.db)).filter((u) => {
    const a = agencies.get(u.agencyId);
    return (
      u.crew.includes(actor.userId) ||
      (!!a &&
        hasConsole(actor) &&
        (canTask(actor, a) || canSeeIncident(actor, { stateCode: a.stateCode, municipalityCode: a.municipalityCode })))
    );
  });
}

export { ACTIVE_UNIT_STATUSES, type IncidentStatus, type Camera };

// ── recommendations and duplicate calls ─────────────────────────────────────

/**
 * The closest suitable available units for an incident, among those the dispatcher
 * may task, by estimated travel time (src/dispatch/recommend.ts), plus the fewest
 * units that together cover every capability the incident type needs.
 */
export async function recommendForIncident(
  deps: DispatchDeps,
  actor: Actor,
  incidentId: string,
  limit = 10,
): Promise<{ ranked: Recommendation[]; coverage: Recommendation[]; missing: Capability[]; required: Capability[] }> {
  const incident = await visibleIncident(deps, actor, incidentId);
  const agencies = await agencyMap(deps);
  const units = (await store.listUnits(deps.handle.db)).filter((u) => {
    const a = agencies.get(u.agencyId);
    return !!a && canTask(actor, a);
  });
  const required = deps.catalogue.capabilities(incident.typeCode);
  const settings = await allSettings(deps);
  const speeds: Record<string, Partial<Record<UnitType, number>>> = {};
  const roadFactor: Record<string, number> = {};
  for (const [agencyId, s] of settings) {
    speeds[agencyId] = s.speedsKmh;
    if (s.roadFactor !== null) roadFactor[agencyId] = s.roadFactor;
  }
  const ranked = recommendUnits({
    incident: {
      lat: incident.location.lat,
      lon: incident.location.lon,
      stateCode: incident.location.stateCode,
      municipalityCode: incident.location.municipalityCode,
      requiredCapabilities: required,
    },
    units,
    agencies: [...agencies.values()].map((a) => ({
      id: a.id,
      stateCode: a.stateCode,
      municipalityCode: a.municipalityCode,
      level: a.level,
    })),
    speeds,
    roadFactor,
    limit,
  });
  const cover = coverage(ranked, required);
  return { ranked, coverage: cover.units, missing: cover.missing, required };
}

/** Duplicate-call detection: open incidents of a related type within `radiusM` and `minutes` of a point. */
export const DUPLICATE_RADIUS_M = 300;
export const DUPLICATE_MINUTES = 30;

export async function possibleDuplicates(
  deps: DispatchDeps,
  actor: Actor,
  input: { lat: number; lon: number; typeCode?: string; radiusM?: number; minutes?: number },
): Promise<(IncidentView & { distanceM: number })[]> {
  const where = locatePoint(deps, input.lat, input.lon, 'lat');
  const radius = input.radiusM ?? DUPLICATE_RADIUS_M;
  const since = new Date((deps.now ? deps.now() : new Date()).getTime() - (input.minutes ?? DUPLICATE_MINUTES) * 60_000).toISOString();
  const out: (IncidentView & { distanceM: number })[] = [];
  for (const i of await store.openIncidentsSince(deps.handle.db, where.stateCode, since)) {
    if (!canSeeIncident(actor, i.location)) continue;
    if (input.typeCode && !deps.catalogue.related(input.typeCode, i.typeCode)) continue;
    const d = haversineM(input.lat, input.lon, i.location.lat, i.location.lon);
    if (d > radius) continue;
    out.push({ ...(await incidentView(deps, deps.handle.db, i)), distanceM: Math.round(d) });
  }
  return out.sort((a, b) => a.distanceM - b.distanceM);
}

/** Links a call to an existing incident instead of creating a new one. */
export async function linkCall(deps: DispatchDeps, actor: Actor, callId: string, incidentId: string, ctx: Ctx = {}): Promise<IncidentView> {
  const call = await visibleCall(deps, actor, callId);
  if (call.outcome) throw new AppError(409, 'call_closed', 'error.dispatch.call_closed', {}, 'callId');
  return changeIncident(
    deps,
    actor,
    incidentId,
    async (q, incident, now) => {
      await store.updateCall(q, callId, { outcome: 'linked', incidentId: incident.id, endedAt: now });
      await store.insertEntry(q, entryOf(actor, incident.id, now, 'call_linked', null, { callId, ani: call.ani, duplicate: true }));
      return { audit: 'dispatch.call.link', details: { callId } };
    },
    ctx,
  );
}
