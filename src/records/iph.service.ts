import { newId } from '../platform/ids.js';
import { AppError, badRequest, forbidden, notFound } from '../platform/errors.js';
import type { MessageKey } from '../platform/i18n/messages.js';
import type { Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import { confirmPassword, type Agency } from '../identity/identity.service.js';
import { getIncident, visibleUnit, type IncidentDetail } from '../dispatch/dispatch.service.js';
import type { Unit } from '../dispatch/dispatch.types.js';
import * as store from './iph.store.js';
import type { IphRow, Q } from './iph.store.js';
import { detentionsOfIph, type DetentionRow } from './detention.store.js';
import { canReadIph, canVerifyOwned, isAuthor, ownedAgencies, receivingOffices } from './iph.access.js';
import { applyAmendments, emptyContent, getPath, missingForSignature, setPath } from './iph.content.js';
import { canonicalJson, checkChain, linkHash, sha256, type ChainCheck } from './iph.hash.js';
import { iphContentSchema, type Amendment, type IphContent, type IphSections, type IphSummary, type IphView } from './iph.schemas.js';
import type { DetentionHandover, DetentionRecord, DetentionSnapshot } from './detention.schemas.js';
import type { IphEditablePart } from './iph.types.js';
import { agencyMap, nowIso, parseJson, usersById, type Ctx, type RecordsDeps } from './iph.deps.js';

const uuid = () => newId();

// ── folios, rows and views ──────────────────────────────────────────────────

/** `IPH-SSC-CDMX-2026-000123`: unique per agency and year (the agency's code makes it unique across agencies). */
export const recordFolio = (prefix: string, agency: Agency, year: number, n: number) =>
  `${prefix}-${agency.code}-${year}-${String(n).padStart(6, '0')}`;

/** What the first responder signs: the report's identity, its classification and its content. */
export function signedDocument(row: Pick<IphRow, 'id' | 'folio' | 'agencyId' | 'incidentId' | 'crimeCode'>, content: IphContent) {
  return { id: row.id, folio: row.folio, agencyId: row.agencyId, incidentId: row.incidentId, crimeCode: row.crimeCode, content };
}

const amendmentBody = (a: Omit<store.AmendmentRow, 'seq' | 'prevHash' | 'hash'>) => ({
  id: a.id,
  iphId: a.iphId,
  section: a.section,
  field: a.field,
  oldValue: a.oldValue === null ? null : (JSON.parse(a.oldValue) as unknown),
  newValue: a.newValue === null ? null : (JSON.parse(a.newValue) as unknown),
  reason: a.reason,
  signedBy: a.signedBy,
  signerName: a.signerName,
  signedAt: a.signedAt,
});

function toAmendment(r: store.AmendmentRow): Amendment {
  return {
    id: r.id,
    seq: Number(r.seq),
    section: r.section as IphEditablePart,
    field: r.field,
    oldValue: parseJson(r.oldValue),
    newValue: parseJson(r.newValue),
    reason: r.reason,
    signedBy: r.signedBy,
    signerName: r.signerName,
    signedAt: r.signedAt,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

const authorsOf = (row: IphRow) => JSON.parse(row.authors) as string[];

async function toView(deps: RecordsDeps, actor: Actor, row: IphRow, amendments: store.AmendmentRow[]): Promise<IphView> {
  const authors = authorsOf(row);
  const names = await usersById(deps, authors);
  const agency = (await agencyMap(deps)).get(row.agencyId);
  const signed = row.status === 'signed';
  return {
    id: row.id,
    folio: row.folio,
    agencyId: row.agencyId,
    agencyName: agency?.name ?? row.agencyId,
    status: row.status as IphView['status'],
    incidentId: row.incidentId,
    incidentFolio: row.incidentFolio,
    stateCode: row.stateCode,
    municipalityCode: row.municipalityCode,
    crimeCode: row.crimeCode,
    version: Number(row.version),
    authors: authors.map((userId) => ({ userId, fullName: names.get(userId)?.fullName ?? userId })),
    responderUserId: row.responderUserId,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    content: JSON.parse(row.content) as IphContent,
    signature:
      signed && row.signedBy && row.signedAt && row.contentHash
        ? { signedBy: row.signedBy, signerName: row.signerName ?? '', signedAt: row.signedAt, contentHash: row.contentHash }
        : null,
    amendments: amendments.map(toAmendment),
    can: {
      edit: !signed && isAuthor(actor, authors),
      sign: !signed && actor.roles.includes('field_officer') && actor.userId === row.responderUserId,
      amend: signed && isAuthor(actor, authors),
    },
  };
}

/** Reads an IPH the actor may see (RA-1, RA-2); anything else is "not found". */
async function visibleIph(deps: RecordsDeps, actor: Actor, id: string): Promise<IphRow> {
  const row = await store.getIph(deps.handle.db, id);
  if (!row || !canReadIph(actor, row)) throw notFound();
  return row;
}

/**
 * An IPH a new detention or evidence item may be linked to: one of the officer's agency
 * (RA-1). A detention only while the IPH is a draft (annex A is frozen when it is signed,
 * RA-5); an evidence item also later, since custody goes on after the report. Call it
 * inside the write, with its transaction.
 */
export async function linkableIph(
  deps: RecordsDeps,
  q: Q,
  actor: Actor,
  iphId: string,
  opts: { draftOnly: boolean },
  field = 'iphId',
): Promise<IphRow> {
  const row = await store.getIphForUpdate(q, deps.handle.kind, iphId);
  if (!row || !canReadIph(actor, row)) throw new AppError(404, 'not_found', 'error.not_found', {}, field);
  if (!actor.subtree.has(row.agencyId)) throw forbidden();
  if (opts.draftOnly && row.status !== 'draft')
    throw new AppError(409, 'iph_signed', 'error.iph.linked_signed', { folio: row.folio }, field);
  return row;
}

/** The folio of an IPH the actor may read, for labels in other records' views. */
export async function iphFolio(deps: RecordsDeps, iphId: string | null): Promise<string | null> {
  if (!iphId) return null;
  return (await store.getIph(deps.handle.db, iphId))?.folio ?? null;
}

// ── creation ────────────────────────────────────────────────────────────────

/** Sección 2's institution from the agency's level and kind (the officer corrects it if needed). */
function institutionOf(agency: Agency): IphContent['responder']['institution'] {
  if (agency.kind === 'prosecutor') return 'policia_ministerial';
  if (agency.kind !== 'police') return null;
  return agency.level === 'municipal' ? 'policia_municipal' : agency.level === 'state' ? 'policia_estatal' : null;
}

type Prefill = { content: IphContent; authors: string[]; municipalityCode: string | null };

/**
 * Sections 2–4 from a 911 incident: its folio and times, its place (state, municipality,
 * colonia, quadrant), the units sent and their crews. Units and users are read through the
 * dispatch and identity services.
 */
async function prefillFromIncident(deps: RecordsDeps, actor: Actor, agency: Agency, incident: IncidentDetail): Promise<Prefill> {
  const unitIds = [...new Set(incident.assignments.map((a) => a.unitId))];
  const units: Unit[] = [];
  for (const id of unitIds) {
    try {
      units.push((await visibleUnit(deps.dispatch, actor, id)).unit);
    } catch {
      // A unit the officer may not see (another agency's) stays out of the prefill.
    }
  }
  const agencies = await agencyMap(deps);
  const crew = await usersById(
    deps,
    units.flatMap((u) => u.crew),
  );
  const me = (await usersById(deps, [actor.userId])).get(actor.userId);
  const myUnit = units.find((u) => u.crew.includes(actor.userId));
  const myAssignment = myUnit ? incident.assignments.find((a) => a.unitId === myUnit.id) : undefined;
  const participants = units.flatMap((u) =>
    u.crew
      .filter((id) => crew.has(id))
      .map((id) => ({ userId: id, fullName: crew.get(id)!.fullName, unit: u.callSign, agency: agencies.get(u.agencyId)?.name ?? null })),
  );
  const hit = deps.geo.locate(incident.location.lat, incident.location.lon);
  const content = emptyContent();
  content.responder = {
    userId: actor.userId,
    fullName: me?.fullName ?? actor.username,
    institution: institutionOf(agency),
    agencyName: agency.name,
    unit: myUnit?.callSign ?? null,
    stateCode: agency.stateCode ?? incident.location.stateCode,
    officersCount: Math.max(1, participants.length),
    participants,
    units: units.map((u) => ({ callSign: u.callSign, agency: agencies.get(u.agencyId)?.name ?? null })),
  };
  content.knowledge = {
    how: 'emergency_call',
    emergencyFolio: incident.folio,
    knownAt: myAssignment?.assignedAt ?? incident.createdAt,
    arrivedAt: myAssignment?.onSceneAt ?? incident.firstArrivedAt,
  };
  content.place = {
    street: incident.location.address ?? null,
    lat: incident.location.lat,
    lon: incident.location.lon,
    stateCode: incident.location.stateCode,
    state: hit?.state.name ?? null,
    municipalityCode: incident.location.municipalityCode,
    municipality: hit?.municipality.name ?? null,
    coloniaId: incident.location.coloniaId ?? null,
    colonia: hit?.colonia?.name ?? null,
    quadrantId: incident.location.quadrantId ?? null,
  };
  // RA-3: the crews of the agency's own units write the report together.
  const authors = [actor.userId, ...participants.filter((p) => crew.get(p.userId!)?.agencyId === agency.id).map((p) => p.userId!)];
  return { content, authors: [...new Set(authors)], municipalityCode: incident.location.municipalityCode };
}

export async function createIph(
  deps: RecordsDeps,
  actor: Actor,
  input: { incidentId?: string | null; stateCode?: string | null },
  ctx: Ctx = {},
): Promise<IphView> {
  const agencies = await agencyMap(deps);
  const agency = agencies.get(actor.agencyId)!;
  let prefill: Prefill;
  let stateCode: string;
  let incident: IncidentDetail | undefined;
  if (input.incidentId) {
    // DA-1/DA-2 through the dispatch service: an incident the officer may not see is "not found".
    incident = await getIncident(deps.dispatch, actor, input.incidentId).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 404) throw new AppError(404, 'not_found', 'error.not_found', {}, 'incidentId');
      throw err;
    });
    stateCode = incident.location.stateCode;
    // RA-4: the incident's state decides which agencies write its IPH.
    if (actor.agencyLevel !== 'federal' && stateCode !== actor.stateCode) {
      const name = (code: string | null) => deps.geo.listStates().find((s) => s.code === code)?.name ?? code ?? '—';
      throw new AppError(
        409,
        'iph_other_state',
        'error.iph.other_state',
        { folio: incident.folio, state: name(stateCode), ownState: name(actor.stateCode) },
        'incidentId',
      );
    }
    const existing = (await store.iphsOfIncident(deps.handle.db, incident.id)).find((r) => r.agencyId === agency.id);
    if (existing) throw new AppError(409, 'iph_exists', 'error.iph.exists', { folio: existing.folio }, 'incidentId');
    prefill = await prefillFromIncident(deps, actor, agency, incident);
  } else {
    const chosen = actor.agencyLevel === 'federal' ? (input.stateCode ?? null) : actor.stateCode;
    if (!chosen) throw badRequest('iph_no_state', 'error.iph.no_state', 'stateCode');
    stateCode = chosen;
    const me = (await usersById(deps, [actor.userId])).get(actor.userId);
    const content = emptyContent();
    content.responder = {
      userId: actor.userId,
      fullName: me?.fullName ?? actor.username,
      institution: institutionOf(agency),
      agencyName: agency.name,
      stateCode,
      officersCount: 1,
    };
    content.place = { stateCode, state: deps.geo.listStates().find((s) => s.code === stateCode)?.name ?? null };
    prefill = { content, authors: [actor.userId], municipalityCode: actor.municipalityCode };
  }
  const now = nowIso(deps);
  const year = Number(now.slice(0, 4));
  const row = await deps.handle.write(async (q) => {
    const n = await store.nextFolioNumber(q, agency.id, 'iph', year);
    const r: IphRow = {
      id: uuid(),
      agencyId: agency.id,
      folio: recordFolio('IPH', agency, year, n),
      year,
      incidentId: incident?.id ?? null,
      incidentFolio: incident?.folio ?? null,
      stateCode,
      municipalityCode: prefill.municipalityCode,
      status: 'draft',
      crimeCode: null,
      content: JSON.stringify(prefill.content),
      version: 1,
      authors: JSON.stringify(prefill.authors),
      responderUserId: actor.userId,
      prosecutorAgencyId: null,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
      signedBy: null,
      signerName: null,
      signedAt: null,
      contentHash: null,
      amendmentCount: 0,
      headHash: null,
    };
    await store.insertIph(q, r);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'iph.create', targetType: 'iph', targetId: r.id, details: { folio: r.folio, incidentId: r.incidentId }, ...ctx },
      q,
    );
    return r;
  });
  return toView(deps, actor, row, []);
}

// ── reading ─────────────────────────────────────────────────────────────────

/** One IPH, its amendments and what the user may do with it; the read is audited (RA-7). */
export async function getIph(deps: RecordsDeps, actor: Actor, id: string, ctx: Ctx = {}): Promise<IphView> {
  const row = await visibleIph(deps, actor, id);
  const amendments = await store.amendmentsOf(deps.handle.db, id);
  await deps.handle.write((q) =>
    appendAudit(deps.handle, actor, { action: 'iph.read', targetType: 'iph', targetId: id, details: { folio: row.folio }, ...ctx }, q),
  );
  return toView(deps, actor, row, amendments);
}

export type IphListFilter = { mine?: boolean; incidentId?: string; status?: 'draft' | 'signed'; limit?: number };

/** The IPHs the actor may read (RA-1, RA-2), newest first; `mine`: those they write. No people's data in the list. */
export async function listIphs(deps: RecordsDeps, actor: Actor, f: IphListFilter = {}): Promise<IphSummary[]> {
  const limit = f.limit ?? 100;
  const rows = await store.listIphs(deps.handle.db, {
    agencyIds: ownedAgencies(actor),
    prosecutorAgencyIds: receivingOffices(actor),
    incidentId: f.incidentId,
    status: f.status,
    limit: f.mine ? 1000 : limit,
  });
  return rows
    .map((r) => ({ r, mine: authorsOf(r).includes(actor.userId) }))
    .filter((x) => !f.mine || x.mine)
    .slice(0, limit)
    .map(({ r, mine }) => ({
      id: r.id,
      folio: r.folio,
      agencyId: r.agencyId,
      status: r.status as IphSummary['status'],
      incidentId: r.incidentId,
      incidentFolio: r.incidentFolio,
      crimeCode: r.crimeCode,
      responderName: (JSON.parse(r.content) as IphContent).responder.fullName ?? null,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      signedAt: r.signedAt,
      amendments: Number(r.amendmentCount),
      mine,
    }));
}

// ── drafts ──────────────────────────────────────────────────────────────────

async function assertProsecutor(deps: RecordsDeps, agencyId: string | null | undefined, field: string): Promise<void> {
  if (!agencyId) return;
  const a = (await agencyMap(deps)).get(agencyId);
  if (!a || a.kind !== 'prosecutor') throw badRequest('iph_prosecutor', 'error.iph.prosecutor', field);
}

/**
 * Saves sections of a draft (each given section replaces the stored one) and the
 * classification. Only its authors (RA-3), only while a draft (RA-5), and only from the
 * version the author read when `expectedVersion` is sent.
 */
export async function updateIph(
  deps: RecordsDeps,
  actor: Actor,
  id: string,
  input: { expectedVersion?: number; crimeCode?: string | null; sections?: IphSections },
  ctx: Ctx = {},
): Promise<IphView> {
  const row = await visibleIph(deps, actor, id);
  if (row.status !== 'draft') throw signedConflict(row);
  if (!isAuthor(actor, authorsOf(row))) throw new AppError(403, 'iph_not_author', 'error.iph.not_author', { folio: row.folio });
  if (input.expectedVersion !== undefined && input.expectedVersion !== Number(row.version))
    throw new AppError(409, 'iph_version', 'error.iph.version', { current: Number(row.version) }, 'expectedVersion');
  const sections = input.sections ?? {};
  await assertProsecutor(deps, sections.handover?.prosecutorAgencyId, 'sections.handover.prosecutorAgencyId');
  const content: IphContent = { ...(JSON.parse(row.content) as IphContent), ...sections };
  const now = nowIso(deps);
  const patch: Partial<IphRow> = {
    content: JSON.stringify(content),
    version: Number(row.version) + 1,
    updatedAt: now,
    prosecutorAgencyId: content.handover.prosecutorAgencyId ?? null,
    municipalityCode: content.place.municipalityCode ?? row.municipalityCode,
  };
  if (input.crimeCode !== undefined) patch.crimeCode = input.crimeCode?.trim() || null;
  await deps.handle.write(async (q) => {
    if (!(await store.updateDraft(q, id, Number(row.version), patch))) {
      const fresh = await store.getIph(q, id);
      if (fresh?.status === 'signed') throw signedConflict(fresh);
      throw new AppError(409, 'iph_version', 'error.iph.version', { current: Number(fresh?.version ?? 0) }, 'expectedVersion');
    }
    await appendAudit(
      deps.handle,
      actor,
      {
        action: 'iph.update',
        targetType: 'iph',
        targetId: id,
        details: { sections: Object.keys(sections), version: patch.version },
        ...ctx,
      },
      q,
    );
  });
  return toView(deps, actor, { ...row, ...patch }, []);
}

/** RA-5: a signed IPH changes only through amendments. */
function signedConflict(row: IphRow): AppError {
  return new AppError(409, 'iph_signed', 'error.iph.signed', { folio: row.folio });
}

// ── signature ───────────────────────────────────────────────────────────────

function snapshot(d: DetentionRow): DetentionSnapshot {
  return {
    id: d.id,
    folio: d.folio,
    record: JSON.parse(d.record) as DetentionRecord,
    handover: parseJson<DetentionHandover>(d.handover),
  };
}

/**
 * The first responder signs the draft: their password again (explicit, TOTP-free), then
 * annex A is filled from the detention register, and the signature records the signer,
 * the time and the SHA-256 of the canonical JSON of the report. From then on the IPH is
 * immutable (RA-5). After the commit, the `onSigned` hook runs (crime record).
 */
export async function signIph(deps: RecordsDeps, actor: Actor, id: string, password: string, ctx: Ctx = {}): Promise<IphView> {
  const row = await visibleIph(deps, actor, id);
  if (row.status !== 'draft') throw signedConflict(row);
  const pre = JSON.parse(row.content) as IphContent;
  if (!actor.roles.includes('field_officer') || actor.userId !== row.responderUserId)
    throw new AppError(403, 'iph_not_responder', 'error.iph.not_responder', { name: pre.responder.fullName ?? '—' });
  const { fullName } = await confirmPassword({ handle: deps.handle, config: deps.config }, actor, password, ctx);
  const signedAt = nowIso(deps);
  const signed = await deps.handle.write(async (q) => {
    const cur = await store.getIphForUpdate(q, deps.handle.kind, id);
    if (!cur) throw notFound();
    if (cur.status !== 'draft') throw signedConflict(cur);
    if (Number(cur.version) !== Number(row.version))
      throw new AppError(409, 'iph_version', 'error.iph.version', { current: Number(cur.version) }, 'version');
    const detentions = await detentionsOfIph(q, id);
    const draft = JSON.parse(cur.content) as IphContent;
    const missing = missingForSignature(draft, cur.crimeCode, detentions.length)[0];
    if (missing) throw badRequest('iph_incomplete', `error.iph.required.${missing.code}` as MessageKey, missing.field);
    const content: IphContent = iphContentSchema.parse({ ...draft, annexA: { detentions: detentions.map(snapshot) } });
    const contentHash = sha256(canonicalJson(signedDocument(cur, content)));
    const patch: Partial<IphRow> = {
      status: 'signed',
      content: JSON.stringify(content),
      version: Number(cur.version) + 1,
      updatedAt: signedAt,
      signedBy: actor.userId,
      signerName: fullName,
      signedAt,
      contentHash,
      headHash: contentHash,
    };
    await store.updateIph(q, id, patch);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'iph.sign', targetType: 'iph', targetId: id, details: { folio: cur.folio, contentHash, crimeCode: cur.crimeCode }, ...ctx },
      q,
    );
    if (deps.onSigned && cur.crimeCode) await deps.onSigned(q, { id, folio: cur.folio, crimeCode: cur.crimeCode, content }, actor);
    return { ...cur, ...patch };
  });
  const view = await toView(deps, actor, signed, []);
  return view;
}

// ── amendments ──────────────────────────────────────────────────────────────

/**
 * A signed correction of one field: the value it replaces, the new one, the reason, the
 * signer (password again) and a hash chained to the previous amendment's (the first, to the
 * signed content's). The original content stays as signed; readers apply the amendments.
 */
export async function amendIph(
  deps: RecordsDeps,
  actor: Actor,
  id: string,
  input: { section: IphEditablePart; field: string; newValue?: unknown; reason: string; password: string },
  ctx: Ctx = {},
): Promise<IphView> {
  const row = await visibleIph(deps, actor, id);
  if (row.status !== 'signed') throw new AppError(409, 'iph_not_signed', 'error.iph.not_signed', { folio: row.folio });
  if (!isAuthor(actor, authorsOf(row))) throw new AppError(403, 'iph_not_author', 'error.iph.not_author', { folio: row.folio });
  const newValue = input.newValue === undefined ? null : input.newValue;
  // Read before the write: the embedded database's one connection is the transaction's.
  const agencies = await agencyMap(deps);
  const { fullName } = await confirmPassword({ handle: deps.handle, config: deps.config }, actor, input.password, ctx);
  const signedAt = nowIso(deps);
  const result = await deps.handle.write(async (q) => {
    const cur = (await store.getIphForUpdate(q, deps.handle.kind, id))!;
    const existing = await store.amendmentsOf(q, id);
    const effective = applyAmendments(JSON.parse(cur.content) as IphContent, existing.map(toAmendment));
    const path = `${input.section}.${input.field}`;
    const next = setPath(effective, path, newValue);
    if (!next) throw badRequest('iph_amend_path', 'error.iph.amend_path', 'field', { section: input.section, field: input.field });
    const parsed = iphContentSchema.safeParse(next);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.join('.');
      if (issue.code === 'unrecognized_keys' || !where.startsWith(input.section))
        throw badRequest('iph_amend_path', 'error.iph.amend_path', 'field', { section: input.section, field: input.field });
      throw badRequest('iph_amend_invalid', 'error.iph.amend_invalid', 'newValue', { field: where, detail: issue.message });
    }
    // The receiving office decides who reads the signed IPH (RA-2): an amended one must be a prosecutor's office too.
    const office = parsed.data.handover.prosecutorAgencyId ?? null;
    if (input.section === 'handover' && office && agencies.get(office)?.kind !== 'prosecutor')
      throw badRequest('iph_prosecutor', 'error.iph.prosecutor', 'newValue');
    const oldValue = getPath(effective, path) ?? null;
    if (canonicalJson(oldValue) === canonicalJson(getPath(parsed.data, path) ?? null))
      throw badRequest('iph_amend_same', 'error.iph.amend_same', 'newValue');
    const base = {
      id: uuid(),
      iphId: id,
      section: input.section,
      field: input.field,
      oldValue: JSON.stringify(oldValue),
      newValue: JSON.stringify(getPath(parsed.data, path) ?? null),
      reason: input.reason.trim(),
      signedBy: actor.userId,
      signerName: fullName,
      signedAt,
    };
    const prevHash = cur.headHash!;
    const amendment: store.AmendmentRow = {
      ...base,
      seq: Number(cur.amendmentCount) + 1,
      prevHash,
      hash: linkHash(prevHash, amendmentBody(base)),
    };
    await store.insertAmendment(q, amendment);
    const patch: Partial<IphRow> = {
      amendmentCount: amendment.seq,
      headHash: amendment.hash,
      updatedAt: signedAt,
      prosecutorAgencyId: office,
    };
    await store.updateIph(q, id, patch);
    await appendAudit(
      deps.handle,
      actor,
      {
        action: 'iph.amend',
        targetType: 'iph',
        targetId: id,
        details: { folio: cur.folio, seq: amendment.seq, section: input.section, field: input.field, hash: amendment.hash },
        ...ctx,
      },
      q,
    );
    return { row: { ...cur, ...patch }, amendments: [...existing, amendment] };
  });
  return toView(deps, actor, result.row, result.amendments);
}

// ── verification ────────────────────────────────────────────────────────────

/**
 * Recomputes the signed content's hash and the amendment chain, and names the first broken
 * link: 0 the signed content, n the n-th amendment (modified, deleted or reordered).
 */
export async function verifyIph(deps: RecordsDeps, actor: Actor, id: string): Promise<ChainCheck> {
  const row = await store.getIph(deps.handle.db, id);
  if (!row || !(canReadIph(actor, row) || canVerifyOwned(actor, [row.agencyId]))) throw notFound();
  if (row.status !== 'signed' || !row.contentHash) throw new AppError(409, 'iph_not_signed', 'error.iph.not_signed', { folio: row.folio });
  const amendments = await store.amendmentsOf(deps.handle.db, id);
  let recomputed: string;
  try {
    recomputed = sha256(canonicalJson(signedDocument(row, JSON.parse(row.content) as IphContent)));
  } catch {
    recomputed = '';
  }
  return checkChain(
    { hash: row.contentHash, recomputed },
    amendments.map((a) => ({ seq: Number(a.seq), prevHash: a.prevHash, hash: a.hash, recomputed: linkHash(a.prevHash, amendmentBody(a)) })),
    { count: Number(row.amendmentCount), headHash: row.headHash ?? row.contentHash },
  );
}
