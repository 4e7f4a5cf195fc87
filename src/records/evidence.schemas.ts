import { z } from 'zod';
import { id, instant, locatedPlaceSchema, officerSchema, pointInputSchema, requiredText, sha256Hex, text } from './iph.fields.js';
import { CUSTODY_PURPOSES, EVIDENCE_KINDS, NOTE_MAX } from './iph.types.js';

/**
 * Evidence items and their chain of custody (CNPP arts. 227–228; the national
 * chain-of-custody guide's registro de cadena de custodia). Sources: docs/iph.md.
 */

/** Who holds or hands over an item. */
export const partySchema = z.strictObject({
  name: requiredText(200),
  position: text(120).nullish(),
  userId: id.nullish(),
  agencyId: id,
  agencyName: z.string(),
});
export type Party = z.infer<typeof partySchema>;

export const newEvidenceSchema = z.strictObject({
  iphId: id.nullish(),
  incidentId: id.nullish(),
  kind: z.enum(EVIDENCE_KINDS),
  description: requiredText(NOTE_MAX),
  quantity: z.number().positive().max(1e9),
  /** piezas, g, ml, cartuchos… */
  unit: requiredText(24),
  collectedAt: instant,
  place: pointInputSchema,
  collectedBy: z.array(officerSchema).min(1).max(10),
  /** Seal or packaging number (número de embalaje / sello). */
  seal: text(64).nullish(),
  condition: text(1000).nullish(),
});
export type NewEvidence = z.infer<typeof newEvidenceSchema>;

export const transferInputSchema = z.strictObject({
  /** The hash of the chain's last link as the sender saw it: a stale or forged one is refused. */
  previousHash: sha256Hex,
  at: instant,
  to: z.strictObject({
    name: requiredText(200),
    position: text(120).nullish(),
    userId: id.nullish(),
    agencyId: id,
  }),
  place: requiredText(300),
  purpose: z.enum(CUSTODY_PURPOSES),
  purposeDetail: text(300).nullish(),
  /** State of the item and its packaging at the handover. */
  condition: requiredText(1000),
  seal: text(64).nullish(),
  observations: text(NOTE_MAX).nullish(),
});
export type TransferInput = z.infer<typeof transferInputSchema>;

export const transferSchema = z.strictObject({
  id,
  seq: z.number().int(),
  at: z.string(),
  from: partySchema,
  to: partySchema,
  place: z.string(),
  purpose: z.enum(CUSTODY_PURPOSES),
  purposeDetail: z.string().nullable(),
  condition: z.string(),
  seal: z.string().nullable(),
  observations: z.string().nullable(),
  recordedBy: id,
  recordedAt: z.string(),
  prevHash: sha256Hex,
  hash: sha256Hex,
});
export type Transfer = z.infer<typeof transferSchema>;

export const photoSchema = z.strictObject({
  id,
  sha256: sha256Hex,
  sizeBytes: z.number().int(),
  contentType: z.string(),
  uploadedBy: id,
  uploadedAt: z.string(),
});
export type Photo = z.infer<typeof photoSchema>;

export const evidenceSchema = z.strictObject({
  id,
  folio: z.string(),
  agencyId: id,
  agencyName: z.string(),
  iphId: id.nullable(),
  iphFolio: z.string().nullable(),
  incidentId: id.nullable(),
  kind: z.enum(EVIDENCE_KINDS),
  description: z.string(),
  quantity: z.number(),
  unit: z.string(),
  collectedAt: z.string(),
  place: locatedPlaceSchema,
  collectedBy: z.array(officerSchema),
  seal: z.string().nullable(),
  condition: z.string().nullable(),
  registeredBy: id,
  registeredByName: z.string(),
  registeredAt: z.string(),
  registrationHash: sha256Hex,
  custodian: partySchema,
  headHash: sha256Hex,
  transfers: z.array(transferSchema),
  photos: z.array(photoSchema),
  can: z.strictObject({ transfer: z.boolean(), addPhoto: z.boolean() }),
});
export type EvidenceView = z.infer<typeof evidenceSchema>;

export const evidenceSummarySchema = z.strictObject({
  id,
  folio: z.string(),
  agencyId: id,
  iphId: id.nullable(),
  kind: z.enum(EVIDENCE_KINDS),
  description: z.string(),
  quantity: z.number(),
  unit: z.string(),
  collectedAt: z.string(),
  custodian: partySchema,
  transfers: z.number().int(),
  photos: z.number().int(),
});
export type EvidenceSummary = z.infer<typeof evidenceSummarySchema>;
