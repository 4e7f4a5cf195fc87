import type { ExpressionSpecification } from 'maplibre-gl';
import { EMERGING_PATTERNS } from '../api.js';
import { CLUSTER_COLORS, GI_BINS, GI_COLORS, NO_DATA, PATTERN_COLORS } from './colors.js';

/** MapLibre paint expressions of the crime map's layers (colours in colors.ts). */

/** Sequential classes of a numeric property; features without a value are grey. */
export function stepColor(property: string, breaks: readonly number[], colors: readonly string[]): ExpressionSpecification {
  const steps: (string | number)[] = [colors[0]];
  breaks.forEach((b, i) => steps.push(b, colors[i + 1]));
  const step = (breaks.length
    ? ['step', ['to-number', ['get', property]], ...steps]
    : colors[colors.length - 1]) as unknown as ExpressionSpecification;
  return ['case', ['==', ['typeof', ['get', property]], 'number'], step, NO_DATA];
}

export const giColor = (): ExpressionSpecification =>
  [
    'match',
    ['to-number', ['get', 'bin'], 0],
    ...GI_BINS.flatMap((b) => [b, GI_COLORS[b]]),
    GI_COLORS[0],
  ] as unknown as ExpressionSpecification;

export const clusterColor = (): ExpressionSpecification => [
  'match',
  ['coalesce', ['get', 'cluster'], 'none'],
  'HH',
  CLUSTER_COLORS.HH,
  'HL',
  CLUSTER_COLORS.HL,
  'LH',
  CLUSTER_COLORS.LH,
  'LL',
  CLUSTER_COLORS.LL,
  CLUSTER_COLORS.none,
];

export const patternColor = (): ExpressionSpecification =>
  [
    'match',
    ['coalesce', ['get', 'pattern'], 'no_pattern_detected'],
    ...EMERGING_PATTERNS.flatMap((p) => [p, PATTERN_COLORS[p]]),
    PATTERN_COLORS.no_pattern_detected,
  ] as unknown as ExpressionSpecification;

/** Not significant cells stay faint so the classes stand out. */
export const analysisOpacity = (kind: 'gistar' | 'localmoran' | 'emerging'): ExpressionSpecification =>
  kind === 'gistar'
    ? ['case', ['==', ['to-number', ['get', 'bin'], 0], 0], 0.25, 0.85]
    : kind === 'localmoran'
      ? ['case', ['==', ['typeof', ['get', 'cluster']], 'string'], 0.85, 0.25]
      : ['case', ['==', ['coalesce', ['get', 'pattern'], 'no_pattern_detected'], 'no_pattern_detected'], 0.25, 0.85];
