import type { Feature } from 'geojson';
import type { Map as MLMap } from 'maplibre-gl';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  getAnalysisAggregate,
  getAnalysisPoints,
  getAnalysisTimeseries,
  H3_MAP_RESOLUTIONS,
  type AggregateCollection,
  type AggregateUnit,
  type PointCollection,
} from '../api.js';
import { useCatalogue } from '../records/catalogue.js';
import { navigate, useLocation } from '../router.js';
import { AnalysisMap, type AnalysisLayer, type MapSelection } from './analysis-map.js';
import { AnalysisPanel } from './analysis-panel.js';
import { classColors, quantileBreaks } from './colors.js';
import { DetailPanel, type Detail } from './detail-panel.js';
import { composeMapPng, downloadBlob, downloadCanvasPng, featuresToCsv } from './export.js';
import { FilterPanel, filterFields, type FilterFields } from './filter-panel.js';
import { ForecastPanel } from './forecast-panel.js';
import { Legend, legendBlocks } from './legend.js';
import { stepColor } from './paint.js';
import { SummaryPanel } from './summary-panel.js';
import { TimeSlider } from './time-slider.js';
import {
  DEFAULT_STATE,
  filtersOf,
  monthBounds,
  monthsBack,
  monthsBetween,
  polygonProblem,
  readMapState,
  writeMapState,
  type MapMetric,
  type MapState,
} from './view-state.js';
import './crime-map.css';

/** Points drawn at most (the API allows 50,000; clusters keep them readable). */
const POINT_LIMIT = 20_000;
const CELL_SIZES = [100, 250, 500, 1000, 2000, 5000];
const UNITS: readonly AggregateUnit[] = ['h3', 'grid', 'colonia', 'quadrant', 'municipality', 'state'];
/** Units with population (rates per 1,000 inhabitants). */
const RATE_UNITS: readonly AggregateUnit[] = ['colonia', 'municipality', 'state'];

type Status = 'loading' | 'ready' | 'empty' | 'error';

function bboxOf(fc: { features: { geometry: { type: string; coordinates: unknown } | null }[] }): [number, number, number, number] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      w = Math.min(w, c[0] as number);
      e = Math.max(e, c[0] as number);
      s = Math.min(s, c[1] as number);
      n = Math.max(n, c[1] as number);
    } else if (Array.isArray(c)) for (const x of c) visit(x);
  };
  for (const f of fc.features) if (f.geometry) visit(f.geometry.coordinates);
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

/** /mapa: the analysts' crime map. */
export default function CrimeMapPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { search } = useLocation();
  const qs = search.toString();
  const state = useMemo(() => readMapState(new URLSearchParams(qs)), [qs]);
  const stateRef = useRef(state);
  stateRef.current = state;
  const update = useCallback((patch: Partial<MapState>, replace = false) => {
    // Late events (the map's last moveend while the page goes away) must not pull the user back here.
    if (window.location.pathname !== '/mapa') return;
    navigate(`/mapa?${writeMapState({ ...stateRef.current, ...patch })}`, { replace });
  }, []);
  const { nodes, nameOf } = useCatalogue();
  const fmt = useCallback((v: number, digits = 0) => v.toLocaleString(en ? 'en-US' : 'es-MX', { maximumFractionDigits: digits }), [en]);

  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState<string | null>(null);
  const [aggregate, setAggregate] = useState<AggregateCollection | null>(null);
  const [points, setPoints] = useState<PointCollection | null>(null);
  const [analysis, setAnalysis] = useState<AnalysisLayer | null>(null);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [playing, setPlaying] = useState(false);
  const [drawing, setDrawing] = useState<[number, number][] | null>(null);
  const [drawError, setDrawError] = useState<string | null>(null);
  const [fitTo, setFitTo] = useState<[number, number, number, number] | null>(null);
  const [copied, setCopied] = useState(false);
  const mapRef = useRef<MLMap | null>(null);

  useEffect(() => {
    document.title = `${t('areas.crimeMap.title')} · ${t('common.appName')}`;
  }, [t]);

  // No period in the link: propose the last twelve months that have records (one small query).
  const noPeriod = !state.from || !state.to;
  useEffect(() => {
    if (!noPeriod) return;
    const ctrl = new AbortController();
    setStatus('loading');
    getAnalysisTimeseries({ ...filtersOf({ ...stateRef.current, from: '', to: '' }), interval: 'month' }, ctrl.signal)
      .then((ts) => {
        const last = [...ts.buckets].reverse().find((b) => b.count > 0);
        if (!last) {
          setStatus('empty');
          return;
        }
        const to = monthBounds(last.start.slice(0, 7))[1];
        update({ from: stateRef.current.from || monthsBack(to, 11), to: stateRef.current.to || to }, true);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setStatus('error');
        setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
      });
    return () => ctrl.abort();
  }, [noPeriod, update, t]);

  // The layers' data: the slider's month narrows the period.
  const sliderFilters = filtersOf(state, { slider: true });
  const aggKey = noPeriod || !state.choropleth ? '' : JSON.stringify([sliderFilters, state.unit, state.resolution, state.cellSize]);
  useEffect(() => {
    if (!aggKey) {
      setAggregate(null);
      if (!noPeriod) setStatus('ready');
      return;
    }
    const [f, unit, resolution, cellSize] = JSON.parse(aggKey) as [ReturnType<typeof filtersOf>, AggregateUnit, number, number];
    const ctrl = new AbortController();
    setStatus('loading');
    getAnalysisAggregate({ ...f, unit, resolution, cellSize }, ctrl.signal)
      .then((fc) => {
        setAggregate(fc);
        setError(null);
        setStatus(fc.meta.total > 0 ? 'ready' : 'empty');
        if (!stateRef.current.view) setFitTo(bboxOf(fc));
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setStatus('error');
        setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
      });
    return () => ctrl.abort();
  }, [aggKey, noPeriod, t]);

  const pointsKey = noPeriod || !state.points ? '' : JSON.stringify(sliderFilters);
  useEffect(() => {
    if (!pointsKey) {
      setPoints(null);
      return;
    }
    const ctrl = new AbortController();
    getAnalysisPoints({ ...(JSON.parse(pointsKey) as ReturnType<typeof filtersOf>), limit: POINT_LIMIT }, ctrl.signal)
      .then((fc) => {
        setPoints(fc);
        if (!stateRef.current.view && !stateRef.current.choropleth) setFitTo(bboxOf(fc));
      })
      .catch((err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
    return () => ctrl.abort();
  }, [pointsKey, t]);

  // The choropleth's classes.
  const metric: MapMetric = state.metric === 'ratePer1000' && !RATE_UNITS.includes(state.unit) ? 'count' : state.metric;
  const { breaks, colors, min } = useMemo(() => {
    const values = (aggregate?.features ?? []).map((f) => f.properties[metric]).filter((v): v is number => typeof v === 'number');
    const b = quantileBreaks(values);
    return { breaks: b, colors: classColors(b), min: values.length ? Math.min(...values) : 0 };
  }, [aggregate, metric]);
  const aggregateColor = useMemo(() => stepColor(metric, breaks, colors), [metric, breaks, colors]);
  const legend = legendBlocks(t, fmt, {
    choropleth: aggregate ? { unit: aggregate.meta.unit, metric, breaks, colors, min, cells: aggregate.features.length } : null,
    analysis,
    points: !!points,
  });

  // ── selection ─────────────────────────────────────────────────────────────
  const onSelect = useCallback(
    (s: MapSelection) => {
      if (s.kind === 'point') {
        setDetail({ kind: 'point', props: s.props, lngLat: s.lngLat });
        return;
      }
      const source = s.layer === 'analysis' && analysis && analysis.kind !== 'kde' ? analysis.data : aggregate;
      const f = source?.features.find((x) => String((x.properties as { id?: unknown }).id ?? x.id) === s.id);
      if (!f) return;
      // The analysis result's own unit (its `meta`), which may differ from the layers' after a change of unit.
      const analysisUnit =
        analysis && analysis.kind !== 'kde' ? (analysis.data as { meta?: { unit?: AggregateUnit } }).meta?.unit : undefined;
      const unit = s.layer === 'analysis' ? (analysisUnit ?? stateRef.current.unit) : (aggregate?.meta.unit ?? stateRef.current.unit);
      setDetail({ kind: 'cell', unit, id: s.id, geometry: f.geometry, props: f.properties as Record<string, unknown> });
    },
    [aggregate, analysis],
  );

  // ── the polygon tool ──────────────────────────────────────────────────────
  useEffect(() => {
    if (!drawing) return;
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setDrawing(null);
    };
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [drawing]);
  const finishDraw = () => {
    const ring = drawing ?? [];
    const problem = polygonProblem(ring);
    if (problem) {
      setDrawError(t(`crimeMap.polygon.${problem}`));
      return null;
    }
    setDrawing(null);
    setDrawError(null);
    return ring;
  };
  const viewAsPolygon = (): [number, number][] | null => {
    const b = mapRef.current?.getBounds();
    if (!b) return null;
    setDrawError(null);
    return [
      [b.getWest(), b.getSouth()],
      [b.getEast(), b.getSouth()],
      [b.getEast(), b.getNorth()],
      [b.getWest(), b.getNorth()],
    ];
  };

  const apply = (f: FilterFields) => {
    const s = stateRef.current;
    const placeChanged = f.area !== s.area || JSON.stringify(f.polygon) !== JSON.stringify(s.polygon);
    setAnalysis(null);
    setDetail(null);
    setPlaying(false);
    update({ ...f, month: '', job: '', view: placeChanged ? null : s.view });
  };
  const reset = () => {
    setAnalysis(null);
    setDetail(null);
    setPlaying(false);
    setDrawing(null);
    navigate(`/mapa?${writeMapState({ ...DEFAULT_STATE, unit: state.unit, resolution: state.resolution, cellSize: state.cellSize })}`);
  };

  // ── exports ───────────────────────────────────────────────────────────────
  const baseName = `mapa-delictivo_${state.from || 'inicio'}_${state.to || 'fin'}${state.month ? `_${state.month}` : ''}`;
  const exportData = (): { name: string; fc: { type: 'FeatureCollection'; features: Feature[] }; columns: string[] } | null => {
    if (analysis && analysis.kind !== 'kde') {
      const extra =
        analysis.kind === 'gistar'
          ? ['z', 'p', 'bin']
          : analysis.kind === 'localmoran'
            ? ['I', 'z', 'p', 'cluster']
            : ['pattern', 'trendZ', 'trendP'];
      return {
        name: `${baseName}_${analysis.kind}`,
        fc: analysis.data,
        columns: ['id', 'name', 'count', 'ratePer1000', 'perKm2', ...extra],
      };
    }
    if (analysis?.kind === 'kde') {
      const r = analysis.raster;
      const [w, s, e, n] = r.bounds;
      const features: Feature[] = [];
      r.values.forEach((v, i) => {
        if (!(v > 0)) return;
        const row = Math.floor(i / r.cols);
        const col = i % r.cols;
        const lon = w + ((col + 0.5) * (e - w)) / r.cols;
        const lat = n - ((row + 0.5) * (n - s)) / r.rows;
        features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { row, col, intensity: v } });
      });
      return { name: `${baseName}_kde`, fc: { type: 'FeatureCollection', features }, columns: ['row', 'col', 'intensity'] };
    }
    if (aggregate)
      return { name: `${baseName}_${aggregate.meta.unit}`, fc: aggregate, columns: ['id', 'name', 'count', 'ratePer1000', 'perKm2'] };
    if (points)
      return { name: `${baseName}_puntos`, fc: points, columns: ['id', 'classificationCode', 'occurredOn', 'occurredTime', 'violent'] };
    return null;
  };
  const exportCsv = () => {
    const d = exportData();
    if (d) downloadBlob(new Blob([`\ufeff${featuresToCsv(d.fc, d.columns)}`], { type: 'text/csv;charset=utf-8' }), `${d.name}.csv`);
  };
  const exportGeoJson = () => {
    const d = exportData();
    if (d) downloadBlob(new Blob([JSON.stringify(d.fc)], { type: 'application/geo+json' }), `${d.name}.geojson`);
  };
  const exportPng = () => {
    const map = mapRef.current;
    if (!map) return;
    const title = t('crimeMap.pngTitle', { from: state.from, to: state.to, month: state.month ? ` · ${state.month}` : '' });
    downloadCanvasPng(composeMapPng(map.getCanvas(), title, legend), `${baseName}.png`);
  };
  const share = () => {
    void navigator.clipboard
      ?.writeText(window.location.href)
      .then(() => {
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      })
      .catch(() => undefined);
  };

  // The ten highest areas of the choropleth: a keyboard's way into a cell's figures (and a quick reading of the map).
  const top = useMemo(
    () =>
      (aggregate?.features ?? [])
        .filter((f) => typeof f.properties[metric] === 'number')
        .sort((a, b) => (b.properties[metric] as number) - (a.properties[metric] as number))
        .slice(0, 10),
    [aggregate, metric],
  );
  const openTop = (f: (typeof top)[number]) => {
    if (!aggregate) return;
    setDetail({ kind: 'cell', unit: aggregate.meta.unit, id: String(f.properties.id), geometry: f.geometry, props: f.properties });
    const b = bboxOf({ features: [f] });
    if (b) mapRef.current?.fitBounds([b[0], b[1], b[2], b[3]], { padding: 80, maxZoom: 15, duration: 600 });
  };

  const months = monthsBetween(state.from, state.to);
  const total = aggregate?.meta.total ?? points?.features.length ?? null;

  return (
    <div className="cm-page" data-testid="crime-map" data-status={status} data-total={total ?? ''}>
      <aside className="cm-side cm-side--left" aria-label={t('crimeMap.filters.title')}>
        <FilterPanel
          value={filterFields(state)}
          nodes={nodes}
          onApply={apply}
          onReset={reset}
          drawing={drawing}
          drawError={drawError}
          onStartDraw={() => {
            setDrawError(null);
            setDrawing([]);
          }}
          onFinishDraw={finishDraw}
          onCancelDraw={() => {
            setDrawing(null);
            setDrawError(null);
          }}
          onUseView={viewAsPolygon}
        />
      </aside>
      <div className="cm-main">
        <div className="cm-summary" aria-live="polite">
          <h1 className="cm-title">{t('areas.crimeMap.title')}</h1>
          <span data-testid="cm-total">
            {status === 'loading'
              ? t('common.loading')
              : status === 'empty'
                ? t('crimeMap.empty')
                : status === 'error'
                  ? ''
                  : total !== null
                    ? t('crimeMap.total', { count: total, n: fmt(total) })
                    : ''}
          </span>
          {state.from && state.to ? <span className="muted">{t('crimeMap.period', { from: state.from, to: state.to })}</span> : null}
          {error ? (
            <span className="alert alert--error cm-small" role="alert" data-testid="cm-error">
              {error}
            </span>
          ) : null}
        </div>
        <div className="cm-map-box">
          <AnalysisMap
            aggregate={aggregate}
            aggregateColor={aggregateColor}
            points={points}
            analysis={analysis}
            drawing={drawing}
            polygon={state.polygon}
            initialView={state.view}
            fitTo={fitTo}
            onView={(v) => update({ view: v }, true)}
            onSelect={onSelect}
            onDrawVertex={(p) => setDrawing((d) => (d ? [...d, p] : d))}
            onMap={(m) => (mapRef.current = m)}
          >
            <Legend blocks={legend} />
          </AnalysisMap>
        </div>
        <TimeSlider
          months={months}
          month={state.month}
          playing={playing}
          onMonth={(month) => update({ month }, playing)}
          onPlaying={setPlaying}
        />
      </div>
      <aside className="cm-side cm-side--right" aria-label={t('crimeMap.sidePanel')}>
        <section className="cm-panel" aria-labelledby="cm-layers-title" data-testid="cm-layers">
          <h2 className="cm-panel-title" id="cm-layers-title">
            {t('crimeMap.layers.title')}
          </h2>
          <label className="check">
            <input
              type="checkbox"
              checked={state.choropleth}
              onChange={(e) => update({ choropleth: e.target.checked })}
              data-testid="cm-layer-choropleth"
            />
            {t('crimeMap.layers.choropleth')}
          </label>
          <div className="cm-row">
            <label className="field">
              <span>{t('crimeMap.layers.unit')}</span>
              <select value={state.unit} onChange={(e) => update({ unit: e.target.value as AggregateUnit })} data-testid="cm-unit">
                {UNITS.map((u) => (
                  <option key={u} value={u}>
                    {t(`crimeMap.unit.${u}`)}
                  </option>
                ))}
              </select>
            </label>
            {state.unit === 'h3' ? (
              <label className="field">
                <span>{t('crimeMap.layers.resolution')}</span>
                <select
                  value={state.resolution}
                  onChange={(e) => update({ resolution: Number(e.target.value) })}
                  data-testid="cm-resolution"
                >
                  {H3_MAP_RESOLUTIONS.map((r) => (
                    <option key={r} value={r}>
                      {t(`crimeMap.h3.${r}`)}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            {state.unit === 'grid' ? (
              <label className="field">
                <span>{t('crimeMap.layers.cellSize')}</span>
                <select value={state.cellSize} onChange={(e) => update({ cellSize: Number(e.target.value) })} data-testid="cm-cellsize">
                  {[...new Set([...CELL_SIZES, state.cellSize])]
                    .sort((a, b) => a - b)
                    .map((c) => (
                      <option key={c} value={c}>
                        {c >= 1000 ? `${c / 1000} km` : `${c} m`}
                      </option>
                    ))}
                </select>
              </label>
            ) : null}
          </div>
          <label className="field">
            <span>{t('crimeMap.layers.metric')}</span>
            <select value={metric} onChange={(e) => update({ metric: e.target.value as MapMetric })} data-testid="cm-metric">
              <option value="count">{t('crimeMap.metric.count')}</option>
              <option value="ratePer1000" disabled={!RATE_UNITS.includes(state.unit)}>
                {t('crimeMap.metric.ratePer1000')}
              </option>
              <option value="perKm2">{t('crimeMap.metric.perKm2')}</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={state.points}
              onChange={(e) => update({ points: e.target.checked })}
              data-testid="cm-layer-points"
            />
            {t('crimeMap.layers.points')}
          </label>
          {points && points.features.length >= POINT_LIMIT ? (
            <p className="muted cm-small">{t('crimeMap.layers.pointLimit', { n: fmt(POINT_LIMIT) })}</p>
          ) : null}
        </section>
        {top.length ? (
          <section className="cm-panel" aria-labelledby="cm-top-title" data-testid="cm-top">
            <h2 className="cm-panel-title" id="cm-top-title">
              {t('crimeMap.top.title', { metric: t(`crimeMap.metric.${metric}`) })}
            </h2>
            <ol className="cm-top">
              {top.map((f) => (
                <li key={String(f.properties.id)}>
                  <button
                    type="button"
                    className="btn btn--link"
                    onClick={() => openTop(f)}
                    data-testid="cm-top-row"
                    data-id={String(f.properties.id)}
                  >
                    {f.properties.name ?? f.properties.id}
                  </button>
                  <span>{fmt(f.properties[metric] as number, metric === 'count' ? 0 : 2)}</span>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
        {detail ? <DetailPanel detail={detail} filters={filtersOf(state)} nameOf={nameOf} onClose={() => setDetail(null)} /> : null}
        <AnalysisPanel
          state={state}
          filtersKey={JSON.stringify(filtersOf(state))}
          onJob={(id) => update({ job: id }, true)}
          onResult={(layer) => {
            setAnalysis(layer);
            setDetail(null);
          }}
        />
        <SummaryPanel filters={sliderFilters} />
        <ForecastPanel state={state} />
        <section className="cm-panel" aria-labelledby="cm-export-title">
          <h2 className="cm-panel-title" id="cm-export-title">
            {t('crimeMap.export.title')}
          </h2>
          <div className="cm-row cm-row--wrap">
            <button type="button" className="btn btn--small" onClick={exportPng} data-testid="cm-png">
              {t('crimeMap.export.png')}
            </button>
            <button
              type="button"
              className="btn btn--small"
              onClick={exportCsv}
              disabled={!aggregate && !analysis && !points}
              data-testid="cm-csv"
            >
              CSV
            </button>
            <button
              type="button"
              className="btn btn--small"
              onClick={exportGeoJson}
              disabled={!aggregate && !analysis && !points}
              data-testid="cm-geojson"
            >
              GeoJSON
            </button>
            <button type="button" className="btn btn--small" onClick={share} data-testid="cm-share">
              {copied ? t('common.copied') : t('crimeMap.export.link')}
            </button>
          </div>
          <p className="muted cm-small">{t('crimeMap.export.note')}</p>
        </section>
      </aside>
    </div>
  );
}
