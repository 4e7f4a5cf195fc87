import type { TimeSeries } from '../api.js';
import { monthsBetween } from './view-state.js';

/**
 * A monthly series over every month of [from, to], with 0 where the answer has no bucket, so
 * that a chart never joins two months across a gap. Without a period, the answer's own months.
 */
export function fillMonthly(buckets: TimeSeries['buckets'], from?: string, to?: string): { starts: string[]; counts: number[] } {
  const byMonth = new Map<string, number>();
  for (const b of buckets) byMonth.set(b.start.slice(0, 7), (byMonth.get(b.start.slice(0, 7)) ?? 0) + b.count);
  const first = from ?? buckets[0]?.start;
  const last = to ?? buckets[buckets.length - 1]?.start;
  const months = first && last ? monthsBetween(first, last) : [];
  return { starts: months.map((m) => `${m}-01`), counts: months.map((m) => byMonth.get(m) ?? 0) };
}
