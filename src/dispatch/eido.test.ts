import { describe, expect, it } from 'vitest';
import type { Assignment, Call, Incident, TimelineEntry, Unit } from './dispatch.types.js';
import { commonIncidentType, eidoDocumentSchema, exportEido, importEido } from './eido.js';
import type { EidoExportInput, ImportedIncident } from './eido.js';

const incident: Incident = {
  id: '7d0c1f7e-5c1b-4f57-9d59-1b2f0a1e9a01',
  centreId: 'centre-cdmx',
  folio: 'CDMX-2026-000123',
  typeCode: '10104',
  priority: 'ALTA',
  status: 'dispatched',
  closureCode: null,
  location: {
    lat: 19.432608,
    lon: -99.133209,
    uncertaintyM: 25,
    stateCode: '09',
    municipalityCode: '09015',
    coloniaId: '15-037',
    quadrantId: 'P-1.4.8',
    address: 'Av. 5 de Mayo esq. Bolívar, "frente al banco" <acera norte> & más',
  },
  createdAt: '2026-03-02T16:00:00.000Z',
  createdBy: 'user-ana',
  firstDispatchedAt: '2026-03-02T16:03:00.000Z',
  firstArrivedAt: null,
  closedAt: null,
  updatedAt: '2026-03-02T16:05:00.000Z',
};

const calls: Call[] = [
  {
    id: 'call-1',
    centreId: 'centre-cdmx',
    ani: '+525512345678',
    callerName: 'María López Núñez',
    callerLocation: { lat: 19.4327, lon: -99.1333, uncertaintyM: 40 },
    receivedAt: '2026-03-02T15:59:50.000Z',
    answeredAt: '2026-03-02T15:59:55.000Z',
    endedAt: '2026-03-02T16:02:10.000Z',
    operatorId: 'user-ana',
    outcome: 'incident',
    incidentId: incident.id,
    improperCode: null,
    transferredToCentreId: null,
  },
  {
    id: 'call-2',
    centreId: 'centre-cdmx',
    ani: '5598765432',
    callerName: null,
    callerLocation: null,
    receivedAt: '2026-03-02T16:01:00.000Z',
    answeredAt: null,
    endedAt: null,
    operatorId: null,
    outcome: 'linked',
    incidentId: incident.id,
    improperCode: null,
    transferredToCentreId: null,
  },
];

const entry = (
  id: string,
  at: string,
  kind: TimelineEntry['kind'],
  text: string | null,
  authorId: string | null,
  authorName: string | null,
): TimelineEntry => ({
  id,
  incidentId: incident.id,
  at,
  authorId,
  authorName,
  kind,
  text,
  data: null,
});

const timeline: TimelineEntry[] = [
  entry('t0', '2026-03-02T16:00:00.000Z', 'created', null, 'user-ana', 'Ana Pérez'),
  entry(
    't2',
    '2026-03-02T16:02:30.000Z',
    'note',
    'Segundo reporte: hay humo <ligero> & olor a gasolina.\nPiden grúa.',
    'user-luis',
    'Luis García',
  ),
  entry('t1', '2026-03-02T16:01:00.000Z', 'note', 'Dos vehículos, un lesionado consciente.', 'user-ana', 'Ana Pérez'),
  entry('t3', '2026-03-02T16:03:00.000Z', 'assignment', 'P-101 asignada', 'user-luis', 'Luis García'),
  entry('t4', '2026-03-02T16:04:00.000Z', 'note', 'Nota automática del sistema', null, null),
];

const units: Unit[] = [
  {
    id: 'unit-p101',
    agencyId: 'agency-ssc',
    callSign: 'P-101',
    type: 'patrol_car',
    capabilities: ['police', 'traffic'],
    station: null,
    crew: ['user-x'],
    status: 'en_route',
    statusAt: '2026-03-02T16:04:00.000Z',
    position: { lat: 19.44, lon: -99.14, at: '2026-03-02T16:04:00.000Z' },
    incidentId: incident.id,
  },
];

const assignments: Assignment[] = [
  {
    id: 'as-1',
    incidentId: incident.id,
    unitId: 'unit-p101',
    assignedAt: '2026-03-02T16:03:00.000Z',
    assignedBy: 'user-luis',
    acknowledgedAt: null,
    enRouteAt: '2026-03-02T16:04:00.000Z',
    onSceneAt: null,
    clearedAt: null,
  },
];

const exportInput: EidoExportInput = {
  incident,
  typeName: 'Accidente de vehículo automotor con lesionados',
  calls,
  timeline,
  units,
  assignments,
  centre: { id: 'centre-cdmx', name: 'C5 de la Ciudad de México', code: 'C5-CDMX', stateCode: '09' },
  exportedBy: { id: 'user-sup', name: 'Supervisora Rosa' },
  exportedAt: '2026-03-02T16:10:00.000Z',
};

/** Export, serialize, parse: what the receiving centre gets. */
const wire = (input: EidoExportInput = exportInput): Record<string, unknown> =>
  JSON.parse(JSON.stringify(exportEido(input))) as Record<string, unknown>;

function imported(doc: unknown): ImportedIncident {
  const result = importEido(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

function errorsOf(doc: unknown): { path: string; message: string }[] {
  const result = importEido(doc);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('exportEido', () => {
  const doc = exportEido(exportInput);

  it('produces an EIDO 1.0 document that passes its own schema', () => {
    expect(eidoDocumentSchema.safeParse(JSON.parse(JSON.stringify(doc))).success).toBe(true);
    expect(doc.eidoVersion).toBe('1.0');
    expect(doc.$id).toBe(`urn:emergency:uid:incidentid:${incident.id}:C5-CDMX`);
    expect(doc.incidentComponent).toMatchObject({
      incidentTypeInternalCode: '10104',
      incidentTypeCommonRegistryText: 'MVAINJY',
      incidentPriorityInternalText: 'ALTA',
      internalIncidentId: 'CDMX-2026-000123',
      incidentStatusInternalText: ['dispatched'],
    });
    expect(doc.agencyComponent).toHaveLength(1);
    expect(doc.agencyComponent[0]).toMatchObject({ $id: 'C5-CDMX', incidentOwningAgencyIndicator: true });
  });

  it('gives every component a unique $id and every $ref a target', () => {
    const json = JSON.stringify(doc);
    const ids = [...json.matchAll(/"\$id":"([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = [...json.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    for (const r of refs) expect(ids, r).toContain(r);
  });

  it('exports only note entries, in time order, as escaped HTML', () => {
    expect(doc.notesComponent?.map((n) => n.notesActionComments)).toEqual([
      'Dos vehículos, un lesionado consciente.',
      'Segundo reporte: hay humo &lt;ligero&gt; &amp; olor a gasolina.<br>Piden grúa.',
      'Nota automática del sistema',
    ]);
  });

  it('puts the location in a PIDF-LO circle with a civic address', () => {
    const loc = doc.locationComponent?.find((l) => l.locationTypeDescriptionRegistryText === 'Incident');
    expect(loc?.locationByValue).toContain('<gml:pos>19.432608 -99.133209</gml:pos>');
    expect(loc?.locationByValue).toContain('<gs:radius uom="urn:ogc:def:uom:EPSG::9001">25</gs:radius>');
    expect(loc?.locationByValue).toContain('<ca:A2>09015</ca:A2>');
    expect(loc?.localIdentifier).toEqual(['colonia:15-037', 'cuadrante:P-1.4.8']);
  });

  it('maps CNIE codes to APCO common types, most specific prefix first', () => {
    expect(commonIncidentType('10313')).toBe('RESPARR');
    expect(commonIncidentType('10106')).toBe('TRAIN');
    expect(commonIncidentType('10199')).toBe('MVAINJY');
    expect(commonIncidentType('30503')).toBe('DVA');
    expect(commonIncidentType('99999')).toBe('INFO');
  });
});

describe('importEido round trip', () => {
  const value = imported(wire());

  it('gives back type, priority and status', () => {
    expect(value.typeCode).toBe(incident.typeCode);
    expect(value.typeText).toBe(exportInput.typeName);
    expect(value.priority).toBe(incident.priority);
    expect(value.status).toBe(incident.status);
  });

  it('gives back the location exactly', () => {
    expect(value.location).toEqual({ ...incident.location });
  });

  it('gives back the notes: text, author name, time', () => {
    expect(value.notes).toEqual([
      {
        at: '2026-03-02T16:01:00.000Z',
        authorName: 'Ana Pérez',
        authorExternalId: 'user-ana',
        text: 'Dos vehículos, un lesionado consciente.',
      },
      {
        at: '2026-03-02T16:02:30.000Z',
        authorName: 'Luis García',
        authorExternalId: 'user-luis',
        text: 'Segundo reporte: hay humo <ligero> & olor a gasolina.\nPiden grúa.',
      },
      { at: '2026-03-02T16:04:00.000Z', authorName: null, authorExternalId: null, text: 'Nota automática del sistema' },
    ]);
  });

  it('gives back the calls: ANI, caller, caller location, times', () => {
    expect(value.calls).toEqual(
      calls.map((c) => ({
        externalId: c.id,
        ani: c.ani,
        callerName: c.callerName,
        callerLocation: c.callerLocation,
        receivedAt: c.receivedAt,
        answeredAt: c.answeredAt,
        endedAt: c.endedAt,
      })),
    );
  });

  it('keeps the originating centre and folio as the external reference', () => {
    expect(value.external).toEqual({
      trackingId: `urn:emergency:uid:incidentid:${incident.id}:C5-CDMX`,
      incidentId: incident.id,
      folio: 'CDMX-2026-000123',
      centre: { code: 'C5-CDMX', id: 'centre-cdmx', name: 'C5 de la Ciudad de México', stateCode: '09' },
      lastUpdatedAt: '2026-03-02T16:10:00.000Z',
    });
  });

  it('lists the units the sender had assigned', () => {
    expect(value.resources).toEqual([
      {
        callSign: 'P-101',
        type: 'patrol_car',
        capabilities: ['police', 'traffic'],
        status: 'en_route',
        assignedAt: '2026-03-02T16:03:00.000Z',
      },
    ]);
  });

  it('handles a minimal incident: no calls, notes, units, address or uncertainty', () => {
    const bare: Incident = { ...incident, location: { lat: 20.6597, lon: -103.3496, stateCode: '14', municipalityCode: '14039' } };
    const v = imported(wire({ ...exportInput, incident: bare, calls: [], timeline: [], units: [], assignments: [], typeName: null }));
    expect(v.location).toEqual({
      lat: 20.6597,
      lon: -103.3496,
      uncertaintyM: null,
      stateCode: '14',
      municipalityCode: '14039',
      coloniaId: null,
      quadrantId: null,
      address: null,
    });
    expect([v.notes, v.calls, v.resources, v.typeText]).toEqual([[], [], [], null]);
  });
});

describe('importEido validation', () => {
  it('rejects a missing incident component', () => {
    const doc = wire();
    delete doc.incidentComponent;
    expect(errorsOf(doc)).toEqual([{ path: 'incidentComponent', message: 'missing incident component' }]);
  });

  it('rejects a latitude out of range, with the location path', () => {
    const doc = wire() as { locationComponent: { locationByValue: string }[] };
    doc.locationComponent[0].locationByValue = doc.locationComponent[0].locationByValue.replace('19.432608 -99.133209', '123.4 -99.133209');
    const errors = errorsOf(doc);
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('locationComponent[0].locationByValue');
    expect(errors[0].message).toMatch(/latitude 123\.4/);
  });

  it('rejects an unknown priority', () => {
    const doc = wire() as { incidentComponent: Record<string, unknown> };
    doc.incidentComponent.incidentPriorityInternalText = 'URGENTE';
    const errors = errorsOf(doc);
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('incidentComponent.incidentPriorityInternalText');
    expect(errors[0].message).toMatch(/unknown priority "URGENTE"/);
  });

  it('falls back to the priority number; without either it is an error', () => {
    const doc = wire() as { incidentComponent: Record<string, unknown> };
    delete doc.incidentComponent.incidentPriorityInternalText;
    doc.incidentComponent.incidentCommonPriorityNumber = 5;
    expect(imported(doc).priority).toBe('MEDIA');
    delete doc.incidentComponent.incidentCommonPriorityNumber;
    expect(errorsOf(doc).map((e) => e.path)).toEqual(['incidentComponent.incidentPriorityInternalText']);
  });

  it('reports schema errors with their paths', () => {
    const doc = wire() as { eidoVersion: string; callComponent: Record<string, unknown>[]; incidentComponent: Record<string, unknown> };
    doc.eidoVersion = '2.0';
    doc.callComponent[1].callStartTimestamp = 'ayer';
    doc.incidentComponent.incidentTypeInternalCode = '101';
    const paths = errorsOf(doc).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['eidoVersion', 'callComponent[1].callStartTimestamp', 'incidentComponent.incidentTypeInternalCode']),
    );
  });

  it('reports dangling references and duplicate ids', () => {
    const doc = wire() as { notesComponent: { $id: string; agentReference: { $ref: string } }[] };
    doc.notesComponent[0].agentReference = { $ref: 'nobody' };
    doc.notesComponent[2].$id = doc.notesComponent[1].$id;
    const errors = errorsOf(doc);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'notesComponent[2].$id', message: expect.stringMatching(/duplicate \$id/) as unknown },
        { path: 'notesComponent[0].agentReference', message: 'reference "nobody" resolves to no component' },
      ]),
    );
  });

  it('rejects non-objects and documents without coordinates', () => {
    expect(errorsOf(null)[0].path).toBe('$');
    expect(errorsOf([])[0].path).toBe('$');
    const doc = wire() as { locationComponent: Record<string, unknown>[] };
    delete doc.locationComponent[0].locationByValue;
    doc.locationComponent[0].locationByReferenceUrl = 'https://lis.example/loc/1';
    expect(errorsOf(doc)).toEqual([
      { path: 'locationComponent[0].locationByValue', message: 'the incident location must be given by value (PIDF-LO)' },
    ]);
  });

  it('accepts an incident component wrapped in an array and timestamps with offsets', () => {
    const doc = wire() as { incidentComponent: unknown; callComponent: Record<string, unknown>[] };
    doc.incidentComponent = [doc.incidentComponent];
    doc.callComponent[0].callStartTimestamp = '2026-03-02T09:59:50.000-06:00';
    const v = imported(doc);
    expect(v.typeCode).toBe('10104');
    expect(v.calls[0].receivedAt).toBe('2026-03-02T15:59:50.000Z');
  });

  it('reads a PIDF-LO written by another system (other prefixes, entities)', () => {
    const doc = wire() as { locationComponent: { locationByValue: string }[] };
    doc.locationComponent[0].locationByValue =
      '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" ' +
      'xmlns:gml="http://www.opengis.net/gml" xmlns:cl="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" entity="pres:x@y">' +
      '<tuple id="a"><status><gp:geopriv><gp:location-info><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos> 19.5  -99.2 </gml:pos></gml:Point>' +
      '<cl:civicAddress xml:lang="es"><cl:country>MX</cl:country><cl:A1>09</cl:A1><cl:LOC>Calle 3 &#x23; 45 &amp; 47</cl:LOC></cl:civicAddress>' +
      '</gp:location-info></gp:geopriv></status></tuple></presence>';
    const v = imported(doc);
    expect(v.location).toMatchObject({
      lat: 19.5,
      lon: -99.2,
      uncertaintyM: null,
      stateCode: '09',
      municipalityCode: null,
      address: 'Calle 3 # 45 & 47',
    });
  });
});
