import { newId } from '../platform/ids.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import type { Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import * as store from './dispatch.store.js';
import {
  actorCentre,
  agencyMap,
  centreForState,
  entryOf,
  getIncident,
  incidentEvent,
  incidentView,
  insertNewIncident,
  locatePoint,
  stateName,
  visibleCall,
  writeEvents,
  type Ctx,
  type DispatchDeps,
  type IncidentView,
} from './dispatch.service.js';
import { exportEido, importEido, type EidoDocument, type ImportedIncident } from './eido.js';
import type { Incident, Priority, TimelineEntry } from './dispatch.types.js';

/**
 * Centre-to-centre transfer with NENA EIDO documents. A call whose location is in
 * another state is sent, with everything gathered so far, to that state's C4/C5;
 * the receiving consoles see it at once (a board event) and accept it, which
 * creates the incident there with its own folio. The same import serves a
 * document received from outside the platform.
 */

export type TransferSummary = {
  id: string;
  fromLabel: string;
  toCentreId: string;
  createdAt: string;
  acceptedAt: string | null;
  incidentId: string | null;
  typeCode: string;
  typeName: string;
  priority: Priority;
  location: { lat: number; lon: number; address: string | null; stateCode: string | null; municipalityCode: string | null };
  externalFolio: string | null;
  notes: number;
  calls: number;
};

function summarize(deps: DispatchDeps, row: store.DispatchTables['dispatchTransfer']): TransferSummary {
  const s = JSON.parse(row.summary) as Omit<
    TransferSummary,
    'id' | 'fromLabel' | 'toCentreId' | 'createdAt' | 'acceptedAt' | 'incidentId' | 'typeName'
  >;
  return {
    id: row.id,
    fromLabel: row.fromLabel,
    toCentreId: row.toCentreId,
    createdAt: row.createdAt,
    acceptedAt: row.acceptedAt,
    incidentId: row.incidentId,
    ...s,
    typeName: deps.catalogue.name(s.typeCode),
  };
}

function summaryOf(
  imported: ImportedIncident,
): Omit<TransferSummary, 'id' | 'fromLabel' | 'toCentreId' | 'createdAt' | 'acceptedAt' | 'incidentId' | 'typeName'> {
  return {
    typeCode: imported.typeCode,
    priority: imported.priority,
    location: {
      lat: imported.location.lat,
      lon: imported.location.lon,
      address: imported.location.address,
      stateCode: imported.location.stateCode,
      municipalityCode: imported.location.municipalityCode,
    },
    externalFolio: imported.external.folio,
    notes: imported.notes.length,
    calls: imported.calls.length,
  };
}

const validated = (doc: unknown): ImportedIncident => {
  const r = importEido(doc);
  if (!r.ok) {
    const first = r.errors[0];
    throw badRequest('eido_invalid', 'error.dispatch.transfer_invalid', first?.path || 'document', {
      detail: r.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
    });
  }
  return r.value;
};

/** Stores a received document for `toCentre` and tells its consoles. */
async function storeTransfer(
  deps: DispatchDeps,
  q: store.Q,
  row: Omit<store.DispatchTables['dispatchTransfer'], 'summary' | 'document' | 'acceptedAt' | 'acceptedBy' | 'incidentId'>,
  doc: EidoDocument | unknown,
  imported: ImportedIncident,
  toStateCode: string | null,
): Promise<{ summary: TransferSummary; publish: () => void }> {
  const full = {
    ...row,
    document: JSON.stringify(doc),
    summary: JSON.stringify(summaryOf(imported)),
    acceptedAt: null,
    acceptedBy: null,
    incidentId: null,
  };
  await store.insertTransfer(q, full);
  const summary = summarize(deps, full);
  const publish = await writeEvents(deps, q, [
    {
      kind: 'transfer',
      centreId: row.toCentreId,
      stateCode: toStateCode,
      municipalityCode: null,
      agencyIds: [row.toCentreId],
      payload: summary,
    },
  ]);
  return { summary, publish };
}

export type TransferInput = {
  typeCode: string;
  priority?: Priority;
  location: { lat: number; lon: number; uncertaintyM?: number | null; address?: string | null };
  note?: string;
};

/** Sends a call to the centre of the state where the emergency is. */
export async function transferCall(
  deps: DispatchDeps,
  actor: Actor,
  callId: string,
  input: TransferInput,
  ctx: Ctx = {},
): Promise<{ transfer: TransferSummary; document: EidoDocument }> {
  const callRow = await visibleCall(deps, actor, callId);
  if (callRow.outcome) throw new AppError(409, 'call_closed', 'error.dispatch.call_closed', {}, 'callId');
  const type = deps.catalogue.get(input.typeCode);
  if (!type || type.improper) throw badRequest('unknown_type', 'error.dispatch.unknown_type', 'typeCode', { code: input.typeCode });
  const where = locatePoint(deps, input.location.lat, input.location.lon, 'location.lat');
  const mine = await actorCentre(deps, actor);
  if (where.stateCode === mine.stateCode) throw new AppError(409, 'same_centre', 'error.dispatch.same_centre', {}, 'location');
  const target = await centreForState(deps, where.stateCode);
  if (!target) throw new AppError(409, 'no_centre', 'error.dispatch.no_centre', { state: stateName(deps, where.stateCode) }, 'location');
  const now = new Date().toISOString();
  const call = store.toCall(callRow);
  // What was gathered so far, as an incident that exists only in the document.
  const incident: Incident = {
    id: newId(),
    centreId: mine.id,
    folio: `${mine.code}-TRF-${callId.slice(0, 8).toUpperCase()}`,
    typeCode: type.code,
    priority: input.priority ?? type.priority,
    status: 'pending',
    closureCode: null,
    location: { ...where, uncertaintyM: input.location.uncertaintyM ?? null, address: input.location.address ?? null },
    createdAt: now,
    createdBy: actor.userId,
    firstDispatchedAt: null,
    firstArrivedAt: null,
    closedAt: null,
    updatedAt: now,
  };
  const timeline: TimelineEntry[] = input.note?.trim() ? [entryOf(actor, incident.id, now, 'note', input.note.trim(), null)] : [];
  const document = exportEido({
    incident,
    typeName: type.name,
    calls: [{ ...call, endedAt: now, outcome: 'transferred', transferredToCentreId: target.id }],
    timeline,
    centre: { id: mine.id, name: mine.name, code: mine.code, stateCode: mine.stateCode ?? '' },
    exportedBy: { id: actor.userId, name: actor.username },
    exportedAt: now,
  });
  const imported = validated(JSON.parse(JSON.stringify(document)));
  let publish: () => void = () => {};
  const summary = await deps.handle.db.transaction().execute(async (trx) => {
    await store.updateCall(trx, callId, { outcome: 'transferred', transferredToCentreId: target.id, endedAt: now });
    const stored = await storeTransfer(
      deps,
      trx,
      {
        id: newId(),
        fromCentreId: mine.id,
        fromLabel: mine.name,
        toCentreId: target.id,
        callId,
        createdAt: now,
        createdBy: actor.userId,
      },
      document,
      imported,
      target.stateCode,
    );
    await appendAudit(
      deps.handle,
      actor,
      {
        action: 'dispatch.call.transfer',
        targetType: 'call',
        targetId: callId,
        details: { to: target.code, transferId: stored.summary.id },
        ...ctx,
      },
      trx,
    );
    publish = stored.publish;
    return stored.summary;
  });
  publish();
  return { transfer: summary, document };
}

/** A document received from outside the platform, addressed to the actor's centre. */
export async function receiveDocument(deps: DispatchDeps, actor: Actor, doc: unknown, ctx: Ctx = {}): Promise<TransferSummary> {
  const imported = validated(doc);
  const mine = await actorCentre(deps, actor);
  const now = new Date().toISOString();
  let publish: () => void = () => {};
  const summary = await deps.handle.db.transaction().execute(async (trx) => {
    const label = imported.external.centre.name ?? imported.external.centre.code;
    const stored = await storeTransfer(
      deps,
      trx,
      {
        id: newId(),
        fromCentreId: null,
        fromLabel: label,
        toCentreId: mine.id,
        callId: null,
        createdAt: now,
        createdBy: actor.userId,
      },
      doc,
      imported,
      mine.stateCode,
    );
    await appendAudit(
      deps.handle,
      actor,
      { action: 'dispatch.eido.import', targetType: 'transfer', targetId: stored.summary.id, details: { from: label }, ...ctx },
      trx,
    );
    publish = stored.publish;
    return stored.summary;
  });
  publish();
  return summary;
}

export async function listTransfers(deps: DispatchDeps, actor: Actor): Promise<TransferSummary[]> {
  const mine = await actorCentre(deps, actor);
  return (await store.pendingTransfers(deps.handle.db, mine.id)).map((r) => summarize(deps, r));
}

/** Accepts a transfer: the incident is created here, with the sender's notes and calls, once. */
export async function acceptTransfer(deps: DispatchDeps, actor: Actor, id: string, ctx: Ctx = {}): Promise<IncidentView> {
  const mine = await actorCentre(deps, actor);
  const row = await store.getTransfer(deps.handle.db, id);
  if (!row || row.toCentreId !== mine.id) throw notFound();
  if (row.acceptedAt) throw new AppError(409, 'transfer_accepted', 'error.dispatch.transfer_accepted', {}, 'id');
  const imported = validated(JSON.parse(row.document));
  const where = locatePoint(deps, imported.location.lat, imported.location.lon, 'location');
  if (where.stateCode !== mine.stateCode)
    throw new AppError(
      409,
      'wrong_centre',
      'error.dispatch.wrong_centre',
      { state: stateName(deps, where.stateCode), centre: '—' },
      'location',
    );
  const type = deps.catalogue.get(imported.typeCode);
  if (!type) throw badRequest('unknown_type', 'error.dispatch.unknown_type', 'typeCode', { code: imported.typeCode });
  let publish: () => void = () => {};
  const view = await deps.handle.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const incident = await insertNewIncident(trx, mine, now, actor.userId, {
      typeCode: type.code,
      priority: imported.priority,
      location: { ...where, uncertaintyM: imported.location.uncertaintyM, address: imported.location.address },
    });
    if (!(await store.claimTransfer(trx, id, actor.userId, now, incident.id)))
      throw new AppError(409, 'transfer_accepted', 'error.dispatch.transfer_accepted', {}, 'id');
    await store.insertEntry(trx, entryOf(actor, incident.id, now, 'created', null, { typeCode: type.code, priority: imported.priority }));
    await store.insertEntry(
      trx,
      entryOf(actor, incident.id, now, 'transfer', null, {
        from: row.fromLabel,
        externalFolio: imported.external.folio,
        trackingId: imported.external.trackingId,
      }),
    );
    for (const note of imported.notes) {
      await store.insertEntry(trx, {
        id: newId(),
        incidentId: incident.id,
        at: note.at,
        authorId: null,
        authorName: note.authorName ? `${note.authorName} (${row.fromLabel})` : row.fromLabel,
        kind: 'note',
        text: note.text,
        data: { transferred: true },
      });
    }
    for (const c of imported.calls) {
      await store.insertCall(trx, {
        id: newId(),
        centreId: mine.id,
        ani: c.ani ?? 'desconocido',
        callerName: c.callerName,
        lat: c.callerLocation?.lat ?? null,
        lon: c.callerLocation?.lon ?? null,
        uncertaintyM: c.callerLocation?.uncertaintyM ?? null,
        receivedAt: c.receivedAt,
        answeredAt: c.answeredAt,
        endedAt: c.endedAt,
        operatorId: null,
        outcome: 'incident',
        incidentId: incident.id,
        improperCode: null,
        transferredToCentreId: null,
        stateCode: where.stateCode,
        municipalityCode: where.municipalityCode,
      });
    }
    await appendAudit(
      deps.handle,
      actor,
      {
        action: 'dispatch.transfer.accept',
        targetType: 'incident',
        targetId: incident.id,
        details: { transferId: id, folio: incident.folio },
        ...ctx,
      },
      trx,
    );
    const v = await incidentView(deps, trx, incident);
    publish = await writeEvents(deps, trx, [
      incidentEvent('incident', v),
      {
        kind: 'transfer_accepted',
        centreId: mine.id,
        stateCode: mine.stateCode,
        municipalityCode: null,
        agencyIds: [mine.id],
        payload: { id, incidentId: incident.id },
      },
    ]);
    return v;
  });
  publish();
  return view;
}

/** Any incident as an EIDO document (for a transfer by hand or another system). */
export async function exportIncident(deps: DispatchDeps, actor: Actor, incidentId: string, ctx: Ctx = {}): Promise<EidoDocument> {
  const detail = await getIncident(deps, actor, incidentId);
  const centre = (await actorCentre(deps, actor).catch(() => undefined)) ?? null;
  const agencies = await agencyMap(deps);
  const owner = agencies.get(detail.centreId) ?? centre;
  const units = await store.unitsOfIncident(deps.handle.db, incidentId);
  await appendAudit(deps.handle, actor, { action: 'dispatch.eido.export', targetType: 'incident', targetId: incidentId, ...ctx });
  return exportEido({
    incident: detail,
    typeName: detail.typeName,
    calls: detail.calls,
    timeline: detail.timeline,
    units,
    assignments: detail.assignments,
    centre: {
      id: owner?.id ?? detail.centreId,
      name: owner?.name ?? '',
      code: owner?.code ?? '',
      stateCode: owner?.stateCode ?? detail.location.stateCode,
    },
    exportedBy: { id: actor.userId, name: actor.username },
    exportedAt: new Date().toISOString(),
  });
}
