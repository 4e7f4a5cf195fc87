import type { Polygon } from 'geojson';
import { AGGREGATE_UNITS, GRID_CELL_LIMITS, H3_MAP_RESOLUTIONS, type AggregateUnit, type AnalysisFilters } from '../api.js';

/**
 * What the crime map shows, kept in the page's URL so that a copied link reproduces the view:
 * `/mapa?c=4.1.5&from=2015-01-01&to=2015-12-31&h=0-5,22-23&wd=5,6&area=municipality:09015&ch=h3:9&month=2015-03&v=-99.13,19.43,12`.
 */
export type MapState = {
  /** SESNSP codes (any level, a code covers its subtree), sorted; empty: every crime. */
  classification: string[];
  /** Local dates, inclusive; '' until chosen (the page then proposes the last year with data). */
  from: string;
  to: string;
  /** Hours of the day 0–23, sorted; empty: all. */
  hours: number[];
  /** ISO weekdays 1–7 (Monday = 1), sorted; empty: all. */
  weekdays: number[];
  /** `state:09` | `municipality:09015` | `colonia:<id>` | `quadrant:<id>`, or ''. */
  area: string;
  /** A polygon drawn on the map (open ring of [lon, lat]); it replaces `area` while set. */
  polygon: [number, number][] | null;
  /** Clustered points shown. */
  points: boolean;
  /** Choropleth shown, and its unit. */
  choropleth: boolean;
  unit: AggregateUnit;
  resolution: number;
  cellSize: number;
  metric: MapMetric;
  /** The time slider's month ('YYYY-MM'), or '' for the whole period. */
  month: string;
  /** The camera, or null to fit the data. */
  view: { lon: number; lat: number; zoom: number } | null;
  /** The analysis job whose result is on the map, or ''. */
  job: string;
};

export const MAP_METRICS = ['count', 'ratePer1000', 'perKm2'] as const;
export type MapMetric = (typeof MAP_METRICS)[number];

export const DEFAULT_STATE: MapState = {
  classification: [],
  from: '',
  to: '',
  hours: [],
  weekdays: [],
  area: '',
  polygon: null,
  points: false,
  choropleth: true,
  unit: 'h3',
  resolution: 8,
  cellSize: 500,
  metric: 'count',
  month: '',
  view: null,
  job: '',
};

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const CODE = /^\d+(\.\d+){0,3}$/;
const AREA = /^(state|municipality|colonia|quadrant):[\w.-]{1,40}$/;
/** Vertices a drawn polygon may have (the API refuses more than 1000). */
export const MAX_POLYGON_VERTICES = 1000;

/** "0-5,22-23" → [0, 1, 2, 3, 4, 5, 22, 23]; anything malformed → [] (all hours). */
export function parseHours(text: string | null | undefined): number[] {
  if (!text) return [];
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?$/.exec(part);
    if (!m) return [];
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > 23 || b > 23 || b < a) return [];
    for (let h = a; h <= b; h++) out.add(h);
  }
  return out.size === 24 ? [] : [...out].sort((x, y) => x - y);
}

/** [0, 1, 2, 3, 4, 5, 22, 23] → "0-5,22-23" (the API's form); [] → ''. */
export function formatHours(hours: readonly number[]): string {
  const h = [...new Set(hours)].filter((x) => Number.isInteger(x) && x >= 0 && x <= 23).sort((a, b) => a - b);
  if (h.length === 0 || h.length === 24) return '';
  const parts: string[] = [];
  for (let i = 0; i < h.length;) {
    let j = i;
    while (j + 1 < h.length && h[j + 1] === h[j] + 1) j++;
    parts.push(j === i ? String(h[i]) : `${h[i]}-${h[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function parseWeekdays(text: string | null): number[] {
  if (!text) return [];
  const days = text.split(',').map(Number);
  if (!days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) return [];
  const set = [...new Set(days)].sort((a, b) => a - b);
  return set.length === 7 ? [] : set;
}

/** Drops codes already covered by a selected ancestor, and duplicates; sorted in catalogue order. */
export function normaliseCodes(codes: readonly string[]): string[] {
  const valid = [...new Set(codes.filter((c) => CODE.test(c)))];
  const covered = (c: string) => valid.some((a) => a !== c && c.startsWith(`${a}.`));
  return valid.filter((c) => !covered(c)).sort(compareCodes);
}

/** Catalogue order: 4.1.2 before 4.1.10. */
export function compareCodes(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d) return d;
  }
  return 0;
}

function parsePolygon(text: string | null): [number, number][] | null {
  if (!text) return null;
  const ring: [number, number][] = [];
  for (const pair of text.split('_')) {
    const [lon, lat] = pair.split(',').map(Number);
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return null;
    ring.push([lon, lat]);
  }
  return ring.length >= 3 && ring.length <= MAX_POLYGON_VERTICES ? ring : null;
}

function parseView(text: string | null): MapState['view'] {
  const parts = (text ?? '').split(',').map(Number);
  if (parts.length !== 3 || !parts.every(Number.isFinite)) return null;
  const [lon, lat, zoom] = parts;
  if (Math.abs(lon) > 180 || Math.abs(lat) > 85 || zoom < 0 || zoom > 22) return null;
  return { lon, lat, zoom };
}

function parseUnit(text: string | null): Pick<MapState, 'unit' | 'resolution' | 'cellSize'> {
  const [unit, arg] = (text ?? '').split(':');
  const out = { unit: DEFAULT_STATE.unit, resolution: DEFAULT_STATE.resolution, cellSize: DEFAULT_STATE.cellSize };
  if (!(AGGREGATE_UNITS as readonly string[]).includes(unit)) return out;
  out.unit = unit as AggregateUnit;
  const n = Number(arg);
  if (unit === 'h3' && (H3_MAP_RESOLUTIONS as readonly number[]).includes(n)) out.resolution = n;
  if (unit === 'grid' && Number.isInteger(n) && n >= GRID_CELL_LIMITS.min && n <= GRID_CELL_LIMITS.max) out.cellSize = n;
  return out;
}

/** The view a URL describes; what is missing or malformed takes its default. */
export function readMapState(search: URLSearchParams): MapState {
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const month = search.get('month') ?? '';
  const area = search.get('area') ?? '';
  const metric = search.get('m') ?? '';
  return {
    classification: normaliseCodes((search.get('c') ?? '').split(',').filter(Boolean)),
    from: DATE.test(from) ? from : '',
    to: DATE.test(to) ? to : '',
    hours: parseHours(search.get('h')),
    weekdays: parseWeekdays(search.get('wd')),
    area: AREA.test(area) ? area : '',
    polygon: parsePolygon(search.get('poly')),
    points: search.get('pts') === '1',
    choropleth: search.get('ch') !== 'off',
    ...parseUnit(search.get('ch')),
    metric: (MAP_METRICS as readonly string[]).includes(metric) ? (metric as MapMetric) : 'count',
    month: MONTH.test(month) ? month : '',
    view: parseView(search.get('v')),
    job: /^[\w-]{1,80}$/.test(search.get('job') ?? '') ? search.get('job')! : '',
  };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** The URL query of a view (without '?'); defaults are left out, so a plain link stays short. */
export function writeMapState(s: MapState): string {
  const q = new URLSearchParams();
  if (s.classification.length) q.set('c', s.classification.join(','));
  if (s.from) q.set('from', s.from);
  if (s.to) q.set('to', s.to);
  const hours = formatHours(s.hours);
  if (hours) q.set('h', hours);
  if (s.weekdays.length && s.weekdays.length < 7) q.set('wd', s.weekdays.join(','));
  if (s.polygon) q.set('poly', s.polygon.map(([lon, lat]) => `${round(lon, 5)},${round(lat, 5)}`).join('_'));
  else if (s.area) q.set('area', s.area);
  if (s.points) q.set('pts', '1');
  q.set('ch', !s.choropleth ? 'off' : s.unit === 'h3' ? `h3:${s.resolution}` : s.unit === 'grid' ? `grid:${s.cellSize}` : s.unit);
  if (s.metric !== 'count') q.set('m', s.metric);
  if (s.month) q.set('month', s.month);
  if (s.view) q.set('v', `${round(s.view.lon, 5)},${round(s.view.lat, 5)},${round(s.view.zoom, 2)}`);
  if (s.job) q.set('job', s.job);
  return q.toString();
}

const pad = (n: number) => String(n).padStart(2, '0');
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** '2015-03' → ['2015-03-01', '2015-03-31']. */
export function monthBounds(month: string): [string, string] {
  const [y, m] = month.split('-').map(Number);
  return [`${month}-01`, `${month}-${pad(daysInMonth(y, m))}`];
}

/** The months a date range touches, in order ('2015-01' … '2015-12'); at most `limit`. */
export function monthsBetween(from: string, to: string, limit = 240): string[] {
  if (!DATE.test(from) || !DATE.test(to) || to < from) return [];
  let [y, m] = from.split('-').map(Number);
  const last = to.slice(0, 7);
  const out: string[] = [];
  for (;;) {
    const key = `${y}-${pad(m)}`;
    out.push(key);
    if (key >= last || out.length >= limit) return out;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
}

/** A date `months` months before the first day of the month of `date` ('2015-12-31', 11 → '2015-01-01'). */
export function monthsBack(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) - months;
  return `${Math.floor(total / 12)}-${pad((total % 12) + 1)}-01`;
}

/** The drawn polygon as GeoJSON (the ring closed). */
export function polygonGeoJson(ring: readonly [number, number][]): Polygon {
  return { type: 'Polygon', coordinates: [[...ring.map(([lon, lat]) => [lon, lat]), [ring[0][0], ring[0][1]]]] };
}

/**
 * The filters of the API for a view. With `slider`, the time slider's month narrows the period
 * (the map layers step through it); without, the whole period is used (analyses, forecasts).
 */
export function filtersOf(s: MapState, opts: { slider?: boolean } = {}): AnalysisFilters {
  let from = s.from;
  let to = s.to;
  if (opts.slider && s.month) {
    const [a, b] = monthBounds(s.month);
    from = from && from > a ? from : a;
    to = to && to < b ? to : b;
  }
  return {
    classification: s.classification.length ? s.classification.join(',') : undefined,
    from: from || undefined,
    to: to || undefined,
    hours: formatHours(s.hours) || undefined,
    weekdays: s.weekdays.length ? s.weekdays.join(',') : undefined,
    area: s.polygon ? undefined : s.area || undefined,
    polygon: s.polygon ? polygonGeoJson(s.polygon) : undefined,
  };
}

export type PolygonProblem = 'too_few' | 'too_many' | 'self_intersecting';

function segmentsCross(a: [number, number], b: [number, number], c: [number, number], d: [number, number]): boolean {
  const orient = (p: [number, number], q: [number, number], r: [number, number]) =>
    Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4 && o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) return true;
  const onSegment = (p: [number, number], q: [number, number], r: [number, number]) =>
    Math.min(p[0], r[0]) <= q[0] && q[0] <= Math.max(p[0], r[0]) && Math.min(p[1], r[1]) <= q[1] && q[1] <= Math.max(p[1], r[1]);
  // Collinear overlaps count as crossings (a ring folding back on itself).
  return (
    (o1 === 0 && onSegment(a, c, b)) ||
    (o2 === 0 && onSegment(a, d, b)) ||
    (o3 === 0 && onSegment(c, a, d)) ||
    (o4 === 0 && onSegment(c, b, d))
  );
}

/**
 * What the API would refuse in a drawn polygon (open ring): fewer than 3 vertices, more than
 * {@link MAX_POLYGON_VERTICES}, or edges that cross. Checked before sending, so the drawing tool
 * can say so at once; the server checks again.
 */
export function polygonProblem(ring: readonly [number, number][]): PolygonProblem | null {
  if (ring.length < 3) return 'too_few';
  if (ring.length > MAX_POLYGON_VERTICES) return 'too_many';
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % n];
    for (let j = i + 1; j < n; j++) {
      // Adjacent edges share a vertex; skip them (the first and last edges are adjacent too).
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      if (segmentsCross(a, b, ring[j], ring[(j + 1) % n])) return 'self_intersecting';
    }
  }
  return null;
}
