import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { FeatureCollection, Geometry } from 'geojson';
import { GeoJSONSource, LngLatBounds, Map as MLMap, NavigationControl, setWorkerUrl } from 'maplibre-gl';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import catalogueCsv from '../../records/data/sesnsp-catalogo.csv?raw';
import {
  ApiError,
  getIndicatorLayer,
  getPublicMapAggregate,
  getPublicMapPoints,
  getPublicMapTimeseries,
  type AggregateCollection,
  type PublicAggregateProperties,
  type PublicPointProperties,
  type PublicUnit,
  type PointCollection,
  type TimeSeries,
} from '../api.js';
import { AppContext, type AppServices } from '../app-context.js';
import { applyLanguage } from '../i18n.js';
import { baseStyle, MEXICO_BOUNDS } from '../map/layers.js';
import { navigate, useLocation } from '../router.js';
import { LanguageSwitch } from '../shell/language-switch.js';
import { classColors, classLabels, NO_DATA, quantileBreaks } from './colors.js';
import { stepColor } from './paint.js';
import { publicCrimeGroups } from './public-catalogue.js';
import { fillMonthly } from './series.js';
import { TrendChart } from './trend-chart.js';
import { monthBounds, monthsBack } from './view-state.js';
import './crime-map.css';
import './public-map.css';

setWorkerUrl(workerUrl);

const GROUPS = publicCrimeGroups(catalogueCsv);
/** The units a citizen chooses among (the public API's own list; H3 no finer than resolution 9). */
const PUBLIC_CHOICES = ['municipality', 'colonia', 'quadrant', 'h3:8', 'h3:9'] as const;
type Choice = (typeof PUBLIC_CHOICES)[number];
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

type PublicState = { unit: Choice; crime: string; from: string; to: string; points: boolean };

export function readPublicState(search: URLSearchParams): PublicState {
  const unit = search.get('unidad') ?? '';
  const crime = search.get('delito') ?? '';
  const from = search.get('desde') ?? '';
  const to = search.get('hasta') ?? '';
  return {
    unit: (PUBLIC_CHOICES as readonly string[]).includes(unit) ? (unit as Choice) : 'colonia',
    crime: GROUPS.some((g) => g.code === crime) ? crime : '',
    from: MONTH.test(from) ? from : '',
    to: MONTH.test(to) ? to : '',
    points: search.get('puntos') === '1',
  };
}
export function writePublicState(s: PublicState): string {
  const q = new URLSearchParams({ unidad: s.unit });
  if (s.crime) q.set('delito', s.crime);
  if (s.from) q.set('desde', s.from);
  if (s.to) q.set('hasta', s.to);
  if (s.points) q.set('puntos', '1');
  return q.toString();
}

const unitOf = (c: Choice): { unit: PublicUnit; resolution?: number } =>
  c.startsWith('h3:') ? { unit: 'h3', resolution: Number(c.slice(3)) } : { unit: c as PublicUnit };

type Info = { name: string; count: number | null; suppressed: boolean };

/**
 * /publico/mapa: the crime map for citizens, without login. Only the public API: counts by area
 * (small counts withheld), locations generalised to a cell or quadrant centre, sexual crimes and
 * family violence never as points.
 */
export default function PublicMapPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const services = useMemo<AppServices>(
    () => ({ platform: null, session: null, changeLanguage: applyLanguage, signOut: async () => undefined, endSession: () => undefined }),
    [],
  );
  const { search } = useLocation();
  const qs = search.toString();
  const s = useMemo(() => readPublicState(new URLSearchParams(qs)), [qs]);
  const sRef = useRef(s);
  sRef.current = s;
  const update = (patch: Partial<PublicState>, replace = false) =>
    navigate(`/publico/mapa?${writePublicState({ ...sRef.current, ...patch })}`, { replace });
  const [agg, setAgg] = useState<AggregateCollection<PublicAggregateProperties> | null>(null);
  const [points, setPoints] = useState<PointCollection<PublicPointProperties> | null>(null);
  const [series, setSeries] = useState<TimeSeries | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<Info | null>(null);
  const [mapReady, setMapReady] = useState(false);
  const [painted, setPainted] = useState({ agg: -1, suppressed: -1, points: -1 });
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MLMap | null>(null);
  const fitted = useRef(false);
  const fmt = (v: number, d = 0) => v.toLocaleString(en ? 'en-US' : 'es-MX', { maximumFractionDigits: d });

  useEffect(() => {
    document.title = `${t('publicMap.title')} · ${t('common.appName')}`;
  }, [t]);

  const filters = useMemo(
    () => ({
      classification: s.crime || undefined,
      from: s.from ? `${s.from}-01` : undefined,
      to: s.to ? monthBounds(s.to)[1] : undefined,
    }),
    [s.crime, s.from, s.to],
  );
  const noPeriod = !s.from || !s.to;

  // Without a period: the last twelve months with records.
  useEffect(() => {
    if (!noPeriod) return;
    const ctrl = new AbortController();
    getPublicMapTimeseries({ classification: sRef.current.crime || undefined, interval: 'month' }, ctrl.signal)
      .then((ts) => {
        const last = [...ts.buckets].reverse().find((b) => b.count > 0);
        if (!last) return setError(t('publicMap.noData'));
        const to = last.start.slice(0, 7);
        update({ from: sRef.current.from || monthsBack(`${to}-01`, 11).slice(0, 7), to: sRef.current.to || to }, true);
      })
      .catch((err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.networkError')));
    return () => ctrl.abort();
    // update() reads sRef.
  }, [noPeriod, t]);

  // The map.
  useEffect(() => {
    if (!el.current) return;
    let map: MLMap;
    try {
      map = new MLMap({
        container: el.current,
        style: baseStyle(null, null),
        bounds: MEXICO_BOUNDS,
        minZoom: 3,
        maxZoom: 16,
        dragRotate: false,
        attributionControl: false,
        maplibreLogo: false,
      });
    } catch {
      setError(t('map.webglUnavailable'));
      return;
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    map.on('load', () => {
      map.addSource('muni', { type: 'geojson', data: EMPTY });
      map.addSource('agg', { type: 'geojson', data: EMPTY });
      map.addSource('pts', { type: 'geojson', data: EMPTY, cluster: true, clusterRadius: 40, clusterMaxZoom: 16 });
      map.addLayer({ id: 'agg-fill', type: 'fill', source: 'agg', paint: { 'fill-color': NO_DATA, 'fill-opacity': 0.75 } });
      map.addLayer({ id: 'agg-line', type: 'line', source: 'agg', paint: { 'line-color': '#64748b', 'line-width': 0.4 } });
      map.addLayer({ id: 'muni-line', type: 'line', source: 'muni', paint: { 'line-color': '#35465a', 'line-width': 1 } });
      map.addLayer({
        id: 'pts-circle',
        type: 'circle',
        source: 'pts',
        paint: {
          'circle-color': '#1d4ed8',
          'circle-opacity': 0.8,
          'circle-radius': ['case', ['has', 'point_count'], ['step', ['get', 'point_count'], 8, 20, 12, 100, 17], 5],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 1,
        },
      });
      getIndicatorLayer<Topology>('public', 'municipios')
        .then((topo) => {
          const object = topo.objects[Object.keys(topo.objects)[0]] as GeometryCollection;
          void (map.getSource('muni') as GeoJSONSource).setData(feature(topo, object) as FeatureCollection<Geometry>);
        })
        .catch(() => undefined);
      setMapReady(true);
    });
    map.on('click', 'agg-fill', (e) => {
      const p = e.features?.[0]?.properties as (PublicAggregateProperties & { suppressed?: boolean | string }) | undefined;
      if (!p) return;
      const count = typeof p.count === 'number' ? p.count : p.count === null ? null : Number(p.count);
      setInfo({
        name: p.name && p.name !== 'null' ? String(p.name) : t(`crimeMap.unit.h3`),
        count: Number.isFinite(count) ? count : null,
        suppressed: p.suppressed === true || String(p.suppressed) === 'true',
      });
    });
    map.on('mouseenter', 'agg-fill', () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', 'agg-fill', () => (map.getCanvas().style.cursor = ''));
    const resize = new ResizeObserver(() => map.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      mapRef.current = null;
      map.remove();
    };
  }, [t]);

  // The data.
  const key = noPeriod ? '' : JSON.stringify([filters, s.unit]);
  useEffect(() => {
    if (!key) return;
    const ctrl = new AbortController();
    setError(null);
    setInfo(null);
    getPublicMapAggregate({ ...filters, ...unitOf(s.unit) }, ctrl.signal)
      .then(setAgg)
      .catch((err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.networkError')));
    getPublicMapTimeseries({ ...filters, interval: 'month' }, ctrl.signal)
      .then(setSeries)
      .catch(() => undefined);
    return () => ctrl.abort();
    // key stands for filters and unit.
  }, [key]);
  const pointsKey = noPeriod || !s.points ? '' : JSON.stringify(filters);
  useEffect(() => {
    if (!pointsKey) {
      setPoints(null);
      return;
    }
    const ctrl = new AbortController();
    getPublicMapPoints({ ...filters, limit: 20_000 }, ctrl.signal)
      .then(setPoints)
      .catch((err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.networkError')));
    return () => ctrl.abort();
  }, [pointsKey]);

  const counts = (agg?.features ?? []).map((f) => f.properties.count).filter((v): v is number => typeof v === 'number');
  const breaks = useMemo(() => quantileBreaks(counts), [agg]);
  const colors = classColors(breaks);
  const labels = classLabels(breaks, { integer: true, min: counts.length ? Math.min(...counts) : 0, format: (v) => fmt(v) });
  const suppressed = (agg?.features ?? []).filter((f) => f.properties.suppressed || f.properties.count === null).length;
  const shown = counts.reduce((a, b) => a + b, 0);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady) return;
    void (map.getSource('agg') as GeoJSONSource).setData(agg ?? EMPTY);
    map.setPaintProperty('agg-fill', 'fill-color', stepColor('count', breaks, colors));
    void (map.getSource('pts') as GeoJSONSource).setData(points ?? EMPTY);
    if (agg && !fitted.current && agg.features.length) {
      const b = new LngLatBounds();
      for (const f of agg.features) {
        const g = f.geometry;
        const rings = g.type === 'Polygon' ? [g.coordinates[0]] : g.coordinates.map((p) => p[0]);
        for (const r of rings) for (const c of r) b.extend([c[0], c[1]]);
      }
      fitted.current = true;
      map.fitBounds(b, { padding: 30, duration: 0, maxZoom: 13 });
    }
    const next = { agg: agg ? agg.features.length : -1, suppressed: agg ? suppressed : -1, points: points ? points.features.length : -1 };
    map.once('idle', () => setPainted(next));
    map.triggerRepaint();
  }, [agg, points, breaks, mapReady]);

  return (
    <AppContext.Provider value={services}>
      <div className="public-page pm-page" data-testid="public-map">
        <header className="public-header">
          <span className="brand-mark brand-mark--small" aria-hidden="true">
            C5
          </span>
          <h1>{t('publicMap.title')}</h1>
          <div className="public-header-right">
            <LanguageSwitch tone="dark" />
            <a href="/" data-testid="public-login">
              {t('indicators.signIn')}
            </a>
          </div>
        </header>
        <main className="pm-main" id="main">
          <aside className="pm-side">
            <p className="pm-intro">{t('publicMap.intro')}</p>
            <form className="pm-controls" onSubmit={(e) => e.preventDefault()} aria-label={t('publicMap.controls')}>
              <label className="field">
                <span>{t('publicMap.crime')}</span>
                <select value={s.crime} onChange={(e) => update({ crime: e.target.value })} data-testid="pm-crime">
                  <option value="">{t('publicMap.allCrimes')}</option>
                  {GROUPS.map((g) => (
                    <option key={g.code} value={g.code}>
                      {g.level === 2 ? '\u00a0\u00a0\u00a0' : ''}
                      {en ? g.nameEn : g.name}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>{t('publicMap.unit')}</span>
                <select value={s.unit} onChange={(e) => update({ unit: e.target.value as Choice })} data-testid="pm-unit">
                  {PUBLIC_CHOICES.map((c) => (
                    <option key={c} value={c}>
                      {t(`publicMap.units.${c.replace(':', '')}`)}
                    </option>
                  ))}
                </select>
              </label>
              <div className="cm-row">
                <label className="field">
                  <span>{t('publicMap.from')}</span>
                  <input
                    type="month"
                    value={s.from}
                    onChange={(e) => MONTH.test(e.target.value) && update({ from: e.target.value })}
                    data-testid="pm-from"
                  />
                </label>
                <label className="field">
                  <span>{t('publicMap.to')}</span>
                  <input
                    type="month"
                    value={s.to}
                    onChange={(e) => MONTH.test(e.target.value) && update({ to: e.target.value })}
                    data-testid="pm-to"
                  />
                </label>
              </div>
              <label className="check">
                <input type="checkbox" checked={s.points} onChange={(e) => update({ points: e.target.checked })} data-testid="pm-points" />
                {t('publicMap.points')}
              </label>
            </form>
            {error ? (
              <p className="alert alert--error" role="alert" data-testid="pm-error">
                {error}
              </p>
            ) : null}
            {agg ? (
              <p className="pm-total" data-testid="pm-total">
                {t('publicMap.total', { n: fmt(agg.meta.total), shown: fmt(shown) })}
              </p>
            ) : null}
            {info ? (
              <p className="pm-info" data-testid="pm-info" role="status">
                <strong>{info.name}</strong>:{' '}
                {info.suppressed || info.count === null ? t('publicMap.suppressedArea') : t('publicMap.areaCount', { n: fmt(info.count) })}
              </p>
            ) : null}
            <section className="pm-legend" aria-label={t('crimeMap.legend.title')} data-testid="pm-legend">
              <h2>{t('publicMap.legendTitle', { unit: t(`publicMap.units.${s.unit.replace(':', '')}`) })}</h2>
              <ul>
                {counts.length
                  ? colors.map((c, i) => (
                      <li key={c}>
                        <i style={{ background: c }} aria-hidden="true" />
                        {labels[i]}
                      </li>
                    ))
                  : null}
                <li>
                  <i style={{ background: NO_DATA }} aria-hidden="true" />
                  {t('publicMap.suppressedLegend')}
                </li>
                {s.points ? (
                  <li>
                    <i className="pm-dot" aria-hidden="true" />
                    {t('publicMap.pointsLegend')}
                  </li>
                ) : null}
              </ul>
            </section>
            <section className="pm-note" data-testid="pm-note">
              <h2>{t('publicMap.privacyTitle')}</h2>
              <ul>
                <li>{t('publicMap.noteSuppressed', { n: fmt(suppressed > 0 ? suppressed : 0) })}</li>
                <li>{t('publicMap.noteGeneralised')}</li>
                <li>{t('publicMap.noteSensitive')}</li>
                <li>{t('publicMap.notePersonal')}</li>
              </ul>
            </section>
            {series && series.buckets.length > 1 ? (
              <section>
                <h2 className="cm-panel-title">{t('publicMap.chartTitle')}</h2>
                <TrendChart
                  {...fillMonthly(series.buckets, filters.from, filters.to)}
                  label={t('publicMap.chartTitle')}
                  testId="pm-chart"
                />
              </section>
            ) : null}
          </aside>
          <div className="pm-map-box">
            <div
              ref={el}
              className="pm-map"
              data-testid="pm-map"
              data-ready={mapReady ? 'true' : 'false'}
              data-painted={painted.agg}
              data-suppressed={painted.suppressed}
              data-points={painted.points}
              role="region"
              aria-label={t('publicMap.mapLabel')}
            />
          </div>
        </main>
        <footer className="public-footer">{t('publicMap.footer')}</footer>
      </div>
    </AppContext.Provider>
  );
}
