import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { GeoJSONSource, Map as MLMap, NavigationControl, setWorkerUrl, type ExpressionSpecification } from 'maplibre-gl';
import type { FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getIndicatorLayer, type IndicatorsScope } from '../api.js';
import { MEXICO_BOUNDS, baseStyle } from '../map/layers.js';
import { downloadCanvas } from './charts.js';

setWorkerUrl(workerUrl);

type Props = { code: string; name: string };
type Collection = FeatureCollection<Geometry, Props>;

/** Five classes from light to dark red (ColorBrewer "Reds"), a colour-blind-safe sequential scale. */
const COLORS = ['#fee5d9', '#fcae91', '#fb6a4a', '#de2d26', '#a50f15'];
const NO_DATA = '#cbd5e1';

/** Class breaks at the quintiles of the values (each colour holds about a fifth of the areas). */
export function quintileBreaks(values: number[]): number[] {
  const v = [...values].sort((a, b) => a - b);
  if (!v.length) return [];
  return [0.2, 0.4, 0.6, 0.8].map((q) => v[Math.min(v.length - 1, Math.floor(q * v.length))]);
}

const layerCache = new Map<string, Promise<Collection>>();
function loadLayer(scope: IndicatorsScope, name: 'estados' | 'municipios'): Promise<Collection> {
  const key = `${scope}:${name}`;
  let p = layerCache.get(key);
  if (!p) {
    p = getIndicatorLayer<Topology>(scope, name).then((topology) => {
      const object = topology.objects[Object.keys(topology.objects)[0]] as GeometryCollection<Props>;
      const out = feature(topology, object) as Collection;
      for (const f of out.features) f.properties.code = String(f.properties.code);
      return out;
    });
    layerCache.set(key, p);
    p.catch(() => layerCache.delete(key));
  }
  return p;
}

/**
 * A choropleth of rates by state or municipality (MapLibre on a plain background, the geo
 * module's boundaries). Areas without a figure are grey, never a colour of the scale.
 */
export function ChoroplethMap({
  scope,
  layer,
  values,
  format,
  testId,
  fileName,
}: {
  scope: IndicatorsScope;
  layer: 'estados' | 'municipios';
  values: Map<string, number | null>;
  format: (v: number) => string;
  testId: string;
  fileName: string;
}) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MLMap | null>(null);
  const codesRef = useRef<string[]>([]);
  const [loaded, setLoaded] = useState<string | null>(null);
  const [painted, setPainted] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<{ x: number; y: number; name: string; value: number | null } | null>(null);
  const valuesRef = useRef(values);
  valuesRef.current = values;
  const breaks = useMemo(() => quintileBreaks([...values.values()].filter((v): v is number => v !== null)), [values]);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let map: MLMap;
    try {
      map = new MLMap({
        container: el,
        style: baseStyle(null, null),
        bounds: MEXICO_BOUNDS,
        fitBoundsOptions: { padding: 16 },
        minZoom: 3,
        maxZoom: 11,
        dragRotate: false,
        attributionControl: false,
        maplibreLogo: false,
        // Kept so that "PNG" can read the picture back.
        canvasContextAttributes: { preserveDrawingBuffer: true },
      });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    map.on('load', () => {
      map.addSource('areas', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'code' });
      map.addLayer({ id: 'areas-fill', type: 'fill', source: 'areas', paint: { 'fill-color': NO_DATA, 'fill-opacity': 0.9 } });
      map.addLayer({ id: 'areas-line', type: 'line', source: 'areas', paint: { 'line-color': '#475569', 'line-width': 0.5 } });
      setLoaded('');
    });
    map.on('mousemove', 'areas-fill', (e) => {
      const f = e.features?.[0];
      if (!f) return;
      const props = f.properties as Props;
      setHover({ x: e.point.x, y: e.point.y, name: props.name, value: valuesRef.current.get(props.code) ?? null });
    });
    map.on('mouseleave', 'areas-fill', () => setHover(null));
    const resize = new ResizeObserver(() => map.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      mapRef.current = null;
      map.remove();
    };
  }, []);

  // The boundaries of the level shown.
  useEffect(() => {
    const map = mapRef.current;
    if (loaded === null || !map || loaded === layer) return;
    let live = true;
    loadLayer(scope, layer)
      .then((data) => {
        if (!live || mapRef.current !== map) return;
        void (map.getSource('areas') as GeoJSONSource).setData(data);
        codesRef.current = data.features.map((f) => f.properties.code);
        setLoaded(layer);
      })
      .catch(() => live && setError(t('common.unexpectedError')));
    return () => {
      live = false;
    };
  }, [loaded, layer, scope, t]);

  // The values, as feature state, and the colour scale.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || loaded !== layer) return;
    let n = 0;
    for (const code of codesRef.current) {
      const v = values.get(code) ?? null;
      if (v !== null) n++;
      map.setFeatureState({ source: 'areas', id: code }, { v: v ?? -1 });
    }
    const steps: (string | number)[] = [COLORS[0]];
    breaks.forEach((b, i) => steps.push(b, COLORS[i + 1]));
    const color = [
      'case',
      ['<', ['coalesce', ['feature-state', 'v'], -1], 0],
      NO_DATA,
      ['step', ['coalesce', ['feature-state', 'v'], 0], ...steps],
    ];
    map.setPaintProperty('areas-fill', 'fill-color', color as ExpressionSpecification);
    setPainted(n);
  }, [values, breaks, loaded, layer]);

  if (error)
    return (
      <p className="muted" role="alert">
        {t('map.webglUnavailable')}
      </p>
    );
  const ready = loaded === layer && painted >= 0;
  const legend = breaks.length
    ? COLORS.map((c, i) => ({
        color: c,
        label:
          i === 0
            ? `< ${format(breaks[0])}`
            : i === COLORS.length - 1
              ? `≥ ${format(breaks[i - 1])}`
              : `${format(breaks[i - 1])} – ${format(breaks[i])}`,
      }))
    : [];
  return (
    <div className="ind-map-wrap">
      <div
        className="ind-map"
        ref={container}
        data-testid={testId}
        data-ready={ready ? 'true' : 'false'}
        data-painted={ready ? String(painted) : ''}
      />
      {hover ? (
        <div className="ind-map-tip" style={{ left: hover.x + 12, top: hover.y + 12 }}>
          <strong>{hover.name}</strong>
          <span>{hover.value === null ? t('indicators.noData') : format(hover.value)}</span>
        </div>
      ) : null}
      <div className="ind-legend" aria-label={t('indicators.legend')}>
        {legend.map((l) => (
          <span key={l.color}>
            <i style={{ background: l.color }} />
            {l.label}
          </span>
        ))}
        <span>
          <i style={{ background: NO_DATA }} />
          {t('indicators.noData')}
        </span>
        <button
          type="button"
          className="btn btn--small"
          onClick={() => mapRef.current && downloadCanvas(mapRef.current.getCanvas(), fileName)}
          data-testid={`${testId}-png`}
        >
          PNG
        </button>
      </div>
    </div>
  );
}
