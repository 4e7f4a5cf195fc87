import { z } from 'zod';
import { detentionSnapshotSchema } from './detention.schemas.js';
import {
  calendarDay,
  count,
  id,
  instant,
  lat,
  lon,
  municipalityCode,
  officerSchema,
  requiredText,
  sha256Hex,
  stateCode,
  text,
} from './iph.fields.js';
import {
  CHAIN_PROBLEMS,
  FOUND_IN,
  INTERVIEW_ROLES,
  IPH_EDITABLE_PARTS,
  IPH_STATUSES,
  ITEM_SOURCES,
  KNOWLEDGE_MODES,
  NARRATIVE_MAX,
  NOTE_MAX,
  PLACE_RISKS,
  RESPONDER_INSTITUTIONS,
  SEXES,
  VEHICLE_ORIGINS,
  VEHICLE_STATUSES,
  VEHICLE_TYPES,
  VEHICLE_USES,
  WEAPON_KINDS,
  type IphEditablePart,
} from './iph.types.js';

/**
 * The IPH for probably criminal facts (format 2020) as typed data. A draft may be
 * incomplete, so fields are optional here; what signing requires is checked by
 * `missingForSignature` (iph.content.ts). Field sources: docs/iph.md.
 */
const flag = z.boolean().nullish();

/** Sección 1. Puesta a disposición: who hands the report (and people, objects) to which authority, when. */
export const handoverSectionSchema = z.strictObject({
  at: instant.nullish(),
  prosecutorAgencyId: id.nullish(),
  authority: text().nullish(),
  receiverName: text(200).nullish(),
  receiverPosition: text(120).nullish(),
  attachments: z
    .strictObject({
      photos: count.nullish(),
      videos: count.nullish(),
      audios: count.nullish(),
      medicalCertificates: count.nullish(),
      other: text().nullish(),
    })
    .nullish(),
});

/** Sección 2. Primer respondiente: the officer in charge of the intervention, the unit, everyone who took part. */
export const responderSectionSchema = z.strictObject({
  userId: id.nullish(),
  fullName: text(200).nullish(),
  institution: z.enum(RESPONDER_INSTITUTIONS).nullish(),
  agencyName: text().nullish(),
  rank: text(120).nullish(),
  unit: text(40).nullish(),
  stateCode: stateCode.nullish(),
  officersCount: z.number().int().min(1).max(999).nullish(),
  participants: z.array(officerSchema).max(50).nullish(),
  units: z
    .array(z.strictObject({ callSign: requiredText(40), agency: text().nullish() }))
    .max(30)
    .nullish(),
});

/** Sección 3. Conocimiento del hecho. */
export const knowledgeSectionSchema = z.strictObject({
  how: z.enum(KNOWLEDGE_MODES).nullish(),
  howDetail: text().nullish(),
  /** The 911 folio when the facts became known through an emergency call. */
  emergencyFolio: text(40).nullish(),
  knownAt: instant.nullish(),
  arrivedAt: instant.nullish(),
  /** Whether the facts involved violence: the crime record needs it when the classification does not say. */
  withViolence: flag,
});

/** Sección 4. Lugar de la intervención: address, coordinates, jurisdiction, and 4.2 the inspection of the place. */
export const placeSectionSchema = z.strictObject({
  street: text(200).nullish(),
  exteriorNumber: text(20).nullish(),
  interiorNumber: text(20).nullish(),
  postalCode: z
    .string()
    .regex(/^\d{5}$/)
    .nullish(),
  colonia: text(200).nullish(),
  coloniaId: text(32).nullish(),
  municipalityCode: municipalityCode.nullish(),
  municipality: text(200).nullish(),
  stateCode: stateCode.nullish(),
  state: text(100).nullish(),
  quadrantId: text(32).nullish(),
  references: text(1000).nullish(),
  lat: lat.nullish(),
  lon: lon.nullish(),
  inspection: z
    .strictObject({
      performed: flag,
      objectFound: flag,
      preserved: flag,
      prioritized: flag,
      risk: z.enum(PLACE_RISKS).nullish(),
      riskDetail: text(1000).nullish(),
    })
    .nullish(),
});

/** Sección 5. Narrativa de los hechos: what, who, how, when, where, in chronological order. */
export const narrativeSectionSchema = z.strictObject({ text: text(NARRATIVE_MAX).nullish() });

/** Anexo A. Detenciones: copied from the detention register when the IPH is signed. */
export const annexASchema = z.strictObject({ detentions: z.array(detentionSnapshotSchema).max(50) });

/** Anexo B. Informe del uso de la fuerza. */
export const useOfForceSchema = z.strictObject({
  applies: flag,
  injuredAuthorities: count.nullish(),
  injuredPersons: count.nullish(),
  deceasedAuthorities: count.nullish(),
  deceasedPersons: count.nullish(),
  physicalReduction: flag,
  lessLethalWeapons: flag,
  lethalForce: flag,
  conduct: text(NOTE_MAX).nullish(),
  medicalAssistance: flag,
  medicalAssistanceDetail: text(1000).nullish(),
});

/** Anexo C. Inspección de vehículo. */
export const vehicleSchema = z.strictObject({
  at: instant.nullish(),
  type: z.enum(VEHICLE_TYPES).nullish(),
  origin: z.enum(VEHICLE_ORIGINS).nullish(),
  make: text(80).nullish(),
  model: text(80).nullish(),
  year: z.number().int().min(1900).max(2100).nullish(),
  color: text(60).nullish(),
  use: z.enum(VEHICLE_USES).nullish(),
  plate: text(20).nullish(),
  serial: text(40).nullish(),
  status: z.enum(VEHICLE_STATUSES).nullish(),
  observations: text(2000).nullish(),
  destination: text().nullish(),
});
export const annexCSchema = z.strictObject({ vehicles: z.array(vehicleSchema).max(20) });

/** Anexo D. Inventario de armas y objetos. */
export const weaponSchema = z.strictObject({
  source: z.enum(ITEM_SOURCES).nullish(),
  foundIn: z.enum(FOUND_IN).nullish(),
  kind: z.enum(WEAPON_KINDS).nullish(),
  calibre: text(40).nullish(),
  make: text(80).nullish(),
  model: text(80).nullish(),
  serial: text(60).nullish(),
  registration: text(60).nullish(),
  observations: text(2000).nullish(),
  destination: text().nullish(),
});
export const objectSchema = z.strictObject({
  source: z.enum(ITEM_SOURCES).nullish(),
  foundIn: z.enum(FOUND_IN).nullish(),
  description: requiredText(1000),
  quantity: z.number().positive().max(1e9).nullish(),
  observations: text(2000).nullish(),
  destination: text().nullish(),
});
export const annexDSchema = z.strictObject({ weapons: z.array(weaponSchema).max(50), objects: z.array(objectSchema).max(50) });

/** Anexo E. Entrevistas: victims, complainants, witnesses. */
export const interviewSchema = z.strictObject({
  at: instant.nullish(),
  role: z.enum(INTERVIEW_ROLES),
  givenNames: requiredText(120),
  firstSurname: text(120).nullish(),
  secondSurname: text(120).nullish(),
  sex: z.enum(SEXES).nullish(),
  birthDate: calendarDay.nullish(),
  age: z.number().int().min(0).max(130).nullish(),
  nationality: text(80).nullish(),
  phone: text(40).nullish(),
  email: text(200).nullish(),
  address: text(500).nullish(),
  account: text(NOTE_MAX * 2).nullish(),
  /** Victims are read their rights (CNPP art. 109). */
  rightsRead: flag,
  channelledTo: text().nullish(),
});
export const annexESchema = z.strictObject({ interviews: z.array(interviewSchema).max(30) });

const partyFields = z.strictObject({ name: text(200).nullish(), institution: text().nullish(), position: text(120).nullish() });
/** Anexo F. Entrega-recepción del lugar de la intervención (the crime scene handed to the investigators). */
export const sceneHandoverSchema = z.strictObject({
  applies: flag,
  accessRestricted: flag,
  preservationNotes: text(2000).nullish(),
  deliveredBy: partyFields.nullish(),
  receivedBy: partyFields.nullish(),
  at: instant.nullish(),
  observations: text(2000).nullish(),
});

/** Anexo G. Continuación de la narrativa y/o entrevistas. */
export const continuationSchema = z.strictObject({ text: text(NARRATIVE_MAX).nullish() });

export const iphContentSchema = z.strictObject({
  handover: handoverSectionSchema,
  responder: responderSectionSchema,
  knowledge: knowledgeSectionSchema,
  place: placeSectionSchema,
  narrative: narrativeSectionSchema,
  annexA: annexASchema,
  annexB: useOfForceSchema,
  annexC: annexCSchema,
  annexD: annexDSchema,
  annexE: annexESchema,
  annexF: sceneHandoverSchema,
  annexG: continuationSchema,
});
export type IphContent = z.infer<typeof iphContentSchema>;

/** The parts a draft's authors may replace in one save (annex A is the detention register's). */
export const iphSectionsSchema = iphContentSchema.omit({ annexA: true }).partial();
export type IphSections = z.infer<typeof iphSectionsSchema>;

/** SESNSP classification codes: the lead wires the catalogue check; here only the shape (`1.1.1`, `ROBO-VEH`, …). */
export const crimeCodeSchema = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/);

export const amendmentSchema = z.strictObject({
  id,
  seq: z.number().int(),
  section: z.enum(IPH_EDITABLE_PARTS as [IphEditablePart, ...IphEditablePart[]]),
  field: z.string(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
  reason: z.string(),
  signedBy: id,
  signerName: z.string(),
  signedAt: z.string(),
  prevHash: sha256Hex,
  hash: sha256Hex,
});
export type Amendment = z.infer<typeof amendmentSchema>;

export const signatureSchema = z.strictObject({
  signedBy: id,
  signerName: z.string(),
  signedAt: z.string(),
  contentHash: sha256Hex,
});

export const iphSchema = z.strictObject({
  id,
  folio: z.string(),
  agencyId: id,
  agencyName: z.string(),
  status: z.enum(IPH_STATUSES),
  incidentId: id.nullable(),
  incidentFolio: z.string().nullable(),
  stateCode,
  municipalityCode: z.string().nullable(),
  crimeCode: z.string().nullable(),
  version: z.number().int(),
  authors: z.array(z.strictObject({ userId: id, fullName: z.string() })),
  responderUserId: id,
  createdBy: id,
  createdAt: z.string(),
  updatedAt: z.string(),
  content: iphContentSchema,
  signature: signatureSchema.nullable(),
  amendments: z.array(amendmentSchema),
  /** What the asking user may do now. */
  can: z.strictObject({ edit: z.boolean(), sign: z.boolean(), amend: z.boolean() }),
});
export type IphView = z.infer<typeof iphSchema>;

export const iphSummarySchema = z.strictObject({
  id,
  folio: z.string(),
  agencyId: id,
  status: z.enum(IPH_STATUSES),
  incidentId: id.nullable(),
  incidentFolio: z.string().nullable(),
  crimeCode: z.string().nullable(),
  responderName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  signedAt: z.string().nullable(),
  amendments: z.number().int(),
  mine: z.boolean(),
});
export type IphSummary = z.infer<typeof iphSummarySchema>;

/** The answer of a chain verification (IPH amendments or chain of custody). */
export const chainVerificationSchema = z.strictObject({
  intact: z.boolean(),
  /** Links checked: the original record (no. 0) and each entry after it. */
  entries: z.number().int(),
  headHash: sha256Hex.nullable(),
  broken: z.strictObject({ seq: z.number().int(), problem: z.enum(CHAIN_PROBLEMS) }).nullable(),
  message: z.string(),
});

export const iphAmendmentInputSchema = z.strictObject({
  section: z.enum(IPH_EDITABLE_PARTS as [IphEditablePart, ...IphEditablePart[]]),
  /** A path inside the section: `text`, `street`, `interviews.0.account`, `interviews.1` (a new entry). */
  field: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$/),
  newValue: z.unknown(),
  reason: requiredText(1000),
  password: z.string().min(1).max(256),
});
