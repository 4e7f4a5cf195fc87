/**
 * NENA EIDO (Emergency Incident Data Object, NENA-STA-021.1, JSON, `eidoVersion` "1.0") export
 * and import, for handing an incident over from one C4/C5 to another. Pure: no database, no I/O.
 *
 * Structure (after the NENA EIDO-JSON OpenAPI schema 1.0.0 and its samples): one document whose
 * `$id` is the Incident Tracking Identifier (`urn:emergency:uid:incidentid:<id>:<agency>`), with
 * the common prologue (`$id`, `lastUpdateTimeStamp`, `updatedByAgencyReference`,
 * `updatedByAgentReference`) on the document and on every component; components are arrays
 * (`incidentComponent` is a single object in 1.0 — an array of one, as in early drafts, is
 * accepted on import) and refer to each other by `{ "$ref": <$id> }`.
 *
 * Mapping (our field ↔ EIDO path):
 *
 * | ours | EIDO |
 * | --- | --- |
 * | centre (`code`) | `agencyComponent[0].$id`, used as the NENA agency identifier everywhere |
 * | centre `name`, `id`, `stateCode` | `agencyComponent[0].agencyJcard` (jCard: `fn`, `uid`, `adr` region) |
 * | `incident.id` + centre | document `$id` = `urn:emergency:uid:incidentid:<incident.id>:<centre code>` |
 * | `incident.folio` | `incidentComponent.internalIncidentId` |
 * | `incident.typeCode` (CNIE) | `incidentComponent.incidentTypeInternalCode`; name in `incidentTypeInternalText` |
 * | (derived) | `incidentComponent.incidentTypeCommonRegistryText`: best-effort APCO common incident type |
 * | `incident.priority` | `incidentComponent.incidentPriorityInternalText` (ALTA/MEDIA/BAJA); `incidentCommonPriorityNumber` 8/5/2 |
 * | `incident.status` | `incidentComponent.incidentStatusInternalText[0]`; `incidentStatusCommonRegistryText[0]` |
 * | `incident.updatedAt` | `incidentComponent.lastUpdateTimeStamp` |
 * | `incident.location` lat, lon, uncertaintyM | `locationComponent[type "Incident"].locationByValue`: PIDF-LO `gml:Point`, or `gs:Circle` with `gs:radius` (m) |
 * | location stateCode, municipalityCode, address | same PIDF-LO, `civicAddress` `A1` (INEGI state), `A2` (INEGI municipality), `LOC` (free text), `country` MX |
 * | location coloniaId, quadrantId | `locationComponent.localIdentifier`: `"colonia:<id>"`, `"cuadrante:<id>"` |
 * | timeline entries of kind `note`: text | `notesComponent[].notesActionComments` (HTML5: escaped, newlines as `<br>`) |
 * | note time | `notesComponent[].lastUpdateTimeStamp` |
 * | note author name (id) | `agentComponent[].agentJcard` `fn` (`uid`), via `notesComponent[].agentReference` |
 * | call id | `callComponent[].$id` = `urn:emergency:uid:callid:<call.id>:<centre code>` |
 * | call receivedAt / answeredAt | `callComponent[].callStartTimestamp` / `answerDate` |
 * | call endedAt | `callStateRegistryText` "callEnd" + `lastUpdateTimeStamp` (EIDO 1.0 has no end time) |
 * | call ANI | `callbackComponent[].callBackInformationUri[0]` = `tel:<ani>`, via `callBackReference` |
 * | call callerName | `personComponent[]` role "Caller", `ncPersonComponent.name[0].fullName`, via `personReference` |
 * | call callerLocation | `locationComponent[type "Caller"]` PIDF-LO, via `callComponent[].locationReference` |
 * | call operator | `agentComponent[]` role "Call Taking", via `agentReference` |
 * | unit callSign, type, capabilities, status | `emergencyResourceComponent[]`: `emergencyResourceName`, `emergencyResourceTypeInternalText`, `resourceAttributeInternalText`, `unitStatusInternal` |
 * | assignment assignedAt | `dispatchComponent[].lastUpdateTimeStamp`, with `emergencyResourceReference` |
 *
 * Agents are one per user id: a note author's name is the first non-null name given for that id.
 *
 * Not exported: the other timeline entries (status changes, assignments… stay in the local
 * audit trail), incident creation/dispatch/arrival/closure times, the closure code, crews, unit
 * positions, call outcomes. Export → JSON → import is lossless for the fields in the table that
 * {@link ImportedIncident} returns.
 *
 * Where we were unsure of the standard (checked against the NENA EIDO-JSON repository's
 * OpenAPI 1.0.0 schema and samples, not against the normative text or the registries):
 * - registry values: `incidentTypeCommonRegistryText` (we use APCO common incident type codes,
 *   best effort), incident status, agency type/role, agent role, location type ("Incident",
 *   "Caller"), resource type and unit status values are our best guesses at the NENA registries;
 *   the importer therefore reads only our internal fields for them;
 * - the priority number scale (we follow the sample, where 10 is "very high");
 * - the NIEM JSON shape of the caller's name (`ncPersonComponent.name[0].fullName`);
 * - INEGI codes in civic `A1`/`A2` (RFC 5139 expects names) and the address as free text in `LOC`;
 * - the agency identifier: NENA wants a domain name (STA-010); we use the centre code until
 *   centres have registered ones;
 * - there is no `$schema` or separate message identifier in 1.0 (some third-party tools use
 *   `eidoMessageIdentifier`); the document `$id` is the incident tracking identifier.
 */
import { z } from 'zod';
import { CAPABILITIES, INCIDENT_STATUSES, PRIORITIES, UNIT_STATUSES, UNIT_TYPES } from './dispatch.types.js';
import type {
  Assignment,
  Call,
  Capability,
  Incident,
  IncidentStatus,
  Location,
  Priority,
  TimelineEntry,
  Unit,
  UnitType,
} from './dispatch.types.js';

// ---------------------------------------------------------------------------------------------
// Schema (the subset we produce and read)

const ref = z.object({ $ref: z.string().min(1) });
const timestamp = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time with a time zone' });
const prologue = {
  $id: z.string().min(1),
  lastUpdateTimeStamp: timestamp,
  updatedByAgencyReference: ref,
  updatedByAgentReference: ref.optional(),
};

const agencyComponent = z.looseObject({
  ...prologue,
  agencyJcard: z.string().optional(),
  agencyRoleDescriptionRegistryText: z.array(z.string()).min(1),
  agencyType: z.array(z.string()).min(1),
  incidentOwningAgencyIndicator: z.boolean().optional(),
});

const agentComponent = z.looseObject({
  ...prologue,
  agentJcard: z.string().optional(),
  agentRoleRegistryText: z.array(z.string()).min(1),
  agencyReference: ref,
});

const incidentComponent = z.looseObject(
  {
    ...prologue,
    incidentTypeCommonRegistryText: z.string().min(1),
    incidentTypeInternalCode: z.string().regex(/^\d{5}$/, 'expected a five-digit CNIE incident type code'),
    incidentTypeInternalText: z.string().optional(),
    incidentStatusCommonRegistryText: z.array(z.string()).optional(),
    incidentStatusInternalText: z.array(z.string()).optional(),
    internalIncidentId: z.string().optional(),
    incidentPriorityInternalText: z
      .enum(PRIORITIES, { error: (iss) => `unknown priority ${JSON.stringify(iss.input)}: expected ALTA, MEDIA or BAJA` })
      .optional(),
    incidentCommonPriorityNumber: z.number().int().optional(),
    locationReference: z.array(ref).min(1, 'the incident needs a location reference'),
    personReference: z.array(ref).optional(),
    notesReference: z.array(ref).optional(),
    agentReference: z.array(ref).optional(),
  },
  { error: (iss) => (iss.input === undefined ? 'missing incident component' : undefined) },
);

const locationComponent = z.looseObject({
  ...prologue,
  locationTypeDescriptionRegistryText: z.string().min(1),
  locationByValue: z.string().optional(),
  locationByReferenceUrl: z.string().optional(),
  locationDescriptionText: z.string().optional(),
  localIdentifier: z.array(z.string()).optional(),
});

const notesComponent = z.looseObject({
  ...prologue,
  notesActionComments: z.string(),
  agentReference: ref.optional(),
});

const callComponent = z.looseObject({
  ...prologue,
  standardPrimaryCallType: z.string().min(1),
  direction: z.enum(['incoming', 'outgoing', 'internal']),
  callStartTimestamp: timestamp,
  answerDate: timestamp.optional(),
  callStateRegistryText: z.string().min(1),
  callBackReference: ref.optional(),
  locationReference: z.array(ref).optional(),
  personReference: z.array(ref).optional(),
  agentReference: z.array(ref).optional(),
});

const callbackComponent = z.looseObject({
  ...prologue,
  callBackInformationUri: z.array(z.string()).optional(),
  deviceContactHeader: z.string().optional(),
});

const personComponent = z.looseObject({
  ...prologue,
  personIncidentRoleRegistryText: z.array(z.string()).min(1),
  ncPersonComponent: z.looseObject({ name: z.array(z.looseObject({ fullName: z.string().optional() })).optional() }).optional(),
  callIdentifier: z.array(z.string()).optional(),
  callBackReference: ref.optional(),
  locationReference: z.array(ref).optional(),
});

const emergencyResourceComponent = z.looseObject({
  ...prologue,
  emergencyResourceTypeCommonRegistryText: z.string().min(1),
  emergencyResourceTypeInternalText: z.string().optional(),
  resourceAttributeRegistryText: z.array(z.string()),
  resourceAttributeInternalText: z.array(z.string()).optional(),
  emergencyResourceName: z.string().optional(),
  primaryUnitStatusRegistryText: z.string().min(1),
  secondaryUnitStatusRegistryText: z.array(z.string()),
  unitStatusInternal: z.array(z.string()).optional(),
  agentReference: z.array(ref),
});

const dispatchComponent = z.looseObject({
  ...prologue,
  agencyReference: ref.optional(),
  agentReference: ref.optional(),
  emergencyResourceReference: z.array(ref).optional(),
});

/** Zod schema of the EIDO subset this module writes and reads (unknown members are allowed). */
export const eidoDocumentSchema = z.looseObject({
  ...prologue,
  eidoVersion: z.literal('1.0'),
  issuingElementIdentification: z.string().min(1),
  incidentComponent,
  callComponent: z.array(callComponent).optional(),
  callbackComponent: z.array(callbackComponent).optional(),
  dispatchComponent: z.array(dispatchComponent).optional(),
  notesComponent: z.array(notesComponent).optional(),
  emergencyResourceComponent: z.array(emergencyResourceComponent).optional(),
  agencyComponent: z.array(agencyComponent).min(1),
  agentComponent: z.array(agentComponent).optional(),
  locationComponent: z.array(locationComponent).optional(),
  personComponent: z.array(personComponent).optional(),
});

/** An EIDO document as this module produces it. */
export type EidoDocument = z.infer<typeof eidoDocumentSchema>;
type EidoLocation = z.infer<typeof locationComponent>;
type EidoAgent = z.infer<typeof agentComponent>;
type EidoNote = z.infer<typeof notesComponent>;
type EidoCall = z.infer<typeof callComponent>;
type EidoCallback = z.infer<typeof callbackComponent>;
type EidoPerson = z.infer<typeof personComponent>;
type EidoResource = z.infer<typeof emergencyResourceComponent>;
type EidoDispatch = z.infer<typeof dispatchComponent>;

// ---------------------------------------------------------------------------------------------
// Export

/** The exporting C4/C5. */
export interface EidoCentre {
  readonly id: string;
  readonly name: string;
  /** Short code, e.g. "C5-CDMX"; used as the NENA agency identifier. */
  readonly code: string;
  /** INEGI state code. */
  readonly stateCode: string;
}

/** Input of {@link exportEido}. */
export interface EidoExportInput {
  readonly incident: Incident;
  /** CNIE name of `incident.typeCode` (written as `incidentTypeInternalText`). */
  readonly typeName?: string | null;
  readonly calls: readonly Call[];
  /** The incident's timeline; only `note` entries with text are exported. */
  readonly timeline: readonly TimelineEntry[];
  readonly units?: readonly Unit[];
  /** Assignments of the units to this incident. */
  readonly assignments?: readonly Assignment[];
  readonly centre: EidoCentre;
  readonly exportedBy: { readonly id: string; readonly name: string | null };
  /** ISO 8601, UTC. */
  readonly exportedAt: string;
}

const PRIORITY_NUMBER: Record<Priority, number> = { ALTA: 8, MEDIA: 5, BAJA: 2 };

const STATUS_COMMON: Record<IncidentStatus, string> = {
  pending: 'Pending',
  dispatched: 'Dispatched',
  en_route: 'Enroute',
  on_scene: 'OnScene',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

const UNIT_STATUS_COMMON: Record<Unit['status'], string> = {
  available: 'Available',
  dispatched: 'Dispatched',
  en_route: 'Enroute',
  on_scene: 'OnScene',
  returning: 'Returning',
  out_of_service: 'OutOfService',
};

const RESOURCE_TYPE_COMMON: Record<UnitType, string> = {
  patrol_car: 'Law Enforcement',
  motorcycle: 'Law Enforcement Motorcycle',
  ambulance: 'Ambulance',
  fire_engine: 'Engine',
  rescue: 'Rescue',
  hazmat: 'Hazmat',
  civil_protection: 'Civil Protection',
  tow_truck: 'Tow Truck',
  helicopter: 'Helicopter',
};

/**
 * Best-effort APCO common incident type for a CNIE code (longest matching code prefix wins).
 * Informative only: receivers that know CNIE read `incidentTypeInternalCode`.
 */
const COMMON_INCIDENT_TYPE: Readonly<Record<string, string>> = {
  '1': 'SICK',
  '101': 'MVAINJY',
  '10101': 'WATER',
  '10102': 'AIR',
  '10105': 'TRAIN',
  '10106': 'TRAIN',
  '10113': 'AIR',
  '10114': 'WATER',
  '10115': 'WATER',
  '10117': 'WATER',
  '10118': 'HAZMAT',
  '10119': 'RADIAT',
  '10120': 'BIO',
  '102': 'TRAUMA',
  '10201': 'DROWN',
  '10203': 'CHOKE',
  '10204': 'FALL',
  '10205': 'ELEC',
  '10207': 'HEMRG',
  '10208': 'STABBING',
  '10209': 'SHOOT',
  '10210': 'BITE',
  '10211': 'BURN',
  '10221': 'CHOKE',
  '10301': 'PREG',
  '10302': 'PREG',
  '10303': 'PREG',
  '10304': 'STROKE',
  '10305': 'RESP',
  '10306': 'INTOX',
  '10307': 'SEIZURE',
  '10308': 'PERUNCON',
  '10311': 'ABDOM',
  '10312': 'DIABETIC',
  '10313': 'RESPARR',
  '10314': 'CARDIAC',
  '10315': 'OD',
  '10317': 'DEATH',
  '10318': 'EDP',
  '10319': 'PANDEMIC',
  '2': 'ASSIST',
  '20103': 'ANIMAL',
  '20104': 'ANIMAL',
  '20107': 'EXPLOS',
  '20108': 'CHEMICAL',
  '20110': 'HAZMAT',
  '20111': 'ODOR',
  '20112': 'RADIAT',
  '20114': 'HAZMAT',
  '20115': 'GASLEAK',
  '203': 'FOTHER',
  '20301': 'FSTRU',
  '20302': 'FSTRU',
  '20303': 'FVEH',
  '20304': 'FSTRU',
  '20305': 'FSTRU',
  '20306': 'FMARINE',
  '20307': 'FBRUSH',
  '20310': 'FSTRU',
  '204': 'RESCUE',
  '20402': 'ENTRAP',
  '3': 'INVEST',
  '30201': 'EXPLOS',
  '30202': 'SHOOT',
  '30206': 'SHOOT',
  '303': 'TROUBLE',
  '30309': 'MVA',
  '304': 'LARCENY',
  '30413': 'BURGLARY',
  '30414': 'BURGLARY',
  '30419': 'ROBBERY',
  '30421': 'ROBBERY',
  '30429': 'CARJACK',
  '30430': 'VEHSTLN',
  '30406': 'EXTORT',
  '30407': 'EXTORT',
  '305': 'DVA',
  '30603': 'ABDUCTNF',
  '30604': 'HOSTAGE',
  '307': 'SEXOFFNS',
  '30804': 'TERROR',
  '30805': 'BOMB',
  '30810': 'BOMB',
  '30803': 'SHOOT',
  '30905': 'SUICTHRT',
  '30906': 'HOMICIDE',
  '30908': 'SUICIDE',
  '30909': 'ASSAULT',
  '311': 'DISORD',
  '31103': 'DUI',
  '31112': 'FIGHT',
  '4': 'PUBWKS',
  '40106': 'WIRES',
  '5': 'ASSIST',
  '50104': 'FRAUD',
  '50105': 'NOISE',
  '6': 'INFO',
  '7': 'MISCON',
};

/** APCO common incident type for a CNIE code (see {@link COMMON_INCIDENT_TYPE}). */
export function commonIncidentType(code: string): string {
  for (let n = code.length; n > 0; n--) {
    const hit = COMMON_INCIDENT_TYPE[code.slice(0, n)];
    if (hit) return hit;
  }
  return 'INFO';
}

/** Builds the EIDO of an incident (see the mapping table at the top of this file). */
export function exportEido(input: EidoExportInput): EidoDocument {
  const { incident, centre, exportedAt } = input;
  const agencyId = centre.code;
  const trackingId = `urn:emergency:uid:incidentid:${incident.id}:${agencyId}`;
  const agencyRef = { $ref: agencyId };
  const cid = (kind: string, n: number | string): string => `${trackingId}:${kind}:${n}`;

  // Agents: one per user id (or per name when there is no id) seen as note author, call
  // operator or exporter; components are written at the end, once every name is known.
  const agentSeen = new Map<string, { $id: string; id: string | null; name: string | null; role: string }>();
  const agentRef = (id: string | null, name: string | null, role: string): { $ref: string } | undefined => {
    if (id === null && name === null) return undefined;
    const key = id !== null ? `id:${id}` : `name:${name}`;
    let agent = agentSeen.get(key);
    if (!agent) agentSeen.set(key, (agent = { $id: cid('agent', agentSeen.size), id, name, role }));
    else agent.name ??= name;
    return { $ref: agent.$id };
  };
  const exporterRef = agentRef(input.exportedBy.id, input.exportedBy.name, 'Supervisor');

  const locations: EidoLocation[] = [];
  const incidentLocation = incident.location;
  const incidentLocationId = cid('location', 'incident');
  locations.push({
    $id: incidentLocationId,
    lastUpdateTimeStamp: incident.updatedAt,
    updatedByAgencyReference: agencyRef,
    locationTypeDescriptionRegistryText: 'Incident',
    locationByValue: pidfLo(`pres:incident-${incident.id}@${agencyId}`, incidentLocation, incident.updatedAt, {
      country: 'MX',
      A1: incidentLocation.stateCode,
      A2: incidentLocation.municipalityCode,
      ...(incidentLocation.address ? { LOC: incidentLocation.address } : {}),
    }),
    ...(incidentLocation.coloniaId || incidentLocation.quadrantId
      ? {
          localIdentifier: [
            ...(incidentLocation.coloniaId ? [`colonia:${incidentLocation.coloniaId}`] : []),
            ...(incidentLocation.quadrantId ? [`cuadrante:${incidentLocation.quadrantId}`] : []),
          ],
        }
      : {}),
  });

  const notes: EidoNote[] = input.timeline
    .filter((e) => e.kind === 'note' && e.text !== null && e.text !== '')
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1))
    .map((e, i) => {
      const author = agentRef(e.authorId, e.authorName, 'Dispatching');
      return {
        $id: cid('note', i),
        lastUpdateTimeStamp: e.at,
        updatedByAgencyReference: agencyRef,
        ...(author ? { updatedByAgentReference: author, agentReference: author } : {}),
        notesActionComments: textToHtml(e.text ?? ''),
      };
    });

  const calls: EidoCall[] = [];
  const callbacks: EidoCallback[] = [];
  const persons: EidoPerson[] = [];
  [...input.calls]
    .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.id < b.id ? -1 : 1))
    .forEach((call, i) => {
      const callId = `urn:emergency:uid:callid:${call.id}:${agencyId}`;
      const callbackId = cid('callback', i);
      callbacks.push({
        $id: callbackId,
        lastUpdateTimeStamp: call.receivedAt,
        updatedByAgencyReference: agencyRef,
        callBackInformationUri: [`tel:${call.ani}`],
      });
      let locationRef: { $ref: string } | undefined;
      if (call.callerLocation) {
        const $id = cid('location', `call-${i}`);
        locations.push({
          $id,
          lastUpdateTimeStamp: call.receivedAt,
          updatedByAgencyReference: agencyRef,
          locationTypeDescriptionRegistryText: 'Caller',
          locationByValue: pidfLo(`pres:caller-${call.id}@${agencyId}`, call.callerLocation, call.receivedAt, null),
        });
        locationRef = { $ref: $id };
      }
      let personRef: { $ref: string } | undefined;
      if (call.callerName !== null) {
        const $id = cid('person', i);
        persons.push({
          $id,
          lastUpdateTimeStamp: call.receivedAt,
          updatedByAgencyReference: agencyRef,
          personIncidentRoleRegistryText: ['Caller'],
          ncPersonComponent: { name: [{ fullName: call.callerName }] },
          callIdentifier: [callId],
          callBackReference: { $ref: callbackId },
          ...(locationRef ? { locationReference: [locationRef] } : {}),
        });
        personRef = { $ref: $id };
      }
      const operator = agentRef(call.operatorId, null, 'Call Taking');
      calls.push({
        $id: callId,
        // EIDO 1.0 has no call end time: a call in state callEnd was last updated when it ended.
        lastUpdateTimeStamp: call.endedAt ?? call.answeredAt ?? call.receivedAt,
        updatedByAgencyReference: agencyRef,
        ...(operator ? { updatedByAgentReference: operator, agentReference: [operator] } : {}),
        standardPrimaryCallType: 'emergency',
        direction: 'incoming',
        callStartTimestamp: call.receivedAt,
        ...(call.answeredAt ? { answerDate: call.answeredAt } : {}),
        callStateRegistryText: call.endedAt ? 'callEnd' : call.answeredAt ? 'callAnswered' : 'callBegin',
        callBackReference: { $ref: callbackId },
        ...(locationRef ? { locationReference: [locationRef] } : {}),
        ...(personRef ? { personReference: [personRef] } : {}),
      });
    });

  const resources: EidoResource[] = [];
  const dispatches: EidoDispatch[] = [];
  const unitsById = new Map((input.units ?? []).map((u) => [u.id, u]));
  const assignments = [...(input.assignments ?? [])].filter((a) => a.incidentId === incident.id && unitsById.has(a.unitId));
  assignments.sort((a, b) => (a.assignedAt < b.assignedAt ? -1 : a.assignedAt > b.assignedAt ? 1 : a.id < b.id ? -1 : 1));
  const resourceIds = new Map<string, string>();
  for (const assignment of assignments) {
    const unit = unitsById.get(assignment.unitId)!;
    let resourceId = resourceIds.get(unit.id);
    if (!resourceId) {
      resourceId = cid('resource', resources.length);
      resourceIds.set(unit.id, resourceId);
      resources.push({
        $id: resourceId,
        lastUpdateTimeStamp: unit.statusAt,
        updatedByAgencyReference: agencyRef,
        emergencyResourceTypeCommonRegistryText: RESOURCE_TYPE_COMMON[unit.type],
        emergencyResourceTypeInternalText: unit.type,
        resourceAttributeRegistryText: ['Other'],
        resourceAttributeInternalText: [...unit.capabilities],
        emergencyResourceName: unit.callSign,
        primaryUnitStatusRegistryText: UNIT_STATUS_COMMON[unit.status],
        secondaryUnitStatusRegistryText: [],
        unitStatusInternal: [unit.status],
        // Crew members are local user ids, meaningless to the receiving centre.
        agentReference: [],
      });
    }
    dispatches.push({
      $id: cid('dispatch', dispatches.length),
      lastUpdateTimeStamp: assignment.assignedAt,
      updatedByAgencyReference: agencyRef,
      emergencyResourceReference: [{ $ref: resourceId }],
    });
  }

  const agents: EidoAgent[] = [...agentSeen.values()].map((a) => ({
    $id: a.$id,
    lastUpdateTimeStamp: exportedAt,
    updatedByAgencyReference: agencyRef,
    agentJcard: jCard([...(a.name !== null ? [['fn', a.name] as const] : []), ...(a.id !== null ? [['uid', a.id] as const] : [])]),
    agentRoleRegistryText: [a.role],
    agencyReference: agencyRef,
  }));
  const priority = incident.priority;
  return {
    $id: trackingId,
    lastUpdateTimeStamp: exportedAt,
    updatedByAgencyReference: agencyRef,
    ...(exporterRef ? { updatedByAgentReference: exporterRef } : {}),
    eidoVersion: '1.0',
    issuingElementIdentification: `openc5:${agencyId}`,
    incidentComponent: {
      $id: cid('incident', 0),
      lastUpdateTimeStamp: incident.updatedAt,
      updatedByAgencyReference: agencyRef,
      incidentTypeCommonRegistryText: commonIncidentType(incident.typeCode),
      incidentTypeInternalCode: incident.typeCode,
      ...(input.typeName ? { incidentTypeInternalText: input.typeName } : {}),
      incidentStatusCommonRegistryText: [STATUS_COMMON[incident.status]],
      incidentStatusInternalText: [incident.status],
      internalIncidentId: incident.folio,
      incidentPriorityInternalText: priority,
      incidentCommonPriorityNumber: PRIORITY_NUMBER[priority],
      locationReference: [{ $ref: incidentLocationId }],
      ...(persons.length ? { personReference: persons.map((p) => ({ $ref: p.$id })) } : {}),
      ...(notes.length ? { notesReference: notes.map((n) => ({ $ref: n.$id })) } : {}),
    },
    ...(calls.length ? { callComponent: calls, callbackComponent: callbacks } : {}),
    ...(dispatches.length ? { dispatchComponent: dispatches, emergencyResourceComponent: resources } : {}),
    ...(notes.length ? { notesComponent: notes } : {}),
    agencyComponent: [
      {
        $id: agencyId,
        lastUpdateTimeStamp: exportedAt,
        updatedByAgencyReference: agencyRef,
        agencyJcard: jCard([
          ['fn', centre.name],
          ['uid', centre.id],
          ['adr', ['', '', '', '', centre.stateCode, '', 'MX']],
        ]),
        agencyRoleDescriptionRegistryText: ['CallReceiving', 'Dispatch'],
        agencyType: ['psap'],
        incidentOwningAgencyIndicator: true,
      },
    ],
    ...(agents.length ? { agentComponent: agents } : {}),
    locationComponent: locations,
    ...(persons.length ? { personComponent: persons } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Import

/** A validation problem: `path` like `locationComponent[0].locationByValue`, `$` for the root. */
export interface EidoError {
  readonly path: string;
  readonly message: string;
}

/** A call of an imported incident. */
export interface ImportedCall {
  /** The sender's call id (from `urn:emergency:uid:callid:<id>:<agency>`), or the component `$id`. */
  readonly externalId: string;
  readonly ani: string | null;
  readonly callerName: string | null;
  readonly callerLocation: { lat: number; lon: number; uncertaintyM: number | null } | null;
  readonly receivedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
}

/** A note of an imported incident. */
export interface ImportedNote {
  readonly at: string;
  readonly authorName: string | null;
  /** The author's id at the sending centre, when given. */
  readonly authorExternalId: string | null;
  readonly text: string;
}

/** A unit the sending centre had assigned. */
export interface ImportedResource {
  readonly callSign: string | null;
  readonly type: UnitType | null;
  readonly capabilities: Capability[];
  readonly status: Unit['status'] | null;
  readonly assignedAt: string | null;
}

/** An incident read from an EIDO, mapped to our model (not yet stored). */
export interface ImportedIncident {
  /** Where it comes from: the external reference to keep with the new incident. */
  readonly external: {
    /** The document `$id` (incident tracking identifier). */
    readonly trackingId: string;
    /** The sender's incident id, when the tracking id has the `urn:emergency:uid:incidentid:` form. */
    readonly incidentId: string | null;
    /** The sender's folio (`internalIncidentId`). */
    readonly folio: string | null;
    readonly centre: { readonly code: string; readonly id: string | null; readonly name: string | null; readonly stateCode: string | null };
    readonly lastUpdatedAt: string;
  };
  readonly typeCode: string;
  readonly typeText: string | null;
  readonly priority: Priority;
  /** The sender's status, when it is one of ours. */
  readonly status: IncidentStatus | null;
  /** Codes are null when the document has none (resolve them from lat/lon with the geo module). */
  readonly location: Omit<Location, 'stateCode' | 'municipalityCode' | 'uncertaintyM' | 'coloniaId' | 'quadrantId' | 'address'> & {
    readonly stateCode: string | null;
    readonly municipalityCode: string | null;
    readonly uncertaintyM: number | null;
    readonly coloniaId: string | null;
    readonly quadrantId: string | null;
    readonly address: string | null;
  };
  readonly notes: ImportedNote[];
  readonly calls: ImportedCall[];
  readonly resources: ImportedResource[];
}

/** Result of {@link importEido}. */
export type EidoImportResult = { ok: true; value: ImportedIncident } | { ok: false; errors: EidoError[] };

/**
 * Validates an EIDO (parsed JSON) and maps it to our model. Errors carry the path of the
 * offending member: schema errors, dangling `$ref`s, duplicate `$id`s, unreadable or
 * out-of-range PIDF-LO coordinates, a missing priority.
 */
export function importEido(doc: unknown): EidoImportResult {
  const parsed = eidoDocumentSchema.safeParse(unwrapIncidentArray(doc));
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
  const eido = parsed.data;
  const errors: EidoError[] = [];

  // Every component by $id, and every reference checked against the kinds it may point to.
  const byId = new Map<string, { kind: string; path: string }>();
  const register = (kind: string, items: readonly { $id: string }[] | undefined): void => {
    items?.forEach((item, i) => {
      const path = `${kind}[${i}].$id`;
      if (byId.has(item.$id)) errors.push({ path, message: `duplicate $id ${JSON.stringify(item.$id)}` });
      else byId.set(item.$id, { kind, path });
    });
  };
  register('agencyComponent', eido.agencyComponent);
  register('agentComponent', eido.agentComponent);
  register('locationComponent', eido.locationComponent);
  register('notesComponent', eido.notesComponent);
  register('callComponent', eido.callComponent);
  register('callbackComponent', eido.callbackComponent);
  register('personComponent', eido.personComponent);
  register('emergencyResourceComponent', eido.emergencyResourceComponent);
  register('dispatchComponent', eido.dispatchComponent);

  const resolve = (r: { $ref: string } | undefined, kind: string, path: string): string | null => {
    if (!r) return null;
    const target = byId.get(r.$ref);
    if (!target) errors.push({ path, message: `reference ${JSON.stringify(r.$ref)} resolves to no component` });
    else if (target.kind !== kind)
      errors.push({ path, message: `reference ${JSON.stringify(r.$ref)} is a ${target.kind}, expected a ${kind}` });
    else return r.$ref;
    return null;
  };
  const prologueRefs = (
    c: { updatedByAgencyReference: { $ref: string }; updatedByAgentReference?: { $ref: string } },
    path: string,
  ): void => {
    resolve(c.updatedByAgencyReference, 'agencyComponent', `${path}updatedByAgencyReference`);
    resolve(c.updatedByAgentReference, 'agentComponent', `${path}updatedByAgentReference`);
  };
  prologueRefs(eido, '');
  const inc = eido.incidentComponent;
  prologueRefs(inc, 'incidentComponent.');
  const components: [string, readonly (Parameters<typeof prologueRefs>[0] & { $id: string })[] | undefined][] = [
    ['agencyComponent', eido.agencyComponent],
    ['agentComponent', eido.agentComponent],
    ['locationComponent', eido.locationComponent],
    ['notesComponent', eido.notesComponent],
    ['callComponent', eido.callComponent],
    ['callbackComponent', eido.callbackComponent],
    ['personComponent', eido.personComponent],
    ['emergencyResourceComponent', eido.emergencyResourceComponent],
    ['dispatchComponent', eido.dispatchComponent],
  ];
  for (const [kind, items] of components) items?.forEach((c, i) => prologueRefs(c, `${kind}[${i}].`));
  eido.agentComponent?.forEach((a, i) => resolve(a.agencyReference, 'agencyComponent', `agentComponent[${i}].agencyReference`));

  const get = <T extends { $id: string }>(items: readonly T[] | undefined, id: string | null): T | undefined =>
    id === null ? undefined : items?.find((x) => x.$id === id);
  const pathOf = (id: string): string => byId.get(id)?.path.replace(/\.\$id$/, '') ?? '$';

  // Incident location (by value: we need coordinates).
  const locationId = resolve(inc.locationReference[0], 'locationComponent', 'incidentComponent.locationReference[0]');
  inc.locationReference.slice(1).forEach((r, i) => resolve(r, 'locationComponent', `incidentComponent.locationReference[${i + 1}]`));
  let location: ImportedIncident['location'] | null = null;
  const incidentLocation = get(eido.locationComponent, locationId);
  if (incidentLocation && locationId) {
    const point = readLocation(incidentLocation, pathOf(locationId), errors, true);
    if (point) {
      const local = incidentLocation.localIdentifier ?? [];
      const localValue = (prefix: string): string | null => local.find((l) => l.startsWith(prefix))?.slice(prefix.length) ?? null;
      location = {
        lat: point.lat,
        lon: point.lon,
        uncertaintyM: point.uncertaintyM,
        stateCode: point.civic.get('A1') ?? null,
        municipalityCode: point.civic.get('A2') ?? null,
        coloniaId: localValue('colonia:'),
        quadrantId: localValue('cuadrante:'),
        address: point.civic.get('LOC') ?? null,
      };
    }
  }

  // Priority: our internal text, else the common number (same scale as the export).
  let priority: Priority | null = inc.incidentPriorityInternalText ?? null;
  if (!priority && inc.incidentCommonPriorityNumber !== undefined) {
    const n = inc.incidentCommonPriorityNumber;
    priority = n >= 7 ? 'ALTA' : n >= 4 ? 'MEDIA' : 'BAJA';
  }
  if (!priority)
    errors.push({
      path: 'incidentComponent.incidentPriorityInternalText',
      message: 'no priority (incidentPriorityInternalText or incidentCommonPriorityNumber)',
    });

  const statusText = inc.incidentStatusInternalText?.[0];
  const status = INCIDENT_STATUSES.find((s) => s === statusText) ?? null;

  // Notes, in the incident's order (or document order when the incident lists none).
  const agentName = (id: string | null): { name: string | null; uid: string | null } => {
    const agent = get(eido.agentComponent, id);
    return agent?.agentJcard ? readJCard(agent.agentJcard) : { name: null, uid: null };
  };
  const noteIds = inc.notesReference
    ? inc.notesReference.map((r, i) => resolve(r, 'notesComponent', `incidentComponent.notesReference[${i}]`))
    : (eido.notesComponent ?? []).map((n) => n.$id);
  const notes: ImportedNote[] = [];
  for (const id of noteIds) {
    const note = get(eido.notesComponent, id);
    if (!note || !id) continue;
    const author = note.agentReference ?? note.updatedByAgentReference;
    const authorId = resolve(author, 'agentComponent', `${pathOf(id)}.agentReference`);
    const { name, uid } = agentName(authorId);
    notes.push({ at: utc(note.lastUpdateTimeStamp), authorName: name, authorExternalId: uid, text: htmlToText(note.notesActionComments) });
  }
  inc.personReference?.forEach((r, i) => resolve(r, 'personComponent', `incidentComponent.personReference[${i}]`));
  inc.agentReference?.forEach((r, i) => resolve(r, 'agentComponent', `incidentComponent.agentReference[${i}]`));

  // Calls.
  const calls: ImportedCall[] = [];
  eido.callComponent?.forEach((call, i) => {
    const path = `callComponent[${i}]`;
    const callback = get(eido.callbackComponent, resolve(call.callBackReference, 'callbackComponent', `${path}.callBackReference`));
    const uri = callback?.callBackInformationUri?.find((u) => /^tel:/i.test(u)) ?? callback?.callBackInformationUri?.[0];
    let callerName: string | null = null;
    call.personReference?.forEach((r, k) => {
      const person = get(eido.personComponent, resolve(r, 'personComponent', `${path}.personReference[${k}]`));
      if (callerName === null && person?.personIncidentRoleRegistryText.some((role) => role.toLowerCase() === 'caller'))
        callerName = person.ncPersonComponent?.name?.[0]?.fullName ?? null;
    });
    let callerLocation: ImportedCall['callerLocation'] = null;
    call.locationReference?.forEach((r, k) => {
      const id = resolve(r, 'locationComponent', `${path}.locationReference[${k}]`);
      const loc = get(eido.locationComponent, id);
      if (!loc || !id || callerLocation) return;
      const point = readLocation(loc, pathOf(id), errors, false);
      if (point) callerLocation = { lat: point.lat, lon: point.lon, uncertaintyM: point.uncertaintyM };
    });
    call.agentReference?.forEach((r, k) => resolve(r, 'agentComponent', `${path}.agentReference[${k}]`));
    const ended = call.callStateRegistryText === 'callEnd';
    calls.push({
      externalId: /^urn:emergency:uid:callid:(.+):[^:]+$/.exec(call.$id)?.[1] ?? call.$id,
      ani: uri ? uri.replace(/^(tel|sip|sips):/i, '') : null,
      callerName,
      callerLocation,
      receivedAt: utc(call.callStartTimestamp),
      answeredAt: call.answerDate ? utc(call.answerDate) : null,
      endedAt: ended ? utc(call.lastUpdateTimeStamp) : null,
    });
  });

  // Units the sender had dispatched.
  const resources: ImportedResource[] = [];
  const seen = new Set<string>();
  eido.dispatchComponent?.forEach((d, i) => {
    resolve(d.agencyReference, 'agencyComponent', `dispatchComponent[${i}].agencyReference`);
    resolve(d.agentReference, 'agentComponent', `dispatchComponent[${i}].agentReference`);
    d.emergencyResourceReference?.forEach((r, k) => {
      const id = resolve(r, 'emergencyResourceComponent', `dispatchComponent[${i}].emergencyResourceReference[${k}]`);
      const res = get(eido.emergencyResourceComponent, id);
      if (!res || !id || seen.has(id)) return;
      seen.add(id);
      resources.push({
        callSign: res.emergencyResourceName ?? null,
        type: UNIT_TYPES.find((t) => t === res.emergencyResourceTypeInternalText) ?? null,
        capabilities: CAPABILITIES.filter((c) => res.resourceAttributeInternalText?.includes(c)),
        status: UNIT_STATUSES.find((s) => s === res.unitStatusInternal?.[0]) ?? null,
        assignedAt: utc(d.lastUpdateTimeStamp),
      });
    });
  });

  // The owning agency is the originating centre.
  const owner =
    eido.agencyComponent.find((a) => a.incidentOwningAgencyIndicator) ??
    eido.agencyComponent.find((a) => a.$id === eido.updatedByAgencyReference.$ref);
  const centreCard = owner?.agencyJcard ? readJCard(owner.agencyJcard) : { name: null, uid: null, region: null };

  if (errors.length > 0 || !location || !priority) return { ok: false, errors };
  return {
    ok: true,
    value: {
      external: {
        trackingId: eido.$id,
        incidentId: /^urn:emergency:uid:incidentid:(.+):[^:]+$/.exec(eido.$id)?.[1] ?? null,
        folio: inc.internalIncidentId ?? null,
        centre: {
          code: owner?.$id ?? eido.updatedByAgencyReference.$ref,
          id: centreCard.uid,
          name: centreCard.name,
          stateCode: centreCard.region ?? null,
        },
        lastUpdatedAt: utc(eido.lastUpdateTimeStamp),
      },
      typeCode: inc.incidentTypeInternalCode,
      typeText: inc.incidentTypeInternalText ?? null,
      priority,
      status,
      location,
      notes,
      calls,
      resources,
    },
  };
}

/** Early drafts and samples wrap the incident component in an array of one. */
function unwrapIncidentArray(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return doc;
  const incident = (doc as { incidentComponent?: unknown }).incidentComponent;
  return Array.isArray(incident) && incident.length === 1 ? { ...doc, incidentComponent: incident[0] } : doc;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '$' : out;
}

/** Timestamps in UTC: kept verbatim when already UTC, converted when they carry an offset. */
function utc(value: string): string {
  return value.endsWith('Z') ? value : new Date(value).toISOString();
}

// ---------------------------------------------------------------------------------------------
// PIDF-LO (RFC 4119 / 5491 geodetic point or circle, RFC 5139 civic address)

const PIDF_NS =
  'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml" ' +
  'xmlns:gs="http://www.opengis.net/pidflo/1.0" xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"';

/** PIDF-LO with a geodetic tuple (point, or circle when the uncertainty is known) and an optional civic tuple. */
function pidfLo(
  entity: string,
  point: { lat: number; lon: number; uncertaintyM?: number | null },
  at: string,
  civic: Record<string, string> | null,
): string {
  const pos = `<gml:pos>${point.lat} ${point.lon}</gml:pos>`;
  const shape =
    point.uncertaintyM !== null && point.uncertaintyM !== undefined
      ? `<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326">${pos}<gs:radius uom="urn:ogc:def:uom:EPSG::9001">${point.uncertaintyM}</gs:radius></gs:Circle>`
      : `<gml:Point srsName="urn:ogc:def:crs:EPSG::4326">${pos}</gml:Point>`;
  const tuple = (id: string, info: string): string =>
    `<tuple id="${id}"><status><gp:geopriv><gp:location-info>${info}</gp:location-info><gp:usage-rules/></gp:geopriv></status><timestamp>${xmlEscape(at)}</timestamp></tuple>`;
  const civicXml = civic
    ? tuple(
        'civic',
        `<ca:civicAddress>${Object.entries(civic)
          .map(([k, v]) => `<ca:${k}>${xmlEscape(v)}</ca:${k}>`)
          .join('')}</ca:civicAddress>`,
      )
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?><presence ${PIDF_NS} entity="${xmlEscape(entity)}">${tuple('geo', shape)}${civicXml}</presence>`;
}

const ANY_PREFIX = '(?:[\\w.-]+:)?';
const POS = new RegExp(`<${ANY_PREFIX}pos\\b[^>]*>([^<]*)</${ANY_PREFIX}pos>`);
const RADIUS = new RegExp(`<${ANY_PREFIX}radius\\b[^>]*>([^<]*)</${ANY_PREFIX}radius>`);
const CIVIC = new RegExp(`<${ANY_PREFIX}civicAddress\\b[^>]*>([\\s\\S]*?)</${ANY_PREFIX}civicAddress>`);
const CIVIC_ELEMENT = new RegExp(`<${ANY_PREFIX}(\\w+)(?:\\s[^>]*)?>([^<]*)</${ANY_PREFIX}\\1>`, 'g');

interface ReadPoint {
  lat: number;
  lon: number;
  uncertaintyM: number | null;
  civic: Map<string, string>;
}

/** Reads the point of a location component; pushes an error (and returns null) when it cannot. */
function readLocation(loc: EidoLocation, path: string, errors: EidoError[], required: boolean): ReadPoint | null {
  const at = `${path}.locationByValue`;
  if (loc.locationByValue === undefined) {
    if (required) errors.push({ path: at, message: 'the incident location must be given by value (PIDF-LO)' });
    return null;
  }
  const xml = loc.locationByValue;
  const pos = POS.exec(xml)?.[1].trim().split(/\s+/);
  if (!pos || pos.length < 2) {
    errors.push({ path: at, message: 'no gml:pos (point or circle) in the PIDF-LO' });
    return null;
  }
  const [lat, lon] = pos.map(Number);
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) {
    errors.push({ path: at, message: `latitude ${pos[0]} is not a number in [-90, 90]` });
    return null;
  }
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) {
    errors.push({ path: at, message: `longitude ${pos[1]} is not a number in [-180, 180]` });
    return null;
  }
  let uncertaintyM: number | null = null;
  const radius = RADIUS.exec(xml)?.[1].trim();
  if (radius !== undefined) {
    uncertaintyM = Number(radius);
    if (!Number.isFinite(uncertaintyM) || uncertaintyM < 0) {
      errors.push({ path: at, message: `radius ${radius} is not a non-negative number of metres` });
      return null;
    }
  }
  const civic = new Map<string, string>();
  const civicBody = CIVIC.exec(xml)?.[1];
  if (civicBody) for (const m of civicBody.matchAll(CIVIC_ELEMENT)) civic.set(m[1], xmlUnescape(m[2]));
  return { lat, lon, uncertaintyM, civic };
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function xmlUnescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|quot|apos|amp);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[lower] ?? whole;
  });
}

// ---------------------------------------------------------------------------------------------
// Notes (HTML5) and jCard

/** Plain text to the HTML5 EIDO expects in `notesActionComments`: escaped, line breaks as `<br>`. */
function textToHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br>');
}

/** Back to plain text: `<br>` to line breaks, other tags dropped, entities decoded. */
function htmlToText(html: string): string {
  return xmlUnescape(html.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]*>/g, ''));
}

type JCardProperty = readonly [name: string, value: string | readonly string[]];

/** A jCard (RFC 7095) as a JSON string, which is how EIDO carries `agencyJcard` / `agentJcard`. */
function jCard(properties: readonly JCardProperty[]): string {
  return JSON.stringify(['vcard', [['version', {}, 'text', '4.0'], ...properties.map(([name, value]) => [name, {}, 'text', value])]]);
}

/** `fn`, `uid` and the `adr` region of a jCard string; nulls when absent or unreadable. */
function readJCard(text: string): { name: string | null; uid: string | null; region: string | null } {
  const out = { name: null as string | null, uid: null as string | null, region: null as string | null };
  let card: unknown;
  try {
    card = JSON.parse(text);
  } catch {
    return out;
  }
  if (!Array.isArray(card) || card[0] !== 'vcard' || !Array.isArray(card[1])) return out;
  for (const prop of card[1] as unknown[]) {
    if (!Array.isArray(prop) || typeof prop[0] !== 'string') continue;
    const value: unknown = prop[3];
    if (prop[0] === 'fn' && typeof value === 'string') out.name ??= value;
    else if (prop[0] === 'uid' && typeof value === 'string') out.uid ??= value;
    else if (prop[0] === 'adr' && Array.isArray(value) && typeof value[4] === 'string' && value[4] !== '') out.region ??= value[4];
  }
  return out;
}
