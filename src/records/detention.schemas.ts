import { z } from 'zod';
import { calendarDay, id, instant, locatedPlaceSchema, officerSchema, pointInputSchema, requiredText, text } from './iph.fields.js';
import { DETENTION_KINDS, DETENTION_STATUSES, NOTE_MAX, SEXES } from './iph.types.js';

/**
 * The detention register's record: the minimum data of the Registro Nacional de
 * Detenciones (LNRD arts. 17–18: who, age, sex, when, where, why and on what legal
 * ground, who arrested, to whom the person is handed) plus what the IPH's Anexo A asks
 * (description, injuries, reading of rights, trusted person). Sources: docs/iph.md.
 */
export const detainedPersonSchema = z.strictObject({
  givenNames: requiredText(120),
  firstSurname: text(120).nullish(),
  secondSurname: text(120).nullish(),
  alias: text(120).nullish(),
  sex: z.enum(SEXES),
  birthDate: calendarDay.nullish(),
  /** Stated or apparent age, when the date of birth is unknown. */
  age: z.number().int().min(0).max(130).nullish(),
  nationality: requiredText(80),
  /** Media filiación: build, height, complexion, marks, clothing. */
  description: text(NOTE_MAX).nullish(),
  identification: text(200).nullish(),
  address: text(500).nullish(),
});

export const detentionConditionSchema = z.strictObject({
  visibleInjuries: z.boolean(),
  injuries: text(2000).nullish(),
  /** Illnesses or conditions the person reports. */
  ailments: text(2000).nullish(),
  medicalCertificate: z
    .strictObject({
      number: text(60).nullish(),
      issuedBy: text(200).nullish(),
      at: instant.nullish(),
    })
    .nullish(),
});

const recordFields = {
  person: detainedPersonSchema,
  detainedAt: instant,
  kind: z.enum(DETENTION_KINDS),
  reason: requiredText(NOTE_MAX),
  arrestingOfficers: z.array(officerSchema).min(1).max(10),
  /** When the person was read their rights (CNPP art. 152). */
  rightsReadAt: instant.nullish(),
  condition: detentionConditionSchema,
  /** A relative or trusted person told of the detention (LNRD art. 18). */
  trustedContact: z
    .strictObject({
      name: requiredText(200),
      phone: text(40).nullish(),
      informedAt: instant.nullish(),
    })
    .nullish(),
  belongings: text(2000).nullish(),
};

/** What an officer sends: the place as a point; the server resolves it. */
export const detentionRecordInputSchema = z.strictObject({ ...recordFields, place: pointInputSchema });
export type DetentionRecordInput = z.infer<typeof detentionRecordInputSchema>;

/** What is stored: the place resolved to state, municipality, colonia and quadrant. */
export const detentionRecordSchema = z.strictObject({ ...recordFields, place: locatedPlaceSchema });
export type DetentionRecord = z.infer<typeof detentionRecordSchema>;

/** Puesta a disposición: the person handed to the prosecutor (Ministerio Público). */
export const detentionHandoverInputSchema = z.strictObject({
  at: instant,
  prosecutorAgencyId: id,
  /** The office that receives (e.g. "Agencia 50 del Ministerio Público, Coordinación Territorial CUH-1"). */
  authority: text(300).nullish(),
  receiverName: requiredText(200),
  receiverPosition: text(120).nullish(),
});
export const detentionHandoverSchema = detentionHandoverInputSchema.extend({ prosecutorAgencyName: z.string() });
export type DetentionHandover = z.infer<typeof detentionHandoverSchema>;

/** A detention as the IPH's Anexo A keeps it once the IPH is signed. */
export const detentionSnapshotSchema = z.strictObject({
  id,
  folio: z.string(),
  record: detentionRecordSchema,
  handover: detentionHandoverSchema.nullable(),
});
export type DetentionSnapshot = z.infer<typeof detentionSnapshotSchema>;

export const detentionSchema = z.strictObject({
  id,
  folio: z.string(),
  agencyId: id,
  agencyName: z.string(),
  iphId: id.nullable(),
  iphFolio: z.string().nullable(),
  incidentId: id.nullable(),
  status: z.enum(DETENTION_STATUSES),
  record: detentionRecordSchema,
  handover: detentionHandoverSchema.nullable(),
  version: z.number().int(),
  createdBy: id,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Whether the asking user may still change it (arresting agency, not yet handed over). */
  canEdit: z.boolean(),
});
export type Detention = z.infer<typeof detentionSchema>;
