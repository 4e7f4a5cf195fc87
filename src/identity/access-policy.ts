import type { AgencyKind, AgencyLevel, Region, Role } from './roles.js';
import { STATE_REGION } from './roles.js';

/**
 * The one access policy every route goes through. Deny by default: an action not
 * listed here, or a user without a granting role, is refused; a record outside the
 * user's reach is reported as missing, never as forbidden, so its existence leaks
 * nothing.
 */

/** Who is asking: built once per request from the session. */
export type Actor = {
  userId: string;
  username: string;
  agencyId: string;
  agencyLevel: AgencyLevel;
  agencyKind: AgencyKind;
  stateCode: string | null;
  municipalityCode: string | null;
  roles: readonly Role[];
  /** The user's agency and every agency below it in the agency tree. */
  subtree: ReadonlySet<string>;
  /** The user's agency and every agency above it. */
  ancestors: readonly string[];
};

/**
 * `global`: any record; `subtree`: records owned by the user's agency or one below
 * it; `authenticated`: any signed-in user, no record scope.
 */
export type Scope = 'global' | 'subtree' | 'authenticated';
type Grant = { roles: readonly Role[] | 'any'; scope: Scope };

export const ACTIONS = {
  'session.read': [{ roles: 'any', scope: 'authenticated' }],
  'geo.read': [{ roles: 'any', scope: 'authenticated' }],
  'agency.read': [{ roles: 'any', scope: 'authenticated' }],
  'agency.write': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['agency_admin'], scope: 'subtree' },
  ],
  'user.read': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['agency_admin', 'auditor'], scope: 'subtree' },
  ],
  'user.write': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['agency_admin'], scope: 'subtree' },
  ],
  'audit.read': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['auditor'], scope: 'subtree' },
  ],
  'audit.verify': [{ roles: ['system_admin', 'auditor'], scope: 'authenticated' }],
  // 911 and dispatch: the record-level rules (DA-1…DA-3) live in src/dispatch/dispatch.service.ts.
  'dispatch.read': [
    { roles: ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'commander', 'field_officer'], scope: 'authenticated' },
  ],
  'dispatch.board': [{ roles: ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'commander'], scope: 'authenticated' }],
  'dispatch.call': [{ roles: ['call_taker', 'dispatcher', 'supervisor'], scope: 'authenticated' }],
  'dispatch.incident.write': [{ roles: ['call_taker', 'dispatcher', 'supervisor'], scope: 'authenticated' }],
  'dispatch.note': [{ roles: ['call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'field_officer'], scope: 'authenticated' }],
  'dispatch.assign': [{ roles: ['dispatcher', 'supervisor'], scope: 'authenticated' }],
  'dispatch.field': [{ roles: ['field_officer', 'dispatcher', 'supervisor'], scope: 'authenticated' }],
  'dispatch.alert': [{ roles: ['supervisor'], scope: 'authenticated' }],
  'dispatch.camera': [{ roles: ['camera_operator', 'dispatcher', 'supervisor', 'call_taker'], scope: 'authenticated' }],
  'dispatch.metrics': [{ roles: ['supervisor', 'commander', 'analyst', 'auditor'], scope: 'authenticated' }],
  // Per-agency travel model and supervisor limits (src/dispatch/settings.service.ts).
  'dispatch.settings': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['agency_admin', 'supervisor'], scope: 'subtree' },
  ],
  'dispatch.unit.manage': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['agency_admin', 'supervisor'], scope: 'subtree' },
  ],
  // IPH, detentions, evidence: the record-level rules (RA-1…RA-7) live in src/records/iph.access.ts.
  'iph.read': [{ roles: ['field_officer', 'commander', 'prosecutor_liaison'], scope: 'authenticated' }],
  'iph.write': [{ roles: ['field_officer'], scope: 'authenticated' }],
  'iph.verify': [{ roles: ['field_officer', 'commander', 'prosecutor_liaison', 'auditor'], scope: 'authenticated' }],
  'detention.read': [{ roles: ['field_officer', 'commander', 'prosecutor_liaison'], scope: 'authenticated' }],
  'detention.write': [{ roles: ['field_officer'], scope: 'authenticated' }],
  'evidence.read': [{ roles: ['field_officer', 'commander', 'prosecutor_liaison'], scope: 'authenticated' }],
  'evidence.write': [{ roles: ['field_officer', 'prosecutor_liaison'], scope: 'authenticated' }],
  'evidence.verify': [{ roles: ['field_officer', 'commander', 'prosecutor_liaison', 'auditor'], scope: 'authenticated' }],
  // crime records and imports: the record-level rule (CR-1, the jurisdiction of the record's place) lives in
  // src/records/crime.service.ts; `subtree` there means the agency's jurisdiction, `global` every record.
  'crime.catalogue': [{ roles: 'any', scope: 'authenticated' }],
  'crime.read': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['analyst', 'commander', 'fusion_analyst', 'agency_admin'], scope: 'subtree' },
  ],
  'crime.export': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['analyst', 'commander', 'fusion_analyst', 'agency_admin'], scope: 'subtree' },
  ],
  'crime.write': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['analyst', 'agency_admin'], scope: 'subtree' },
  ],
  // Import jobs, their rejected rows and the agency's saved column mappings.
  'crime.import': [
    { roles: ['system_admin'], scope: 'global' },
    { roles: ['analyst', 'agency_admin'], scope: 'subtree' },
  ],
  // crime indicators (src/indicators, docs/indicators.md § Access). Official statistics are public
  // information (the same figures are on the public page without login); the dashboard is for the
  // roles that analyse and command.
  'indicators.read': [
    { roles: ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'auditor', 'system_admin'], scope: 'authenticated' },
  ],
  // Loading or replacing a release changes the figures every agency and the public see: platform-wide
  // reference data, like the geography, so it sits with system administration (and the CLI).
  'indicators.import': [{ roles: ['system_admin'], scope: 'global' }],
  // The platform's own counts (911 calls and response times by municipality) reach the same audience
  // as the dispatch module's metrics, whose need-to-know rules the adapter applies.
  'indicators.platform': [{ roles: ['supervisor', 'commander', 'analyst', 'auditor'], scope: 'authenticated' }],
  // crime map analysis (src/analysis): the map portal's aggregates, points, series, hotspot jobs, forecasts
  // and neighbourhood profiles. The records analysed are those of the actor's jurisdiction, exactly as
  // crime.read reads them (crimeScope in src/records/crime.service.ts, CR-1); a job is its creator's alone.
  'analysis.read': [
    { roles: ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'agency_admin', 'system_admin'], scope: 'authenticated' },
  ],
} as const satisfies Record<string, readonly Grant[]>;

export type Action = keyof typeof ACTIONS;

function grantsFor(actor: Actor, action: Action): Grant[] {
  const grants: readonly Grant[] = ACTIONS[action] ?? [];
  return grants.filter((g) => g.roles === 'any' || g.roles.some((r) => actor.roles.includes(r)));
}

/** May the actor perform the action at all (before looking at a record)? */
export function canPerform(actor: Actor, action: Action): boolean {
  return grantsFor(actor, action).length > 0;
}

/** The widest scope the actor holds for an action, or null when none. */
export function scopeOf(actor: Actor, action: Action): Scope | null {
  const scopes = grantsFor(actor, action).map((g) => g.scope);
  if (scopes.includes('global')) return 'global';
  if (scopes.includes('subtree')) return 'subtree';
  if (scopes.includes('authenticated')) return 'authenticated';
  return null;
}

/** May the actor perform the action on a record owned by `ownerAgencyId`? */
export function canActOn(actor: Actor, action: Action, ownerAgencyId: string): boolean {
  const scope = scopeOf(actor, action);
  if (scope === 'global' || scope === 'authenticated') return scope !== null;
  if (scope === 'subtree') return actor.subtree.has(ownerAgencyId);
  return false;
}

/**
 * Who a shared record is distributed to, beyond its owner. The sharing module
 * (bulletins, alerts) sets it; every module reads records through `canSee`.
 */
export type Distribution = {
  agencyIds?: readonly string[];
  stateCodes?: readonly string[];
  regions?: readonly Region[];
  levels?: readonly AgencyLevel[];
};

/**
 * Need to know for a record: its owner and the agencies above the owner (which
 * supervise it) see it, and so do the agencies its distribution names. A
 * distribution entry names an audience; the record does not spread further down.
 */
export function canSee(actor: Actor, record: { ownerAgencyId: string; distribution?: Distribution | null }): boolean {
  if (actor.subtree.has(record.ownerAgencyId)) return true;
  const d = record.distribution;
  if (!d) return false;
  if (d.agencyIds?.includes(actor.agencyId)) return true;
  if (actor.stateCode && d.stateCodes?.includes(actor.stateCode)) {
    return !d.levels || d.levels.includes(actor.agencyLevel);
  }
  const region = actor.stateCode ? STATE_REGION[actor.stateCode] : undefined;
  if (region && d.regions?.includes(region)) return !d.levels || d.levels.includes(actor.agencyLevel);
  if (!d.agencyIds && !d.stateCodes && !d.regions && d.levels?.includes(actor.agencyLevel)) return true;
  return false;
}

/** Roles an actor may hand out: nobody but a system administrator creates one. */
export function grantableRoles(actor: Actor, all: readonly Role[]): Role[] {
  if (actor.roles.includes('system_admin')) return [...all];
  if (actor.roles.includes('agency_admin')) return all.filter((r) => r !== 'system_admin');
  return [];
}
