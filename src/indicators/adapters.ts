/**
 * The platform's own data through the same engine as the official statistics. A module that
 * counts something by area and month (the 911 calls of the dispatch module, the crime records of
 * the records module) offers it through an `AreaCountsAdapter`; the indicators module turns the
 * counts into rates per 100,000, shares and rankings exactly as it does for SESNSP's figures. An
 * adapter calls its module's service, never its tables, and passes the actor along, so each module's
 * need-to-know rules still decide what is counted.
 */
import type { Actor } from '../identity/access-policy.js';
import type { DispatchDeps } from '../dispatch/dispatch.service.js';
import { metrics } from '../dispatch/metrics.service.js';
import { monthOf, yearOf, type Bilingual } from './catalogue.js';

export type AreaCountsMeasure = { key: string; label: Bilingual };

/** A non-additive figure of a whole period (a percentile cannot be summed month by month). */
export type AreaPeriodStat = { key: string; label: Bilingual; unit: 'seconds' | 'share' };

export interface AreaCountsAdapter {
  /** The dataset's id in URLs (`/api/indicators/platform/:dataset`). */
  readonly id: string;
  readonly label: Bilingual;
  /** The areas it counts by: INEGI municipality codes ("09015"), or colonia ids ("15-040") with their own population. */
  readonly level: 'municipality' | 'colonia';
  readonly measures: readonly AreaCountsMeasure[];
  readonly stats: readonly AreaPeriodStat[];
  /**
   * Counts of one measure by area for each month of [from, to] (month indices, catalogue.ts), as
   * the actor may see them. Areas with no record are absent; records without an area are
   * returned under the empty code "".
   */
  monthlyCounts(actor: Actor, q: { measure: string; from: number; to: number }): Promise<Map<string, number[]>>;
  /** Non-additive statistics of the whole period by area (may be empty). */
  periodStats(actor: Actor, q: { from: number; to: number }): Promise<Map<string, Record<string, number | null>>>;
  /** Population by area for rates, when the areas are not INEGI municipalities (colonias). */
  population?(): Map<string, { name: string; population: number }>;
}

/**
 * The crime records of the records module by colonia (or municipality) and month, per crime
 * SESNSP crime type, implemented by the records module (src/records/crime-indicators.ts) with its own
 * store and the actor's scope; its `id` (`delitos`) is a dataset of `/api/indicators/platform/:dataset`.
 */
export interface CrimeRecordsAdapter extends AreaCountsAdapter {
  readonly level: 'municipality' | 'colonia';
  /** Measures are crime categories of the records module (keys in `measures`), e.g. "robo_transeunte". */
}

const firstDay = (m: number) => `${yearOf(m)}-${String(monthOf(m)).padStart(2, '0')}-01`;
function lastDay(m: number): string {
  const d = new Date(Date.UTC(yearOf(m), monthOf(m), 0));
  return d.toISOString().slice(0, 10);
}

/**
 * 911 calls, incidents and improper calls by municipality, from the dispatch module's metrics
 * service (src/dispatch/metrics.service.ts), one call per month; response times (p50/p90 of call
 * → first arrival, p90 of creation → dispatch) for the whole period.
 */
export function dispatch911Adapter(deps: DispatchDeps): AreaCountsAdapter {
  return {
    id: '911',
    label: { es: 'Llamadas al 911 e incidentes (despacho de la plataforma)', en: '911 calls and incidents (the platform’s dispatch)' },
    level: 'municipality',
    measures: [
      { key: 'calls', label: { es: 'Llamadas al 911', en: '911 calls' } },
      { key: 'incidents', label: { es: 'Incidentes registrados', en: 'Incidents created' } },
      { key: 'improperCalls', label: { es: 'Llamadas improcedentes', en: 'Improper calls' } },
    ],
    stats: [
      { key: 'totalP50', label: { es: 'Llamada → arribo, p50', en: 'Call → arrival, p50' }, unit: 'seconds' },
      { key: 'totalP90', label: { es: 'Llamada → arribo, p90', en: 'Call → arrival, p90' }, unit: 'seconds' },
      { key: 'dispatchP90', label: { es: 'Registro → despacho, p90', en: 'Creation → dispatch, p90' }, unit: 'seconds' },
      { key: 'totalWithinTarget', label: { es: 'Dentro de la meta NFPA', en: 'Within the NFPA target' }, unit: 'share' },
    ],
    async monthlyCounts(actor, q) {
      const out = new Map<string, number[]>();
      const months = q.to - q.from + 1;
      for (let m = q.from; m <= q.to; m++) {
        const r = await metrics(deps, actor, { from: firstDay(m), to: lastDay(m), groupBy: ['municipality'] });
        for (const g of r.groups) {
          const code = g.key.municipalityCode ?? '';
          const value = q.measure === 'incidents' ? g.incidents : q.measure === 'improperCalls' ? g.improperCalls : g.calls;
          let row = out.get(code);
          if (!row) out.set(code, (row = new Array<number>(months).fill(0)));
          row[m - q.from] += value;
        }
      }
      return out;
    },
    async periodStats(actor, q) {
      const r = await metrics(deps, actor, { from: firstDay(q.from), to: lastDay(q.to), groupBy: ['municipality'] });
      return new Map(
        r.groups.map((g) => [
          g.key.municipalityCode ?? '',
          { totalP50: g.total.p50, totalP90: g.total.p90, dispatchP90: g.createToDispatch.p90, totalWithinTarget: g.total.withinTarget },
        ]),
      );
    },
  };
}
