import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';
import { GeoJSONSource, LngLatBounds, Map as MLMap, setWorkerUrl } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GeoLayerName } from '../api.js';
import { cachedLayer } from '../map/layer-cache.js';
import { baseStyle } from '../map/layers.js';
import { giColor } from './paint.js';

setWorkerUrl(workerUrl);

const LAYER_OF: Record<'colonia' | 'quadrant' | 'municipality', GeoLayerName[]> = {
  colonia: ['colonias'],
  quadrant: ['cuadrantes'],
  // Mexico City's alcaldías are drawn from the detailed layer.
  municipality: ['alcaldias', 'municipios'],
};

function bbox(features: Feature<Geometry | null>[]): LngLatBounds | null {
  const b = new LngLatBounds();
  let any = false;
  const visit = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      b.extend([c[0] as number, c[1] as number]);
      any = true;
    } else if (Array.isArray(c)) for (const x of c) visit(x);
  };
  for (const f of features) if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  return any ? b : null;
}

/**
 * A small, still map of the area's outline and the hot spot cells inside it (Gi* classes). The
 * drawing buffer is kept so that the map prints with the report.
 */
export function ProfileMap({
  kind,
  code,
  hotspots,
}: {
  kind: 'colonia' | 'quadrant' | 'municipality';
  code: string;
  hotspots: FeatureCollection<Polygon | MultiPolygon>;
}) {
  const { t } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MLMap | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!el.current) return;
    let map: MLMap;
    try {
      map = new MLMap({
        container: el.current,
        style: baseStyle(null, null),
        center: [-99.13, 19.4],
        zoom: 11,
        interactive: false,
        attributionControl: false,
        maplibreLogo: false,
        canvasContextAttributes: { preserveDrawingBuffer: true },
      });
    } catch {
      setFailed(true);
      return;
    }
    mapRef.current = map;
    map.on('load', () => {
      map.addSource('hot', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({ id: 'hot-fill', type: 'fill', source: 'hot', paint: { 'fill-color': giColor(), 'fill-opacity': 0.85 } });
      map.addSource('area', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({ id: 'area-fill', type: 'fill', source: 'area', paint: { 'fill-color': '#f8f7f2', 'fill-opacity': 0.6 } }, 'hot-fill');
      map.addLayer({ id: 'area-line', type: 'line', source: 'area', paint: { 'line-color': '#0b1f33', 'line-width': 2.5 } });
      setLoaded(true);
    });
    const resize = new ResizeObserver(() => map.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      mapRef.current = null;
      map.remove();
    };
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    let live = true;
    setReady(false);
    void (map.getSource('hot') as GeoJSONSource).setData(hotspots);
    (async () => {
      for (const layer of LAYER_OF[kind]) {
        const data = await cachedLayer(layer);
        const f = data.features.find((x) => x.properties.code === code);
        if (f) return f;
      }
      return null;
    })()
      .then((area) => {
        if (!live) return;
        void (map.getSource('area') as GeoJSONSource).setData(
          area ? { type: 'FeatureCollection', features: [area] } : { type: 'FeatureCollection', features: [] },
        );
        const b = bbox([...(area ? [area] : []), ...hotspots.features]);
        if (b) map.fitBounds(b, { padding: 24, duration: 0, maxZoom: 16 });
        map.once('idle', () => live && setReady(true));
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [kind, code, hotspots, loaded]);

  if (failed) return <p className="muted">{t('map.webglUnavailable')}</p>;
  return (
    <div
      ref={el}
      className="profile-map"
      data-testid="profile-hotspots-map"
      data-ready={ready ? 'true' : 'false'}
      data-hotspots={hotspots.features.length}
      role="img"
      aria-label={t('profile.hotspotsMap')}
    />
  );
}
