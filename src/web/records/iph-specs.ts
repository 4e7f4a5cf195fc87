import {
  CUSTODY_PURPOSES,
  DETENTION_KINDS,
  EVIDENCE_KINDS,
  FOUND_IN,
  INTERVIEW_ROLES,
  ITEM_SOURCES,
  KNOWLEDGE_MODES,
  PLACE_RISKS,
  RESPONDER_INSTITUTIONS,
  SEXES,
  VEHICLE_ORIGINS,
  VEHICLE_STATUSES,
  VEHICLE_TYPES,
  VEHICLE_USES,
  WEAPON_KINDS,
  type IphEditablePart,
} from '../../records/iph.types.js';

/**
 * The forms of the IPH, the detention register and the evidence register as data: each
 * field's path in the record, its control, and (for choices) the vocabulary and the i18n
 * prefix of its labels. One renderer (iph-form.tsx) draws them for editing, for reading
 * and for printing; labels are `<labelPrefix>.<path with dots as underscores>`.
 */
export type ScalarSpec =
  | { key: string; kind: 'text' | 'textarea' | 'datetime' | 'date' | 'number' | 'int' | 'bool'; max?: number; wide?: boolean }
  | { key: string; kind: 'select'; options: readonly string[]; labels: string; wide?: boolean }
  | { key: string; kind: 'prosecutor' | 'agency'; wide?: boolean };
export type ListSpec = { key: string; kind: 'list'; item: ScalarSpec[]; max: number };
export type FieldSpec = ScalarSpec | ListSpec;

const text = (key: string, max = 300, wide = false): ScalarSpec => ({ key, kind: 'text', max, wide });
const area = (key: string, max = 4000): ScalarSpec => ({ key, kind: 'textarea', max, wide: true });
const when = (key: string): ScalarSpec => ({ key, kind: 'datetime' });
const yes = (key: string): ScalarSpec => ({ key, kind: 'bool' });
const int = (key: string): ScalarSpec => ({ key, kind: 'int' });
const pick = (key: string, options: readonly string[], labels: string): ScalarSpec => ({ key, kind: 'select', options, labels });

const officer: ScalarSpec[] = [text('fullName', 200), text('rank', 120), text('unit', 40), text('agency')];

/** The IPH's editable parts in the order of the 2020 format (annex A is the detention register's, between sections and annex B). */
export const IPH_SPECS: { part: IphEditablePart; fields: FieldSpec[] }[] = [
  {
    part: 'handover',
    fields: [
      when('at'),
      { key: 'prosecutorAgencyId', kind: 'prosecutor', wide: true },
      text('authority', 300, true),
      text('receiverName', 200),
      text('receiverPosition', 120),
      int('attachments.photos'),
      int('attachments.videos'),
      int('attachments.audios'),
      int('attachments.medicalCertificates'),
      text('attachments.other', 300, true),
    ],
  },
  {
    part: 'responder',
    fields: [
      text('fullName', 200),
      pick('institution', RESPONDER_INSTITUTIONS, 'iph.institution'),
      text('agencyName', 300, true),
      text('rank', 120),
      text('unit', 40),
      int('officersCount'),
      { key: 'participants', kind: 'list', item: officer, max: 50 },
      { key: 'units', kind: 'list', item: [text('callSign', 40), text('agency')], max: 30 },
    ],
  },
  {
    part: 'knowledge',
    fields: [
      pick('how', KNOWLEDGE_MODES, 'iph.knowledgeMode'),
      text('howDetail'),
      text('emergencyFolio', 40),
      when('knownAt'),
      when('arrivedAt'),
      yes('withViolence'),
    ],
  },
  {
    part: 'place',
    fields: [
      text('street', 200, true),
      text('exteriorNumber', 20),
      text('interiorNumber', 20),
      text('postalCode', 5),
      text('colonia', 200),
      text('municipality', 200),
      text('municipalityCode', 5),
      text('state', 100),
      text('stateCode', 2),
      text('quadrantId', 32),
      { key: 'lat', kind: 'number' },
      { key: 'lon', kind: 'number' },
      area('references', 1000),
      yes('inspection.performed'),
      yes('inspection.objectFound'),
      yes('inspection.preserved'),
      yes('inspection.prioritized'),
      pick('inspection.risk', PLACE_RISKS, 'iph.risk'),
      text('inspection.riskDetail', 1000, true),
    ],
  },
  { part: 'narrative', fields: [area('text', 20_000)] },
  {
    part: 'annexB',
    fields: [
      yes('applies'),
      int('injuredAuthorities'),
      int('injuredPersons'),
      int('deceasedAuthorities'),
      int('deceasedPersons'),
      yes('physicalReduction'),
      yes('lessLethalWeapons'),
      yes('lethalForce'),
      area('conduct'),
      yes('medicalAssistance'),
      text('medicalAssistanceDetail', 1000, true),
    ],
  },
  {
    part: 'annexC',
    fields: [
      {
        key: 'vehicles',
        kind: 'list',
        max: 20,
        item: [
          when('at'),
          pick('type', VEHICLE_TYPES, 'iph.vehicleType'),
          pick('origin', VEHICLE_ORIGINS, 'iph.vehicleOrigin'),
          text('make', 80),
          text('model', 80),
          int('year'),
          text('color', 60),
          pick('use', VEHICLE_USES, 'iph.vehicleUse'),
          text('plate', 20),
          text('serial', 40),
          pick('status', VEHICLE_STATUSES, 'iph.vehicleStatus'),
          area('observations', 2000),
          text('destination', 300, true),
        ],
      },
    ],
  },
  {
    part: 'annexD',
    fields: [
      {
        key: 'weapons',
        kind: 'list',
        max: 50,
        item: [
          pick('source', ITEM_SOURCES, 'iph.itemSource'),
          pick('foundIn', FOUND_IN, 'iph.foundIn'),
          pick('kind', WEAPON_KINDS, 'iph.weaponKind'),
          text('calibre', 40),
          text('make', 80),
          text('model', 80),
          text('serial', 60),
          text('registration', 60),
          area('observations', 2000),
          text('destination', 300, true),
        ],
      },
      {
        key: 'objects',
        kind: 'list',
        max: 50,
        item: [
          text('description', 1000, true),
          pick('source', ITEM_SOURCES, 'iph.itemSource'),
          pick('foundIn', FOUND_IN, 'iph.foundIn'),
          { key: 'quantity', kind: 'number' },
          area('observations', 2000),
          text('destination', 300, true),
        ],
      },
    ],
  },
  {
    part: 'annexE',
    fields: [
      {
        key: 'interviews',
        kind: 'list',
        max: 30,
        item: [
          pick('role', INTERVIEW_ROLES, 'iph.interviewRole'),
          when('at'),
          text('givenNames', 120),
          text('firstSurname', 120),
          text('secondSurname', 120),
          pick('sex', SEXES, 'records.sex'),
          { key: 'birthDate', kind: 'date' },
          int('age'),
          text('nationality', 80),
          text('phone', 40),
          text('email', 200),
          text('address', 500, true),
          area('account', 8000),
          yes('rightsRead'),
          text('channelledTo', 300, true),
        ],
      },
    ],
  },
  {
    part: 'annexF',
    fields: [
      yes('applies'),
      yes('accessRestricted'),
      area('preservationNotes', 2000),
      text('deliveredBy.name', 200),
      text('deliveredBy.institution'),
      text('deliveredBy.position', 120),
      text('receivedBy.name', 200),
      text('receivedBy.institution'),
      text('receivedBy.position', 120),
      when('at'),
      area('observations', 2000),
    ],
  },
  { part: 'annexG', fields: [area('text', 20_000)] },
];

/** What every list entry of a section starts with (the server refuses entries missing a required field). */
export const LIST_DEFAULTS: Record<string, Record<string, unknown>> = {
  'annexE.interviews': { role: 'victim', givenNames: '' },
  'annexD.objects': { description: '' },
  'responder.participants': { fullName: '' },
  'responder.units': { callSign: '' },
  'detention.arrestingOfficers': { fullName: '' },
  'evidence.collectedBy': { fullName: '' },
};

export const DETENTION_SPEC: FieldSpec[] = [
  text('person.givenNames', 120),
  text('person.firstSurname', 120),
  text('person.secondSurname', 120),
  text('person.alias', 120),
  pick('person.sex', SEXES, 'records.sex'),
  int('person.age'),
  { key: 'person.birthDate', kind: 'date' },
  text('person.nationality', 80),
  area('person.description'),
  text('person.identification', 200),
  text('person.address', 500, true),
  when('detainedAt'),
  pick('kind', DETENTION_KINDS, 'detention.kind'),
  area('reason'),
  { key: 'place.lat', kind: 'number' },
  { key: 'place.lon', kind: 'number' },
  text('place.address', 500, true),
  text('place.references', 1000, true),
  { key: 'arrestingOfficers', kind: 'list', item: officer, max: 10 },
  when('rightsReadAt'),
  yes('condition.visibleInjuries'),
  area('condition.injuries', 2000),
  area('condition.ailments', 2000),
  text('condition.medicalCertificate.number', 60),
  text('condition.medicalCertificate.issuedBy', 200),
  when('condition.medicalCertificate.at'),
  text('trustedContact.name', 200),
  text('trustedContact.phone', 40),
  when('trustedContact.informedAt'),
  area('belongings', 2000),
];

export const EVIDENCE_SPEC: FieldSpec[] = [
  pick('kind', EVIDENCE_KINDS, 'evidence.kind'),
  area('description'),
  { key: 'quantity', kind: 'number' },
  text('unit', 24),
  when('collectedAt'),
  { key: 'place.lat', kind: 'number' },
  { key: 'place.lon', kind: 'number' },
  text('place.address', 500, true),
  text('place.references', 1000, true),
  { key: 'collectedBy', kind: 'list', item: officer, max: 10 },
  text('seal', 64),
  area('condition', 1000),
];

export const TRANSFER_SPEC: FieldSpec[] = [
  when('at'),
  text('to.name', 200),
  text('to.position', 120),
  { key: 'to.agencyId', kind: 'agency', wide: true },
  text('place', 300, true),
  pick('purpose', CUSTODY_PURPOSES, 'evidence.purpose'),
  text('purposeDetail', 300),
  area('condition', 1000),
  text('seal', 64),
  area('observations'),
];

/** i18n key of a field's label. */
export const labelKey = (prefix: string, key: string) => `${prefix}.${key.replace(/\./g, '_')}`;
