import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AggregateUnit } from '../api.js';
import {
  CLUSTERS,
  classLabels,
  CLUSTER_COLORS,
  GI_BINS,
  GI_COLORS,
  HEAT_RAMP,
  PATTERN_COLORS,
  giConfidence,
  isPattern,
  rgbaCss,
  toGiBin,
} from './colors.js';
import type { AnalysisLayer } from './analysis-map.js';
import type { LegendBlock, LegendItem } from './export.js';
import type { MapMetric } from './view-state.js';

type Fmt = (v: number, digits?: number) => string;

/** The legend of what the map shows: the choropleth's classes, the analysis classes (with how many cells each), the points. */
export function legendBlocks(
  t: TFunction,
  fmt: Fmt,
  opts: {
    choropleth: { unit: AggregateUnit; metric: MapMetric; breaks: number[]; colors: string[]; cells: number; min: number } | null;
    analysis: AnalysisLayer | null;
    points: boolean;
  },
): (LegendBlock & { key: string; itemKeys?: string[] })[] {
  const out: (LegendBlock & { key: string; itemKeys?: string[] })[] = [];
  const a = opts.analysis;
  if (a?.kind === 'gistar') {
    const counts = new Map<number, number>();
    for (const f of a.data.features) {
      const b = toGiBin((f.properties as { bin?: unknown }).bin);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const bins = [...GI_BINS].reverse();
    out.push({
      key: 'gistar',
      title: t('crimeMap.legend.gistar'),
      items: bins.map((b) => ({
        color: GI_COLORS[b],
        label:
          b === 0
            ? t('crimeMap.legend.notSignificant')
            : t(b > 0 ? 'crimeMap.legend.hot' : 'crimeMap.legend.cold', { confidence: giConfidence(b) }),
        count: counts.get(b) ?? 0,
      })),
      itemKeys: bins.map((b) => `bin:${b}`),
    });
  } else if (a?.kind === 'localmoran') {
    const counts = new Map<string, number>();
    for (const f of a.data.features) {
      const c = (f.properties as { cluster?: string | null }).cluster ?? 'none';
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const keys = [...CLUSTERS, 'none'] as const;
    out.push({
      key: 'localmoran',
      title: t('crimeMap.legend.localmoran'),
      items: keys.map((c) => ({ color: CLUSTER_COLORS[c], label: t(`crimeMap.cluster.${c}`), count: counts.get(c) ?? 0 })),
      itemKeys: keys.map((c) => `cluster:${c}`),
      note: t('crimeMap.legend.alpha05'),
    });
  } else if (a?.kind === 'emerging') {
    const counts = new Map<string, number>();
    for (const f of a.data.features) {
      const p = (f.properties as { pattern?: unknown }).pattern;
      const key = isPattern(p) ? p : 'no_pattern_detected';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const present = (Object.keys(PATTERN_COLORS) as (keyof typeof PATTERN_COLORS)[]).filter(
      (p) => (counts.get(p) ?? 0) > 0 || p === 'no_pattern_detected',
    );
    out.push({
      key: 'emerging',
      title: t('crimeMap.legend.emerging'),
      items: present.map((p) => ({ color: PATTERN_COLORS[p], label: t(`crimeMap.pattern.${p}`), count: counts.get(p) ?? 0 })),
      itemKeys: present.map((p) => `pattern:${p}`),
    });
  } else if (a?.kind === 'kde') {
    out.push({
      key: 'kde',
      title: t('crimeMap.legend.kde'),
      ramp: { colors: HEAT_RAMP.map((s) => rgbaCss(s.rgba)), min: '0', max: `${fmt(a.raster.max, 1)} ${t('crimeMap.legend.perKm2')}` },
    });
  }
  const c = opts.choropleth;
  if (c && c.cells > 0) {
    const labels = classLabels(c.breaks, {
      integer: c.metric === 'count',
      min: c.min,
      format: (v) => fmt(v, c.metric === 'count' ? 0 : 2),
    });
    const items: LegendItem[] = c.colors.map((color, i) => ({ color, label: labels[i] }));
    out.push({
      key: 'choropleth',
      title: t('crimeMap.legend.choropleth', { metric: t(`crimeMap.metric.${c.metric}`), unit: t(`crimeMap.unit.${c.unit}`) }),
      items,
      itemKeys: items.map((_, i) => `class:${i}`),
      note: t('crimeMap.legend.quantiles'),
    });
  }
  if (opts.points) {
    out.push({
      key: 'points',
      title: t('crimeMap.legend.points'),
      items: [
        { color: '#b91c1c', label: t('crimeMap.legend.violent') },
        { color: '#0369a1', label: t('crimeMap.legend.nonViolent') },
        { color: '#2563eb', label: t('crimeMap.legend.cluster') },
      ],
      itemKeys: ['point:violent', 'point:nonViolent', 'point:cluster'],
    });
  }
  return out;
}

/** The legend over the map (the same blocks are drawn into the PNG). */
export function Legend({ blocks }: { blocks: (LegendBlock & { key: string; itemKeys?: string[] })[] }) {
  const { t } = useTranslation();
  if (!blocks.length) return null;
  return (
    <div className="map-panel cm-legend" data-testid="cm-legend" role="region" aria-label={t('crimeMap.legend.title')}>
      {blocks.map((b) => (
        <section key={b.key} data-block={b.key}>
          <h3>{b.title}</h3>
          {b.items ? (
            <ul>
              {b.items.map((it, i) => (
                <li key={b.itemKeys?.[i] ?? i} data-testid="cm-legend-item" data-key={b.itemKeys?.[i]} data-count={it.count ?? ''}>
                  <i style={{ background: it.color }} aria-hidden="true" />
                  <span>{it.label}</span>
                  {it.count !== undefined ? <span className="cm-legend-count">{it.count}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
          {b.ramp ? (
            <div className="cm-ramp">
              <i style={{ background: `linear-gradient(to right, ${b.ramp.colors.join(', ')})` }} aria-hidden="true" />
              <span>{b.ramp.min}</span>
              <span>{b.ramp.max}</span>
            </div>
          ) : null}
          {b.note ? <p className="cm-legend-note">{b.note}</p> : null}
        </section>
      ))}
    </div>
  );
}
