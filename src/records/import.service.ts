/**
 * Bulk import of crime records from CSV or GeoJSON, streamed: the file is read chunk by
 * chunk and written in batches, never held whole. Each batch is one transaction holding its
 * records (one multi-row insert), its rejected rows and the job's new committed position
 * (byte offset and line) — so an import cut short by a dropped connection or a killed server
 * resumes from exactly the last committed batch, and nothing is counted twice.
 *
 * Re-importing creates nothing twice either: a record is keyed by (import, the mapping's
 * dataset, the file's row id). Every row that is not imported is listed with its line, the
 * reason and its raw text.
 */
import { newId } from '../platform/ids.js';
import crypto from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import { t, type Language, type MessageKey } from '../platform/i18n/messages.js';
import { scopeOf, type Actor } from '../identity/access-policy.js';
import { appendAudit } from '../identity/audit.service.js';
import { ancestorsOf, listAgencies } from '../identity/identity.service.js';
import type { GeoService } from '../geo/geo.service.js';
import { foldText, type CrimeCatalogue } from './crime-catalogue.js';
import { checkCrime, factColumns, localToday, type Failure } from './crime-checks.js';
import { catalogueOf, csvCell, nowOf, withinJurisdiction, type CrimeDeps } from './crime.service.js';
import * as crimeStore from './crime.store.js';
import type { CrimeRow } from './crime.store.js';
import type { CrimeReason, ImportDelimiter, ImportFormat, ImportStatus } from './crime.types.js';
import { CsvReader, rawBytes, sniffDelimiter, type CsvItem } from './import-csv.js';
import { GeoJsonReader, GeoJsonStructureError, type GeoJsonItem } from './import-geojson.js';
import {
  BUILTIN_MAPPINGS,
  categoryIndex,
  mappingProblems,
  mappingSchema,
  type CategoryTarget,
  type ImportMapping,
} from './import-mapping.js';
import {
  byteOrderMark,
  FieldDecoder,
  parseClock,
  parseDateTime,
  parseDecimal,
  parseYesNo,
  type ImportEncoding,
  type ResolvedEncoding,
} from './import-text.js';
import * as store from './import.store.js';
import type { JobRow, RejectionRow } from './import.store.js';

/** Largest file accepted: 2 GiB. */
export const MAX_IMPORT_BYTES = 2 * 1024 ** 3;
/** Rows per transaction: large enough to amortise the commit, small enough to keep memory flat. */
export const BATCH_ROWS = 1000;
/** A batch is also committed after this long, so that a slow upload still shows progress. */
const BATCH_MS = 500;
/** The first bytes of a file, hashed: a resumed upload must send the same file. */
export const HEAD_BYTES = 65_536;
/** Raw text kept per rejected row. */
const RAW_CHARS = 2000;

export { IMPORT_DELIMITERS, IMPORT_FORMATS, IMPORT_STATUSES } from './crime.types.js';
export type { ImportDelimiter, ImportFormat, ImportStatus } from './crime.types.js';

export type ImportDeps = CrimeDeps;

/** Who owns an import: the agency whose jurisdiction bounds its rows (none for a CLI import without --agency). */
export type ImportOwner = { agencyId: string | null; userId: string | null; name: string };

export type ImportJob = {
  id: string;
  ownerAgencyId: string | null;
  createdByName: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  status: ImportStatus;
  format: ImportFormat;
  fileName: string;
  fileSize: number | null;
  encoding: ImportEncoding;
  encodingUsed: ResolvedEncoding | null;
  delimiter: ImportDelimiter;
  delimiterUsed: string | null;
  mappingName: string;
  declaredState: string | null;
  /** Where the next upload of this job must start (everything before is committed). */
  bytesCommitted: number;
  nextLine: number;
  rowsRead: number;
  rowsAccepted: number;
  rowsDuplicate: number;
  rowsRejected: number;
  /** bytesCommitted ÷ fileSize, when the size is known. */
  progress: number | null;
  warnings: { code: string; message: string }[];
  error: { code: string; message: string } | null;
};

export type Rejection = { record: number; line: number; reason: string; field: string | null; message: string; raw: string };

/** A problem with the whole file: the import stops there (committed batches stay). */
class ImportFailure extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

// ── jobs in this process ────────────────────────────────────────────────────
/** Jobs running in this process; SQLite has one process per database, so a `running` job absent here was cut short. */
const active = new Set<string>();
/** On PostgreSQL several instances may share the database: a running job whose heartbeat is older is taken as interrupted. */
const STALE_MS = 30_000;

function effectiveStatus(handle: Db, row: JobRow, now: Date): ImportStatus {
  if (row.status !== 'running' || active.has(row.id)) return row.status as ImportStatus;
  if (handle.kind === 'postgres' && row.heartbeatAt && now.getTime() - Date.parse(row.heartbeatAt) < STALE_MS) return 'running';
  return 'interrupted';
}

export function jobView(deps: ImportDeps, row: JobRow, lang: Language): ImportJob {
  const status = effectiveStatus(deps.handle, row, nowOf(deps));
  const warnings = (row.warnings ? (JSON.parse(row.warnings) as { code: string; params: Record<string, string> }[]) : []).map((w) => ({
    code: w.code,
    message: t(lang, `import.warning.${w.code}` as MessageKey, w.params),
  }));
  let error: ImportJob['error'] = null;
  if (row.errorCode)
    error = {
      code: row.errorCode,
      message: t(
        lang,
        `error.import.${row.errorCode}` as MessageKey,
        row.errorParams ? (JSON.parse(row.errorParams) as Record<string, string>) : {},
      ),
    };
  else if (status === 'interrupted')
    error = { code: 'interrupted', message: t(lang, 'error.import.interrupted', { offset: row.bytesCommitted }) };
  return {
    id: row.id,
    ownerAgencyId: row.ownerAgencyId,
    createdByName: row.createdByName,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
    status,
    format: row.format as ImportFormat,
    fileName: row.fileName,
    fileSize: row.fileSize,
    encoding: row.encoding as ImportEncoding,
    encodingUsed: row.encodingUsed as ResolvedEncoding | null,
    delimiter: row.delimiter as ImportDelimiter,
    delimiterUsed: row.delimiterUsed,
    mappingName: row.mappingName,
    declaredState: row.declaredState,
    bytesCommitted: row.bytesCommitted,
    nextLine: row.nextLine,
    rowsRead: row.rowsRead,
    rowsAccepted: row.rowsAccepted,
    rowsDuplicate: row.rowsDuplicate,
    rowsRejected: row.rowsRejected,
    progress: row.fileSize ? Math.min(1, row.bytesCommitted / row.fileSize) : row.status === 'completed' ? 1 : null,
    warnings,
    error,
  };
}

// ── access ──────────────────────────────────────────────────────────────────
/** An import job belongs to its owner agency's subtree (or to everyone with a global grant). */
export function canSeeJob(actor: Actor, row: Pick<JobRow, 'ownerAgencyId'>): boolean {
  return scopeOf(actor, 'crime.import') === 'global' || (!!row.ownerAgencyId && actor.subtree.has(row.ownerAgencyId));
}

export async function visibleJob(deps: ImportDeps, actor: Actor, id: string): Promise<JobRow> {
  const row = await store.getJob(deps.handle.db, id);
  if (!row || !canSeeJob(actor, row)) throw notFound();
  return row;
}

export async function listImportJobs(deps: ImportDeps, actor: Actor, lang: Language, limit = 50): Promise<ImportJob[]> {
  const owners = scopeOf(actor, 'crime.import') === 'global' ? undefined : [...actor.subtree];
  return (await store.listJobs(deps.handle.db, owners, limit)).map((r) => jobView(deps, r, lang));
}

// ── mappings ────────────────────────────────────────────────────────────────
export type MappingView = {
  name: string;
  builtIn: boolean;
  ownerAgencyId: string | null;
  mapping: ImportMapping;
  updatedAt: string | null;
};

export async function listMappings(deps: ImportDeps, actor: Actor): Promise<MappingView[]> {
  const builtIn = Object.entries(BUILTIN_MAPPINGS).map(([name, mapping]) => ({
    name,
    builtIn: true,
    ownerAgencyId: null,
    mapping,
    updatedAt: null,
  }));
  // An agency uses its own mappings and those of the agencies above it (a state's, for its municipalities).
  const owners = scopeOf(actor, 'crime.import') === 'global' ? undefined : [...actor.ancestors];
  const saved = (await store.listMappings(deps.handle.db, owners)).map((r) => ({
    name: r.name,
    builtIn: false,
    ownerAgencyId: r.ownerAgencyId,
    mapping: mappingSchema.parse(JSON.parse(r.definition)),
    updatedAt: r.updatedAt,
  }));
  return [...builtIn, ...saved];
}

function checkMapping(catalogue: CrimeCatalogue, m: ImportMapping): void {
  const bad = mappingProblems(m, catalogue);
  if (bad.length) throw badRequest('mapping_invalid', 'error.import.mapping_invalid', 'categories', { detail: bad.slice(0, 5).join('; ') });
}

/** Saves (creates or replaces) a named mapping of the actor's agency. */
export async function saveMapping(deps: ImportDeps, actor: Actor, name: string, mapping: ImportMapping): Promise<MappingView> {
  if (BUILTIN_MAPPINGS[name]) throw badRequest('builtin_mapping', 'error.import.builtin_mapping', 'name', { name });
  checkMapping(catalogueOf(deps), mapping);
  const at = nowOf(deps).toISOString();
  await deps.handle.write(async (q) => {
    await store.upsertMapping(q, {
      id: newId(),
      ownerAgencyId: actor.agencyId,
      name,
      definition: JSON.stringify(mapping),
      updatedAt: at,
      updatedBy: actor.userId,
    });
    await appendAudit(deps.handle, actor, { action: 'crime.import.mapping', targetType: 'import_mapping', targetId: name }, q);
  });
  return { name, builtIn: false, ownerAgencyId: actor.agencyId, mapping, updatedAt: at };
}

/**
 * A mapping by name: built in, or saved by the agency or the nearest agency above it (or, for a
 * CLI import without an agency, by any agency, if only one has that name).
 */
export async function findMapping(deps: ImportDeps, ownerAgencyId: string | null, name: string): Promise<ImportMapping> {
  const builtIn = BUILTIN_MAPPINGS[name];
  if (builtIn) return builtIn;
  const named = (await store.listMappings(deps.handle.db, undefined)).filter((r) => r.name === name);
  let row = ownerAgencyId ? undefined : named.length === 1 ? named[0] : undefined;
  if (ownerAgencyId) {
    for (const id of ancestorsOf(await listAgencies({ handle: deps.handle }), ownerAgencyId)) {
      row = named.find((r) => r.ownerAgencyId === id);
      if (row) break;
    }
  }
  if (!row) throw badRequest('unknown_mapping', 'error.import.unknown_mapping', 'mappingName', { name });
  return mappingSchema.parse(JSON.parse(row.definition));
}

// ── creating a job ──────────────────────────────────────────────────────────
export type NewImport = {
  fileName: string;
  fileSize?: number | null;
  format?: ImportFormat;
  encoding?: ImportEncoding;
  delimiter?: ImportDelimiter;
  mappingName: string;
  /** An unsaved mapping used for this job only (its name is `mappingName`). */
  mapping?: ImportMapping;
  /** Declared state of every point (overrides the mapping's). */
  stateCode?: string | null;
};

export function fileTooLarge(size: number, field = 'fileSize'): AppError {
  return new AppError(413, 'file_too_large', 'error.import.file_too_large', { size, max: MAX_IMPORT_BYTES }, field);
}

export async function createImportJob(deps: ImportDeps, owner: ImportOwner, input: NewImport): Promise<JobRow> {
  if (input.fileSize !== undefined && input.fileSize !== null && input.fileSize > MAX_IMPORT_BYTES) throw fileTooLarge(input.fileSize);
  const format: ImportFormat = input.format ?? (/\.(geo)?json$/i.test(input.fileName) ? 'geojson' : 'csv');
  const mapping = input.mapping ?? (await findMapping(deps, owner.agencyId, input.mappingName));
  checkMapping(catalogueOf(deps), mapping);
  if (format === 'csv' && (!mapping.columns.lat || !mapping.columns.lon))
    throw badRequest('mapping_columns', 'error.import.mapping_columns', 'mapping');
  const stateCode = input.stateCode ?? mapping.stateCode ?? null;
  if (stateCode && !deps.geo.listStates().some((s) => s.code === stateCode))
    throw badRequest('validation', 'error.jurisdiction', 'stateCode', { detail: stateCode });
  const at = nowOf(deps).toISOString();
  const row: JobRow = {
    id: newId(),
    ownerAgencyId: owner.agencyId,
    createdBy: owner.userId,
    createdByName: owner.name,
    createdAt: at,
    updatedAt: at,
    heartbeatAt: null,
    finishedAt: null,
    status: 'pending',
    format,
    fileName: input.fileName,
    fileSize: input.fileSize ?? null,
    headSha256: null,
    encoding: input.encoding ?? 'auto',
    encodingUsed: null,
    delimiter: input.delimiter ?? 'auto',
    delimiterUsed: null,
    header: null,
    mappingName: input.mappingName,
    mapping: JSON.stringify(mapping),
    declaredState: stateCode,
    bytesCommitted: 0,
    nextLine: 1,
    rowsRead: 0,
    rowsAccepted: 0,
    rowsDuplicate: 0,
    rowsRejected: 0,
    warnings: null,
    errorCode: null,
    errorParams: null,
  };
  const actor = owner.userId ? { userId: owner.userId, username: owner.name, agencyId: owner.agencyId ?? '' } : { system: owner.name };
  await deps.handle.write(async (q) => {
    await store.insertJob(q, row);
    await appendAudit(
      deps.handle,
      actor,
      {
        action: 'crime.import.create',
        targetType: 'import_job',
        targetId: row.id,
        details: { fileName: row.fileName, mapping: row.mappingName },
      },
      q,
    );
  });
  return row;
}

// ── rows → records ──────────────────────────────────────────────────────────
type Outcome =
  { ok: true; row: CrimeRow } | { ok: false; reason: CrimeReason; field: string | null; params: Record<string, string | number> };

type RowContext = {
  geo: GeoService;
  catalogue: CrimeCatalogue;
  mapping: ImportMapping;
  categories: Map<string, CategoryTarget>;
  categoryCache: Map<string, CategoryTarget | null>;
  today: string;
  declaredState: string | null;
  jurisdiction: { level: Actor['agencyLevel']; stateCode: string | null; municipalityCode: string | null } | null;
  jobId: string;
  owner: { agencyId: string | null; userId: string | null };
  createdAt: string;
};

/** Turns one source row (its values by mapping column) into a record, or says why not. */
function toRecordRow(ctx: RowContext, value: (column: string) => string, point: { lat: number; lon: number } | null): Outcome {
  const cols = ctx.mapping.columns;
  const reject = (reason: CrimeReason, field: string | null, params: Record<string, string | number> = {}): Outcome => ({
    ok: false,
    reason,
    field,
    params,
  });
  const sourceId = value(cols.sourceId).trim();
  if (!sourceId) return reject('missing_value', cols.sourceId, { column: cols.sourceId });
  const dateText = value(cols.date);
  if (!dateText.trim()) return reject('missing_value', cols.date, { column: cols.date });
  const when = parseDateTime(dateText, ctx.mapping.dateFormat);
  if (!when) return reject('invalid_date', cols.date, { value: dateText.trim() });
  let time = when.time;
  if (cols.time) {
    const clock = parseClock(value(cols.time));
    if (clock === undefined) return reject('invalid_time', cols.time, { value: value(cols.time).trim() });
    time = clock ?? time;
  }
  const category = value(cols.category).trim();
  if (!category) return reject('missing_value', cols.category, { column: cols.category });
  let target = ctx.categoryCache.get(category);
  if (target === undefined) {
    // Folding (accents, case) once per distinct value: a file has a handful of categories and millions of rows.
    target = ctx.categories.get(foldText(category)) ?? null;
    if (ctx.categoryCache.size < 10_000) ctx.categoryCache.set(category, target);
  }
  if (!target) return reject('unknown_category', cols.category, { value: category });
  let lat: number;
  let lon: number;
  if (point) ({ lat, lon } = point);
  else {
    for (const c of [cols.lat!, cols.lon!]) {
      const raw = value(c);
      if (!raw.trim()) return reject('missing_value', c, { column: c });
      if (parseDecimal(raw, ctx.mapping.decimalComma) === null) return reject('invalid_number', c, { column: c, value: raw.trim() });
    }
    lat = parseDecimal(value(cols.lat!), ctx.mapping.decimalComma)!;
    lon = parseDecimal(value(cols.lon!), ctx.mapping.decimalComma)!;
  }
  let violent = target.violent;
  if (cols.violent) {
    const flag = parseYesNo(value(cols.violent));
    if (flag === undefined) return reject('invalid_violence', cols.violent, { value: value(cols.violent).trim() });
    if (flag !== null) violent = flag;
  }
  const checked = checkCrime(
    ctx.geo,
    ctx.catalogue,
    { classificationCode: target.code, occurredOn: when.date, occurredTime: time, lat, lon, declaredStateCode: ctx.declaredState, violent },
    ctx.today,
  );
  if (!checked.ok) return reject(checked.reason, columnOf(ctx.mapping, checked, point !== null), checked.params);
  const c = checked.value;
  if (!withinJurisdiction(ctx.jurisdiction, c)) return reject('outside_jurisdiction', point ? 'geometry' : (cols.lat ?? null));
  return {
    ok: true,
    row: {
      id: newId(),
      ...factColumns(c),
      status: 'registered',
      source: 'import',
      sourceRef: ctx.jobId,
      sourceDataset: ctx.mapping.dataset,
      sourceId,
      ownerAgencyId: ctx.owner.agencyId,
      createdAt: ctx.createdAt,
      createdBy: ctx.owner.userId,
    },
  };
}

/** The source column a failed check is about. */
function columnOf(m: ImportMapping, f: Failure, geometry: boolean): string | null {
  const c = m.columns;
  switch (f.field) {
    case 'classificationCode':
      return c.category;
    case 'occurredOn':
      return c.date;
    case 'occurredTime':
      return c.time ?? c.date;
    case 'violent':
      return c.violent ?? c.category;
    case 'lat':
      return geometry ? 'geometry' : (c.lat ?? null);
    case 'lon':
      return geometry ? 'geometry' : (c.lon ?? null);
    default:
      return f.field;
  }
}

function featureValues(feature: unknown): { value: (c: string) => string; point: { lat: number; lon: number } } | Outcome {
  const bad = (reason: CrimeReason, params: Record<string, string | number>): Outcome => ({ ok: false, reason, field: 'geometry', params });
  if (!feature || typeof feature !== 'object' || (feature as { type?: unknown }).type !== 'Feature')
    return bad('invalid_feature', { detail: 'type ≠ Feature' });
  const f = feature as {
    id?: unknown;
    geometry?: { type?: unknown; coordinates?: unknown } | null;
    properties?: Record<string, unknown> | null;
  };
  const g = f.geometry;
  if (!g || g.type !== 'Point') return bad('not_a_point', { type: String(g?.type ?? 'null') });
  const coords = g.coordinates;
  if (!Array.isArray(coords) || typeof coords[0] !== 'number' || typeof coords[1] !== 'number')
    return bad('invalid_feature', { detail: 'coordinates' });
  const props = f.properties ?? {};
  const value = (c: string) => {
    const v = c in props ? props[c] : c === 'id' ? f.id : undefined;
    return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
  };
  return { value, point: { lon: coords[0] as number, lat: coords[1] as number } };
}

// ── running ─────────────────────────────────────────────────────────────────
export type RunOptions = {
  /** Where this upload starts in the file: 0, or the job's `bytesCommitted` to resume. */
  offset: number;
  /** SHA-256 of the file's first 64 KiB (or the whole file if smaller), required to resume. */
  headSha256?: string | null;
  /** The upload's declared length, when known (refused at once when the file would pass 2 GiB). */
  contentLength?: number | null;
  /** Called after each committed batch. */
  onProgress?: (job: JobRow) => void;
  /** Stops the import after the batch being read (the job is left `interrupted`, resumable). */
  signal?: AbortSignal;
};

type Batch = {
  from: number;
  end: number;
  nextLine: number;
  rows: CrimeRow[];
  rejections: RejectionRow[];
  read: number;
  patch: Partial<JobRow>;
};

/** Whether a thrown error means the upload itself stopped (client gone, connection cut), not a bad file. */
const isStreamCut = (err: unknown) => {
  const e = err as { code?: string; message?: string; name?: string };
  return e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.name === 'AbortError' || e?.message === 'aborted';
};

/**
 * Reads an upload of a job's file (from `opts.offset`) and imports it. Resolves with the job
 * as left: `completed`, `failed` (a problem with the whole file, e.g. a missing column), or
 * `interrupted` (the stream stopped early: resume with the same call from `bytesCommitted`).
 */
export async function runImport(deps: ImportDeps, jobId: string, body: AsyncIterable<Buffer | string>, opts: RunOptions): Promise<JobRow> {
  const { handle } = deps;
  const job = await store.getJob(handle.db, jobId);
  if (!job) throw notFound();
  const status = effectiveStatus(handle, job, nowOf(deps));
  if (status === 'running') throw new AppError(409, 'import_running', 'error.import.running');
  if (status === 'completed' || status === 'failed') throw new AppError(409, 'import_finished', 'error.import.finished', { status });
  if (opts.offset !== job.bytesCommitted)
    throw new AppError(409, 'import_offset', 'error.import.offset', { expected: job.bytesCommitted, given: opts.offset }, 'offset');
  if (opts.offset > 0 && job.headSha256 && opts.headSha256 !== job.headSha256)
    throw new AppError(409, 'import_different_file', 'error.import.different_file', {}, 'headSha256');
  if (opts.contentLength && opts.offset + opts.contentLength > MAX_IMPORT_BYTES)
    throw fileTooLarge(opts.offset + opts.contentLength, 'body');
  if (active.has(jobId)) throw new AppError(409, 'import_running', 'error.import.running');
  active.add(jobId);
  try {
    return await importStream(deps, job, body, opts);
  } finally {
    active.delete(jobId);
  }
}

async function importStream(deps: ImportDeps, job: JobRow, body: AsyncIterable<Buffer | string>, opts: RunOptions): Promise<JobRow> {
  const { handle } = deps;
  const startedAt = nowOf(deps).toISOString();
  const sizeKnown = job.fileSize ?? (opts.offset === 0 && opts.contentLength ? opts.contentLength : null);
  await handle.write((q) =>
    store.updateJob(q, job.id, { status: 'running', heartbeatAt: startedAt, updatedAt: startedAt, fileSize: sizeKnown }),
  );
  const state: JobRow = { ...job, status: 'running', fileSize: sizeKnown };
  const mapping = mappingSchema.parse(JSON.parse(job.mapping));
  const agencies = job.ownerAgencyId ? await listAgencies({ handle }) : [];
  const ownerAgency = agencies.find((a) => a.id === job.ownerAgencyId);
  const ctx: RowContext = {
    geo: deps.geo,
    catalogue: catalogueOf(deps),
    mapping,
    categories: categoryIndex(mapping),
    categoryCache: new Map(),
    today: localToday(nowOf(deps)),
    declaredState: job.declaredState,
    jurisdiction: ownerAgency
      ? { level: ownerAgency.level, stateCode: ownerAgency.stateCode, municipalityCode: ownerAgency.municipalityCode }
      : null,
    jobId: job.id,
    owner: { agencyId: job.ownerAgencyId, userId: job.createdBy },
    createdAt: startedAt,
  };
  const decoder = new FieldDecoder(job.encoding as ImportEncoding, job.encodingUsed as ResolvedEncoding | null);

  // The head hash (first upload only) and the byte counter.
  const head = opts.offset === 0 ? crypto.createHash('sha256') : null;
  let headBytes = 0;
  let received = opts.offset;

  // CSV: the header and the column of each mapped field.
  let header: string[] | null = job.header ? (JSON.parse(job.header) as string[]) : null;
  let columnIndex: Map<string, number> | null = null;
  const indexColumns = (cells: string[]) => {
    const folded = cells.map(foldText);
    const idx = new Map<string, number>();
    for (const col of Object.values(mapping.columns)) {
      if (!col) continue;
      let i = cells.indexOf(col);
      if (i < 0) i = folded.indexOf(foldText(col));
      if (i < 0) throw new ImportFailure('missing_column', { column: col });
      idx.set(col, i);
    }
    return idx;
  };
  if (header) columnIndex = indexColumns(header);

  let csv: CsvReader | null = null;
  let geojson: GeoJsonReader | null = null;
  let pending: Buffer[] = []; // bytes held back until the delimiter is known (first line of a new CSV)
  let pendingBytes = 0;
  let first = opts.offset === 0;

  let batch: Batch = { from: opts.offset, end: opts.offset, nextLine: job.nextLine, rows: [], rejections: [], read: 0, patch: {} };
  let lastFlush = Date.now();
  let inflight: Promise<void> | null = null;
  let record = job.rowsRead;

  const commit = async (b: Batch) => {
    const at = nowOf(deps).toISOString();
    const accepted = await handle.write(async (q) => {
      const accepted = await crimeStore.insertRecordBatch(q, handle.kind, b.rows);
      if (b.rejections.length) await store.insertRejections(q, b.rejections);
      const moved = await store.advanceJob(q, job.id, b.from, {
        bytes: b.end,
        nextLine: b.nextLine,
        read: b.read,
        accepted,
        duplicate: b.rows.length - accepted,
        rejected: b.rejections.length,
        at,
      });
      // Another run of the same job moved the position: this one must not write.
      if (!moved) throw new Error(`import ${job.id}: committed position moved by another run`);
      if (Object.keys(b.patch).length) await store.updateJob(q, job.id, b.patch);
      return accepted;
    });
    Object.assign(state, b.patch, {
      bytesCommitted: b.end,
      nextLine: b.nextLine,
      rowsRead: state.rowsRead + b.read,
      rowsAccepted: state.rowsAccepted + accepted,
      rowsDuplicate: state.rowsDuplicate + b.rows.length - accepted,
      rowsRejected: state.rowsRejected + b.rejections.length,
      updatedAt: at,
    });
    opts.onProgress?.({ ...state });
  };
  /** Hands the batch to the database and starts the next; one batch is in flight while the next is read. */
  const flush = async () => {
    if (batch.end === batch.from) return;
    const b = batch;
    batch = { from: b.end, end: b.end, nextLine: b.nextLine, rows: [], rejections: [], read: 0, patch: {} };
    lastFlush = Date.now();
    if (inflight) await inflight;
    inflight = commit(b);
    // Awaited later (next flush or the end); until then a failure must not count as unhandled.
    inflight.catch(() => undefined);
  };

  const reject = (line: number, raw: Buffer, reason: CrimeReason, field: string | null, params: Record<string, string | number>) => {
    batch.rejections.push({
      jobId: job.id,
      record,
      line,
      reason,
      field,
      params: Object.keys(params).length ? JSON.stringify(params) : null,
      raw: decoder
        .loose(raw)
        .replace(/\r?\n$/, '')
        .slice(0, RAW_CHARS),
    });
  };

  // One accessor for every row (the row's cells are swapped in), instead of a closure per row.
  let cells: string[] = [];
  const cellOf = (column: string) => cells[columnIndex!.get(column)!] ?? '';
  const takeCsv = async (items: CsvItem[]) => {
    for (const item of items) {
      if (!header) {
        if (item.kind === 'bad' && item.problem === 'invalid_encoding')
          throw new ImportFailure('wrong_encoding', { declared: job.encoding });
        if (item.kind === 'bad') throw new ImportFailure('missing_column', { column: mapping.columns.sourceId });
        header = item.cells.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim());
        columnIndex = indexColumns(header);
        batch.patch.header = JSON.stringify(header);
      } else {
        record++;
        batch.read++;
        if (item.kind === 'bad') reject(item.line, rawBytes(item), item.problem, null, item.params);
        else {
          cells = item.cells;
          const out = toRecordRow(ctx, cellOf, null);
          if (out.ok) batch.rows.push(out.row);
          else reject(item.line, rawBytes(item), out.reason, out.field, out.params);
        }
      }
      batch.end = item.end;
      batch.nextLine = item.nextLine;
      if (batch.rows.length + batch.rejections.length >= BATCH_ROWS) await flush();
    }
  };

  const takeGeoJson = async (items: GeoJsonItem[]) => {
    for (const item of items) {
      record++;
      batch.read++;
      if (item.kind === 'bad') reject(item.line, item.raw, item.problem, 'geometry', item.params);
      else {
        const v = featureValues(item.feature);
        const out = 'value' in v ? toRecordRow(ctx, v.value, v.point) : v;
        if (out.ok) batch.rows.push(out.row);
        else reject(item.line, item.raw, out.reason, out.field, out.params);
      }
      batch.end = item.end;
      batch.nextLine = item.nextLine;
      if (batch.rows.length + batch.rejections.length >= BATCH_ROWS) await flush();
    }
  };

  /** The first bytes of a new file: byte-order mark, then (CSV) the delimiter from the header line. */
  const start = (buf: Buffer, final: boolean): Buffer | null => {
    const bom = byteOrderMark(buf);
    if (bom === 'utf-16') throw new ImportFailure('unsupported_encoding', { detail: 'UTF-16' });
    if (buf.length < 3 && !final) return null;
    let offset = 0;
    if (bom === 'utf-8') {
      offset = 3;
      if (decoder.used === null) decoder.used = 'utf-8';
    }
    if (job.format === 'geojson') {
      geojson = new GeoJsonReader(decoder, { offset, line: 1, inFeatures: false });
      return buf.subarray(offset);
    }
    let delimiter = job.delimiterUsed as ',' | ';' | '\t' | null;
    if (!delimiter) {
      if (job.delimiter !== 'auto') delimiter = job.delimiter as ',' | ';' | '\t';
      else {
        const nl = buf.indexOf(0x0a, offset);
        if (nl < 0 && !final && buf.length < HEAD_BYTES) return null;
        delimiter = sniffDelimiter(buf.subarray(offset, nl < 0 ? buf.length : nl));
      }
      batch.patch.delimiterUsed = delimiter;
    }
    csv = new CsvReader(delimiter, decoder, { offset, line: 1 });
    return buf.subarray(offset);
  };

  const feed = async (chunk: Buffer, final: boolean) => {
    if (first) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      const buf = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      const rest = start(buf, final);
      if (rest === null) return;
      first = false;
      pending = [];
      pendingBytes = 0;
      chunk = rest;
    } else if (!csv && !geojson) {
      if (job.format === 'geojson') geojson = new GeoJsonReader(decoder, { offset: opts.offset, line: job.nextLine, inFeatures: true });
      else {
        csv = new CsvReader((job.delimiterUsed ?? ',') as ',' | ';' | '\t', decoder, { offset: opts.offset, line: job.nextLine });
        csv.expected = header?.length ?? null;
      }
    }
    if (csv) {
      const items: CsvItem[] = [];
      csv.push(chunk, items);
      if (final) csv.finish(items);
      await takeCsv(items);
    } else if (geojson) {
      const items: GeoJsonItem[] = [];
      geojson.push(chunk, items);
      if (final) geojson.finish(items);
      await takeGeoJson(items);
    }
  };

  const finishRun = async (patch: Partial<JobRow>, wholeFileSeen: boolean) => {
    const at = nowOf(deps).toISOString();
    // A file shorter than the head: its hash is the whole file's, known only once it has all arrived.
    if (head && wholeFileSeen && headBytes > 0 && headBytes < HEAD_BYTES) batch.patch.headSha256 = head.digest('hex');
    // A file that was ASCII throughout is valid UTF-8; until it has all been read, a later byte may still decide.
    if (wholeFileSeen && decoder.used === null) decoder.used = 'utf-8';
    if (decoder.used && decoder.used !== state.encodingUsed) batch.patch.encodingUsed = decoder.used;
    if (decoder.looksUtf8) batch.patch.warnings = JSON.stringify([{ code: 'looks_utf8', params: { declared: job.encoding } }]);
    await flush();
    if (inflight) await inflight;
    if (Object.keys(batch.patch).length) Object.assign(patch, batch.patch);
    await handle.write((q) => store.updateJob(q, job.id, { ...patch, updatedAt: at, heartbeatAt: at }));
    Object.assign(state, patch, { updatedAt: at });
    return { ...state };
  };

  try {
    for await (const piece of body) {
      if (opts.signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      received += chunk.length;
      if (received > MAX_IMPORT_BYTES) throw new ImportFailure('file_too_large', { size: received, max: MAX_IMPORT_BYTES });
      if (head && headBytes < HEAD_BYTES) {
        const part = chunk.subarray(0, HEAD_BYTES - headBytes);
        head.update(part);
        headBytes += part.length;
        if (headBytes === HEAD_BYTES) batch.patch.headSha256 = head.digest('hex');
      }
      await feed(chunk, false);
      if (decoder.used && decoder.used !== state.encodingUsed && !batch.patch.encodingUsed) batch.patch.encodingUsed = decoder.used;
      if (Date.now() - lastFlush > BATCH_MS) await flush();
    }
    if (first && pendingBytes === 0 && opts.offset === 0) throw new ImportFailure('empty');
    await feed(Buffer.alloc(0), true);
    if (opts.offset === 0 && !header && job.format === 'csv') throw new ImportFailure('empty');
    return await finishRun({ status: 'completed', finishedAt: nowOf(deps).toISOString(), fileSize: state.fileSize ?? received }, true);
  } catch (err) {
    // Assigned inside the closures above, which the compiler does not follow.
    const running = inflight as Promise<void> | null;
    if (running) await running.catch(() => undefined);
    inflight = null;
    if (err instanceof ImportFailure || err instanceof GeoJsonStructureError) {
      const failure = err instanceof ImportFailure ? err : new ImportFailure('invalid_geojson', { detail: err.message });
      return finishRun(
        {
          status: 'failed',
          finishedAt: nowOf(deps).toISOString(),
          errorCode: failure.code,
          errorParams: JSON.stringify(failure.params),
        },
        false,
      );
    }
    if (isStreamCut(err)) {
      // The complete records read so far are kept; the job waits for the rest.
      return finishRun({ status: 'interrupted', errorCode: null, errorParams: null }, false);
    }
    throw err;
  }
}

// ── rejected rows ───────────────────────────────────────────────────────────
const rejectionView = (r: RejectionRow, lang: Language): Rejection => ({
  record: r.record,
  line: r.line,
  reason: r.reason,
  field: r.field,
  message: t(lang, `crime.reason.${r.reason}` as MessageKey, r.params ? (JSON.parse(r.params) as Record<string, string>) : {}),
  raw: r.raw,
});

export async function listRejections(deps: ImportDeps, jobId: string, lang: Language, after: number, limit: number): Promise<Rejection[]> {
  return (await store.listRejections(deps.handle.db, jobId, after, limit)).map((r) => rejectionView(r, lang));
}

/** The rejected rows as CSV (line, reason, message, raw text), page by page. */
export async function* rejectionsCsv(deps: ImportDeps, jobId: string, lang: Language): AsyncGenerator<string> {
  yield 'line,record,reason,field,message,raw\n';
  let after = 0;
  for (;;) {
    const page = await listRejections(deps, jobId, lang, after, 2000);
    if (!page.length) return;
    yield page.map((r) => [r.line, r.record, r.reason, r.field, r.message, r.raw].map(csvCell).join(',')).join('\n') + '\n';
    after = page[page.length - 1].record;
  }
}
