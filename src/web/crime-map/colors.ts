import { EMERGING_PATTERNS, type EmergingPattern, type LocalMoranCluster } from '../api.js';

/**
 * The colours of the crime map. Diverging classes use ColorBrewer RdBu (colour-blind safe, prints
 * in grey as a light-to-dark ramp on each side); sequential ones YlOrRd.
 */

/** Gi* confidence bins, −3 … +3 (ArcGIS `Gi_Bin`: ±3 99 %, ±2 95 %, ±1 90 %, 0 not significant). */
export const GI_BINS = [-3, -2, -1, 0, 1, 2, 3] as const;
export type GiBin = (typeof GI_BINS)[number];
export const GI_COLORS: Record<GiBin, string> = {
  [-3]: '#2166ac',
  [-2]: '#67a9cf',
  [-1]: '#d1e5f0',
  0: '#eeeeee',
  1: '#fddbc7',
  2: '#ef8a62',
  3: '#b2182b',
};
/** The confidence of a bin, for its legend label (99, 95, 90), or null when not significant. */
export const giConfidence = (bin: number): 99 | 95 | 90 | null =>
  Math.abs(bin) === 3 ? 99 : Math.abs(bin) === 2 ? 95 : Math.abs(bin) === 1 ? 90 : null;
/** A value from the API as a bin (rounded and clamped; anything else is 0). */
export const toGiBin = (v: unknown): GiBin => {
  const n = typeof v === 'number' && Number.isFinite(v) ? Math.max(-3, Math.min(3, Math.round(v))) : 0;
  return n as GiBin;
};

/** Local Moran clusters: high-high and low-low clusters, high-low and low-high outliers. */
export const CLUSTERS: readonly LocalMoranCluster[] = ['HH', 'HL', 'LH', 'LL'];
export const CLUSTER_COLORS: Record<LocalMoranCluster | 'none', string> = {
  HH: '#b2182b',
  HL: '#f4a582',
  LH: '#92c5de',
  LL: '#2166ac',
  none: '#eeeeee',
};

/** Emerging hot spot patterns: hot in reds and oranges, cold in blues, by how recent and steady. */
export const PATTERN_COLORS: Record<EmergingPattern, string> = {
  new_hot_spot: '#67000d',
  consecutive_hot_spot: '#a50f15',
  intensifying_hot_spot: '#d7301f',
  persistent_hot_spot: '#ef6548',
  diminishing_hot_spot: '#fc8d59',
  sporadic_hot_spot: '#fdbb84',
  oscillating_hot_spot: '#fdd49e',
  historical_hot_spot: '#fee8c8',
  new_cold_spot: '#08306b',
  consecutive_cold_spot: '#08519c',
  intensifying_cold_spot: '#2171b5',
  persistent_cold_spot: '#4292c6',
  diminishing_cold_spot: '#6baed6',
  sporadic_cold_spot: '#9ecae1',
  oscillating_cold_spot: '#c6dbef',
  historical_cold_spot: '#deebf7',
  no_pattern_detected: '#eeeeee',
};
export const isPattern = (v: unknown): v is EmergingPattern =>
  typeof v === 'string' && (EMERGING_PATTERNS as readonly string[]).includes(v);

/** Five sequential classes (YlOrRd) for counts and rates. */
export const SEQUENTIAL = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'] as const;
/** Areas whose figure is withheld (public map) or missing. */
export const NO_DATA = '#cbd5e1';

/**
 * Class breaks at the quantiles of the values: up to `classes − 1` increasing thresholds (equal
 * ones merged), so a class holds roughly the same number of cells. Value v is in class i when
 * breaks[i − 1] ≤ v < breaks[i].
 */
export function quantileBreaks(values: readonly number[], classes = SEQUENTIAL.length): number[] {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length < 2) return [];
  const out: number[] = [];
  for (let i = 1; i < classes; i++) {
    const q = v[Math.min(v.length - 1, Math.floor((i / classes) * v.length))];
    if (q > v[0] && (out.length === 0 || q > out[out.length - 1])) out.push(q);
  }
  return out;
}

/** The class of a value (0 … breaks.length). */
export function classOf(value: number, breaks: readonly number[]): number {
  let i = 0;
  while (i < breaks.length && value >= breaks[i]) i++;
  return i;
}

/** The colours used for `breaks`: spread over the whole ramp so that the top class is always the darkest. */
export function classColors(breaks: readonly number[]): string[] {
  const n = breaks.length + 1;
  if (n === 1) return [SEQUENTIAL[SEQUENTIAL.length - 1]];
  return Array.from({ length: n }, (_, i) => SEQUENTIAL[Math.round((i * (SEQUENTIAL.length - 1)) / (n - 1))]);
}

/** Colour stops of the heat surface, from transparent (no intensity) to dark red. */
export const HEAT_RAMP: readonly { at: number; rgba: [number, number, number, number] }[] = [
  { at: 0, rgba: [255, 255, 178, 0] },
  { at: 0.15, rgba: [254, 204, 92, 150] },
  { at: 0.4, rgba: [253, 141, 60, 190] },
  { at: 0.7, rgba: [240, 59, 32, 215] },
  { at: 1, rgba: [189, 0, 38, 235] },
];

/** The heat ramp at t ∈ [0, 1] (clamped), linearly between stops. */
export function heatColor(t: number): [number, number, number, number] {
  const x = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
  for (let i = 1; i < HEAT_RAMP.length; i++) {
    const a = HEAT_RAMP[i - 1];
    const b = HEAT_RAMP[i];
    if (x <= b.at) {
      const f = (x - a.at) / (b.at - a.at);
      return [0, 1, 2, 3].map((k) => Math.round(a.rgba[k] + (b.rgba[k] - a.rgba[k]) * f)) as [number, number, number, number];
    }
  }
  return [...HEAT_RAMP[HEAT_RAMP.length - 1].rgba];
}

export const rgbaCss = ([r, g, b, a]: readonly number[]) => `rgba(${r}, ${g}, ${b}, ${(a / 255).toFixed(3)})`;

/**
 * The labels of the classes of `breaks`. Counts are whole numbers, so their classes read as
 * whole ranges ("1–2", "3", "4–7", "≥ 8") from `min`, the smallest value shown; other figures
 * as half-open intervals ("< 0.5", "0.5 – 1.2", "≥ 1.2").
 */
export function classLabels(breaks: readonly number[], opts: { integer: boolean; min: number; format: (v: number) => string }): string[] {
  const { integer, min, format } = opts;
  const n = breaks.length + 1;
  return Array.from({ length: n }, (_, i) => {
    if (integer) {
      const lo = i === 0 ? Math.ceil(min) : Math.ceil(breaks[i - 1]);
      if (i === n - 1) return `≥ ${format(lo)}`;
      const hi = Math.ceil(breaks[i]) - 1;
      return hi <= lo ? format(lo) : `${format(lo)}–${format(hi)}`;
    }
    if (n === 1) return `≥ ${format(min)}`;
    if (i === 0) return `< ${format(breaks[0])}`;
    if (i === n - 1) return `≥ ${format(breaks[i - 1])}`;
    return `${format(breaks[i - 1])} – ${format(breaks[i])}`;
  });
}
