import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { ROLES, type Role } from '../../src/identity/roles.js';
import { dialects } from '../support/dialects.js';
import { checkTimers } from '../../src/dispatch/board.service.js';
import { as, enrol, login, startPlatform, type Session } from '../support/platform.js';
import { CDMX_SSP_MAPPING } from '../../src/records/import-mapping.js';

/**
 * Every API route × every role × a record of the user's own agency and of another
 * agency, with the expected answer written out here (not derived from the policy
 * under test). `allow` = the route's normal success; `deny` = 403 for a role
 * without the action; `hidden` = 404, a record outside the user's reach answering
 * exactly like a missing one.
 */
type Expect = 'allow' | 'deny' | 'hidden';
type RecordKind =
  | 'user'
  | 'call'
  | 'incident'
  | 'unit'
  | 'alert'
  | 'transfer'
  | 'agency'
  | 'iph'
  | 'detention'
  | 'evidence'
  | 'crime'
  | 'importJob'
  | 'release'
  | 'analysisJob';
type Case = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** For routes about a record: :id is replaced by a record of the own or the other agency (or state). */
  recordScoped?: boolean;
  /** Which kind of record :id names (default: a user). */
  record?: RecordKind;
  /** Extra request headers (the raw photo upload's content type). */
  headers?: Record<string, string>;
  /** A server-sent event stream: only refusals are checked here (test/api/dispatch.test.ts reads the stream). */
  stream?: boolean;
  body?: (ctx: {
    ownAgency: string;
    otherAgency: string;
    which: 'own' | 'other';
    n: number;
    unitId: string;
    incidentId: string;
    eido: unknown;
    /** The Jalisco incident and IPH (another state, another agency), the prosecutor's office, the own item's chain head. */
    otherIncident: string;
    otherIph: string;
    prosecutorAgency: string;
    evidenceHead: string;
  }) => unknown;
  expect: (role: Role, which: 'own' | 'other') => Expect;
};

const anyone = () => 'allow' as const;
const roleIn =
  (...roles: Role[]) =>
  (role: Role) =>
    roles.includes(role) ? 'allow' : 'deny';
/** system_admin reaches every agency; the listed roles reach only their own agency's subtree. */
const scoped =
  (subtreeRoles: Role[]) =>
  (role: Role, which: 'own' | 'other'): Expect =>
    role === 'system_admin' ? 'allow' : subtreeRoles.includes(role) ? (which === 'own' ? 'allow' : 'hidden') : 'deny';
const writeScoped = scoped(['agency_admin']);

const READ: Role[] = ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'commander', 'field_officer'];
const CONSOLE: Role[] = ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'commander'];
const CALL: Role[] = ['call_taker', 'dispatcher', 'supervisor'];
/**
 * A dispatch record of the own state or of another state (DA-1): roles with the action
 * reach the own state's record; a field officer only their unit's (DA-2, hidden here);
 * another state's record is hidden from all.
 */
const dispatchRecord =
  (roles: Role[], consoleOnly = true) =>
  (role: Role, which: 'own' | 'other'): Expect =>
    !roles.includes(role) ? 'deny' : which === 'other' || (consoleOnly && !CONSOLE.includes(role)) ? 'hidden' : 'allow';

/** IPH, detentions, evidence (src/records/iph.access.ts): the readers of the own agency's records. */
const RECORDS_READ: Role[] = ['field_officer', 'commander', 'prosecutor_liaison'];
/**
 * A police record of the own agency or of another (RA-1, RA-2): the listed roles reach the
 * own agency's record except `hiddenOwn` (a prosecutor liaison before the record is handed to
 * their office); another agency's record is hidden from all.
 */
const policeRecord =
  (roles: Role[], hiddenOwn: Role[] = []) =>
  (role: Role, which: 'own' | 'other'): Expect =>
    !roles.includes(role) ? 'deny' : which === 'other' || hiddenOwn.includes(role) ? 'hidden' : 'allow';
const PASSWORD_FOR_SIGNATURE = 'matriz-de-acceso-2026';
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const detentionRecord = () => ({
  person: { givenNames: 'Persona', firstSurname: 'De Prueba', sex: 'male', age: 30, nationality: 'Mexicana' },
  detainedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
  place: { lat: 19.4326, lon: -99.1332 },
  kind: 'flagrancy',
  reason: 'Prueba de la matriz de acceso.',
  arrestingOfficers: [{ fullName: 'Policía de Prueba' }],
  condition: { visibleInjuries: false },
});
const evidenceItem = (over: Record<string, unknown> = {}) => ({
  kind: 'other',
  description: 'Objeto de prueba',
  quantity: 1,
  unit: 'pieza',
  collectedAt: new Date().toISOString(),
  place: { lat: 19.4326, lon: -99.1332 },
  collectedBy: [{ fullName: 'Policía de Prueba' }],
  ...over,
});
/** Crime records: who reads them, who writes and imports (in their jurisdiction; the system administrator everywhere). */
const CRIME_READ: Role[] = ['analyst', 'commander', 'fusion_analyst', 'agency_admin'];
const CRIME_WRITE: Role[] = ['analyst', 'agency_admin'];
/** The crime map portal (action analysis.read). */
const ANALYSIS: Role[] = ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'agency_admin', 'system_admin'];
const crimeScoped =
  (roles: Role[]) =>
  (role: Role, which: 'own' | 'other'): Expect =>
    role === 'system_admin' ? 'allow' : roles.includes(role) ? (which === 'own' ? 'allow' : 'hidden') : 'deny';

const CASES: Case[] = [
  { method: 'GET', url: '/api/session', expect: anyone },
  { method: 'PUT', url: '/api/session/language', body: () => ({ language: 'es' }), expect: anyone },
  { method: 'GET', url: '/api/agencies', expect: anyone },
  { method: 'GET', url: '/api/geo/locate?lat=19.4326&lon=-99.1332', expect: anyone },
  { method: 'GET', url: '/api/geo/search?q=centro', expect: anyone },
  { method: 'GET', url: '/api/geo/states', expect: anyone },
  { method: 'GET', url: '/api/geo/states/09/municipalities', expect: anyone },
  { method: 'GET', url: '/api/geo/layers/estados', expect: anyone },
  { method: 'GET', url: '/api/users', expect: roleIn('system_admin', 'agency_admin', 'auditor') },
  { method: 'GET', url: '/api/users/:id', recordScoped: true, expect: scoped(['agency_admin', 'auditor']) },
  { method: 'PATCH', url: '/api/users/:id', recordScoped: true, body: () => ({ fullName: 'Nombre Actualizado' }), expect: writeScoped },
  { method: 'PUT', url: '/api/users/:id/roles', recordScoped: true, body: () => ({ roles: ['analyst'] }), expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/unlock', recordScoped: true, expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/reset-mfa', recordScoped: true, expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/disable', recordScoped: true, expect: writeScoped },
  { method: 'POST', url: '/api/users/:id/enable', recordScoped: true, expect: writeScoped },
  {
    method: 'POST',
    url: '/api/users/:id/password',
    recordScoped: true,
    body: () => ({ password: 'otra-frase-de-paso-larga' }),
    expect: writeScoped,
  },
  {
    method: 'POST',
    url: '/api/users',
    body: ({ ownAgency, otherAgency, which, n }) => ({
      agencyId: which === 'own' ? ownAgency : otherAgency,
      username: `nuevo.${n}`,
      fullName: 'Usuario Nuevo',
      password: 'frase-de-paso-muy-larga',
      roles: ['analyst'],
    }),
    expect: writeScoped,
  },
  {
    method: 'POST',
    url: '/api/agencies',
    body: ({ ownAgency, otherAgency, which, n }) => ({
      code: `NUEVA-${n}`,
      name: 'Policía Municipal de Prueba',
      level: 'municipal',
      kind: 'police',
      municipalityCode: which === 'own' ? '09015' : '14039',
      parentId: which === 'own' ? ownAgency : otherAgency,
    }),
    expect: (role, which) =>
      role === 'system_admin' ? 'allow' : role === 'agency_admin' ? (which === 'own' ? 'allow' : 'hidden') : 'deny',
  },
  { method: 'GET', url: '/api/dispatch/catalogue?q=robo', expect: roleIn(...READ) },
  { method: 'GET', url: '/api/dispatch/board', expect: roleIn(...CONSOLE) },
  { method: 'GET', url: '/api/dispatch/units', expect: roleIn(...READ) },
  { method: 'GET', url: '/api/dispatch/events', stream: true, expect: roleIn(...READ) },
  { method: 'POST', url: '/api/dispatch/calls', body: () => ({ ani: '5512345678' }), expect: roleIn(...CALL) },
  { method: 'GET', url: '/api/dispatch/calls/:id', recordScoped: true, record: 'call', expect: dispatchRecord(READ) },
  {
    method: 'POST',
    url: '/api/dispatch/calls/:id/close',
    recordScoped: true,
    record: 'call',
    body: () => ({ outcome: 'abandoned' }),
    expect: dispatchRecord(CALL),
  },
  {
    method: 'POST',
    url: '/api/dispatch/incidents',
    body: () => ({ typeCode: '30101', location: { lat: 19.4326, lon: -99.1332 } }),
    expect: roleIn(...CALL),
  },
  { method: 'GET', url: '/api/dispatch/incidents/:id', recordScoped: true, record: 'incident', expect: dispatchRecord(READ) },
  {
    method: 'POST',
    url: '/api/dispatch/incidents/:id/notes',
    recordScoped: true,
    record: 'incident',
    body: () => ({ text: 'Nota de prueba' }),
    expect: dispatchRecord(['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'field_officer']),
  },
  {
    method: 'POST',
    url: '/api/dispatch/incidents/:id/priority',
    recordScoped: true,
    record: 'incident',
    body: () => ({ priority: 'ALTA', reason: 'Prueba' }),
    expect: dispatchRecord(CALL),
  },
  {
    method: 'POST',
    url: '/api/dispatch/incidents/:id/location',
    recordScoped: true,
    record: 'incident',
    body: () => ({ lat: 19.4327, lon: -99.1333 }),
    expect: dispatchRecord(CALL),
  },
  {
    method: 'POST',
    url: '/api/dispatch/incidents/:id/status',
    recordScoped: true,
    record: 'incident',
    body: () => ({ status: 'cancelled', reason: 'Prueba' }),
    expect: dispatchRecord(CALL),
  },
  {
    method: 'POST',
    url: '/api/dispatch/incidents/:id/assign',
    recordScoped: true,
    record: 'incident',
    body: ({ unitId }) => ({ unitIds: [unitId] }),
    expect: dispatchRecord(['dispatcher', 'supervisor']),
  },
  {
    method: 'GET',
    url: '/api/dispatch/incidents/:id/cameras',
    recordScoped: true,
    record: 'incident',
    expect: dispatchRecord(['camera_operator', 'dispatcher', 'supervisor', 'call_taker']),
  },
  {
    method: 'POST',
    url: '/api/dispatch/incidents/:id/cameras/:cameraId/open',
    recordScoped: true,
    record: 'incident',
    expect: dispatchRecord(['camera_operator', 'dispatcher', 'supervisor', 'call_taker']),
  },
  {
    method: 'GET',
    url: '/api/dispatch/incidents/:id/recommendations',
    recordScoped: true,
    record: 'incident',
    expect: dispatchRecord(['dispatcher', 'supervisor']),
  },
  { method: 'GET', url: '/api/dispatch/duplicates?lat=19.4326&lon=-99.1332', expect: roleIn(...CALL) },
  {
    method: 'POST',
    url: '/api/dispatch/calls/:id/link',
    recordScoped: true,
    record: 'call',
    body: ({ incidentId }) => ({ incidentId }),
    expect: dispatchRecord(CALL),
  },
  {
    method: 'POST',
    url: '/api/dispatch/calls/:id/transfer',
    recordScoped: true,
    record: 'call',
    body: () => ({ typeCode: '30101', location: { lat: 20.6767, lon: -103.3475 } }),
    expect: dispatchRecord(CALL),
  },
  { method: 'GET', url: '/api/dispatch/transfers', expect: roleIn(...CONSOLE) },
  { method: 'GET', url: '/api/dispatch/closure-codes', expect: roleIn(...READ) },
  {
    method: 'GET',
    url: '/api/dispatch/settings/:id',
    recordScoped: true,
    record: 'agency',
    expect: scoped(['agency_admin', 'supervisor']),
  },
  {
    method: 'PUT',
    url: '/api/dispatch/settings/:id',
    recordScoped: true,
    record: 'agency',
    body: () => ({ roadFactor: 1.4, speedsKmh: { patrol_car: 38 }, onSceneStaleMinutes: null, dispatchTargetSeconds: {} }),
    expect: scoped(['agency_admin', 'supervisor']),
  },
  {
    method: 'GET',
    url: '/api/dispatch/metrics?from=2026-01-01&to=2026-01-31',
    expect: roleIn('supervisor', 'commander', 'analyst', 'auditor'),
  },
  {
    method: 'GET',
    url: '/api/dispatch/metrics.csv?from=2026-01-01&to=2026-01-31',
    expect: roleIn('supervisor', 'commander', 'analyst', 'auditor'),
  },
  { method: 'POST', url: '/api/dispatch/transfers/:id/accept', recordScoped: true, record: 'transfer', expect: dispatchRecord(CALL) },
  { method: 'GET', url: '/api/dispatch/incidents/:id/eido', recordScoped: true, record: 'incident', expect: dispatchRecord(CONSOLE) },
  { method: 'POST', url: '/api/dispatch/eido', body: ({ eido }) => eido, expect: roleIn(...CALL) },
  {
    method: 'POST',
    url: '/api/dispatch/alerts/:id/acknowledge',
    recordScoped: true,
    record: 'alert',
    expect: dispatchRecord(['supervisor']),
  },
  {
    method: 'POST',
    url: '/api/dispatch/units',
    body: ({ ownAgency, otherAgency, which, n }) => ({
      agencyId: which === 'own' ? ownAgency : otherAgency,
      callSign: `PRUEBA-${n}`,
      type: 'patrol_car',
      capabilities: ['police'],
    }),
    expect: (role, which) =>
      role === 'system_admin' ? 'allow' : ['agency_admin', 'supervisor'].includes(role) ? (which === 'own' ? 'allow' : 'hidden') : 'deny',
  },
  // A unit of the own agency: dispatchers and supervisors may report for it; a field officer only for a unit they crew.
  ...(['status', 'acknowledge', 'position'] as const).map((what): Case => ({
    method: 'POST',
    url: `/api/dispatch/units/:id/${what}`,
    recordScoped: true,
    record: 'unit',
    body: () => (what === 'status' ? { status: 'out_of_service' } : what === 'position' ? { lat: 19.43, lon: -99.14 } : undefined),
    expect: (role, which) =>
      !['field_officer', 'dispatcher', 'supervisor'].includes(role)
        ? 'deny'
        : which === 'other'
          ? 'hidden'
          : role === 'field_officer'
            ? 'deny'
            : 'allow',
  })),
  // ── IPH, detentions, evidence ──
  { method: 'GET', url: '/api/iph', expect: roleIn(...RECORDS_READ) },
  {
    method: 'POST',
    url: '/api/iph',
    body: ({ which, otherIncident }) => (which === 'own' ? {} : { incidentId: otherIncident }),
    expect: policeRecord(['field_officer']),
  },
  { method: 'GET', url: '/api/iph/:id', recordScoped: true, record: 'iph', expect: policeRecord(RECORDS_READ, ['prosecutor_liaison']) },
  {
    method: 'PATCH',
    url: '/api/iph/:id',
    recordScoped: true,
    record: 'iph',
    body: () => ({ sections: { annexG: { text: 'Continuación de prueba' } } }),
    expect: policeRecord(['field_officer']),
  },
  {
    method: 'POST',
    url: '/api/iph/:id/sign',
    recordScoped: true,
    record: 'iph',
    body: () => ({ password: PASSWORD_FOR_SIGNATURE }),
    expect: policeRecord(['field_officer']),
  },
  {
    method: 'POST',
    url: '/api/iph/:id/amendments',
    recordScoped: true,
    record: 'iph',
    body: ({ n }) => ({
      section: 'narrative',
      field: 'text',
      newValue: `Corrección ${n}`,
      reason: 'Prueba',
      password: PASSWORD_FOR_SIGNATURE,
    }),
    expect: policeRecord(['field_officer']),
  },
  {
    method: 'GET',
    url: '/api/iph/:id/verify',
    recordScoped: true,
    record: 'iph',
    expect: policeRecord([...RECORDS_READ, 'auditor'], ['prosecutor_liaison']),
  },
  { method: 'GET', url: '/api/detentions', expect: roleIn(...RECORDS_READ) },
  {
    method: 'POST',
    url: '/api/detentions',
    body: ({ which, otherIph }) => ({ ...(which === 'other' ? { iphId: otherIph } : {}), record: detentionRecord() }),
    expect: policeRecord(['field_officer']),
  },
  {
    method: 'GET',
    url: '/api/detentions/:id',
    recordScoped: true,
    record: 'detention',
    expect: policeRecord(RECORDS_READ, ['prosecutor_liaison']),
  },
  {
    method: 'PATCH',
    url: '/api/detentions/:id',
    recordScoped: true,
    record: 'detention',
    body: () => ({ record: detentionRecord() }),
    expect: policeRecord(['field_officer']),
  },
  {
    method: 'POST',
    url: '/api/detentions/:id/handover',
    recordScoped: true,
    record: 'detention',
    body: ({ prosecutorAgency }) => ({
      at: new Date().toISOString(),
      prosecutorAgencyId: prosecutorAgency,
      receiverName: 'Lic. De Prueba',
    }),
    expect: policeRecord(['field_officer']),
  },
  { method: 'GET', url: '/api/evidence', expect: roleIn(...RECORDS_READ) },
  {
    method: 'POST',
    url: '/api/evidence',
    body: ({ which, otherIph }) => evidenceItem(which === 'other' ? { iphId: otherIph } : {}),
    expect: policeRecord(['field_officer', 'prosecutor_liaison']),
  },
  { method: 'GET', url: '/api/evidence/:id', recordScoped: true, record: 'evidence', expect: policeRecord(RECORDS_READ) },
  {
    method: 'POST',
    url: '/api/evidence/:id/transfers',
    recordScoped: true,
    record: 'evidence',
    // To the own agency's storage, so that the own agency keeps custody (the first role moves the head; later ones answer 409).
    body: ({ evidenceHead, ownAgency }) => ({
      previousHash: evidenceHead,
      at: new Date().toISOString(),
      to: { name: 'Resguardo de prueba', agencyId: ownAgency },
      place: 'Base de prueba',
      purpose: 'storage',
      condition: 'Íntegro',
    }),
    expect: policeRecord(['field_officer', 'prosecutor_liaison']),
  },
  {
    method: 'POST',
    url: '/api/evidence/:id/photos',
    recordScoped: true,
    record: 'evidence',
    headers: { 'content-type': 'image/png' },
    body: () => PNG,
    expect: policeRecord(['field_officer', 'prosecutor_liaison']),
  },
  {
    method: 'GET',
    url: '/api/evidence/:id/photos/:photoId',
    recordScoped: true,
    record: 'evidence',
    expect: policeRecord(RECORDS_READ),
  },
  {
    method: 'GET',
    url: '/api/evidence/:id/verify',
    recordScoped: true,
    record: 'evidence',
    expect: policeRecord([...RECORDS_READ, 'auditor']),
  },
  // crime records and imports: records of Mexico City (own) or of Jalisco (other) by the place (CR-1); jobs by agency.
  { method: 'GET', url: '/api/records/crime-catalogue?q=robo', expect: anyone },
  {
    method: 'POST',
    url: '/api/records/crimes',
    body: ({ which }) => ({
      classificationCode: '4.1.5.1',
      occurredOn: '2025-01-15',
      ...(which === 'own' ? { lat: 19.4326, lon: -99.1332 } : { lat: 20.6767, lon: -103.3475 }),
    }),
    expect: crimeScoped(CRIME_WRITE),
  },
  { method: 'GET', url: '/api/records/crimes?from=2025-01-01', expect: roleIn('system_admin', ...CRIME_READ) },
  { method: 'GET', url: '/api/records/crimes.csv?from=2025-01-01', expect: roleIn('system_admin', ...CRIME_READ) },
  { method: 'GET', url: '/api/records/crimes/:id', recordScoped: true, record: 'crime', expect: crimeScoped(CRIME_READ) },
  { method: 'GET', url: '/api/records/import-mappings', expect: roleIn('system_admin', ...CRIME_WRITE) },
  {
    method: 'PUT',
    url: '/api/records/import-mappings/estados',
    body: () => ({ ...CDMX_SSP_MAPPING, dataset: 'matriz' }),
    expect: roleIn('system_admin', ...CRIME_WRITE),
  },
  {
    method: 'POST',
    url: '/api/records/imports',
    body: () => ({ fileName: 'matriz.csv', mappingName: 'cdmx-ssp' }),
    expect: roleIn('system_admin', ...CRIME_WRITE),
  },
  { method: 'GET', url: '/api/records/imports', expect: roleIn('system_admin', ...CRIME_WRITE) },
  { method: 'GET', url: '/api/records/imports/:id', recordScoped: true, record: 'importJob', expect: crimeScoped(CRIME_WRITE) },
  // An empty upload: the first allowed role ends the job (failed: empty file); later ones get 409 (allowed, refused by rule).
  { method: 'PUT', url: '/api/records/imports/:id/data', recordScoped: true, record: 'importJob', expect: crimeScoped(CRIME_WRITE) },
  { method: 'GET', url: '/api/records/imports/:id/rejections', recordScoped: true, record: 'importJob', expect: crimeScoped(CRIME_WRITE) },
  {
    method: 'GET',
    url: '/api/records/imports/:id/rejections.csv',
    recordScoped: true,
    record: 'importJob',
    expect: crimeScoped(CRIME_WRITE),
  },
  // crime indicators: official statistics for the analysing and commanding roles; imports for system administration.
  ...[
    '/api/indicators/catalogue',
    '/api/indicators/series?source=sesnsp-cnsp38&crime=homicidio_doloso&area=09&period=2017',
    '/api/indicators/series.csv?source=sesnsp-cnsp38&crime=homicidio_doloso&area=09&period=2017',
    '/api/indicators/ranking?source=sesnsp-cnsp38&crime=homicidio_doloso&period=2017',
    '/api/indicators/ranking.csv?source=sesnsp-cnsp38&crime=homicidio_doloso&period=2017',
    '/api/indicators/change?source=sesnsp-cnsp38&crime=homicidio_doloso&a=2015&b=2017',
    '/api/indicators/change.csv?source=sesnsp-cnsp38&crime=homicidio_doloso&a=2015&b=2017',
    '/api/indicators/compare?aSource=sesnsp-cnsp38&aCrime=homicidio_doloso&bSource=inegi-homicides&bCrime=homicidio&area=00&period=2016',
    '/api/indicators/releases',
    '/api/indicators/releases/:id/changes',
  ].map((url): Case => ({
    method: 'GET',
    url,
    record: 'release',
    expect: roleIn('analyst', 'commander', 'fusion_analyst', 'supervisor', 'auditor', 'system_admin'),
  })),
  {
    method: 'POST',
    url: '/api/indicators/releases',
    // A dry run: checked and compared, nothing written.
    body: () => ({
      source: 'inegi-homicides',
      release: '2018-07',
      fileName: 'prueba.csv',
      contentBase64: Buffer.from(
        fs.readFileSync(path.resolve(import.meta.dirname, '../../src/indicators/data/inegi_homicides_state_month_1990_2016.csv')),
      ).toString('base64'),
      dryRun: true,
    }),
    expect: roleIn('system_admin'),
  },
  {
    method: 'GET',
    url: '/api/indicators/platform/911?measure=calls&period=2026-01',
    expect: roleIn('supervisor', 'commander', 'analyst', 'auditor'),
  },
  // crime map analysis: the analysing and commanding roles, over the records of their jurisdiction (CR-1); a hotspot
  // job is its creator's only (the own one is the analyst's, the other one a Jalisco analyst's).
  ...[
    '/api/analysis/aggregate?unit=h3&resolution=9',
    '/api/analysis/points?limit=10',
    '/api/analysis/timeseries?interval=week',
    '/api/analysis/matrix',
    '/api/analysis/breakdown?level=2',
    '/api/analysis/profile?area=municipality:09015',
    '/api/analysis/forecast?weeks=1',
  ].map((url): Case => ({ method: 'GET', url, expect: roleIn(...ANALYSIS) })),
  { method: 'POST', url: '/api/analysis/jobs', body: () => ({ method: 'gistar', unit: 'h3', resolution: 8 }), expect: roleIn(...ANALYSIS) },
  ...(['GET', 'DELETE'] as const).map((method): Case => ({
    method,
    url: '/api/analysis/jobs/:id',
    recordScoped: true,
    record: 'analysisJob',
    expect: (role, which) => (!ANALYSIS.includes(role) ? 'deny' : which === 'own' && role === 'analyst' ? 'allow' : 'hidden'),
  })),
  { method: 'GET', url: '/api/audit', expect: roleIn('system_admin', 'auditor') },
  { method: 'GET', url: '/api/audit/export.csv', expect: roleIn('system_admin', 'auditor') },
  { method: 'GET', url: '/api/audit/verify', expect: roleIn('system_admin', 'auditor') },
  {
    method: 'POST',
    url: '/api/session/password',
    body: () => ({ currentPassword: 'wrong-password-xx', newPassword: 'nueva-frase-de-paso' }),
    expect: anyone,
  },
  // Last: these end sessions. `logout` runs on a fresh session, `logout-all` on the one kept for the matrix.
  { method: 'POST', url: '/api/auth/logout', expect: anyone },
  { method: 'POST', url: '/api/auth/logout-all', expect: anyone },
];

/** Routes open to anyone (no session) or to a login half-way through MFA. */
const PUBLIC = [
  'POST /api/auth/login',
  'GET /api/auth/enrollment',
  'POST /api/auth/mfa',
  'GET /api/health',
  'GET /api/platform',
  'GET /api/openapi.json',
  // Official statistics for citizens: rate-limited and cached (test/api/indicators.test.ts).
  ...['catalogue', 'series', 'series.csv', 'ranking', 'ranking.csv', 'change', 'change.csv', 'compare', 'layers/estados'].map(
    (r) => `GET /api/public/indicators/${r}`,
  ),
  // The citizens' crime map: generalised, suppressed, rate-limited (test/api/analysis.test.ts).
  ...['aggregate', 'points', 'timeseries'].map((r) => `GET /api/public/map/${r}`),
];

const PASSWORD = 'matriz-de-acceso-2026';

for (const dialect of dialects()) {
  describe(`matriz de acceso: ruta × rol × institución (${dialect.name})`, () => {
    let p: Platform;
    const sessions = new Map<Role, Session>();
    let ownAgency = '';
    let otherAgency = '';
    let targets: Record<'own' | 'other', string>;
    const records = {} as Record<RecordKind, Record<'own' | 'other', string>>;
    const photos = { own: '', other: '' };
    let prosecutorAgency = '';
    let evidenceHead = '';
    let cameraId = '';
    let assignUnitId = '';
    let eido: unknown = {};

    beforeAll(async () => {
      p = await startPlatform(dialect);
      const admin = await login(p, 'admin');
      const agencies = (await as(p, admin)('GET', '/api/agencies')).json().agencies as { id: string; code: string }[];
      ownAgency = agencies.find((a) => a.code === 'SSC-CDMX')!.id;
      otherAgency = agencies.find((a) => a.code === 'SSE-JAL')!.id;
      const create = async (username: string, agencyId: string, roles: Role[]) => {
        const r = await as(p, admin)('POST', '/api/users', { agencyId, username, fullName: username, password: PASSWORD, roles });
        expect(r.statusCode).toBe(201);
        return r.json().id as string;
      };
      targets = {
        own: await create('objetivo.propio', ownAgency, ['analyst']),
        other: await create('objetivo.ajeno', otherAgency, ['analyst']),
      };
      // Enrolled through the real flow: login, enrolment, code.
      for (const role of ROLES) {
        const username = `rol.${role.replace(/_/g, '-')}`;
        await create(username, ownAgency, [role]);
        sessions.set(role, await enrol(p, username, PASSWORD));
      }
      records.user = targets;
      records.agency = { own: ownAgency, other: otherAgency };
      const release = (await as(p, admin)('GET', '/api/indicators/releases'))
        .json()
        .releases.find((r: { current: boolean; source: string }) => r.current && r.source === 'sesnsp-cnsp38').id as string;
      records.release = { own: release, other: release };
      // Dispatch records in the own state (Mexico City) and in another (Jalisco).
      const jalUser = `matriz.jal`;
      await create(jalUser, agencies.find((a) => a.code === 'C5-JAL')!.id, ['call_taker']);
      const jal = await enrol(p, jalUser, PASSWORD);
      const taker = sessions.get('call_taker')!;
      const made = async (s: Session, where: { lat: number; lon: number }) => {
        const call = await as(p, s)('POST', '/api/dispatch/calls', { ani: '5599990000', callerLocation: where });
        const incident = await as(p, s)('POST', '/api/dispatch/incidents', { typeCode: '30101', location: where });
        expect(incident.statusCode, incident.body).toBe(201);
        return { call: call.json().id as string, incident: incident.json().id as string };
      };
      const own = await made(taker, { lat: 19.4326, lon: -99.1332 });
      const other = await made(jal, { lat: 20.6767, lon: -103.3475 });
      records.call = { own: own.call, other: other.call };
      records.incident = { own: own.incident, other: other.incident };
      const alerts = await checkTimers(p.dispatch, new Date(Date.now() + 301_000));
      records.alert = {
        own: alerts.find((a) => a.incidentId === own.incident)!.id,
        other: alerts.find((a) => a.incidentId === other.incident)!.id,
      };
      const units = await p.handle.db.selectFrom('unit').select(['id', 'callSign']).execute();
      const bySign = (c: string) => units.find((u) => u.callSign === c)!.id;
      records.unit = { own: bySign('P-AZC-1'), other: bySign('GDL-02') };
      assignUnitId = bySign('P-AZC-2');
      cameraId = (await p.handle.db.selectFrom('camera').select('id').limit(1).executeTakeFirstOrThrow()).id;
      // Pending transfers addressed to each centre, from an exported incident of each state.
      eido = (await as(p, taker)('GET', `/api/dispatch/incidents/${own.incident}/eido`)).json();
      const jalEido = (await as(p, jal)('GET', `/api/dispatch/incidents/${other.incident}/eido`)).json();
      records.transfer = {
        own: (await as(p, taker)('POST', '/api/dispatch/eido', eido)).json().id,
        other: (await as(p, jal)('POST', '/api/dispatch/eido', jalEido)).json().id,
      };
      // IPH, detention and evidence records of the own agency (by its field officer) and of a Jalisco municipal police.
      prosecutorAgency = agencies.find((a) => a.code === 'FGJ-CDMX')!.id;
      await create('matriz.jal.policia', agencies.find((a) => a.code === 'PM-GDL')!.id, ['field_officer']);
      const jalOfficer = await enrol(p, 'matriz.jal.policia', PASSWORD);
      const officer = sessions.get('field_officer')!;
      const made201 = async (s: Session, url: string, body: unknown, headers: Record<string, string> = {}) => {
        const r = await as(p, s)('POST', url, body, headers);
        expect(r.statusCode, r.body).toBe(201);
        return r.json();
      };
      records.iph = { own: (await made201(officer, '/api/iph', {})).id, other: (await made201(jalOfficer, '/api/iph', {})).id };
      const completed = await as(p, officer)('PATCH', `/api/iph/${records.iph.own}`, {
        crimeCode: '1.2.1',
        sections: {
          knowledge: { how: 'flagrancy', knownAt: new Date().toISOString() },
          place: { stateCode: '09', municipalityCode: '09015', lat: 19.4326, lon: -99.1332 },
          narrative: { text: 'Narrativa de prueba.' },
        },
      });
      expect(completed.statusCode, completed.body).toBe(200);
      records.detention = {
        own: (await made201(officer, '/api/detentions', { record: detentionRecord() })).id,
        other: (await made201(jalOfficer, '/api/detentions', { record: detentionRecord() })).id,
      };
      const ownItem = await made201(officer, '/api/evidence', evidenceItem());
      records.evidence = { own: ownItem.id, other: (await made201(jalOfficer, '/api/evidence', evidenceItem())).id };
      evidenceHead = ownItem.registrationHash;
      photos.own = (await made201(officer, `/api/evidence/${records.evidence.own}/photos`, PNG, { 'content-type': 'image/png' })).id;
      photos.other = (await made201(jalOfficer, `/api/evidence/${records.evidence.other}/photos`, PNG, { 'content-type': 'image/png' })).id;
      // Crime records located in each state, and an import job of each state's agency.
      await create('matriz.jal.analista', otherAgency, ['analyst']);
      const jalAnalyst = await enrol(p, 'matriz.jal.analista', PASSWORD);
      const analyst = sessions.get('analyst')!;
      const crime = async (s: Session, where: { lat: number; lon: number }) => {
        const r = await as(p, s)('POST', '/api/records/crimes', { classificationCode: '1.1.1.1', occurredOn: '2025-01-10', ...where });
        expect(r.statusCode, r.body).toBe(201);
        return r.json().id as string;
      };
      records.crime = {
        own: await crime(analyst, { lat: 19.4326, lon: -99.1332 }),
        other: await crime(jalAnalyst, { lat: 20.6767, lon: -103.3475 }),
      };
      const job = async (s: Session) =>
        (await as(p, s)('POST', '/api/records/imports', { fileName: 'x.csv', mappingName: 'cdmx-ssp' })).json().id as string;
      records.importJob = { own: await job(analyst), other: await job(jalAnalyst) };
      // An older record gives the forecast a history before its held-out week; a hotspot job of each analyst.
      const older = await as(p, analyst)('POST', '/api/records/crimes', {
        classificationCode: '4.1.2',
        violent: false,
        occurredOn: '2024-11-20',
        lat: 19.43,
        lon: -99.14,
      });
      expect(older.statusCode, older.body).toBe(201);
      const analysisJob = async (s: Session) => {
        const r = await as(p, s)('POST', '/api/analysis/jobs', { method: 'gistar', unit: 'h3', resolution: 8 });
        expect(r.statusCode, r.body).toBe(202);
        return r.json().id as string;
      };
      records.analysisJob = { own: await analysisJob(analyst), other: await analysisJob(jalAnalyst) };
    }, 300_000);
    afterAll(async () => p?.close());

    it('lists every API route in the matrix or among the public ones', () => {
      const covered = new Set([...CASES.map((c) => `${c.method} ${c.url.split('?')[0]}`), ...PUBLIC]);
      const routes = p.app.routeTable
        .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
        .map(
          (r) =>
            `${r.method} ${r.url
              .replace(/\/:name$/, '/estados')
              .replace('/states/:code/', '/states/09/')
              .replace('/platform/:dataset', '/platform/911')}`,
        );
      expect(routes.filter((r) => !covered.has(r))).toEqual([]);
    });

    it('refuses every non-public route without a session (401)', async () => {
      for (const c of CASES) {
        const r = await p.app.inject({
          method: c.method,
          url: c.url.replace(':id', targets.own).replace(':cameraId', targets.own).replace(':photoId', targets.own),
          headers: c.headers,
          payload: c.body?.({
            ownAgency,
            otherAgency,
            which: 'own',
            n: 0,
            unitId: targets.own,
            incidentId: targets.own,
            eido: {},
            otherIncident: targets.own,
            otherIph: targets.own,
            prosecutorAgency: targets.own,
            evidenceHead: '0'.repeat(64),
          }) as object | undefined,
        });
        expect(r.statusCode, `${c.method} ${c.url}`).toBe(401);
      }
    });

    let n = 0;
    for (const c of CASES) {
      for (const which of ['own', 'other'] as const) {
        if (!c.recordScoped && !c.body && which === 'other') continue;
        it(`${c.method} ${c.url} — ${which === 'own' ? 'institución propia' : 'otra institución'}`, async () => {
          const failures: string[] = [];
          for (const role of ROLES) {
            const expected = c.expect(role, which);
            // An allowed stream stays open; its content is tested in dispatch.test.ts.
            if (c.stream && expected === 'allow') continue;
            // Logging out ends the session: use a fresh one so later cases still have it.
            const s = c.url === '/api/auth/logout' ? await loginFresh(role) : sessions.get(role)!;
            const url = c.url
              .replace(':id', records[c.record ?? 'user'][which])
              .replace(':cameraId', cameraId)
              .replace(':photoId', photos[which]);
            const r = await as(p, s)(
              c.method,
              url,
              c.body?.({
                ownAgency,
                otherAgency,
                which,
                n: n++,
                unitId: assignUnitId,
                incidentId: records.incident.own,
                eido,
                otherIncident: records.incident.other,
                otherIph: records.iph.other,
                prosecutorAgency,
                evidenceHead,
              }),
              c.headers,
            );
            const got: Expect | string =
              r.statusCode === 403
                ? 'deny'
                : r.statusCode === 404 || (r.statusCode === 400 && /agency_not_found|agency_parent|outside_jurisdiction/.test(r.body))
                  ? 'hidden'
                  : // 409: access passed and a business rule answered (e.g. the call was closed by an earlier role).
                    r.statusCode < 300 || r.statusCode === 409 || (c.url === '/api/session/password' && r.statusCode === 400)
                    ? 'allow'
                    : `${r.statusCode} ${r.body.slice(0, 120)}`;
            if (got !== expected) failures.push(`${role}: expected ${expected}, got ${got}`);
          }
          expect(failures).toEqual([]);
        });
      }
    }

    async function loginFresh(role: Role): Promise<Session> {
      const username = `rol.${role.replace(/_/g, '-')}`;
      const { nextCode } = await import('../support/platform.js');
      const r1 = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
      const pending = `oc5_session=${r1.cookies.find((x) => x.name === 'oc5_session')!.value}`;
      const r2 = await p.app.inject({
        method: 'POST',
        url: '/api/auth/mfa',
        headers: { cookie: pending },
        payload: { code: await nextCode(p, username) },
      });
      const cookie = `oc5_session=${r2.cookies.find((x) => x.name === 'oc5_session')!.value}`;
      const csrf = (await p.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken as string;
      return { cookie, csrf, username };
    }
  });
}
