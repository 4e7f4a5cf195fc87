/**
 * Dates as day numbers: days since 1970-01-01 of the record's local date (America/Mexico_City, as
 * stored), so that ranges, weekdays, ISO weeks and months are integer arithmetic.
 */

const MS_DAY = 86_400_000;

/** Day number of a `YYYY-MM-DD` date (NaN when malformed). */
export function dayOf(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return NaN;
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  const d = ms / MS_DAY;
  // Date.UTC rolls 2025-02-30 over into March: a real date reads back the same.
  return dateOf(d) === date ? d : NaN;
}

/** `YYYY-MM-DD` of a day number. */
export function dateOf(day: number): string {
  return new Date(day * MS_DAY).toISOString().slice(0, 10);
}

/** ISO weekday, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;

/** First day (Monday) of the ISO week holding `day`. */
export const weekStart = (day: number): number => day - weekdayOf(day);

/** First day of the month holding `day`. */
export function monthStart(day: number): number {
  const d = new Date(day * MS_DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / MS_DAY;
}

/** First day of the month after the one holding `day`. */
export function nextMonth(day: number): number {
  const d = new Date(day * MS_DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / MS_DAY;
}

/** The same calendar date one year earlier (29 February → 28 February). */
export function yearBefore(day: number): number {
  const d = new Date(day * MS_DAY);
  const y = d.getUTCFullYear() - 1;
  const m = d.getUTCMonth();
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / MS_DAY;
}

/** Minute of the day of `HH:MM`, or −1 when unknown or malformed. */
export function minuteOf(time: string | null | undefined): number {
  if (!time || !/^\d{2}:\d{2}$/.test(time)) return -1;
  const h = Number(time.slice(0, 2));
  const m = Number(time.slice(3, 5));
  return h < 24 && m < 60 ? h * 60 + m : -1;
}

/** `HH:MM` of a minute of the day, null for −1. */
export function timeOf(minute: number): string | null {
  if (minute < 0) return null;
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
