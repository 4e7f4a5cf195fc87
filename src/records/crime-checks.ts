/**
 * The checks every crime record passes, whatever its door (API, IPH, bulk import):
 * classification, date and time, and a point that is plausibly where the crime happened.
 * Pure functions over the geo service and the catalogue; a failure names the reason
 * (`crime.reason.<code>` in the i18n catalogues) and the field at fault.
 */
import { cellToParent, latLngToCell } from 'h3-js';
import type { GeoService } from '../geo/geo.service.js';
import type { CrimeCatalogue } from './crime-catalogue.js';
import type { CrimeReason, CrimeRecord } from './crime.types.js';

export type Failure = { ok: false; reason: CrimeReason; field: string; params: Record<string, string | number> };
const fail = (reason: CrimeReason, field: string, params: Record<string, string | number> = {}): Failure => ({
  ok: false,
  reason,
  field,
  params,
});

export type Place = Pick<CrimeRecord, 'stateCode' | 'municipalityCode' | 'coloniaId' | 'quadrantId'>;

/**
 * Locates a point and catches the usual ways coordinates go wrong. Tried in order:
 * (0, 0) — the "null island" of a missing value; the point as given; latitude and
 * longitude swapped (a point that only falls in Mexico that way); the longitude's minus
 * sign lost (Mexico is all west of Greenwich); both. Only the point as given is accepted:
 * the others are reported so that the source gets fixed, never silently corrected.
 */
export function checkPoint(
  geo: GeoService,
  lat: number,
  lon: number,
  declaredStateCode?: string | null,
  latField = 'lat',
): { ok: true; place: Place } | Failure {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return fail('invalid_coordinates', latField, { lat: String(lat), lon: String(lon) });
  if (lat === 0 && lon === 0) return fail('null_island', latField);
  const inRange = (la: number, lo: number) => Math.abs(la) <= 90 && Math.abs(lo) <= 180;
  const hit = inRange(lat, lon) ? geo.locate(lat, lon) : null;
  if (!hit) {
    if (inRange(lon, lat) && (geo.locate(lon, lat) || geo.locate(lon, -lat))) return fail('swapped_coordinates', latField, { lat, lon });
    if (inRange(lat, -lon) && geo.locate(lat, -lon)) return fail('missing_minus_sign', latField.replace(/lat$/, 'lon'), { lat, lon });
    if (!inRange(lat, lon)) return fail('invalid_coordinates', latField, { lat, lon });
    return fail('outside_mexico', latField, { lat, lon });
  }
  if (declaredStateCode && hit.state.code !== declaredStateCode) {
    return fail('outside_declared_state', latField, { declared: declaredStateCode, found: hit.state.code, foundName: hit.state.name });
  }
  return {
    ok: true,
    place: {
      stateCode: hit.state.code,
      municipalityCode: hit.municipality.code,
      coloniaId: hit.colonia?.id ?? null,
      quadrantId: hit.quadrant?.id ?? null,
    },
  };
}

/**
 * The parent of an H3 cell at a coarser resolution, by the index's bit layout (H3 v4): the
 * resolution sits in bits 52–55 and the digit of resolution r in bits 3·(15−r)…3·(15−r)+2, unused
 * digits all set to 7. Same answer as h3-js `cellToParent` (see the tests) without its round trip
 * through WebAssembly, which was a third of an import's time outside the database.
 */
export function h3Parent(cell: string, resolution: number): string {
  if (cell.length !== 15 || resolution < 5) return cellToParent(cell, resolution);
  const high = parseInt(cell.slice(0, 7), 16); // bits 32–59
  const low = parseInt(cell.slice(7), 16); // bits 0–31
  const parentHigh = (high & ~(0xf << 20)) | (resolution << 20);
  const parentLow = (low | ((1 << ((15 - resolution) * 3)) - 1)) >>> 0;
  return parentHigh.toString(16).padStart(7, '0') + parentLow.toString(16).padStart(8, '0');
}

/** H3 cells at resolutions 7–10: the finest is computed, the others are its parents. */
export function h3Cells(lat: number, lon: number): CrimeRecord['h3'] {
  const r10 = latLngToCell(lat, lon, 10);
  return { r7: h3Parent(r10, 7), r8: h3Parent(r10, 8), r9: h3Parent(r10, 9), r10 };
}

/** Today's date in Mexico City (occurrence dates are local). */
export function localToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Mexico_City', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
}

const checkedDates = new Map<string, boolean>();
/** A real calendar date, YYYY-MM-DD, from 1900 on. (Imports repeat a few thousand dates millions of times: answers are kept.) */
export function isCalendarDate(s: string): boolean {
  const known = checkedDates.get(s);
  if (known !== undefined) return known;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  let ok = false;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    ok = y >= 1900 && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
  }
  if (checkedDates.size > 50_000) checkedDates.clear();
  checkedDates.set(s, ok);
  return ok;
}

export const isClockTime = (s: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s);

export type CrimeFacts = {
  classificationCode: string;
  occurredOn: string;
  occurredTime: string | null;
  lat: number;
  lon: number;
  /** The state the source says the point is in; a point elsewhere is refused. */
  declaredStateCode?: string | null;
  /** Null or absent: taken from the classification, which must then say it. */
  violent?: boolean | null;
};

export type CheckedCrime = Omit<CrimeFacts, 'declaredStateCode' | 'violent'> & Place & { h3: CrimeRecord['h3']; violent: boolean };

/** A checked crime's facts as the crime_record columns hold them (the store, the importer and the analysis engine's rows). */
export function factColumns(c: CheckedCrime) {
  return {
    classificationCode: c.classificationCode,
    occurredOn: c.occurredOn,
    occurredTime: c.occurredTime,
    lat: c.lat,
    lon: c.lon,
    stateCode: c.stateCode,
    municipalityCode: c.municipalityCode,
    coloniaId: c.coloniaId,
    quadrantId: c.quadrantId,
    h3R7: c.h3.r7,
    h3R8: c.h3.r8,
    h3R9: c.h3.r9,
    h3R10: c.h3.r10,
    violent: c.violent ? 1 : 0,
  };
}

/** Every check of a record's facts; on success the located, classified record (without its identity and source). */
export function checkCrime(
  geo: GeoService,
  catalogue: CrimeCatalogue,
  f: CrimeFacts,
  today: string,
): { ok: true; value: CheckedCrime } | Failure {
  const code = catalogue.resolve(f.classificationCode);
  if (!code) return fail('unknown_classification', 'classificationCode', { code: f.classificationCode });
  if (!isCalendarDate(f.occurredOn)) return fail('invalid_date', 'occurredOn', { value: f.occurredOn });
  if (f.occurredOn > today) return fail('future_date', 'occurredOn', { value: f.occurredOn });
  if (f.occurredTime !== null && !isClockTime(f.occurredTime)) return fail('invalid_time', 'occurredTime', { value: f.occurredTime });
  const inherent = catalogue.violenceOf(code);
  let violent: boolean;
  if (f.violent === null || f.violent === undefined) {
    if (inherent === null) return fail('violence_required', 'violent', { code });
    violent = inherent === 'violent';
  } else {
    if (inherent !== null && f.violent !== (inherent === 'violent')) return fail('violence_conflict', 'violent', { code });
    violent = f.violent;
  }
  const point = checkPoint(geo, f.lat, f.lon, f.declaredStateCode);
  if (!point.ok) return point;
  return {
    ok: true,
    value: {
      classificationCode: code,
      occurredOn: f.occurredOn,
      occurredTime: f.occurredTime,
      lat: f.lat,
      lon: f.lon,
      ...point.place,
      h3: h3Cells(f.lat, f.lon),
      violent,
    },
  };
}
