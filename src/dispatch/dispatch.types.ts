/**
 * The data of 911 intake and dispatch, as the services and routes see it (the
 * store maps rows to these). Times are ISO-8601 strings in UTC; coordinates WGS84.
 */

export const PRIORITIES = ['ALTA', 'MEDIA', 'BAJA'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** See docs/dispatch-state-machine.md for the transitions (rules IS-1…). */
export const INCIDENT_STATUSES = ['pending', 'dispatched', 'en_route', 'on_scene', 'closed', 'cancelled'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const UNIT_STATUSES = ['available', 'dispatched', 'en_route', 'on_scene', 'returning', 'out_of_service'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export const UNIT_TYPES = [
  'patrol_car',
  'motorcycle',
  'ambulance',
  'fire_engine',
  'rescue',
  'hazmat',
  'civil_protection',
  'tow_truck',
  'helicopter',
] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

/** What a unit can do; an incident type needs one or more of these. */
export const CAPABILITIES = [
  'police',
  'medical',
  'advanced_life_support',
  'fire',
  'rescue',
  'hazmat',
  'civil_protection',
  'traffic',
  'public_services',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const CALL_OUTCOMES = ['incident', 'linked', 'improper', 'abandoned', 'transferred'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export type Location = {
  lat: number;
  lon: number;
  /** Radius of uncertainty in metres (Advanced Mobile Location), when the network gave one. */
  uncertaintyM?: number | null;
  stateCode: string;
  municipalityCode: string;
  coloniaId?: string | null;
  quadrantId?: string | null;
  address?: string | null;
};

export type Call = {
  id: string;
  centreId: string;
  /** The caller's number (ANI). */
  ani: string;
  callerName: string | null;
  callerLocation: { lat: number; lon: number; uncertaintyM: number | null } | null;
  receivedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  operatorId: string | null;
  outcome: CallOutcome | null;
  incidentId: string | null;
  /** Catalogue code of an improper call (type 7 / v3 "mal uso"). */
  improperCode: string | null;
  transferredToCentreId: string | null;
};

export type Incident = {
  id: string;
  centreId: string;
  /** Unique per centre and year, e.g. CDMX-2026-000123. */
  folio: string;
  typeCode: string;
  priority: Priority;
  status: IncidentStatus;
  closureCode: string | null;
  location: Location;
  createdAt: string;
  createdBy: string | null;
  firstDispatchedAt: string | null;
  firstArrivedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
};

export type TimelineKind =
  'created' | 'note' | 'status' | 'priority' | 'location' | 'assignment' | 'unit_status' | 'call_linked' | 'camera_opened' | 'transfer';
export type TimelineEntry = {
  id: string;
  incidentId: string;
  at: string;
  authorId: string | null;
  authorName: string | null;
  kind: TimelineKind;
  text: string | null;
  data: Record<string, unknown> | null;
};

export type Unit = {
  id: string;
  agencyId: string;
  callSign: string;
  type: UnitType;
  capabilities: Capability[];
  station: string | null;
  /** User ids of the officers on board. */
  crew: string[];
  status: UnitStatus;
  statusAt: string;
  position: { lat: number; lon: number; at: string } | null;
  incidentId: string | null;
};

export type Assignment = {
  id: string;
  incidentId: string;
  unitId: string;
  assignedAt: string;
  assignedBy: string | null;
  acknowledgedAt: string | null;
  enRouteAt: string | null;
  onSceneAt: string | null;
  clearedAt: string | null;
};

export type Camera = {
  id: string;
  centreId: string;
  code: string;
  name: string;
  lat: number;
  lon: number;
  kind: 'fixed' | 'ptz';
  streamUrl: string;
  status: 'online' | 'offline' | 'maintenance';
};
