import { z } from 'zod';
import { SHORT_TEXT_MAX } from './iph.types.js';

/**
 * Field shapes shared by the IPH, the detention register and the chain of custody.
 * Every object is strict (an undeclared field is refused, so none can leak in or out)
 * and every text has a maximum length, so that an oversized note is refused with the
 * field's path.
 */
export const text = (max: number = SHORT_TEXT_MAX) => z.string().trim().max(max);
export const requiredText = (max: number = SHORT_TEXT_MAX) => z.string().trim().min(1).max(max);
export const instant = z.iso.datetime({ offset: true });
export const calendarDay = z.iso.date();
export const id = z.string().uuid();
export const stateCode = z.string().regex(/^\d{2}$/);
export const municipalityCode = z.string().regex(/^\d{5}$/);
export const lat = z.number().min(-90).max(90);
export const lon = z.number().min(-180).max(180);
export const count = z.number().int().min(0).max(9999);
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** An officer taking part (crew, arresting officer, collector): a platform user when `userId` is set. */
export const officerSchema = z.strictObject({
  userId: id.nullish(),
  fullName: requiredText(200),
  rank: text(120).nullish(),
  unit: text(40).nullish(),
  agency: text(SHORT_TEXT_MAX).nullish(),
});
export type Officer = z.infer<typeof officerSchema>;

/** A point as given (the phone's GPS or a map click) with what a person can add. */
export const pointInputSchema = z.strictObject({
  lat,
  lon,
  address: text(500).nullish(),
  references: text(1000).nullish(),
});

/** The same point resolved to Mexico's jurisdictions by the geo module. */
export const locatedPlaceSchema = z.strictObject({
  lat,
  lon,
  address: text(500).nullish(),
  references: text(1000).nullish(),
  stateCode,
  state: z.string(),
  municipalityCode,
  municipality: z.string(),
  coloniaId: z.string().nullable(),
  colonia: z.string().nullable(),
  quadrantId: z.string().nullable(),
});
export type LocatedPlace = z.infer<typeof locatedPlaceSchema>;
