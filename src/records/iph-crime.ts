import { AppError } from '../platform/errors.js';
import type { Actor } from '../identity/access-policy.js';
import { recordCrime, type CrimeDeps } from './crime.service.js';
import type { IphContent } from './iph.schemas.js';
import type { Q } from './iph.store.js';

/** What a signature hands to the crime register: the signed report's classification and content. */
export type SignedForCrime = { id: string; folio: string; crimeCode: string; content: IphContent };

// A crime check names the crime record's field; the officer fixing the IPH needs the IPH's own field.
const IPH_FIELD: Record<string, string> = {
  classificationCode: 'crimeCode',
  occurredOn: 'sections.knowledge.knownAt',
  occurredTime: 'sections.knowledge.knownAt',
  lat: 'sections.place.lat',
  lon: 'sections.place.lon',
  declaredStateCode: 'sections.place.stateCode',
  violent: 'sections.knowledge.withViolence',
};

/** The local (Mexico City) date and time of an instant: crime records keep the wall-clock date of the facts. */
function localDateTime(iso: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Mexico_City',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/**
 * IPH signed → crime record, inside the signature's own transaction: the report and the record it
 * feeds to the crime map and the indicators commit together, or the signature is refused with the
 * IPH field to fix (a classification that does not exist, a place without coordinates, a class
 * that needs "with violence" answered). Signing the same IPH again cannot happen (it is immutable),
 * and the crime register is keyed by the IPH id, so a record is never made twice.
 */
export function crimeRecorder(crime: CrimeDeps) {
  return async (q: Q, iph: SignedForCrime, actor: Actor): Promise<void> => {
    const { knowledge, place } = iph.content;
    if (place?.lat == null || place?.lon == null)
      throw new AppError(400, 'iph_place_coordinates', 'error.iph.place_coordinates', {}, 'sections.place.lat');
    const when = knowledge?.knownAt ? localDateTime(knowledge.knownAt) : null;
    try {
      await recordCrime(
        crime,
        actor,
        {
          classificationCode: iph.crimeCode,
          occurredOn: when?.date ?? '',
          occurredTime: when?.time ?? null,
          lat: place.lat,
          lon: place.lon,
          declaredStateCode: place.stateCode ?? null,
          violent: knowledge?.withViolence ?? null,
          source: { kind: 'iph', iphId: iph.id },
        },
        q,
      );
    } catch (err) {
      if (err instanceof AppError && err.field && IPH_FIELD[err.field])
        throw new AppError(err.status, err.code, err.messageKey, err.params, IPH_FIELD[err.field]);
      throw err;
    }
  };
}
