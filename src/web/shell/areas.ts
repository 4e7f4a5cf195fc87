import type { Role } from '../api.js';

export type AreaId = 'dispatch' | 'command' | 'field' | 'video' | 'crimeMap' | 'fusion' | 'training' | 'admin' | 'audit';

/** A work area of the platform; `path` is set once the area is live. */
export type Area = { id: AreaId; roles: readonly Role[]; path?: string };

export const AREAS: readonly Area[] = [
  { id: 'dispatch', roles: ['call_taker', 'dispatcher', 'supervisor'] },
  { id: 'command', roles: ['commander'] },
  { id: 'field', roles: ['field_officer'] },
  { id: 'video', roles: ['camera_operator'] },
  { id: 'crimeMap', roles: ['analyst', 'commander'] },
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
