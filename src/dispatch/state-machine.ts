import type { IncidentStatus, UnitStatus } from './dispatch.types.js';

/**
 * The incident and unit state machines (docs/dispatch-state-machine.md). Rule ids
 * are cited by the tests.
 *
 * IS-1 a new incident is `pending`.
 * IS-2 assigning the first unit makes a pending incident `dispatched`.
 * IS-3 the first unit en route makes it `en_route`; IS-4 the first on scene, `on_scene`
 *      (an incident never moves backwards through these on unit changes).
 * IS-5 `closed` needs a closure code and is reachable from dispatched, en route or on scene.
 * IS-6 `cancelled` needs a reason and is reachable from any open status.
 * IS-7 a closed or cancelled incident is reopened (back to `pending`) only with a reason.
 * IS-8 closing or cancelling releases every assigned unit.
 * US-1 only an assignment moves a unit from `available` to `dispatched`.
 * US-2 dispatched → en route → on scene, and dispatched → on scene.
 * US-3 an assigned unit clears to `returning` or `available`, leaving the incident.
 * US-4 returning → available; US-5 available ↔ out of service; US-6 an out-of-service unit cannot be assigned.
 */
export const OPEN_STATUSES: readonly IncidentStatus[] = ['pending', 'dispatched', 'en_route', 'on_scene'];

const INCIDENT_MANUAL: Record<IncidentStatus, readonly IncidentStatus[]> = {
  pending: ['cancelled'],
  dispatched: ['closed', 'cancelled'],
  en_route: ['closed', 'cancelled'],
  on_scene: ['closed', 'cancelled'],
  closed: ['pending'],
  cancelled: ['pending'],
};

/** May a person move an incident from `from` to `to` (IS-5, IS-6, IS-7)? */
export function canChangeIncident(from: IncidentStatus, to: IncidentStatus): boolean {
  return INCIDENT_MANUAL[from].includes(to);
}

const RANK: Record<IncidentStatus, number> = { pending: 0, dispatched: 1, en_route: 2, on_scene: 3, closed: 9, cancelled: 9 };

/** The incident status implied by a unit reaching `unitStatus` (IS-2…IS-4); null when it does not move. */
export function incidentStatusAfterUnit(current: IncidentStatus, unitStatus: UnitStatus): IncidentStatus | null {
  const implied: IncidentStatus | null =
    unitStatus === 'dispatched' ? 'dispatched' : unitStatus === 'en_route' ? 'en_route' : unitStatus === 'on_scene' ? 'on_scene' : null;
  if (!implied || !OPEN_STATUSES.includes(current)) return null;
  return RANK[implied] > RANK[current] ? implied : null;
}

const UNIT_MANUAL: Record<UnitStatus, readonly UnitStatus[]> = {
  available: ['out_of_service'],
  dispatched: ['en_route', 'on_scene', 'returning', 'available'],
  en_route: ['on_scene', 'returning', 'available'],
  on_scene: ['returning', 'available'],
  returning: ['available', 'out_of_service'],
  out_of_service: ['available'],
};

/** May a unit move from `from` to `to` by a status report (US-2…US-5)? */
export function canChangeUnit(from: UnitStatus, to: UnitStatus): boolean {
  return UNIT_MANUAL[from].includes(to);
}

export const ACTIVE_UNIT_STATUSES: readonly UnitStatus[] = ['dispatched', 'en_route', 'on_scene'];
