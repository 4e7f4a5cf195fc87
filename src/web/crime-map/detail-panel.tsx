import type { MultiPolygon, Polygon } from 'geojson';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  getAnalysisTimeseries,
  type AggregateUnit,
  type AnalysisFilters,
  type CrimePointProperties,
  type TimeSeries,
} from '../api.js';
import { Link } from '../router.js';
import { giConfidence, isPattern, toGiBin } from './colors.js';
import { fillMonthly } from './series.js';
import { TrendChart } from './trend-chart.js';

export type CellDetail = {
  kind: 'cell';
  unit: AggregateUnit;
  id: string;
  geometry: Polygon | MultiPolygon;
  props: Record<string, unknown>;
};
export type PointDetail = { kind: 'point'; props: CrimePointProperties; lngLat: [number, number] };
export type Detail = CellDetail | PointDetail;

const AREA_UNITS: readonly AggregateUnit[] = ['colonia', 'quadrant', 'municipality', 'state'];
/** The units that have a neighbourhood profile. */
export const PROFILE_UNITS: readonly AggregateUnit[] = ['colonia', 'quadrant', 'municipality'];

/** The filters restricted to one cell: an area unit by its code, a hexagon or square by its outline. */
export function cellFilters(base: AnalysisFilters, cell: CellDetail): AnalysisFilters {
  if (AREA_UNITS.includes(cell.unit)) return { ...base, area: `${cell.unit}:${cell.id}`, polygon: undefined };
  const poly: Polygon | undefined = cell.geometry.type === 'Polygon' ? cell.geometry : undefined;
  return poly ? { ...base, area: undefined, polygon: poly } : base;
}

type Props = {
  detail: Detail;
  filters: AnalysisFilters;
  nameOf: (code: string) => string;
  onClose: () => void;
};

/** What a clicked cell, area or point holds: its figures and, for cells, a chart of the months. */
export function DetailPanel({ detail, filters, nameOf, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const nf = (v: unknown, d = 2) =>
    typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString(en ? 'en-US' : 'es-MX', { maximumFractionDigits: d }) : '—';
  const [series, setSeries] = useState<TimeSeries | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cellKey = detail.kind === 'cell' ? JSON.stringify(cellFilters(filters, detail)) : '';
  useEffect(() => {
    setSeries(null);
    setError(null);
    if (!cellKey) return;
    const ctrl = new AbortController();
    getAnalysisTimeseries({ ...(JSON.parse(cellKey) as AnalysisFilters), interval: 'month' }, ctrl.signal)
      .then(setSeries)
      .catch((err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
    return () => ctrl.abort();
  }, [cellKey, t]);

  if (detail.kind === 'point') {
    const p = detail.props;
    return (
      <section className="cm-panel" data-testid="cm-detail" data-kind="point" aria-labelledby="cm-detail-title">
        <div className="cm-panel-head">
          <h2 className="cm-panel-title" id="cm-detail-title">
            {t('crimeMap.detail.point')}
          </h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')} data-testid="cm-detail-close">
            ×
          </button>
        </div>
        <dl className="kv kv--compact">
          <dt>{t('crimeMap.detail.crime')}</dt>
          <dd>{nameOf(p.classificationCode)}</dd>
          <dt>{t('crimeMap.detail.date')}</dt>
          <dd>
            {p.occurredOn} {p.occurredTime ?? t('crimeMap.detail.unknownTime')}
          </dd>
          <dt>{t('crimeMap.detail.violence')}</dt>
          <dd>{p.violent ? t('crimeMap.legend.violent') : t('crimeMap.legend.nonViolent')}</dd>
        </dl>
      </section>
    );
  }

  const p = detail.props;
  const title = typeof p.name === 'string' && p.name ? p.name : t(`crimeMap.unit.${detail.unit}`);
  const bin = p.bin === undefined ? null : toGiBin(p.bin);
  return (
    <section className="cm-panel" data-testid="cm-detail" data-kind="cell" data-id={detail.id} aria-labelledby="cm-detail-title">
      <div className="cm-panel-head">
        <h2 className="cm-panel-title" id="cm-detail-title">
          {title}
        </h2>
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')} data-testid="cm-detail-close">
          ×
        </button>
      </div>
      <p className="muted cm-small mono">{detail.id}</p>
      <dl className="kv kv--compact">
        <dt>{t('crimeMap.metric.count')}</dt>
        <dd data-testid="cm-detail-count">{nf(p.count, 0)}</dd>
        <dt>{t('crimeMap.metric.ratePer1000')}</dt>
        <dd>{nf(p.ratePer1000)}</dd>
        <dt>{t('crimeMap.metric.perKm2')}</dt>
        <dd>{nf(p.perKm2)}</dd>
        {bin !== null ? (
          <>
            <dt>Gi* z</dt>
            <dd>
              {nf(p.z)} (p = {nf(p.p, 4)})
            </dd>
            <dt>{t('crimeMap.detail.class')}</dt>
            <dd data-testid="cm-detail-class">
              {bin === 0
                ? t('crimeMap.legend.notSignificant')
                : t(bin > 0 ? 'crimeMap.legend.hot' : 'crimeMap.legend.cold', { confidence: giConfidence(bin) })}
            </dd>
          </>
        ) : null}
        {p.I !== undefined ? (
          <>
            <dt>{t('crimeMap.detail.moran')}</dt>
            <dd>
              {nf(p.I, 3)} (z = {nf(p.z)}, p = {nf(p.p, 4)})
            </dd>
            <dt>{t('crimeMap.detail.class')}</dt>
            <dd data-testid="cm-detail-class">{t(`crimeMap.cluster.${typeof p.cluster === 'string' ? p.cluster : 'none'}`)}</dd>
          </>
        ) : null}
        {isPattern(p.pattern) ? (
          <>
            <dt>{t('crimeMap.detail.pattern')}</dt>
            <dd data-testid="cm-detail-class">{t(`crimeMap.pattern.${p.pattern}`)}</dd>
            <dt>{t('crimeMap.detail.trend')}</dt>
            <dd>
              z = {nf(p.trendZ)}, p = {nf(p.trendP, 4)}
            </dd>
          </>
        ) : null}
      </dl>
      {series ? (
        series.buckets.length ? (
          <TrendChart
            {...fillMonthly(series.buckets, filters.from, filters.to)}
            label={t('crimeMap.detail.chart', { name: title })}
            testId="cm-detail-chart"
          />
        ) : (
          <p className="muted cm-small">{t('crimeMap.detail.noSeries')}</p>
        )
      ) : error ? (
        <p className="alert alert--error cm-small">{error}</p>
      ) : (
        <p className="muted cm-small">{t('common.loading')}</p>
      )}
      {PROFILE_UNITS.includes(detail.unit) ? (
        <Link
          className="btn btn--small"
          to={`/mapa/perfil?${new URLSearchParams({ area: `${detail.unit}:${detail.id}`, ...(filters.from ? { from: filters.from } : {}), ...(filters.to ? { to: filters.to } : {}) }).toString()}`}
          data-testid="cm-profile-link"
        >
          {t('crimeMap.detail.profile')}
        </Link>
      ) : null}
    </section>
  );
}
