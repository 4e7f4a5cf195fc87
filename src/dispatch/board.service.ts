import { newId } from '../platform/ids.js';
import {
  allSettings,
  DEFAULT_DISPATCH_TARGET_SECONDS,
  DEFAULT_ON_SCENE_STALE_MINUTES,
  staleMinutesFor,
  targetSecondsFor,
} from './settings.service.js';
import { AppError, notFound } from '../platform/errors.js';
import type { BusEvent } from '../platform/events.js';
import type { Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import * as store from './dispatch.store.js';
import {
  canSeeIncident,
  hasConsole,
  incidentEvent,
  incidentView,
  listVisibleUnits,
  toIncidentView,
  writeEvents,
  type Ctx,
  type DispatchDeps,
  type IncidentView,
} from './dispatch.service.js';
import { PRIORITIES, type Camera, type Incident, type Priority, type Unit } from './dispatch.types.js';

/**
 * The live operations board: a snapshot, the event stream that keeps it current,
 * the supervisor's timers and alerts, and the cameras near an incident.
 */

export type Alert = {
  id: string;
  centreId: string;
  kind: string;
  incidentId: string | null;
  unitId: string | null;
  raisedAt: string;
  acknowledgedAt: string | null;
  /** The incident's folio and the unit's call sign, so an alert reads on its own. */
  folio: string | null;
  callSign: string | null;
};

/** May this console receive this event (the same rule as reading the record, DA-1)? */
export function eventVisibleTo(
  actor: Actor,
  e: Pick<BusEvent, 'kind' | 'stateCode' | 'municipalityCode' | 'agencyIds' | 'centreId'>,
): boolean {
  if (!hasConsole(actor)) {
    // A field officer's phone hears about units and incidents of their own agency only.
    return e.agencyIds.some((a) => actor.subtree.has(a));
  }
  return canSeeIncident(actor, { stateCode: e.stateCode, municipalityCode: e.municipalityCode }, e.agencyIds);
}

export type Board = { incidents: IncidentView[]; units: Unit[]; alerts: Alert[]; lastEventId: number };

export async function board(deps: DispatchDeps, actor: Actor): Promise<Board> {
  const db = deps.handle.db;
  // The event id is read first: a change committed while the snapshot is read arrives again through the stream, never lost.
  const lastEventId = await store.lastEventSeq(db);
  const filter =
    actor.agencyLevel === 'federal'
      ? { open: true, limit: 500 }
      : actor.agencyLevel === 'state'
        ? { open: true, stateCodes: [actor.stateCode ?? ''], limit: 500 }
        : { open: true, municipalityCodes: [actor.municipalityCode ?? ''], limit: 500 };
  const units = await listVisibleUnits(deps, actor);
  const assignedIds = units.map((u) => u.incidentId).filter((x): x is string => !!x);
  const incidents = await store.listIncidents(db, { ...filter, ids: assignedIds });
  const views: IncidentView[] = [];
  for (const i of incidents) {
    const iu = await store.unitsOfIncident(db, i.id);
    views.push(toIncidentView(deps, i, iu));
  }
  const centreIds = [...new Set(views.map((v) => v.centreId).concat(actor.agencyKind === 'c5' ? [actor.agencyId] : []))];
  const alerts = hasConsole(actor) ? (await store.openAlerts(db, centreIds)).map(toAlert) : [];
  return { incidents: views, units, alerts, lastEventId };
}

const toAlert = (a: store.DispatchTables['dispatchAlert'] & { folio?: string | null; callSign?: string | null }): Alert => ({
  id: a.id,
  centreId: a.centreId,
  kind: a.kind,
  incidentId: a.incidentId,
  unitId: a.unitId,
  raisedAt: a.raisedAt,
  acknowledgedAt: a.acknowledgedAt,
  folio: a.folio ?? null,
  callSign: a.callSign ?? null,
});

export async function currentEventId(deps: DispatchDeps): Promise<number> {
  return store.lastEventSeq(deps.handle.db);
}

/** Events after `lastEventId` that this actor may see, from the persisted log (SSE resume). */
export async function replayEvents(deps: DispatchDeps, actor: Actor, lastEventId: number): Promise<BusEvent[]> {
  const out: BusEvent[] = [];
  let after = lastEventId;
  for (;;) {
    const rows = await store.eventsAfter(deps.handle.db, after, 1000);
    for (const r of rows) {
      const e: BusEvent = {
        seq: Number(r.seq),
        kind: r.kind,
        at: r.at,
        centreId: r.centreId,
        stateCode: r.stateCode,
        municipalityCode: r.municipalityCode,
        agencyIds: r.agencyIds ? (JSON.parse(r.agencyIds) as string[]) : [],
        payload: JSON.parse(r.payload) as unknown,
      };
      if (eventVisibleTo(actor, e)) out.push(e);
    }
    if (rows.length < 1000) return out;
    after = Number(rows[rows.length - 1].seq);
  }
}

// ── supervisor timers ───────────────────────────────────────────────────────

/**
 * Raises an alert for each pending incident past its priority's target and each unit
 * on scene past the stale limit, once (until acknowledged). Called every few seconds
 * by the server and directly by tests with a chosen `now`.
 */
export async function checkTimers(deps: DispatchDeps, now = new Date()): Promise<Alert[]> {
  const db = deps.handle.db;
  // The centre's targets and each unit agency's on-scene limit (src/dispatch/settings.service.ts).
  const settings = await allSettings(deps);
  // Only what could be overdue under the shortest limit anywhere is read; each is then held to its own.
  const shortestTarget = Math.min(
    ...PRIORITIES.flatMap((p) => [DEFAULT_DISPATCH_TARGET_SECONDS[p], ...[...settings.values()].map((s) => targetSecondsFor(s, p))]),
  );
  const shortestStale = Math.min(DEFAULT_ON_SCENE_STALE_MINUTES, ...[...settings.values()].map((s) => staleMinutesFor(s)));
  const pendingBy = new Date(now.getTime() - shortestTarget * 1000).toISOString();
  const onSceneBy = new Date(now.getTime() - shortestStale * 60_000).toISOString();
  // Nothing near its limit (the usual case): no write at all.
  if (!(await store.pendingCreatedBy(db, pendingBy)).length && !(await store.onSceneSince(db, onSceneBy)).length) return [];
  // What the write raises is its own: a write may run again (platform/db/database.ts), and a second run starts afresh.
  const { raised, written } = await deps.handle.write(async (trx) => {
    const raised: Alert[] = [];
    const events: Parameters<typeof store.appendEvent>[2][] = [];
    const written: BusEvent[] = [];
    // Read again in the write: an incident dispatched or a unit moved on since is no longer a candidate.
    for (const row of await store.pendingCreatedBy(trx, pendingBy)) {
      const target = targetSecondsFor(settings.get(row.centreId), row.priority as Priority);
      if (now.getTime() - new Date(row.createdAt).getTime() < target * 1000) continue;
      if (await store.openAlertFor(trx, 'pending_overdue', row.id, null)) continue;
      const a = {
        id: newId(),
        centreId: row.centreId,
        kind: 'pending_overdue',
        incidentId: row.id,
        unitId: null,
        raisedAt: now.toISOString(),
        acknowledgedAt: null,
        acknowledgedBy: null,
      };
      await store.insertAlert(trx, a);
      raised.push(toAlert({ ...a, folio: row.folio }));
      events.push({
        at: a.raisedAt,
        kind: 'alert',
        centreId: row.centreId,
        stateCode: row.stateCode,
        municipalityCode: row.municipalityCode,
        agencyIds: '[]',
        payload: JSON.stringify(toAlert({ ...a, folio: row.folio })),
      });
    }
    for (const u of await store.onSceneSince(trx, onSceneBy)) {
      if (now.getTime() - new Date(u.statusAt).getTime() < staleMinutesFor(settings.get(u.agencyId)) * 60_000) continue;
      if (!u.incidentId || (await store.openAlertFor(trx, 'on_scene_stale', u.incidentId, u.id))) continue;
      const incident = await store.getIncident(trx, u.incidentId);
      if (!incident) continue;
      const a = {
        id: newId(),
        centreId: incident.centreId,
        kind: 'on_scene_stale',
        incidentId: incident.id,
        unitId: u.id,
        raisedAt: now.toISOString(),
        acknowledgedAt: null,
        acknowledgedBy: null,
      };
      await store.insertAlert(trx, a);
      raised.push(toAlert({ ...a, folio: incident.folio, callSign: u.callSign }));
      events.push({
        at: a.raisedAt,
        kind: 'alert',
        centreId: incident.centreId,
        stateCode: incident.location.stateCode,
        municipalityCode: incident.location.municipalityCode,
        agencyIds: JSON.stringify([u.agencyId]),
        payload: JSON.stringify(toAlert({ ...a, folio: incident.folio, callSign: u.callSign })),
      });
    }
    for (const e of events) {
      const seq = await store.appendEvent(trx, deps.handle.kind, e);
      written.push({ ...e, seq, agencyIds: JSON.parse(e.agencyIds ?? '[]') as string[], payload: JSON.parse(e.payload) as unknown });
    }
    return { raised, written };
  });
  // Only after the commit: a console must never see an alert that a rollback took back.
  written.forEach((e) => deps.bus.publish(e));
  return raised;
}

export async function acknowledgeAlert(deps: DispatchDeps, actor: Actor, id: string, ctx: Ctx = {}): Promise<Alert> {
  const db = deps.handle.db;
  const a = await store.getAlert(db, id);
  const incident = a?.incidentId ? await store.getIncident(db, a.incidentId) : undefined;
  if (!a || (incident && !canSeeIncident(actor, incident.location))) throw notFound();
  if (a.acknowledgedAt) throw new AppError(409, 'already_acknowledged', 'error.dispatch.alert_acknowledged');
  const at = new Date().toISOString();
  const event = {
    kind: 'alert_ack',
    centreId: a.centreId,
    stateCode: incident?.location.stateCode ?? null,
    municipalityCode: incident?.location.municipalityCode ?? null,
    agencyIds: [],
    payload: { id },
  };
  const publish = await deps.handle.write(async (trx) => {
    // Conditional update: of two supervisors acknowledging at once, the second gets the 409.
    const done = await store.acknowledgeAlert(trx, id, actor.userId, at);
    if (Number(done.numUpdatedRows) === 0) throw new AppError(409, 'already_acknowledged', 'error.dispatch.alert_acknowledged');
    await appendAudit(deps.handle, actor, { action: 'dispatch.alert.acknowledge', targetType: 'alert', targetId: id, ...ctx }, trx);
    return writeEvents(deps, trx, [event]);
  });
  // Published after the commit: a console must never see an acknowledgement that could still roll back.
  publish();
  return { ...toAlert({ ...a, folio: incident?.folio ?? null }), acknowledgedAt: at };
}

// ── cameras ─────────────────────────────────────────────────────────────────

const EARTH_M = 6_371_008.8;
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLon = (b.lon - a.lon) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.sqrt(h));
}

export async function camerasNear(
  deps: DispatchDeps,
  incident: Incident,
  radiusM = 500,
  limit = 8,
): Promise<(Camera & { distanceM: number })[]> {
  const cams = await store.camerasOfCentre(deps.handle.db, incident.centreId);
  return cams
    .map((c) => ({ ...c, distanceM: Math.round(distanceM(c, incident.location)) }))
    .filter((c) => c.distanceM <= radiusM)
    .sort((a, b) => a.distanceM - b.distanceM)
    .slice(0, limit);
}

/** Opening a camera for an incident is recorded in its timeline and in the audit log. */
export async function openCamera(deps: DispatchDeps, actor: Actor, incident: Incident, cameraId: string, ctx: Ctx = {}): Promise<Camera> {
  const cam = await store.getCamera(deps.handle.db, cameraId);
  if (!cam || cam.centreId !== incident.centreId) throw notFound();
  const at = new Date().toISOString();
  const publish = await deps.handle.write(async (trx) => {
    await store.insertEntry(trx, {
      id: newId(),
      incidentId: incident.id,
      at,
      authorId: actor.userId,
      authorName: actor.username,
      kind: 'camera_opened',
      text: null,
      data: { cameraId: cam.id, code: cam.code },
    });
    await appendAudit(
      deps.handle,
      actor,
      { action: 'dispatch.camera.open', targetType: 'camera', targetId: cam.id, details: { incidentId: incident.id }, ...ctx },
      trx,
    );
    // Other consoles following the incident see in its timeline that a camera is being watched.
    return writeEvents(deps, trx, [incidentEvent('incident', await incidentView(deps, trx, incident))]);
  });
  publish();
  return cam;
}
