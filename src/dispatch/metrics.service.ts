import type { Actor } from '../identity/access-policy.js';
import { agencyMap, type DispatchDeps } from './dispatch.service.js';
import type { Priority } from './dispatch.types.js';

/**
 * Response-time metrics of the 911 service, per centre, period, municipality and
 * priority, against the NFPA targets. Intervals (seconds):
 * - answer → incident creation: the call-taker's processing of the call;
 * - creation → first dispatch: the dispatcher's (NFPA 1225 §4.1.2.3.3: 90 % within 60 s);
 * - first dispatch → first arrival: travel (NFPA 1710 §4.1.2.1: 240 s for 90 % of the first arriving unit);
 * - total: call received → first arrival.
 * Percentiles use the nearest-rank method, as NFPA reporting does ("90 % of calls within…").
 */
export const TARGETS = { answerToCreate: 60, createToDispatch: 60, dispatchToArrival: 240, total: 420 } as const;
export type Interval = keyof typeof TARGETS;

export type Stat = { n: number; p50: number | null; p90: number | null; withinTarget: number | null };
export type GroupKey = {
  centreId?: string;
  centreName?: string;
  municipalityCode?: string;
  municipalityName?: string;
  priority?: Priority;
};
export type Group = {
  key: GroupKey;
  calls: number;
  improperCalls: number;
  improperShare: number | null;
  incidents: number;
} & Record<Interval, Stat>;
export type Metrics = {
  from: string;
  to: string;
  targets: typeof TARGETS;
  overall: Group;
  groups: Group[];
  daily: { date: string; calls: number; improperCalls: number; incidents: number; createToDispatchP90: number | null }[];
};
export type MetricsQuery = {
  from: string;
  to: string;
  groupBy: ('centre' | 'municipality' | 'priority')[];
  municipalityCode?: string;
  priority?: Priority;
};

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function stat(values: number[], target: number): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    withinTarget: sorted.length ? sorted.filter((v) => v <= target).length / sorted.length : null,
  };
}

const seconds = (a: string | null, b: string | null) =>
  a && b ? Math.max(0, (new Date(b).getTime() - new Date(a).getTime()) / 1000) : null;

type Row = {
  kind: 'call' | 'incident';
  centreId: string;
  municipalityCode: string | null;
  priority: Priority | null;
  day: string;
  improper: boolean;
  intervals: Partial<Record<Interval, number>>;
};

export async function metrics(deps: DispatchDeps, actor: Actor, q: MetricsQuery): Promise<Metrics> {
  const db = deps.handle.db;
  const from = new Date(`${q.from}T00:00:00.000Z`).toISOString();
  const to = new Date(new Date(`${q.to}T00:00:00.000Z`).getTime() + 86_400_000).toISOString();
  // Need to know (DA-1): the same jurisdiction rule as the board.
  let calls = db
    .selectFrom('dispatchCall')
    .select(['centreId', 'municipalityCode', 'stateCode', 'receivedAt', 'answeredAt', 'outcome', 'incidentId'])
    .where('receivedAt', '>=', from)
    .where('receivedAt', '<', to);
  let incidents = db
    .selectFrom('incident')
    .select(['id', 'centreId', 'municipalityCode', 'stateCode', 'priority', 'createdAt', 'firstDispatchedAt', 'firstArrivedAt'])
    .where('createdAt', '>=', from)
    .where('createdAt', '<', to);
  const agencies = await agencyMap(deps);
  if (actor.agencyLevel === 'state') {
    // A call may have no caller location: it belongs to the state of the centre that answered it.
    const centres = [...agencies.values()].filter((a) => a.kind === 'c5' && a.stateCode === actor.stateCode).map((a) => a.id);
    calls = calls.where('centreId', 'in', centres.length ? centres : ['']);
    incidents = incidents.where('stateCode', '=', actor.stateCode ?? '');
  } else if (actor.agencyLevel === 'municipal') {
    calls = calls.where('municipalityCode', '=', actor.municipalityCode ?? '');
    incidents = incidents.where('municipalityCode', '=', actor.municipalityCode ?? '');
  }
  if (q.municipalityCode) {
    calls = calls.where('municipalityCode', '=', q.municipalityCode);
    incidents = incidents.where('municipalityCode', '=', q.municipalityCode);
  }
  if (q.priority) incidents = incidents.where('priority', '=', q.priority);
  const [callRows, incidentRows] = await Promise.all([calls.execute(), incidents.execute()]);
  const byIncident = new Map(incidentRows.map((i) => [i.id, i]));
  const firstCall = new Map<string, (typeof callRows)[number]>();
  for (const c of callRows) {
    if (!c.incidentId || c.outcome !== 'incident') continue;
    const prev = firstCall.get(c.incidentId);
    if (!prev || c.receivedAt < prev.receivedAt) firstCall.set(c.incidentId, c);
  }
  const rows: Row[] = [];
  for (const c of callRows) {
    const inc = c.incidentId ? byIncident.get(c.incidentId) : undefined;
    if (q.priority && inc?.priority !== q.priority) continue;
    rows.push({
      kind: 'call',
      centreId: c.centreId,
      municipalityCode: c.municipalityCode ?? inc?.municipalityCode ?? null,
      priority: (inc?.priority as Priority) ?? null,
      day: c.receivedAt.slice(0, 10),
      improper: c.outcome === 'improper',
      intervals: {},
    });
  }
  for (const i of incidentRows) {
    const call = firstCall.get(i.id);
    const intervals: Partial<Record<Interval, number>> = {};
    const put = (k: Interval, v: number | null) => {
      if (v !== null) intervals[k] = v;
    };
    put('answerToCreate', seconds(call?.answeredAt ?? null, i.createdAt));
    put('createToDispatch', seconds(i.createdAt, i.firstDispatchedAt));
    put('dispatchToArrival', seconds(i.firstDispatchedAt, i.firstArrivedAt));
    put('total', seconds(call?.receivedAt ?? i.createdAt, i.firstArrivedAt));
    rows.push({
      kind: 'incident',
      centreId: i.centreId,
      municipalityCode: i.municipalityCode,
      priority: i.priority as Priority,
      day: i.createdAt.slice(0, 10),
      improper: false,
      intervals,
    });
  }

  const municipalities = new Map(deps.geo.listMunicipalities().map((m) => [m.code, m.name]));
  const keyOf = (r: Row): GroupKey => {
    const k: GroupKey = {};
    if (q.groupBy.includes('centre')) Object.assign(k, { centreId: r.centreId, centreName: agencies.get(r.centreId)?.name ?? r.centreId });
    if (q.groupBy.includes('municipality'))
      Object.assign(k, {
        municipalityCode: r.municipalityCode ?? '',
        municipalityName: r.municipalityCode ? (municipalities.get(r.municipalityCode) ?? r.municipalityCode) : '',
      });
    if (q.groupBy.includes('priority')) Object.assign(k, { priority: r.priority ?? undefined });
    return k;
  };
  const summarize = (key: GroupKey, list: Row[]): Group => {
    const callList = list.filter((r) => r.kind === 'call');
    const inc = list.filter((r) => r.kind === 'incident');
    const improper = callList.filter((r) => r.improper).length;
    const values = (k: Interval) => inc.map((r) => r.intervals[k]).filter((v): v is number => v !== undefined);
    return {
      key,
      calls: callList.length,
      improperCalls: improper,
      improperShare: callList.length ? improper / callList.length : null,
      incidents: inc.length,
      answerToCreate: stat(values('answerToCreate'), TARGETS.answerToCreate),
      createToDispatch: stat(values('createToDispatch'), TARGETS.createToDispatch),
      dispatchToArrival: stat(values('dispatchToArrival'), TARGETS.dispatchToArrival),
      total: stat(values('total'), TARGETS.total),
    };
  };
  const groups = new Map<string, { key: GroupKey; rows: Row[] }>();
  for (const r of rows) {
    const key = keyOf(r);
    const id = JSON.stringify(key);
    const g = groups.get(id) ?? { key, rows: [] };
    g.rows.push(r);
    groups.set(id, g);
  }
  const days = new Map<string, Row[]>();
  for (const r of rows) days.set(r.day, [...(days.get(r.day) ?? []), r]);
  return {
    from: q.from,
    to: q.to,
    targets: TARGETS,
    overall: summarize({}, rows),
    groups: [...groups.values()].map((g) => summarize(g.key, g.rows)).sort((a, b) => b.calls + b.incidents - (a.calls + a.incidents)),
    daily: [...days.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, list]) => {
        const s = summarize({}, list);
        return {
          date,
          calls: s.calls,
          improperCalls: s.improperCalls,
          incidents: s.incidents,
          createToDispatchP90: s.createToDispatch.p90,
        };
      }),
  };
}

const CSV_HEAD = [
  'centro',
  'municipio_clave',
  'municipio',
  'prioridad',
  'llamadas',
  'improcedentes',
  'proporcion_improcedentes',
  'incidentes',
  ...(['answerToCreate', 'createToDispatch', 'dispatchToArrival', 'total'] as const).flatMap((k) => [
    `${k}_n`,
    `${k}_p50_s`,
    `${k}_p90_s`,
    `${k}_en_meta`,
  ]),
];

/** The groups as CSV (one row per group, seconds rounded to 0.1). */
export function metricsCsv(m: Metrics): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return String(Math.round(v * 10) / 10);
    return /^[=+\-@]/.test(v) || /[",\n]/.test(v) ? `"${v.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : v;
  };
  const lines = [CSV_HEAD.join(',')];
  for (const g of [...m.groups, { ...m.overall, key: { centreName: 'TOTAL' } }]) {
    lines.push(
      [
        g.key.centreName,
        g.key.municipalityCode,
        g.key.municipalityName,
        g.key.priority,
        g.calls,
        g.improperCalls,
        g.improperShare,
        g.incidents,
        ...(['answerToCreate', 'createToDispatch', 'dispatchToArrival', 'total'] as const).flatMap((k) => [
          g[k].n,
          g[k].p50,
          g[k].p90,
          g[k].withinTarget,
        ]),
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
