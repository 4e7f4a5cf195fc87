/**
 * The in-memory columnar store of crime records: one typed array per attribute, records appended
 * in the order they reach the engine (id order), never updated (a record that is voided later is
 * dropped at the next reload). 76 bytes per record:
 *
 * | column | type | bytes | what |
 * | --- | --- | --- | --- |
 * | `day` | Int32 | 4 | local date as days since 1970-01-01 |
 * | `minute` | Int16 | 2 | minute of the day, −1 unknown |
 * | `weekday` | Uint8 | 1 | 0 Monday … 6 Sunday |
 * | `cls` | Uint8 | 1 | classification node index (classification.ts: subtrees are ranges) |
 * | `violent` | Uint8 | 1 | 1 with violence |
 * | `facet` | Uint16 | 2 | classification × hour × weekday in one number ({@link facetOf}): the filter's three tests become one lookup |
 * | `lon`, `lat` | Float64 | 16 | as stored (points are answered exactly) |
 * | `x`, `y` | Float32 | 8 | EPSG:6372 metres (projection.ts; Float32 is ±0.25 m there) |
 * | `h3[0…3]` | Uint32 | 16 | H3 cells at resolutions 7–10, as indices into per-resolution dictionaries |
 * | `state` | Uint8 | 1 | index into the state dictionary |
 * | `municipality`, `colonia`, `quadrant` | Uint16 | 6 | indices into their dictionaries (0 = none) |
 * | `owner` | Uint16 | 2 | owner agency (0 = none), for the CR-1 scope |
 * | `id` | Uint32 × 4 | 16 | the record's UUID as 128 bits |
 *
 * Area dictionaries start with the areas of areas.ts in their order (index = area index + 1), so an
 * aggregation by colonia is `counts[colonia[i]]++` over a plain array; an unknown code (a boundary
 * file older than the record) is appended after them, without geometry.
 */
import type { CrimeRowForAnalysis } from '../../records/crime.service.js';
import type { Areas, AreaKind } from './areas.js';
import { dayOf, minuteOf, weekdayOf } from './calendar.js';
import type { ClassificationIndex } from './classification.js';
import { project } from './projection.js';

/** Strings ↔ small integers, append-only. */
export interface Dictionary {
  readonly values: string[];
  readonly index: Map<string, number>;
}

function dictionary(initial: readonly string[] = []): Dictionary {
  const values = [...initial];
  return { values, index: new Map(values.map((v, i) => [v, i])) };
}

function intern(d: Dictionary, value: string): number {
  let k = d.index.get(value);
  if (k === undefined) {
    k = d.values.length;
    d.values.push(value);
    d.index.set(value, k);
  }
  return k;
}

type Columns = {
  day: Int32Array;
  minute: Int16Array;
  weekday: Uint8Array;
  cls: Uint8Array;
  violent: Uint8Array;
  facet: Uint16Array;
  lon: Float64Array;
  lat: Float64Array;
  x: Float32Array;
  y: Float32Array;
  h3r7: Uint32Array;
  h3r8: Uint32Array;
  h3r9: Uint32Array;
  h3r10: Uint32Array;
  state: Uint8Array;
  municipality: Uint16Array;
  colonia: Uint16Array;
  quadrant: Uint16Array;
  owner: Uint16Array;
  /** 4 words per record. */
  id: Uint32Array;
};

export interface ColumnStore extends Columns {
  /** Records held. */
  n: number;
  /** Records the arrays have room for. */
  capacity: number;
  /** Bumped by every append: cached answers key on it. */
  version: number;
  /** Smallest and largest day held (NaN when empty). */
  minDay: number;
  maxDay: number;
  /**
   * Records [0, sortedUpTo) are in day order (sortByDay), later appends follow unsorted; dayIndex[d −
   * dayIndexLo] is the position of the first sorted record of day d or later, so a date range is a
   * slice of the sorted part plus the unsorted tail.
   */
  sortedUpTo: number;
  dayIndex: Int32Array | null;
  dayIndexLo: number;
  /** Extent of x and y (EPSG:6372 metres; NaN when empty). */
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  readonly dict: {
    readonly h3: readonly [Dictionary, Dictionary, Dictionary, Dictionary];
    readonly state: Dictionary;
    readonly municipality: Dictionary;
    readonly colonia: Dictionary;
    readonly quadrant: Dictionary;
    readonly owner: Dictionary;
  };
  readonly classes: ClassificationIndex;
}

const COLUMN_TYPES = {
  day: Int32Array,
  minute: Int16Array,
  weekday: Uint8Array,
  cls: Uint8Array,
  violent: Uint8Array,
  facet: Uint16Array,
  lon: Float64Array,
  lat: Float64Array,
  x: Float32Array,
  y: Float32Array,
  h3r7: Uint32Array,
  h3r8: Uint32Array,
  h3r9: Uint32Array,
  h3r10: Uint32Array,
  state: Uint8Array,
  municipality: Uint16Array,
  colonia: Uint16Array,
  quadrant: Uint16Array,
  owner: Uint16Array,
  id: Uint32Array,
} as const;
type Name = keyof Columns;
const NAMES = Object.keys(COLUMN_TYPES) as Name[];
const WIDTH = (name: Name) => (name === 'id' ? 4 : 1);

/** Bytes per record of the columns (76). */
export const BYTES_PER_RECORD = NAMES.reduce((t, k) => t + COLUMN_TYPES[k].BYTES_PER_ELEMENT * WIDTH(k), 0);

/**
 * One number for a record's classification node, hour (−1 unknown) and weekday (0 Monday … 6 Sunday):
 * node · 175 + (hour + 1) · 7 + weekday. A filter on the three is then one table of FACETS_PER_NODE ×
 * nodes entries, built per question. 16 bits hold it for every node a Uint8 `cls` can name (256 · 175 < 65,536).
 */
export const FACETS_PER_NODE = 25 * 7;
export const facetOf = (cls: number, minute: number, weekday: number) =>
  cls * FACETS_PER_NODE + (minute < 0 ? 0 : ((minute / 60) | 0) + 1) * 7 + weekday;

const areaKeys = (areas: Areas, kind: AreaKind) => ['', ...areas[kind].codes];

export function createColumnStore(areas: Areas, classes: ClassificationIndex, capacity = 1024): ColumnStore {
  const columns = Object.fromEntries(NAMES.map((k) => [k, new COLUMN_TYPES[k](capacity * WIDTH(k))])) as unknown as Columns;
  return {
    ...columns,
    n: 0,
    capacity,
    version: 0,
    minDay: NaN,
    maxDay: NaN,
    sortedUpTo: 0,
    dayIndex: null,
    dayIndexLo: 0,
    xMin: NaN,
    xMax: NaN,
    yMin: NaN,
    yMax: NaN,
    dict: {
      h3: [dictionary(), dictionary(), dictionary(), dictionary()],
      // States are not indexed by area position: index 0 is never a state, like the others.
      state: dictionary(areaKeys(areas, 'state')),
      municipality: dictionary(areaKeys(areas, 'municipality')),
      colonia: dictionary(areaKeys(areas, 'colonia')),
      quadrant: dictionary(areaKeys(areas, 'quadrant')),
      owner: dictionary(['']),
    },
    classes,
  };
}

/** Grows every column to hold `needed` records (×1.5 steps), copying what is there. */
export function reserve(s: ColumnStore, needed: number): void {
  if (needed <= s.capacity) return;
  let capacity = s.capacity;
  while (capacity < needed) capacity = Math.ceil(capacity * 1.5) + 1024;
  for (const k of NAMES) {
    const grown = new COLUMN_TYPES[k](capacity * WIDTH(k));
    grown.set(s[k].subarray(0, s.n * WIDTH(k)) as never);
    (s as unknown as Record<Name, unknown>)[k] = grown;
  }
  s.capacity = capacity;
}

/** Drops the spare room (after the initial load, so memory is exactly n × 76 bytes). */
export function compact(s: ColumnStore): void {
  if (s.capacity === s.n) return;
  for (const k of NAMES) (s as unknown as Record<Name, unknown>)[k] = s[k].slice(0, s.n * WIDTH(k));
  s.capacity = s.n;
}

/**
 * Puts every record in day order (a counting sort, then each column permuted; no spare room left):
 * date-filtered scans then read one contiguous slice. Run after the initial load, and again when the
 * unsorted tail of new records grows past a tenth of the store. Stable: within a day, store order.
 */
export function sortByDay(s: ColumnStore): void {
  const n = s.n;
  if (!n) return compact(s);
  const lo = s.minDay;
  const span = s.maxDay - lo + 1;
  const start = new Int32Array(span + 1);
  for (let i = 0; i < n; i++) start[s.day[i] - lo + 1]++;
  for (let d = 0; d < span; d++) start[d + 1] += start[d];
  const order = new Int32Array(n);
  const at = start.slice(0, span);
  for (let i = 0; i < n; i++) order[at[s.day[i] - lo]++] = i;
  const set = s as unknown as Record<Name, unknown>;
  for (const k of NAMES) {
    const src = s[k];
    // One gather loop per array type: a single loop over all of them would be megamorphic and ~50× slower.
    if (k === 'id') set[k] = gatherId(src as Uint32Array, order);
    else if (src instanceof Float64Array) set[k] = gatherF64(src, order);
    else if (src instanceof Float32Array) set[k] = gatherF32(src, order);
    else if (src instanceof Int32Array) set[k] = gatherI32(src, order);
    else if (src instanceof Uint32Array) set[k] = gatherU32(src, order);
    else if (src instanceof Int16Array) set[k] = gatherI16(src, order);
    else if (src instanceof Uint16Array) set[k] = gatherU16(src, order);
    else set[k] = gatherU8(src as Uint8Array, order);
  }
  s.capacity = n;
  s.sortedUpTo = n;
  s.dayIndex = start;
  s.dayIndexLo = lo;
  s.version++;
}

function gatherF64(src: Float64Array, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = src[order[j]];
  return out;
}
function gatherF32(src: Float32Array, order: Int32Array): Float32Array {
  const out = new Float32Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = src[order[j]];
  return out;
}
function gatherI32(src: Int32Array, order: Int32Array): Int32Array {
  const out = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = src[order[j]];
  return out;
}
function gatherU32(src: Uint32Array, order: Int32Array): Uint32Array {
  const out = new Uint32Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = src[order[j]];
  return out;
}
function gatherI16(src: Int16Array, order: Int32Array): Int16Array {
  const out = new Int16Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = src[order[j]];
  return out;
}
function gatherU16(src: Uint16Array, order: Int32Array): Uint16Array {
  const out = new Uint16Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = src[order[j]];
  return out;
}
function gatherU8(src: Uint8Array, order: Int32Array): Uint8Array {
  const out = new Uint8Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = src[order[j]];
  return out;
}
function gatherId(src: Uint32Array, order: Int32Array): Uint32Array {
  const out = new Uint32Array(order.length * 4);
  for (let j = 0; j < order.length; j++) {
    const o = order[j] * 4;
    out[j * 4] = src[o];
    out[j * 4 + 1] = src[o + 1];
    out[j * 4 + 2] = src[o + 2];
    out[j * 4 + 3] = src[o + 3];
  }
  return out;
}

/** Whether the unsorted tail is large enough to sort again. */
export const needsSort = (s: ColumnStore) => s.n - s.sortedUpTo > Math.max(100_000, s.n / 10);

/** Bytes held by the columns (capacity, not only n). */
export const columnBytes = (s: ColumnStore) => NAMES.reduce((t, k) => t + s[k].byteLength, 0);

/** A UUID's 32 hex digits as 4 words. */
function writeId(ids: Uint32Array, i: number, uuid: string): void {
  const hex = uuid.replace(/-/g, '');
  for (let w = 0; w < 4; w++) ids[4 * i + w] = parseInt(hex.slice(8 * w, 8 * w + 8), 16) >>> 0;
}

/** The record's UUID, back from its 4 words. */
export function idOf(s: ColumnStore, i: number): string {
  const h = [0, 1, 2, 3].map((w) => s.id[4 * i + w].toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Appends records as the records module reads them (`streamCrimeRecords`). A row with an unknown
 * classification or an unreadable date is skipped (the records module never stores one); returns
 * how many were added.
 */
export function appendRows(s: ColumnStore, rows: readonly CrimeRowForAnalysis[]): number {
  reserve(s, s.n + rows.length);
  const start = s.n;
  let i = start;
  const { classes, dict } = s;
  for (const r of rows) {
    const cls = classes.indexOf.get(r.classificationCode);
    const day = dayOf(r.occurredOn);
    if (cls === undefined || !Number.isFinite(day)) continue;
    s.day[i] = day;
    s.minute[i] = minuteOf(r.occurredTime);
    s.weekday[i] = weekdayOf(day);
    s.cls[i] = cls;
    s.violent[i] = r.violent ? 1 : 0;
    s.facet[i] = facetOf(cls, s.minute[i], s.weekday[i]);
    s.lon[i] = r.lon;
    s.lat[i] = r.lat;
    const [x, y] = project(r.lon, r.lat);
    s.x[i] = x;
    s.y[i] = y;
    if (!(s.x[i] >= s.xMin)) s.xMin = s.x[i];
    if (!(s.x[i] <= s.xMax)) s.xMax = s.x[i];
    if (!(s.y[i] >= s.yMin)) s.yMin = s.y[i];
    if (!(s.y[i] <= s.yMax)) s.yMax = s.y[i];
    s.h3r7[i] = intern(dict.h3[0], r.h3R7);
    s.h3r8[i] = intern(dict.h3[1], r.h3R8);
    s.h3r9[i] = intern(dict.h3[2], r.h3R9);
    s.h3r10[i] = intern(dict.h3[3], r.h3R10);
    s.state[i] = intern(dict.state, r.stateCode);
    s.municipality[i] = intern(dict.municipality, r.municipalityCode);
    s.colonia[i] = r.coloniaId ? intern(dict.colonia, r.coloniaId) : 0;
    s.quadrant[i] = r.quadrantId ? intern(dict.quadrant, r.quadrantId) : 0;
    s.owner[i] = r.ownerAgencyId ? intern(dict.owner, r.ownerAgencyId) : 0;
    writeId(s.id, i, r.id);
    if (!(day >= s.minDay)) s.minDay = day;
    if (!(day <= s.maxDay)) s.maxDay = day;
    i++;
  }
  s.n = i;
  s.version++;
  return i - start;
}

/** Dictionary of the H3 column of a resolution (7–10). */
export const h3Column = (s: ColumnStore, resolution: number): Uint32Array => [s.h3r7, s.h3r8, s.h3r9, s.h3r10][resolution - 7];
