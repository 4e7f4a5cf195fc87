import type { Role } from '../api.js';

export type AreaId =
  | 'dispatch'
  | 'dispatchSettings'
  | 'metrics'
  | 'indicators'
  | 'command'
  | 'field'
  | 'records'
  | 'video'
  | 'crimeRecords'
  | 'crimeImport'
  | 'crimeMap'
  | 'fusion'
  | 'training'
  | 'admin'
  | 'audit';

/** A work area of the platform; `path` is set once the area is live. */
export type Area = { id: AreaId; roles: readonly Role[]; path?: string };

export const AREAS: readonly Area[] = [
  { id: 'dispatch', roles: ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'commander'], path: '/despacho' },
  { id: 'dispatchSettings', roles: ['supervisor', 'agency_admin', 'system_admin'], path: '/despacho/ajustes' },
  { id: 'metrics', roles: ['supervisor', 'commander', 'analyst', 'auditor'], path: '/metricas' },
  { id: 'indicators', roles: ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'auditor', 'system_admin'], path: '/indicadores' },
  { id: 'command', roles: ['commander'] },
  { id: 'field', roles: ['field_officer'], path: '/campo' },
  { id: 'records', roles: ['field_officer', 'commander', 'prosecutor_liaison'], path: '/iph' },
  { id: 'video', roles: ['camera_operator'] },
  { id: 'crimeRecords', roles: ['analyst', 'commander', 'fusion_analyst', 'agency_admin', 'system_admin'], path: '/registros' },
  { id: 'crimeImport', roles: ['analyst', 'agency_admin', 'system_admin'], path: '/registros/importar' },
  { id: 'crimeMap', roles: ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'agency_admin', 'system_admin'], path: '/mapa' },
  { id: 'fusion', roles: ['fusion_analyst'] },
  { id: 'training', roles: ['training_officer'] },
  { id: 'admin', roles: ['agency_admin', 'system_admin'], path: '/admin' },
  { id: 'audit', roles: ['auditor', 'system_admin'], path: '/audit' },
];

export const hasAnyRole = (roles: readonly Role[], wanted: readonly Role[]) => wanted.some((r) => roles.includes(r));

/** The areas a user with these roles works in. */
export const areasFor = (roles: readonly Role[]) => AREAS.filter((a) => hasAnyRole(roles, a.roles));

export const ADMIN_ROLES: readonly Role[] = ['agency_admin', 'system_admin'];
export const AUDIT_ROLES: readonly Role[] = ['auditor', 'system_admin'];
/** The 911 / dispatch console (/despacho): intake, board, map; the commander and camera operator read and watch. */
export const CONSOLE_ROLES: readonly Role[] = ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'commander'];
/** The field view (/campo): the officers, and dispatchers on a phone. */
export const FIELD_ROLES: readonly Role[] = ['field_officer', 'dispatcher', 'supervisor'];
/** IPH, detentions and evidence (/iph): officers, their commanders, prosecutor liaisons. */
export const RECORDS_ROLES: readonly Role[] = ['field_officer', 'commander', 'prosecutor_liaison'];
/** 911 metrics (/metricas): supervisors, commanders, analysts and auditors. */
export const METRICS_ROLES: readonly Role[] = ['supervisor', 'commander', 'analyst', 'auditor'];
/** Per-agency dispatch settings (/despacho/ajustes): who the server lets change them (action dispatch.settings). */
export const SETTINGS_ROLES: readonly Role[] = ['supervisor', 'agency_admin', 'system_admin'];
/** Crime records (/registros): those who read them; the import page (/registros/importar) for analysts and administrators. */
export const CRIME_READ_ROLES: readonly Role[] = ['analyst', 'commander', 'fusion_analyst', 'agency_admin', 'system_admin'];
export const CRIME_IMPORT_ROLES: readonly Role[] = ['analyst', 'agency_admin', 'system_admin'];
/** Crime indicators (/indicadores): who the server lets read them (action indicators.read). */
export const INDICATORS_ROLES: readonly Role[] = ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'auditor', 'system_admin'];
/** Loading a release (action indicators.import). */
export const INDICATORS_IMPORT_ROLES: readonly Role[] = ['system_admin'];
/** The platform's own 911 data through the indicators (action indicators.platform). */
export const INDICATORS_PLATFORM_ROLES: readonly Role[] = ['supervisor', 'commander', 'analyst', 'auditor'];
/** The crime map (/mapa) and its neighbourhood profiles: who the server lets read the analyses (action analysis.read). */
export const CRIME_MAP_ROLES: readonly Role[] = ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'agency_admin', 'system_admin'];
