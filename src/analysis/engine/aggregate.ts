/**
 * Aggregations of a selection other than space: time series by day / ISO week / month, the
 * hour × weekday matrix, counts by classification level, and the points themselves.
 */
import type { ColumnStore } from './columns.js';
import { dateOf, monthStart, nextMonth, weekStart } from './calendar.js';

export type Interval = 'day' | 'week' | 'month';

/** Most buckets of one series (a century of days). */
export const MAX_BUCKETS = 40_000;

/**
 * Counts per period, every period from the first to the last (empty ones as 0): from the filter's
 * dates when given, else from the selection's first and last day.
 */
export function timeSeries(
  s: ColumnStore,
  sel: Int32Array,
  interval: Interval,
  fromDay = -Infinity,
  toDay = Infinity,
): { start: string; count: number }[] {
  let lo = fromDay;
  let hi = toDay;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    let a = Infinity;
    let b = -Infinity;
    for (let k = 0; k < sel.length; k++) {
      const d = s.day[sel[k]];
      if (d < a) a = d;
      if (d > b) b = d;
    }
    if (!Number.isFinite(lo)) lo = a;
    if (!Number.isFinite(hi)) hi = b;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  const first = interval === 'day' ? lo : interval === 'week' ? weekStart(lo) : monthStart(lo);
  const starts: number[] = [];
  for (let d = first; d <= hi && starts.length <= MAX_BUCKETS; d = interval === 'day' ? d + 1 : interval === 'week' ? d + 7 : nextMonth(d))
    starts.push(d);
  // Day → bucket through a lookup over the span: one array read per record.
  const span = hi - first + 1;
  const bucketOf = new Int32Array(span);
  for (let b = 0, d = first; d <= hi; d++) {
    while (b + 1 < starts.length && starts[b + 1] <= d) b++;
    bucketOf[d - first] = b;
  }
  const counts = new Float64Array(starts.length);
  for (let k = 0; k < sel.length; k++) {
    const off = s.day[sel[k]] - first;
    if (off >= 0 && off < span) counts[bucketOf[off]]++;
  }
  return starts.map((d, b) => ({ start: dateOf(d), count: counts[b] }));
}

/** Counts by weekday (row 0 = Monday) and hour; records without a time go to `unknownTime`. */
export function hourWeekdayMatrix(s: ColumnStore, sel: Int32Array): { counts: number[][]; unknownTime: number } {
  const flat = new Float64Array(7 * 24);
  let unknownTime = 0;
  for (let k = 0; k < sel.length; k++) {
    const i = sel[k];
    const m = s.minute[i];
    if (m < 0) unknownTime++;
    else flat[s.weekday[i] * 24 + ((m / 60) | 0)]++;
  }
  return { counts: Array.from({ length: 7 }, (_, r) => Array.from(flat.subarray(r * 24, r * 24 + 24))), unknownTime };
}

/** Counts per classification node (index of the catalogue). */
export function countByNode(s: ColumnStore, sel: Int32Array): Float64Array {
  const counts = new Float64Array(s.classes.nodes.length);
  for (let k = 0; k < sel.length; k++) counts[s.cls[sel[k]]]++;
  return counts;
}

/**
 * Counts by classification level 1–4, most first. A record classified above the level (a robbery
 * recorded only as "Robo" asked at level 3) counts under its own, coarser node, so rows add up to the total.
 */
export function breakdown(s: ColumnStore, sel: Int32Array, level: number): { code: string; name: string; nameEn: string; count: number }[] {
  const byNode = countByNode(s, sel);
  const n = byNode.length;
  const folded = new Float64Array(n);
  for (let k = 0; k < n; k++) if (byNode[k]) folded[s.classes.ancestorAt[(level - 1) * n + k]] += byNode[k];
  const rows: { code: string; name: string; nameEn: string; count: number }[] = [];
  for (let k = 0; k < n; k++) {
    if (folded[k] > 0)
      rows.push({ code: s.classes.nodes[k].code, name: s.classes.nodes[k].name, nameEn: s.classes.nodes[k].nameEn, count: folded[k] });
  }
  return rows.sort((a, b) => b.count - a.count || a.code.localeCompare(b.code, 'en', { numeric: true }));
}

/** The `limit` most recent records of a selection (latest day first; within a day, store order). */
export function latest(s: ColumnStore, sel: Int32Array, limit: number): Int32Array {
  if (sel.length <= limit) {
    return Int32Array.from(sel).sort((a, b) => s.day[b] - s.day[a] || a - b);
  }
  // The day from which the most recent `limit` records start, by a histogram over the days.
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < sel.length; k++) {
    const d = s.day[sel[k]];
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  const hist = new Uint32Array(hi - lo + 1);
  for (let k = 0; k < sel.length; k++) hist[s.day[sel[k]] - lo]++;
  let cut = hi;
  let acc = 0;
  while (cut >= lo && acc + hist[cut - lo] < limit) acc += hist[cut-- - lo];
  const out = new Int32Array(limit);
  let j = 0;
  let atCut = limit - acc;
  for (let k = 0; k < sel.length; k++) {
    const i = sel[k];
    const d = s.day[i];
    if (d > cut) out[j++] = i;
    else if (d === cut && atCut > 0) {
      out[j++] = i;
      atCut--;
    }
  }
  return out.sort((a, b) => s.day[b] - s.day[a] || a - b);
}
