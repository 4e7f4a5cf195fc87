import { newId } from '../platform/ids.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, badRequest, forbidden, notFound } from '../platform/errors.js';
import type { Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import { getIncident } from '../dispatch/dispatch.service.js';
import * as store from './evidence.store.js';
import type { EvidenceRow, PhotoRow, TransferRow } from './evidence.store.js';
import { nextFolioNumber } from './iph.store.js';
import { canReadEvidence, canVerifyOwned } from './iph.access.js';
import { canonicalJson, checkChain, isoInstant, linkHash, sha256, type ChainCheck } from './iph.hash.js';
import type { LocatedPlace, Officer } from './iph.fields.js';
import type { EvidenceSummary, EvidenceView, NewEvidence, Party, Photo, Transfer, TransferInput } from './evidence.schemas.js';
import type { CustodyPurpose, EvidenceKind } from './iph.types.js';
import { agencyMap, locatePlace, nowIso, usersById, type Ctx, type RecordsDeps } from './iph.deps.js';
import { iphFolio, linkableIph, recordFolio } from './iph.service.js';

/**
 * Evidence items and their chain of custody. The registration is hashed at once; each
 * change of custody is appended with the hash of the link before it (the first, the
 * registration's), so that a modified, deleted or reordered link is found by
 * `verifyEvidence`. Links are never updated or deleted by the application (RA-5, RA-6).
 * Photos are stored content-addressed (DATA_DIR/evidence/<sha256>) and re-hashed on
 * verification.
 */

const uuid = () => newId();

/** Accepted photo types and the first bytes their files start with. */
const PHOTO_SIGNATURES: Record<string, (head: Buffer) => boolean> = {
  'image/jpeg': (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  'image/png': (h) => h.length >= 8 && h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/webp': (h) => h.length >= 12 && h.toString('latin1', 0, 4) === 'RIFF' && h.toString('latin1', 8, 12) === 'WEBP',
};
export const PHOTO_CONTENT_TYPES = Object.keys(PHOTO_SIGNATURES);

const EVIDENCE_READERS = ['field_officer', 'commander', 'prosecutor_liaison'] as const;
const EVIDENCE_WRITERS = ['field_officer', 'prosecutor_liaison'] as const;

export const photoDir = (deps: RecordsDeps) => path.join(deps.config.dataDir, 'evidence');

function registrationBody(r: EvidenceRow) {
  return {
    id: r.id,
    folio: r.folio,
    agencyId: r.agencyId,
    iphId: r.iphId,
    incidentId: r.incidentId,
    kind: r.kind,
    description: r.description,
    quantity: Number(r.quantity),
    unit: r.unit,
    collectedAt: r.collectedAt,
    place: JSON.parse(r.place) as unknown,
    collectedBy: JSON.parse(r.collectedBy) as unknown,
    seal: r.seal,
    condition: r.condition,
    registeredBy: r.registeredBy,
    registeredByName: r.registeredByName,
    registeredAt: r.registeredAt,
  };
}

function transferBody(t: Omit<TransferRow, 'seq' | 'prevHash' | 'hash'>) {
  return {
    id: t.id,
    itemId: t.itemId,
    at: t.at,
    from: JSON.parse(t.fromParty) as unknown,
    to: JSON.parse(t.toParty) as unknown,
    place: t.place,
    purpose: t.purpose,
    purposeDetail: t.purposeDetail,
    condition: t.condition,
    seal: t.seal,
    observations: t.observations,
    recordedBy: t.recordedBy,
    recordedAt: t.recordedAt,
  };
}

const registrationHash = (r: EvidenceRow) => sha256(canonicalJson(registrationBody(r)));

const toTransfer = (t: TransferRow): Transfer => ({
  id: t.id,
  seq: Number(t.seq),
  at: t.at,
  from: JSON.parse(t.fromParty) as Party,
  to: JSON.parse(t.toParty) as Party,
  place: t.place,
  purpose: t.purpose as CustodyPurpose,
  purposeDetail: t.purposeDetail,
  condition: t.condition,
  seal: t.seal,
  observations: t.observations,
  recordedBy: t.recordedBy,
  recordedAt: t.recordedAt,
  prevHash: t.prevHash,
  hash: t.hash,
});

const toPhoto = (p: PhotoRow): Photo => ({
  id: p.id,
  sha256: p.sha256,
  sizeBytes: Number(p.sizeBytes),
  contentType: p.contentType,
  uploadedBy: p.uploadedBy,
  uploadedAt: p.uploadedAt,
});

const hasRole = (actor: Actor, roles: readonly string[]) => actor.roles.some((r) => roles.includes(r));

/** RA-6: only the agency holding the item hands it over. */
const canTransfer = (actor: Actor, custodian: Party) => hasRole(actor, EVIDENCE_WRITERS) && actor.subtree.has(custodian.agencyId);
/** Photos: the collecting agency and the one holding the item. */
const canAddPhoto = (actor: Actor, row: EvidenceRow, custodian: Party) =>
  hasRole(actor, EVIDENCE_WRITERS) && (actor.subtree.has(row.agencyId) || actor.subtree.has(custodian.agencyId));

async function visibleItem(deps: RecordsDeps, actor: Actor, id: string): Promise<EvidenceRow> {
  const row = await store.getItem(deps.handle.db, id);
  if (!row || !canReadEvidence(actor, await store.custodyAgenciesOf(deps.handle.db, id))) throw notFound();
  return row;
}

async function toView(deps: RecordsDeps, actor: Actor, row: EvidenceRow): Promise<EvidenceView> {
  const db = deps.handle.db;
  const custodian = JSON.parse(row.custodian) as Party;
  return {
    id: row.id,
    folio: row.folio,
    agencyId: row.agencyId,
    agencyName: (await agencyMap(deps)).get(row.agencyId)?.name ?? row.agencyId,
    iphId: row.iphId,
    iphFolio: await iphFolio(deps, row.iphId),
    incidentId: row.incidentId,
    kind: row.kind as EvidenceKind,
    description: row.description,
    quantity: Number(row.quantity),
    unit: row.unit,
    collectedAt: row.collectedAt,
    place: JSON.parse(row.place) as LocatedPlace,
    collectedBy: JSON.parse(row.collectedBy) as Officer[],
    seal: row.seal,
    condition: row.condition,
    registeredBy: row.registeredBy,
    registeredByName: row.registeredByName,
    registeredAt: row.registeredAt,
    registrationHash: row.registrationHash,
    custodian,
    headHash: row.headHash,
    transfers: (await store.transfersOf(db, row.id)).map(toTransfer),
    photos: (await store.photosOf(db, row.id)).map(toPhoto),
    can: { transfer: canTransfer(actor, custodian), addPhoto: canAddPhoto(actor, row, custodian) },
  };
}

export async function registerEvidence(deps: RecordsDeps, actor: Actor, input: NewEvidence, ctx: Ctx = {}): Promise<EvidenceView> {
  const place = locatePlace(deps.geo, input.place, 'place.lat');
  const given = input.incidentId ?? null;
  if (given && !input.iphId) {
    await getIncident(deps.dispatch, actor, given).catch(() => {
      throw new AppError(404, 'not_found', 'error.not_found', {}, 'incidentId');
    });
  }
  const agency = (await agencyMap(deps)).get(actor.agencyId)!;
  const me = (await usersById(deps, [actor.userId])).get(actor.userId);
  const name = me?.fullName ?? actor.username;
  const now = nowIso(deps);
  const year = Number(now.slice(0, 4));
  const row = await deps.handle.write(async (q) => {
    const incidentId = input.iphId ? ((await linkableIph(deps, q, actor, input.iphId, { draftOnly: false })).incidentId ?? given) : given;
    const n = await nextFolioNumber(q, agency.id, 'evidence', year);
    const custodian: Party = { name, position: null, userId: actor.userId, agencyId: agency.id, agencyName: agency.name };
    const base: EvidenceRow = {
      id: uuid(),
      agencyId: agency.id,
      folio: recordFolio('IND', agency, year, n),
      iphId: input.iphId ?? null,
      incidentId,
      kind: input.kind,
      description: input.description,
      quantity: input.quantity,
      unit: input.unit,
      collectedAt: isoInstant(input.collectedAt),
      place: JSON.stringify(place),
      collectedBy: JSON.stringify(input.collectedBy),
      seal: input.seal ?? null,
      condition: input.condition ?? null,
      registeredBy: actor.userId,
      registeredByName: name,
      registeredAt: now,
      registrationHash: '',
      custodian: JSON.stringify(custodian),
      transferCount: 0,
      headHash: '',
    };
    const hash = registrationHash(base);
    const r = { ...base, registrationHash: hash, headHash: hash };
    await store.insertItem(q, r);
    await store.addCustodyAgency(q, r.id, agency.id);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'evidence.create', targetType: 'evidence', targetId: r.id, details: { folio: r.folio, registrationHash: hash }, ...ctx },
      q,
    );
    return r;
  });
  return toView(deps, actor, row);
}

export async function getEvidence(deps: RecordsDeps, actor: Actor, id: string): Promise<EvidenceView> {
  return toView(deps, actor, await visibleItem(deps, actor, id));
}

/** Items the actor's agency (or one below it) registered or has held (RA-1, RA-2). */
export async function listEvidence(
  deps: RecordsDeps,
  actor: Actor,
  f: { iphId?: string; limit?: number } = {},
): Promise<EvidenceSummary[]> {
  const db = deps.handle.db;
  const rows = await store.listItems(db, {
    agencyIds: hasRole(actor, EVIDENCE_READERS) ? [...actor.subtree] : [],
    iphId: f.iphId,
    limit: f.limit ?? 100,
  });
  const photos = await store.countsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    folio: r.folio,
    agencyId: r.agencyId,
    iphId: r.iphId,
    kind: r.kind as EvidenceKind,
    description: r.description,
    quantity: Number(r.quantity),
    unit: r.unit,
    collectedAt: r.collectedAt,
    custodian: JSON.parse(r.custodian) as Party,
    transfers: Number(r.transferCount),
    photos: photos.get(r.id) ?? 0,
  }));
}

/**
 * Appends a change of custody. The sender states the hash of the last link they saw; if it
 * is not the chain's head (someone else transferred meanwhile, or it is forged) the transfer
 * is refused with 409 and nothing changes.
 */
export async function transferEvidence(
  deps: RecordsDeps,
  actor: Actor,
  id: string,
  input: TransferInput,
  ctx: Ctx = {},
): Promise<EvidenceView> {
  const row = await visibleItem(deps, actor, id);
  const stale = () => new AppError(409, 'custody_stale_hash', 'error.evidence.stale_hash', {}, 'previousHash');
  // A stale head first: a sender who lost a race learns that the chain moved, whoever holds the item now.
  if (input.previousHash !== row.headHash) throw stale();
  const custodian = JSON.parse(row.custodian) as Party;
  if (!canTransfer(actor, custodian))
    throw new AppError(403, 'evidence_not_custodian', 'error.evidence.not_custodian', { custodian: custodian.agencyName });
  const agencies = await agencyMap(deps);
  const toAgency = agencies.get(input.to.agencyId);
  if (!toAgency || toAgency.disabledAt) throw badRequest('evidence_agency', 'error.evidence.agency', 'to.agencyId');
  const me = (await usersById(deps, [actor.userId])).get(actor.userId);
  const updated = await deps.handle.write(async (q) => {
    const cur = await store.getItemForUpdate(q, deps.handle.kind, id);
    if (!cur) throw notFound();
    if (input.previousHash !== cur.headHash) throw stale();
    const holder = JSON.parse(cur.custodian) as Party;
    if (!canTransfer(actor, holder))
      throw new AppError(403, 'evidence_not_custodian', 'error.evidence.not_custodian', { custodian: holder.agencyName });
    const from: Party = {
      name: me?.fullName ?? actor.username,
      position: null,
      userId: actor.userId,
      agencyId: holder.agencyId,
      agencyName: holder.agencyName,
    };
    const to: Party = {
      name: input.to.name,
      position: input.to.position ?? null,
      userId: input.to.userId ?? null,
      agencyId: toAgency.id,
      agencyName: toAgency.name,
    };
    const base = {
      id: uuid(),
      itemId: id,
      at: isoInstant(input.at),
      fromParty: JSON.stringify(from),
      toParty: JSON.stringify(to),
      place: input.place,
      purpose: input.purpose,
      purposeDetail: input.purposeDetail ?? null,
      condition: input.condition,
      seal: input.seal ?? null,
      observations: input.observations ?? null,
      recordedBy: actor.userId,
      recordedAt: nowIso(deps),
    };
    const transfer: TransferRow = {
      ...base,
      seq: Number(cur.transferCount) + 1,
      prevHash: cur.headHash,
      hash: linkHash(cur.headHash, transferBody(base)),
    };
    await store.insertTransfer(q, transfer);
    const head = { headHash: transfer.hash, transferCount: transfer.seq, custodian: JSON.stringify(to) };
    if (!(await store.advanceHead(q, id, { headHash: cur.headHash, transferCount: Number(cur.transferCount) }, head))) throw stale();
    await store.addCustodyAgency(q, id, toAgency.id);
    await appendAudit(
      deps.handle,
      actor,
      {
        action: 'evidence.transfer',
        targetType: 'evidence',
        targetId: id,
        details: { folio: cur.folio, seq: transfer.seq, toAgencyId: toAgency.id, hash: transfer.hash },
        ...ctx,
      },
      q,
    );
    return { ...cur, ...head };
  });
  return toView(deps, actor, updated);
}

// ── photos ──────────────────────────────────────────────────────────────────

/**
 * Streams an uploaded photo to DATA_DIR/evidence/<sha256> (hashing as it goes, never
 * holding it whole in memory), refusing it past the size limit or when its first bytes are
 * not of the declared image type, and records it against the item.
 */
export async function addPhoto(
  deps: RecordsDeps,
  actor: Actor,
  id: string,
  upload: { stream: Readable; contentType: string; declaredLength?: number },
  ctx: Ctx = {},
): Promise<Photo> {
  const row = await visibleItem(deps, actor, id);
  if (!canAddPhoto(actor, row, JSON.parse(row.custodian) as Party)) throw forbidden();
  const max = deps.config.evidencePhotoMaxBytes;
  const tooLarge = () =>
    new AppError(413, 'photo_too_large', 'error.evidence.photo_too_large', { limit: Number((max / 1_048_576).toFixed(2)) }, 'body');
  const looksRight = PHOTO_SIGNATURES[upload.contentType];
  if (!looksRight) throw new AppError(415, 'photo_type', 'error.evidence.photo_type', {}, 'body');
  if (upload.declaredLength !== undefined && upload.declaredLength > max) {
    upload.stream.resume();
    throw tooLarge();
  }
  const dir = photoDir(deps);
  await fsp.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.upload-${uuid()}`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  const fh = await fsp.open(tmp, 'wx');
  try {
    try {
      for await (const chunk of upload.stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) {
          upload.stream.resume();
          throw tooLarge();
        }
        if (head.length < 16) head = Buffer.concat([head, chunk]).subarray(0, 16);
        hash.update(chunk);
        await fh.write(chunk);
      }
      // Durable before it is recorded: the row must never name a file a power cut lost.
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (size === 0) throw badRequest('photo_empty', 'error.evidence.photo_empty', 'body');
    if (!looksRight(head)) throw new AppError(415, 'photo_type', 'error.evidence.photo_type', {}, 'body');
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  const digest = hash.digest('hex');
  const final = path.join(dir, digest);
  // Content-addressed: the same photo twice is one file.
  if (fs.existsSync(final)) await fsp.rm(tmp, { force: true });
  else await fsp.rename(tmp, final);
  const photo: PhotoRow = {
    id: uuid(),
    itemId: id,
    sha256: digest,
    sizeBytes: size,
    contentType: upload.contentType,
    uploadedBy: actor.userId,
    uploadedAt: nowIso(deps),
  };
  await deps.handle.write(async (q) => {
    await store.insertPhoto(q, photo);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'evidence.photo.add', targetType: 'evidence', targetId: id, details: { folio: row.folio, sha256: digest, size }, ...ctx },
      q,
    );
  });
  return toPhoto(photo);
}

/** A photo's file for download; the download is audited (RA-7). */
export async function openPhoto(
  deps: RecordsDeps,
  actor: Actor,
  id: string,
  photoId: string,
  ctx: Ctx = {},
): Promise<{ photo: Photo; stream: fs.ReadStream }> {
  await visibleItem(deps, actor, id);
  const row = await store.getPhoto(deps.handle.db, id, photoId);
  const file = row ? path.join(photoDir(deps), row.sha256) : '';
  if (!row || !fs.existsSync(file)) throw notFound();
  await deps.handle.write((q) =>
    appendAudit(
      deps.handle,
      actor,
      { action: 'evidence.photo.read', targetType: 'evidence', targetId: id, details: { photoId, sha256: row.sha256 }, ...ctx },
      q,
    ),
  );
  return { photo: toPhoto(row), stream: fs.createReadStream(file) };
}

async function fileHash(file: string): Promise<string | null> {
  if (!fs.existsSync(file)) return null;
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

export type EvidenceVerification = ChainCheck & {
  photos: { id: string; sha256: string; ok: boolean; problem: 'missing' | 'modified' | null }[];
};

/** Recomputes the registration's hash and every custody link, and re-hashes every photo file. */
export async function verifyEvidence(deps: RecordsDeps, actor: Actor, id: string): Promise<EvidenceVerification> {
  const row = await store.getItem(deps.handle.db, id);
  const held = row ? await store.custodyAgenciesOf(deps.handle.db, id) : [];
  if (!row || !(canReadEvidence(actor, held) || canVerifyOwned(actor, held))) throw notFound();
  const transfers = await store.transfersOf(deps.handle.db, id);
  const chain = checkChain(
    { hash: row.registrationHash, recomputed: registrationHash(row) },
    transfers.map((t) => ({ seq: Number(t.seq), prevHash: t.prevHash, hash: t.hash, recomputed: linkHash(t.prevHash, transferBody(t)) })),
    { count: Number(row.transferCount), headHash: row.headHash },
  );
  const photos: EvidenceVerification['photos'] = [];
  for (const p of await store.photosOf(deps.handle.db, id)) {
    const got = await fileHash(path.join(photoDir(deps), p.sha256));
    const problem = got === null ? 'missing' : got !== p.sha256 ? 'modified' : null;
    photos.push({ id: p.id, sha256: p.sha256, ok: problem === null, problem });
  }
  return { ...chain, photos };
}
