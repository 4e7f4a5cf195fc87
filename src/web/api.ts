/**
 * The one door to the OpenC5 API. Every call goes through `request`, which adds
 * the CSRF token to non-GET calls, sends the UI language, turns the API's error
 * shape `{ error: { code, message, field? } }` into an `ApiError`, and tells the
 * app when the server says the session is gone (401).
 */

export type Language = 'es' | 'en';

// The vocabulary is the server's own (pure constants, safe to bundle), so the two never drift apart.
export { AGENCY_KINDS, AGENCY_LEVELS, ROLES } from '../identity/roles.js';
export type { AgencyKind, AgencyLevel, Role } from '../identity/roles.js';
import type { AgencyKind, AgencyLevel, Role } from '../identity/roles.js';

export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export type Agency = {
  id: string;
  code: string;
  name: string;
  level: AgencyLevel;
  kind: AgencyKind;
  stateCode: string | null;
  municipalityCode: string | null;
  parentId: string | null;
  region: string | null;
  disabled: boolean;
};

export type SessionUser = { id: string; username: string; fullName: string; roles: Role[]; language: string };
export type Session = { user: SessionUser; agency: Agency; csrfToken: string; expiresAt: string; idleTimeoutSeconds: number };

export type Platform = { name: string; version: string; demo: boolean; map: { tileUrl: string | null; attribution: string | null } };

export type LoginStage = 'mfa' | 'enroll';
export type Enrollment = { otpauthUrl: string; secret: string; qrSvg: string };

export type User = {
  id: string;
  agencyId: string;
  username: string;
  fullName: string;
  email: string | null;
  roles: Role[];
  language: string;
  mfaEnrolled: boolean;
  locked: boolean;
  disabled: boolean;
  isDemo: boolean;
  createdAt: string;
};

export type NewAgency = {
  code: string;
  name: string;
  level: AgencyLevel;
  kind: AgencyKind;
  stateCode?: string | null;
  municipalityCode?: string | null;
  parentId?: string | null;
};

export type NewUser = {
  agencyId: string;
  username: string;
  fullName: string;
  email?: string | null;
  password: string;
  roles: Role[];
  language?: Language;
};

export type CodeName = { code: string; name: string };

export type LocateResult = {
  state: CodeName;
  municipality: CodeName;
  alcaldia?: CodeName;
  colonia?: { id: string; name: string };
  quadrant?: { id: string; sector: string; zona: string };
};

export type SearchKind = 'state' | 'municipality' | 'colonia' | 'quadrant';
export type SearchHit = {
  kind: SearchKind;
  code: string;
  name: string;
  parentName: string | null;
  bbox: [number, number, number, number];
  center: [number, number];
};

export type AuditEntry = {
  seq: number;
  at: string;
  actorUserId?: string | null;
  actorUsername: string | null;
  actorAgencyId: string | null;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown> | null;
};

export type AuditFilter = { from?: string; to?: string; actor?: string; action?: string; outcome?: AuditOutcome | '' };
export type AuditPage = { entries: AuditEntry[]; nextBefore: number | null };
export type AuditVerification = { ok: boolean; entries: number; headHash?: string; seq?: number; problem?: string };

/** An error answered by the API (or a network failure, code `network`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type ErrorBody = { error?: { code?: unknown; message?: unknown; field?: unknown } };

let csrfToken: string | null = null;
let language: Language = 'es';
let unauthorizedHandler: ((err: ApiError) => void) | null = null;

export const api = {
  setCsrfToken(token: string | null): void {
    csrfToken = token;
  },
  setLanguage(lang: Language): void {
    language = lang;
  },
  /** Called when an authenticated call answers 401: the session is gone. */
  onUnauthorized(handler: ((err: ApiError) => void) | null): void {
    unauthorizedHandler = handler;
  },
};

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Send no body and no content-type (the POST /api/users/:id/<action> calls). */
  noBody?: boolean;
  /** Do not report a 401 to the app (the login steps and the session probe handle it themselves). */
  quiet401?: boolean;
  signal?: AbortSignal;
  /** Extra request headers (Idempotency-Key). */
  headers?: Record<string, string>;
  /** A raw body sent as is, with its own content type (an evidence photo). */
  raw?: Blob;
  /** A file (or a slice of one) sent as the raw body, streamed by the browser from disk (bulk imports). */
  rawBody?: Blob;
};

/** Messages the network layer itself needs when the server cannot answer; set by i18n. */
let networkMessage = (): string => 'Network error';
export function setNetworkMessage(fn: () => string): void {
  networkMessage = fn;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { ...opts.headers, Accept: 'application/json', 'Accept-Language': language };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let body: string | Blob | undefined;
  if (opts.raw) {
    headers['Content-Type'] = opts.raw.type;
    body = opts.raw;
  } else if (opts.rawBody) {
    headers['Content-Type'] = 'application/octet-stream';
    body = opts.rawBody;
  } else if (!opts.noBody && opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', networkMessage());
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data as ErrorBody | null)?.error;
    const err = new ApiError(
      res.status,
      typeof e?.code === 'string' ? e.code : `http_${res.status}`,
      typeof e?.message === 'string' ? e.message : `${res.status} ${res.statusText}`,
      typeof e?.field === 'string' ? e.field : undefined,
    );
    if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  return data as T;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// ── platform and session ────────────────────────────────────────────────────
export const getPlatform = () => request<Platform>('/api/platform', { quiet401: true });
export const getSession = (opts: { quiet401?: boolean } = {}) => request<Session>('/api/session', { quiet401: opts.quiet401 });
export const login = (username: string, password: string) =>
  request<{ stage: LoginStage }>('/api/auth/login', { method: 'POST', body: { username, password }, quiet401: true });
export const getEnrollment = () => request<Enrollment>('/api/auth/enrollment', { quiet401: true });
export const submitMfa = (code: string) => request<{ ok: true }>('/api/auth/mfa', { method: 'POST', body: { code }, quiet401: true });
export const logout = () => request<void>('/api/auth/logout', { method: 'POST', noBody: true, quiet401: true });
export const logoutEverywhere = () => request<void>('/api/auth/logout-all', { method: 'POST', noBody: true, quiet401: true });
export const putLanguage = (lang: Language) => request<void>('/api/session/language', { method: 'PUT', body: { language: lang } });
export const changeOwnPassword = (currentPassword: string, newPassword: string) =>
  request<void>('/api/session/password', { method: 'POST', body: { currentPassword, newPassword } });

// ── geography ───────────────────────────────────────────────────────────────
export const GEO_LAYERS = ['estados', 'municipios', 'alcaldias', 'colonias', 'cuadrantes'] as const;
export type GeoLayerName = (typeof GEO_LAYERS)[number];

export const getGeoLayer = <T>(name: GeoLayerName, signal?: AbortSignal) => request<T>(`/api/geo/layers/${name}`, { signal });
export const locatePoint = (lat: number, lon: number, signal?: AbortSignal) =>
  request<LocateResult>(`/api/geo/locate${query({ lat: lat.toFixed(6), lon: lon.toFixed(6) })}`, { signal });
export const searchPlaces = (q: string, limit: number, signal?: AbortSignal) =>
  request<{ results: SearchHit[] }>(`/api/geo/search${query({ q, limit })}`, { signal });
export const getStates = () => request<{ states: CodeName[] }>('/api/geo/states');
export const getMunicipalities = (stateCode: string) =>
  request<{ municipalities: CodeName[] }>(`/api/geo/states/${encodeURIComponent(stateCode)}/municipalities`);

// ── agencies and users ──────────────────────────────────────────────────────
export const getAgencies = () => request<{ agencies: Agency[] }>('/api/agencies');
export const createAgency = (a: NewAgency) => request<Agency>('/api/agencies', { method: 'POST', body: a });
export const getUsers = () => request<{ users: User[] }>('/api/users');
export const createUser = (u: NewUser) => request<User>('/api/users', { method: 'POST', body: u });
export const setUserRoles = (id: string, roles: Role[]) =>
  request<User>(`/api/users/${encodeURIComponent(id)}/roles`, { method: 'PUT', body: { roles } });
export type UserAction = 'unlock' | 'reset-mfa' | 'disable' | 'enable';
export const userAction = (id: string, action: UserAction) =>
  request<User>(`/api/users/${encodeURIComponent(id)}/${action}`, { method: 'POST', noBody: true });
export const setUserPassword = (id: string, password: string) =>
  request<User>(`/api/users/${encodeURIComponent(id)}/password`, { method: 'POST', body: { password } });

// ── audit ───────────────────────────────────────────────────────────────────
function auditQuery(f: AuditFilter) {
  return { from: f.from, to: f.to, actor: f.actor?.trim(), action: f.action?.trim(), outcome: f.outcome || undefined };
}
export const getAudit = (f: AuditFilter, before: number | null, limit: number) =>
  request<AuditPage>(`/api/audit${query({ ...auditQuery(f), before: before ?? undefined, limit })}`);
export const auditExportUrl = (f: AuditFilter) => `/api/audit/export.csv${query(auditQuery(f))}`;
export const verifyAudit = () => request<AuditVerification>('/api/audit/verify');

// ── 911 and dispatch ────────────────────────────────────────────────────────
// The vocabulary and the state machines are the server's own (pure code, safe to bundle).
export { PRIORITIES, INCIDENT_STATUSES, UNIT_STATUSES, UNIT_TYPES, CAPABILITIES } from '../dispatch/dispatch.types.js';
export type { Priority, IncidentStatus, UnitStatus, UnitType, Capability, CallOutcome } from '../dispatch/dispatch.types.js';
import type { Capability, Priority, UnitStatus } from '../dispatch/dispatch.types.js';
export { canChangeUnit } from '../dispatch/state-machine.js';

// The wire shapes are the server's own types (type-only imports, erased from the bundle).
export type { Call, Assignment, Unit, TimelineEntry, Location as IncidentLocation } from '../dispatch/dispatch.types.js';
import type { Call, Assignment, Unit, TimelineEntry } from '../dispatch/dispatch.types.js';
export type { CatalogueEntryView as CatalogueEntry } from '../dispatch/dispatch-catalogue.js';
import type { CatalogueEntryView as CatalogueEntry } from '../dispatch/dispatch-catalogue.js';
/** An incident as the board and the event stream carry it. */
export type { IncidentView as Incident } from '../dispatch/dispatch.service.js';
import type { IncidentView as Incident } from '../dispatch/dispatch.service.js';
export type UnitRef = Incident['units'][number];

export type IncidentDetail = Incident & { timeline: TimelineEntry[]; calls: Call[]; assignments: Assignment[] };

/** A supervisor alert; events add the incident's folio (and the unit's call sign). */
export type DispatchAlert = {
  id: string;
  centreId: string;
  kind: string;
  incidentId: string | null;
  unitId: string | null;
  raisedAt: string;
  acknowledgedAt: string | null;
  folio?: string;
  callSign?: string;
};

export type Board = { incidents: Incident[]; units: Unit[]; alerts: DispatchAlert[]; lastEventId: number };

export type { Recommendation } from '../dispatch/recommend.js';
import type { Recommendation } from '../dispatch/recommend.js';
export type Recommendations = { required: Capability[]; ranked: Recommendation[]; coverage: Recommendation[]; missing: Capability[] };

export type NearbyCamera = {
  id: string;
  code: string;
  name: string;
  lat: number;
  lon: number;
  kind: 'fixed' | 'ptz';
  status: string;
  distanceM: number;
};
export type OpenedCamera = { id: string; code: string; name: string; streamUrl: string; kind: 'fixed' | 'ptz' };

export type NewCall = {
  ani: string;
  callerName?: string | null;
  callerLocation?: { lat: number; lon: number; uncertaintyM?: number | null } | null;
};
export type NewIncident = {
  callId?: string;
  typeCode: string;
  priority?: Priority;
  priorityReason?: string;
  location: { lat: number; lon: number; address?: string | null };
  note?: string;
};
export type IncidentStatusChange = { status: 'closed' | 'cancelled' | 'pending'; closureCode?: string; reason?: string };

const idem = (key: string) => ({ 'Idempotency-Key': key });
const enc = encodeURIComponent;

export const searchCatalogue = (q: string, limit = 20, signal?: AbortSignal) =>
  request<{ entries: CatalogueEntry[] }>(`/api/dispatch/catalogue${query({ q, limit })}`, { signal });
/** Registers a call; `key` (Idempotency-Key) is made once per form and reused on retry. */
export const createCall = (c: NewCall, key: string) =>
  request<Call>('/api/dispatch/calls', { method: 'POST', body: c, headers: idem(key) });
export const closeCall = (id: string, body: { outcome: 'improper' | 'abandoned'; improperCode?: string }) =>
  request<Call>(`/api/dispatch/calls/${enc(id)}/close`, { method: 'POST', body });
export const linkCall = (id: string, incidentId: string) =>
  request<Incident>(`/api/dispatch/calls/${enc(id)}/link`, { method: 'POST', body: { incidentId } });
export const findDuplicates = (lat: number, lon: number, typeCode?: string) =>
  request<{ incidents: (Incident & { distanceM: number })[] }>(
    `/api/dispatch/duplicates${query({ lat: lat.toFixed(6), lon: lon.toFixed(6), typeCode })}`,
  );
export const createIncident = (i: NewIncident, key: string) =>
  request<Incident>('/api/dispatch/incidents', { method: 'POST', body: i, headers: idem(key) });
export const getIncident = (id: string, signal?: AbortSignal) => request<IncidentDetail>(`/api/dispatch/incidents/${enc(id)}`, { signal });
export const addIncidentNote = (id: string, text: string) =>
  request<Incident>(`/api/dispatch/incidents/${enc(id)}/notes`, { method: 'POST', body: { text } });
export const changeIncidentPriority = (id: string, priority: Priority, reason: string) =>
  request<Incident>(`/api/dispatch/incidents/${enc(id)}/priority`, { method: 'POST', body: { priority, reason } });
export const changeIncidentStatus = (id: string, body: IncidentStatusChange) =>
  request<Incident>(`/api/dispatch/incidents/${enc(id)}/status`, { method: 'POST', body });
export const assignUnits = (id: string, unitIds: string[]) =>
  request<Incident>(`/api/dispatch/incidents/${enc(id)}/assign`, { method: 'POST', body: { unitIds } });
export const getRecommendations = (id: string, limit = 10) =>
  request<Recommendations>(`/api/dispatch/incidents/${enc(id)}/recommendations${query({ limit })}`);
export const getNearbyCameras = (id: string, radius: number) =>
  request<{ cameras: NearbyCamera[] }>(`/api/dispatch/incidents/${enc(id)}/cameras${query({ radius })}`);
export const openCamera = (id: string, cameraId: string) =>
  request<OpenedCamera>(`/api/dispatch/incidents/${enc(id)}/cameras/${enc(cameraId)}/open`, { method: 'POST', noBody: true });
export const getBoard = () => request<Board>('/api/dispatch/board');
/** The live event stream (server-sent events); the browser resends Last-Event-ID when it reconnects. */
export const dispatchEventsUrl = (lastEventId?: number) => `/api/dispatch/events${query({ lastEventId })}`;
export const acknowledgeAlert = (id: string) =>
  request<DispatchAlert>(`/api/dispatch/alerts/${enc(id)}/acknowledge`, { method: 'POST', noBody: true });
export const getUnits = () => request<{ units: Unit[] }>('/api/dispatch/units');
export const setUnitStatus = (id: string, status: UnitStatus) =>
  request<Unit>(`/api/dispatch/units/${enc(id)}/status`, { method: 'POST', body: { status } });
export const acknowledgeAssignment = (id: string) =>
  request<Assignment>(`/api/dispatch/units/${enc(id)}/acknowledge`, { method: 'POST', noBody: true });
export const reportUnitPosition = (id: string, lat: number, lon: number) =>
  request<Unit>(`/api/dispatch/units/${enc(id)}/position`, { method: 'POST', body: { lat, lon } });

// ── 911 metrics ─────────────────────────────────────────────────────────────
export type MetricsStat = { n: number; p50: number | null; p90: number | null; withinTarget: number | null };
export type MetricsGroup = {
  key: {
    centreId?: string;
    centreName?: string;
    municipalityCode?: string;
    municipalityName?: string;
    priority?: 'ALTA' | 'MEDIA' | 'BAJA';
  };
  calls: number;
  improperCalls: number;
  improperShare: number | null;
  incidents: number;
  answerToCreate: MetricsStat;
  createToDispatch: MetricsStat;
  dispatchToArrival: MetricsStat;
  total: MetricsStat;
};
export type DispatchMetrics = {
  from: string;
  to: string;
  targets: { answerToCreate: number; createToDispatch: number; dispatchToArrival: number; total: number };
  overall: MetricsGroup;
  groups: MetricsGroup[];
  daily: { date: string; calls: number; improperCalls: number; incidents: number; createToDispatchP90: number | null }[];
};
export type MetricsQuery = { from: string; to: string; groupBy: string };
export const getDispatchMetrics = (q: MetricsQuery) => request<DispatchMetrics>(`/api/dispatch/metrics${query(q)}`);
export const dispatchMetricsCsvUrl = (q: MetricsQuery) => `/api/dispatch/metrics.csv${query(q)}`;

// ── per-agency dispatch settings ────────────────────────────────────────────
import type { DispatchSettings, SettingsInput } from '../dispatch/settings.service.js';
export type { DispatchSettings, SettingsInput };
export type SettingsDefaults = {
  roadFactor: number;
  speedsKmh: Record<string, number>;
  onSceneStaleMinutes: number;
  dispatchTargetSeconds: Record<string, number>;
};
export type DispatchSettingsView = DispatchSettings & { defaults: SettingsDefaults };
export const getDispatchSettings = (agencyId: string) => request<DispatchSettingsView>(`/api/dispatch/settings/${enc(agencyId)}`);
export const putDispatchSettings = (agencyId: string, body: SettingsInput) =>
  request<DispatchSettingsView>(`/api/dispatch/settings/${enc(agencyId)}`, { method: 'PUT', body });
// ── crime records and imports ───────────────────────────────────────────────
// The vocabulary is the server's own (pure constants); the wire shapes are its types.
export { CRIME_STATUSES, CRIME_SOURCES, IMPORT_ENCODINGS, IMPORT_DELIMITERS, IMPORT_STATUSES } from '../records/crime.types.js';
export type { CatalogueNode, CrimeRecord, CrimeSource, ImportEncoding, ImportDelimiter, ImportStatus } from '../records/crime.types.js';
import type { CatalogueNode, CrimeRecord, CrimeSource, ImportDelimiter, ImportEncoding } from '../records/crime.types.js';
export type { ImportJob, Rejection, MappingView } from '../records/import.service.js';
import type { ImportJob, MappingView, Rejection } from '../records/import.service.js';

export const getCrimeCatalogue = () => request<{ nodes: CatalogueNode[] }>('/api/records/crime-catalogue?all=true');
export type CrimeFilter = {
  classification?: string;
  from?: string;
  to?: string;
  municipalityCode?: string;
  violent?: '' | 'true' | 'false';
  source?: '' | CrimeSource;
};
export const getCrimes = (f: CrimeFilter, cursor: string | null, limit: number) =>
  request<{ records: CrimeRecord[]; nextCursor: string | null }>(`/api/records/crimes${query({ ...f, cursor, limit })}`);
export const crimesCsvUrl = (f: CrimeFilter) => `/api/records/crimes.csv${query(f)}`;
export const getImportMappings = () => request<{ mappings: MappingView[] }>('/api/records/import-mappings');
export const getImportJobs = () => request<{ jobs: ImportJob[] }>('/api/records/imports');
export const getImportJob = (id: string, signal?: AbortSignal) => request<ImportJob>(`/api/records/imports/${enc(id)}`, { signal });
export type NewImport = {
  fileName: string;
  fileSize: number;
  encoding: ImportEncoding;
  delimiter: ImportDelimiter;
  mappingName: string;
  stateCode?: string | null;
};
export const createImport = (body: NewImport) => request<ImportJob>('/api/records/imports', { method: 'POST', body });
/** Sends the file from `offset` (0, or the job's committed position to resume) as a raw body; answers when the import ends. */
export const uploadImport = (id: string, file: Blob, offset: number, headSha256?: string) =>
  request<ImportJob>(`/api/records/imports/${enc(id)}/data${query({ offset, headSha256 })}`, {
    method: 'PUT',
    rawBody: offset ? file.slice(offset) : file,
  });
export const getRejections = (id: string, after: number, limit: number) =>
  request<{ rejections: Rejection[]; nextAfter: number | null }>(`/api/records/imports/${enc(id)}/rejections${query({ after, limit })}`);
export const rejectionsCsvUrl = (id: string) => `/api/records/imports/${enc(id)}/rejections.csv`;

// ── crime indicators ────────────────────────────────────────────────────────
// The dashboard reads /api/indicators (session); the public page the same answers from /api/public/indicators.
import type {
  catalogue as indicatorsCatalogue,
  change as indicatorsChange,
  compare as indicatorsCompare,
  ImportResult,
  platformIndicator,
  ranking as indicatorsRanking,
  releaseChanges,
  ReleaseView,
  seriesIndicator,
} from '../indicators/indicators.service.js';
export type IndicatorCatalogue = Awaited<ReturnType<typeof indicatorsCatalogue>>;
export type IndicatorSeries = Awaited<ReturnType<typeof seriesIndicator>>;
export type IndicatorRanking = Awaited<ReturnType<typeof indicatorsRanking>>;
export type IndicatorChange = Awaited<ReturnType<typeof indicatorsChange>>;
export type IndicatorCompare = Awaited<ReturnType<typeof indicatorsCompare>>;
export type IndicatorReleaseChanges = Awaited<ReturnType<typeof releaseChanges>>;
export type PlatformIndicator = Awaited<ReturnType<typeof platformIndicator>>;
export type { ImportResult as IndicatorImportResult, ReleaseView as IndicatorRelease };

export type IndicatorsScope = 'private' | 'public';
type IndicatorQuery = Record<string, string | number | undefined | null>;
const indicatorsBase = (scope: IndicatorsScope) => (scope === 'public' ? '/api/public/indicators' : '/api/indicators');
export const getIndicatorCatalogue = (scope: IndicatorsScope) =>
  request<IndicatorCatalogue>(`${indicatorsBase(scope)}/catalogue`, { quiet401: scope === 'public' });
export const getIndicatorSeries = (scope: IndicatorsScope, q: IndicatorQuery, signal?: AbortSignal) =>
  request<IndicatorSeries>(`${indicatorsBase(scope)}/series${query(q)}`, { signal, quiet401: scope === 'public' });
export const getIndicatorRanking = (scope: IndicatorsScope, q: IndicatorQuery, signal?: AbortSignal) =>
  request<IndicatorRanking>(`${indicatorsBase(scope)}/ranking${query(q)}`, { signal, quiet401: scope === 'public' });
export const getIndicatorChange = (scope: IndicatorsScope, q: IndicatorQuery, signal?: AbortSignal) =>
  request<IndicatorChange>(`${indicatorsBase(scope)}/change${query(q)}`, { signal, quiet401: scope === 'public' });
export const getIndicatorCompare = (scope: IndicatorsScope, q: IndicatorQuery, signal?: AbortSignal) =>
  request<IndicatorCompare>(`${indicatorsBase(scope)}/compare${query(q)}`, { signal, quiet401: scope === 'public' });
export const indicatorsCsvUrl = (scope: IndicatorsScope, what: 'series' | 'ranking' | 'change', q: IndicatorQuery) =>
  `${indicatorsBase(scope)}/${what}.csv${query(q)}`;
export const indicatorLayerUrl = (scope: IndicatorsScope, name: 'estados' | 'municipios') =>
  scope === 'public' ? `/api/public/indicators/layers/${name}` : `/api/geo/layers/${name}`;
export const getIndicatorLayer = <T>(scope: IndicatorsScope, name: 'estados' | 'municipios', signal?: AbortSignal) =>
  request<T>(indicatorLayerUrl(scope, name), { signal, quiet401: scope === 'public' });
export const getIndicatorReleases = () => request<{ releases: ReleaseView[] }>('/api/indicators/releases');
export const getIndicatorReleaseChanges = (id: string, limit = 200) =>
  request<IndicatorReleaseChanges>(`/api/indicators/releases/${enc(id)}/changes${query({ limit })}`);
export type NewIndicatorRelease = {
  source: string;
  release: string;
  fileName: string;
  contentBase64: string;
  confirmRemovals?: boolean;
  dryRun?: boolean;
};
export const importIndicatorRelease = (body: NewIndicatorRelease) =>
  request<ImportResult>('/api/indicators/releases', { method: 'POST', body });
export const getPlatformIndicator = (dataset: string, q: IndicatorQuery) =>
  request<PlatformIndicator>(`/api/indicators/platform/${enc(dataset)}${query(q)}`);

// ── crime map: analysis and public map (issue 5) ────────────────────────────
// /api/analysis/* needs a session (action analysis.read, records limited to the actor's jurisdiction like
// crime.read); /api/public/map/* needs none (generalised, suppressed, rate-limited, cached).
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
export { EMERGING_PATTERNS } from '../analysis/emerging-hotspots.js';
export type { EmergingPattern } from '../analysis/emerging-hotspots.js';
import type { EmergingPattern } from '../analysis/emerging-hotspots.js';

/**
 * The filters every analysis query takes (query string on GET, the same names in POST bodies).
 * `classification` is a comma list of SESNSP codes at any level (a code matches its subtree);
 * `from`/`to` local dates, inclusive; `hours` a comma list of hours or ranges (`0-5,22-23`);
 * `weekdays` ISO days 1–7 (Monday = 1); `area` `state:09` | `municipality:09015` | `colonia:<id>` |
 * `quadrant:<id>`; or `polygon`, a GeoJSON Polygon (≤ 1000 vertices, not self-intersecting).
 */
export type AnalysisFilters = {
  classification?: string;
  from?: string;
  to?: string;
  hours?: string;
  weekdays?: string;
  area?: string;
  polygon?: Polygon | null;
};
export const AGGREGATE_UNITS = ['h3', 'grid', 'colonia', 'quadrant', 'municipality', 'state'] as const;
export type AggregateUnit = (typeof AGGREGATE_UNITS)[number];
/** H3 resolutions and square-grid cell sizes (metres) the aggregate accepts. */
export const H3_MAP_RESOLUTIONS = [7, 8, 9, 10] as const;
export const GRID_CELL_LIMITS = { min: 50, max: 5000 } as const;
export type UnitQuery = { unit: AggregateUnit; resolution?: number; cellSize?: number };

export type AggregateProperties = {
  id: string;
  name: string | null;
  count: number;
  /** Where population exists (colonias, municipalities, states). */
  ratePer1000: number | null;
  perKm2: number;
};
export type AggregateMeta = {
  total: number;
  unit: AggregateUnit;
  resolution: number | null;
  cellSize: number | null;
  areaKm2: number;
};
/** Cells or areas with their figures; cells with 0 are omitted. */
export type AggregateCollection<P = AggregateProperties> = FeatureCollection<Polygon | MultiPolygon, P> & { meta: AggregateMeta };
export type AggregateFeature<P = AggregateProperties> = Feature<Polygon | MultiPolygon, P>;

export type CrimePointProperties = {
  id: string;
  classificationCode: string;
  occurredOn: string;
  occurredTime: string | null;
  violent: boolean;
};
export type PointCollection<P = CrimePointProperties> = FeatureCollection<Point, P>;

export const TIME_INTERVALS = ['day', 'week', 'month'] as const;
export type TimeInterval = (typeof TIME_INTERVALS)[number];
export type TimeSeries = { interval: TimeInterval; buckets: { start: string; count: number }[] };
/** counts[weekday − 1][hour], Monday first; records without a time are only in `unknownTime`. */
export type HourWeekdayMatrix = { counts: number[][]; unknownTime: number };
export type Breakdown = { rows: { code: string; name: string; nameEn: string; count: number }[] };

export const ANALYSIS_METHODS = ['gistar', 'localmoran', 'kde', 'emerging', 'knox'] as const;
export type AnalysisMethod = (typeof ANALYSIS_METHODS)[number];
export const WEIGHT_KINDS = ['queen', 'rook', 'distance', 'knn'] as const;
export type WeightKind = (typeof WEIGHT_KINDS)[number];
export type AnalysisJobRequest = AnalysisFilters & {
  method: AnalysisMethod;
  unit?: AggregateUnit;
  resolution?: number;
  cellSize?: number;
  weights?: WeightKind;
  /** Metres, for `distance` weights. */
  distance?: number;
  /** Neighbours, for `knn` weights. */
  k?: number;
  fdr?: boolean;
  kernel?: 'quartic' | 'gaussian';
  /** Metres, or `rule` for the rule of thumb. */
  bandwidth?: number | 'rule';
  timeStep?: 'week' | 'month';
  /** Knox: the number of distance bands and their width (m), the number of time bands and their width (days). */
  spaceBands?: number;
  spaceBandwidth?: number;
  timeBands?: number;
  timeBandwidth?: number;
};
export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export type GiStarProperties = AggregateProperties & { z: number | null; p: number | null; bin: number };
export type LocalMoranCluster = 'HH' | 'LL' | 'HL' | 'LH';
export type LocalMoranProperties = AggregateProperties & {
  I: number | null;
  z: number | null;
  p: number | null;
  cluster: LocalMoranCluster | null;
};
export type EmergingProperties = AggregateProperties & { pattern: EmergingPattern; trendZ: number | null; trendP: number | null };
/** A surface: `values` row-major, row 0 the north edge; `bounds` [west, south, east, north] in degrees. */
export type KdeRaster = {
  kind: 'raster';
  bounds: [number, number, number, number];
  cols: number;
  rows: number;
  values: number[];
  max: number;
  unit: string;
};
export type KnoxTable = {
  kind: 'table';
  pairs: number;
  permutations: number;
  /** Band limits from the result itself: `spaceTo` 0 is the same place, null (`spaceTo`, `timeTo`) the open last band. */
  cells: {
    spaceBand: number;
    timeBand: number;
    spaceFrom: number;
    spaceTo: number | null;
    timeFrom: number;
    timeTo: number | null;
    observed: number;
    expected: number | null;
    ratio: number | null;
    p: number | null;
  }[];
};
export type AnalysisResult =
  | AggregateCollection<GiStarProperties>
  | AggregateCollection<LocalMoranProperties>
  | AggregateCollection<EmergingProperties>
  | KdeRaster
  | KnoxTable;
export type AnalysisJob = {
  id: string;
  method: AnalysisMethod;
  status: JobStatus;
  /** 0…1 */
  progress: number;
  error?: { code: string; message: string; field?: string };
  result?: AnalysisResult;
};

export const FORECAST_METHODS = ['decayed_kde', 'last_period', 'long_run'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];
export type ForecastEvaluation = {
  period: { from: string; to: string };
  coverage: number;
  methods: { method: ForecastMethod; hitRate: number | null; pai: number | null; pei: number | null; rri: number | null }[];
  /** How well last period's forecast did, in plain words. */
  sentence: { es: string; en: string };
};
export type ForecastQuery = AnalysisFilters & UnitQuery & { coverage: number; weeks?: number };

export type ProfileArea = {
  kind: 'colonia' | 'quadrant' | 'municipality';
  id: string;
  name: string;
  population: number | null;
  areaKm2: number;
};
export type ProfileFigures = {
  count: number;
  ratePer1000: number | null;
  previous: number;
  lastYear: number;
  /** Percent change (12.5 = +12.5 %); null when the base is 0. */
  changePrevious: number | null;
  changeLastYear: number | null;
};
export type AreaProfile = {
  area: ProfileArea;
  period: { from: string; to: string };
  previous: { from: string; to: string };
  lastYear: { from: string; to: string };
  byType: (ProfileFigures & { code: string; name: string; nameEn: string })[];
  total: ProfileFigures;
  matrix: number[][];
  hotspots: FeatureCollection<Polygon | MultiPolygon, Partial<GiStarProperties>>;
  rank: { position: number; of: number; peers: string };
};

/** The public aggregate: a count under the suppression threshold is null with `suppressed: true`. */
export type PublicAggregateProperties = Omit<AggregateProperties, 'count' | 'ratePer1000' | 'perKm2'> & {
  count: number | null;
  ratePer1000: number | null;
  perKm2: number | null;
  suppressed?: boolean;
};
/** Public points are generalised (snapped to a cell or quadrant centre); they carry no record id or time of day. */
export type PublicPointProperties = Partial<CrimePointProperties>;
export const PUBLIC_UNITS = ['h3', 'quadrant', 'colonia', 'municipality'] as const;
export type PublicUnit = (typeof PUBLIC_UNITS)[number];

type AnalysisParams = Record<string, string | number | undefined | null>;
/** The filters as query parameters (the polygon as a JSON string). */
export function analysisParams(f: AnalysisFilters): AnalysisParams {
  return {
    classification: f.classification,
    from: f.from,
    to: f.to,
    hours: f.hours,
    weekdays: f.weekdays,
    area: f.polygon ? undefined : f.area,
    polygon: f.polygon ? JSON.stringify(f.polygon) : undefined,
  };
}
const unitParams = (u: Partial<UnitQuery>): AnalysisParams => ({
  unit: u.unit,
  resolution: u.unit === 'h3' ? u.resolution : undefined,
  cellSize: u.unit === 'grid' ? u.cellSize : undefined,
});

export const getAnalysisAggregate = (q: AnalysisFilters & UnitQuery, signal?: AbortSignal) =>
  request<AggregateCollection>(`/api/analysis/aggregate${query({ ...analysisParams(q), ...unitParams(q) })}`, { signal });
export const getAnalysisPoints = (q: AnalysisFilters & { limit?: number }, signal?: AbortSignal) =>
  request<PointCollection>(`/api/analysis/points${query({ ...analysisParams(q), limit: q.limit })}`, { signal });
export const getAnalysisTimeseries = (q: AnalysisFilters & { interval: TimeInterval }, signal?: AbortSignal) =>
  request<TimeSeries>(`/api/analysis/timeseries${query({ ...analysisParams(q), interval: q.interval })}`, { signal });
export const getAnalysisMatrix = (q: AnalysisFilters, signal?: AbortSignal) =>
  request<HourWeekdayMatrix>(`/api/analysis/matrix${query(analysisParams(q))}`, { signal });
export const getAnalysisBreakdown = (q: AnalysisFilters & { level: 1 | 2 | 3 | 4 }, signal?: AbortSignal) =>
  request<Breakdown>(`/api/analysis/breakdown${query({ ...analysisParams(q), level: q.level })}`, { signal });
/** Starts an analysis job (202 `{ id }`); follow it with {@link getAnalysisJob}. */
export const createAnalysisJob = (body: AnalysisJobRequest) => {
  const { polygon, area, ...rest } = body;
  return request<{ id: string }>('/api/analysis/jobs', {
    method: 'POST',
    body: polygon ? { ...rest, polygon } : area ? { ...rest, area } : rest,
  });
};
export const getAnalysisJob = (id: string, signal?: AbortSignal) => request<AnalysisJob>(`/api/analysis/jobs/${enc(id)}`, { signal });
export const cancelAnalysisJob = (id: string) => request<AnalysisJob | undefined>(`/api/analysis/jobs/${enc(id)}`, { method: 'DELETE' });
export const getAnalysisForecast = (q: ForecastQuery, signal?: AbortSignal) =>
  request<ForecastEvaluation>(
    `/api/analysis/forecast${query({ ...analysisParams(q), ...unitParams(q), coverage: q.coverage, weeks: q.weeks })}`,
    { signal },
  );
export const getAreaProfile = (q: { area: string; from?: string; to?: string }, signal?: AbortSignal) =>
  request<AreaProfile>(`/api/analysis/profile${query(q)}`, { signal });

export const getPublicMapAggregate = (q: AnalysisFilters & { unit: PublicUnit; resolution?: number }, signal?: AbortSignal) =>
  request<AggregateCollection<PublicAggregateProperties>>(`/api/public/map/aggregate${query({ ...analysisParams(q), ...unitParams(q) })}`, {
    signal,
    quiet401: true,
  });
export const getPublicMapPoints = (q: AnalysisFilters & { limit?: number }, signal?: AbortSignal) =>
  request<PointCollection<PublicPointProperties>>(`/api/public/map/points${query({ ...analysisParams(q), limit: q.limit })}`, {
    signal,
    quiet401: true,
  });
export const getPublicMapTimeseries = (q: AnalysisFilters & { interval: TimeInterval }, signal?: AbortSignal) =>
  request<TimeSeries>(`/api/public/map/timeseries${query({ ...analysisParams(q), interval: q.interval })}`, { signal, quiet401: true });
