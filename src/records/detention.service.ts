import { newId } from '../platform/ids.js';
import { AppError, badRequest, forbidden, notFound } from '../platform/errors.js';
import type { Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import { getIncident } from '../dispatch/dispatch.service.js';
import * as store from './detention.store.js';
import type { DetentionRow } from './detention.store.js';
import { nextFolioNumber } from './iph.store.js';
import { canReadDetention, canWriteOwned, ownedAgencies, receivingOffices } from './iph.access.js';
import type { Detention, DetentionHandover, DetentionRecord, DetentionRecordInput } from './detention.schemas.js';
import { agencyMap, locatePlace, nowIso, parseJson, type Ctx, type RecordsDeps } from './iph.deps.js';
import { iphFolio, linkableIph, recordFolio } from './iph.service.js';
import { isoInstant } from './iph.hash.js';

/**
 * The detention register: each detention is registered at once (LNRD art. 17: "de
 * inmediato"), before the IPH is signed, by officers of the arresting agency; it is
 * completed while the person is in custody and closed when the person is handed to the
 * prosecutor. Every read is audited (RA-7): the records hold people's personal data.
 */

function resolveRecord(deps: RecordsDeps, input: DetentionRecordInput): DetentionRecord {
  if ((input.person.age === null || input.person.age === undefined) && !input.person.birthDate)
    throw badRequest('detention_age', 'error.detention.age', 'record.person.age');
  return { ...input, detainedAt: isoInstant(input.detainedAt), place: locatePlace(deps.geo, input.place, 'record.place.lat') };
}

async function toView(deps: RecordsDeps, actor: Actor, row: DetentionRow): Promise<Detention> {
  const agency = (await agencyMap(deps)).get(row.agencyId);
  return {
    id: row.id,
    folio: row.folio,
    agencyId: row.agencyId,
    agencyName: agency?.name ?? row.agencyId,
    iphId: row.iphId,
    iphFolio: await iphFolio(deps, row.iphId),
    incidentId: row.incidentId,
    status: row.status as Detention['status'],
    record: JSON.parse(row.record) as DetentionRecord,
    handover: parseJson<DetentionHandover>(row.handover),
    version: Number(row.version),
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    canEdit: row.status === 'in_custody' && canWriteOwned(actor, row.agencyId),
  };
}

async function visibleDetention(deps: RecordsDeps, actor: Actor, id: string): Promise<DetentionRow> {
  const row = await store.getDetention(deps.handle.db, id);
  if (!row || !canReadDetention(actor, row)) throw notFound();
  return row;
}

/** A detention the actor may change: the arresting agency's officers (RA-1), while in custody (RA-5). */
async function writableDetention(deps: RecordsDeps, actor: Actor, id: string): Promise<DetentionRow> {
  const row = await visibleDetention(deps, actor, id);
  if (!canWriteOwned(actor, row.agencyId)) throw forbidden();
  if (row.status !== 'in_custody') throw new AppError(409, 'detention_handed_over', 'error.detention.handed_over', { folio: row.folio });
  return row;
}

const audit = (deps: RecordsDeps, actor: Actor, action: string, id: string, details: Record<string, unknown>, ctx: Ctx) =>
  deps.handle.write((q) => appendAudit(deps.handle, actor, { action, targetType: 'detention', targetId: id, details, ...ctx }, q));

export async function registerDetention(
  deps: RecordsDeps,
  actor: Actor,
  input: { iphId?: string | null; incidentId?: string | null; record: DetentionRecordInput },
  ctx: Ctx = {},
): Promise<Detention> {
  const record = resolveRecord(deps, input.record);
  const given = input.incidentId ?? null;
  if (given && !input.iphId) {
    await getIncident(deps.dispatch, actor, given).catch(() => {
      throw new AppError(404, 'not_found', 'error.not_found', {}, 'incidentId');
    });
  }
  const agency = (await agencyMap(deps)).get(actor.agencyId)!;
  const now = nowIso(deps);
  const year = Number(now.slice(0, 4));
  const row = await deps.handle.write(async (q) => {
    const incidentId = input.iphId ? ((await linkableIph(deps, q, actor, input.iphId, { draftOnly: true })).incidentId ?? given) : given;
    const n = await nextFolioNumber(q, agency.id, 'detention', year);
    const r: DetentionRow = {
      id: newId(),
      agencyId: agency.id,
      folio: recordFolio('DET', agency, year, n),
      iphId: input.iphId ?? null,
      incidentId,
      detainedAt: record.detainedAt,
      stateCode: record.place.stateCode,
      municipalityCode: record.place.municipalityCode,
      record: JSON.stringify(record),
      status: 'in_custody',
      handover: null,
      prosecutorAgencyId: null,
      handedOverAt: null,
      version: 1,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    };
    await store.insertDetention(q, r);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'detention.create', targetType: 'detention', targetId: r.id, details: { folio: r.folio, iphId: r.iphId }, ...ctx },
      q,
    );
    return r;
  });
  return toView(deps, actor, row);
}

export async function getDetention(deps: RecordsDeps, actor: Actor, id: string, ctx: Ctx = {}): Promise<Detention> {
  const row = await visibleDetention(deps, actor, id);
  await audit(deps, actor, 'detention.read', id, { folio: row.folio }, ctx);
  return toView(deps, actor, row);
}

/** The detentions the actor may read (RA-1, RA-2); the listing is audited with the records it showed. */
export async function listDetentions(
  deps: RecordsDeps,
  actor: Actor,
  f: { iphId?: string; status?: 'in_custody' | 'handed_over'; limit?: number },
  ctx: Ctx = {},
): Promise<Detention[]> {
  const rows = await store.listDetentions(deps.handle.db, {
    agencyIds: ownedAgencies(actor),
    prosecutorAgencyIds: receivingOffices(actor),
    iphId: f.iphId,
    status: f.status,
    limit: f.limit ?? 100,
  });
  if (rows.length) {
    await deps.handle.write((q) =>
      appendAudit(
        deps.handle,
        actor,
        {
          action: 'detention.list',
          targetType: 'detention',
          targetId: rows.length === 1 ? rows[0].id : undefined,
          details: { folios: rows.map((r) => r.folio).slice(0, 100), iphId: f.iphId ?? null },
          ...ctx,
        },
        q,
      ),
    );
  }
  const out: Detention[] = [];
  for (const r of rows) out.push(await toView(deps, actor, r));
  return out;
}

/** Completes or corrects the record while the person is in custody (optimistic: `expectedVersion`). */
export async function updateDetention(
  deps: RecordsDeps,
  actor: Actor,
  id: string,
  input: { expectedVersion?: number; record: DetentionRecordInput },
  ctx: Ctx = {},
): Promise<Detention> {
  const row = await writableDetention(deps, actor, id);
  const record = resolveRecord(deps, input.record);
  const version = input.expectedVersion ?? Number(row.version);
  const patch: Partial<DetentionRow> = {
    record: JSON.stringify(record),
    detainedAt: record.detainedAt,
    stateCode: record.place.stateCode,
    municipalityCode: record.place.municipalityCode,
    version: version + 1,
    updatedAt: nowIso(deps),
  };
  await deps.handle.write(async (q) => {
    if (!(await store.updateDetention(q, id, version, patch))) {
      const fresh = await store.getDetention(q, id);
      if (fresh?.status !== 'in_custody')
        throw new AppError(409, 'detention_handed_over', 'error.detention.handed_over', { folio: row.folio });
      throw new AppError(409, 'detention_version', 'error.iph.version', { current: Number(fresh.version) }, 'expectedVersion');
    }
    await appendAudit(
      deps.handle,
      actor,
      { action: 'detention.update', targetType: 'detention', targetId: id, details: { folio: row.folio, version: patch.version }, ...ctx },
      q,
    );
  });
  return toView(deps, actor, { ...row, ...patch });
}

/** Puesta a disposición: the person handed to a prosecutor's office; the record is closed from then on (RA-5). */
export async function handOverDetention(
  deps: RecordsDeps,
  actor: Actor,
  id: string,
  input: { at: string; prosecutorAgencyId: string; authority?: string | null; receiverName: string; receiverPosition?: string | null },
  ctx: Ctx = {},
): Promise<Detention> {
  const row = await writableDetention(deps, actor, id);
  const office = (await agencyMap(deps)).get(input.prosecutorAgencyId);
  if (!office || office.kind !== 'prosecutor') throw badRequest('iph_prosecutor', 'error.iph.prosecutor', 'prosecutorAgencyId');
  const at = isoInstant(input.at);
  if (at < row.detainedAt) throw badRequest('detention_time_order', 'error.detention.time_order', 'at');
  const handover: DetentionHandover = { ...input, at, prosecutorAgencyName: office.name };
  const patch: Partial<DetentionRow> = {
    status: 'handed_over',
    handover: JSON.stringify(handover),
    prosecutorAgencyId: office.id,
    handedOverAt: at,
    version: Number(row.version) + 1,
    updatedAt: nowIso(deps),
  };
  await deps.handle.write(async (q) => {
    if (!(await store.updateDetention(q, id, Number(row.version), patch)))
      throw new AppError(409, 'detention_handed_over', 'error.detention.handed_over', { folio: row.folio });
    await appendAudit(
      deps.handle,
      actor,
      {
        action: 'detention.handover',
        targetType: 'detention',
        targetId: id,
        details: { folio: row.folio, prosecutorAgencyId: office.id },
        ...ctx,
      },
      q,
    );
  });
  return toView(deps, actor, { ...row, ...patch });
}
