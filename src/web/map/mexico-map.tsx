import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import {
  AttributionControl,
  GeoJSONSource,
  Map as MLMap,
  Marker,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type MapGeoJSONFeature,
  type MapMouseEvent,
} from 'maplibre-gl';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, GEO_LAYERS, locatePoint, type GeoLayerName, type SearchHit, type SearchKind } from '../api.js';
import { useApp } from '../app-context.js';
import { HoverTooltip, type HoverInfo, type HoverLine } from './hover-tooltip.js';
import { cachedLayer } from './layer-cache.js';
import { LayerPanel, type LayerState } from './layer-panel.js';
import { LAYER_GROUPS, MEXICO_BOUNDS, NOTHING, baseStyle, byCode, groupOf, isStyleUrl } from './layers.js';
import { LocatePanel, type LocateState } from './locate-panel.js';
import { SearchBox } from './search-box.js';

// The worker is a separate ES module; point MapLibre at the copy Vite serves.
setWorkerUrl(workerUrl);

declare global {
  interface Window {
    /** The map instance, for end-to-end tests. */
    __oc5map?: MLMap;
  }
}

type Layers = Record<GeoLayerName, LayerState>;
const initialLayers = (): Layers => Object.fromEntries(GEO_LAYERS.map((n) => [n, { visible: true, status: 'idle' }])) as Layers;

/** Which layer groups a search hit selects, and how close to fly. */
const HIT_TARGET: Record<SearchKind, { groups: GeoLayerName[]; maxZoom: number }> = {
  state: { groups: ['estados'], maxZoom: 9 },
  municipality: { groups: ['municipios', 'alcaldias'], maxZoom: 13 },
  colonia: { groups: ['colonias'], maxZoom: 16 },
  quadrant: { groups: ['cuadrantes'], maxZoom: 16 },
};

/** Room for the search box above the country when showing all of Mexico. */
const VIEW_PADDING = { top: 64, bottom: 24, left: 24, right: 24 };

/** Layers that are only worth downloading once the user zooms close to them. */
const LAZY_MARGIN = 2;

export type MexicoMapProps = {
  /** Called once the style and the boundary sources exist: add your own sources and layers here. */
  onReady?: (map: MLMap) => void;
  /** A click on the map; return true when handled (no locate panel for it). */
  onMapClick?: (e: MapMouseEvent, map: MLMap) => boolean;
  /** Start with the layer panel folded (small maps). */
  layersCollapsed?: boolean;
  /** Hide the gazetteer search box (the page has its own). */
  hideSearch?: boolean;
  /** Extra overlays (legends, hints) drawn over the map. */
  children?: ReactNode;
  /** The first view instead of all of Mexico. */
  initialView?: { center: [number, number]; zoom: number };
  /** Keep the drawing buffer so that the picture can be read back (PNG export). */
  preserveDrawingBuffer?: boolean;
};

/**
 * The map of Mexico: MapLibre on a plain background (works without internet)
 * with the boundary layers from the API; hover for names, click to locate a
 * point, search the gazetteer.
 */
export default function MexicoMap({
  onReady,
  onMapClick,
  layersCollapsed,
  hideSearch,
  children,
  initialView,
  preserveDrawingBuffer,
}: MexicoMapProps = {}) {
  const { t } = useTranslation();
  const { platform } = useApp();
  const containerRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MLMap | null>(null);
  const markerRef = useRef<Marker | null>(null);
  const locateCtrl = useRef<AbortController | null>(null);
  const layersRef = useRef<Layers>(initialLayers());
  const hoveredRef = useRef<{ source: string; id: string | number } | null>(null);
  const [layers, setLayersState] = useState<Layers>(layersRef.current);
  const [ready, setReady] = useState(false);
  const [webglError, setWebglError] = useState<string | null>(null);
  const [hover, setHover] = useState<HoverInfo | null>(null);
  const [located, setLocated] = useState<LocateState | null>(null);
  const [zoom, setZoom] = useState(4);
  const onReadyRef = useRef(onReady);
  onReadyRef.current = onReady;
  const onMapClickRef = useRef(onMapClick);
  onMapClickRef.current = onMapClick;
  const initialViewRef = useRef(initialView);
  const preserveRef = useRef(!!preserveDrawingBuffer);

  const tileUrl = platform?.map.tileUrl ?? null;
  const attribution = platform?.map.attribution ?? null;

  const updateLayer = useCallback((name: GeoLayerName, patch: Partial<LayerState>) => {
    layersRef.current = { ...layersRef.current, [name]: { ...layersRef.current[name], ...patch } };
    setLayersState(layersRef.current);
  }, []);

  /** Downloads a layer (once) and hands it to its source. */
  const ensureLoaded = useCallback(
    (name: GeoLayerName) => {
      const map = mapRef.current;
      const st = layersRef.current[name].status;
      if (!map || st === 'loading' || st === 'ready') return;
      updateLayer(name, { status: 'loading', error: undefined });
      cachedLayer(name)
        .then((data) => {
          if (mapRef.current !== map) return;
          const src = map.getSource(name);
          if (src instanceof GeoJSONSource) void src.setData(data);
          updateLayer(name, { status: 'ready' });
        })
        .catch((err: unknown) => {
          if (mapRef.current !== map) return;
          updateLayer(name, { status: 'error', error: err instanceof ApiError ? err.message : t('common.unexpectedError') });
        });
    },
    [t, updateLayer],
  );

  /** Loads the layers the current view needs: the lazy ones only near their zoom. */
  const loadForView = useCallback(() => {
    const map = mapRef.current;
    if (!map) return;
    const z = map.getZoom();
    for (const g of LAYER_GROUPS) {
      if (!layersRef.current[g.name].visible) continue;
      if (g.minzoom <= 5 || z >= g.minzoom - LAZY_MARGIN) ensureLoaded(g.name);
    }
  }, [ensureLoaded]);

  // ── the map itself ───────────────────────────────────────────────────────
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let map: MLMap;
    try {
      map = new MLMap({
        container,
        style: isStyleUrl(tileUrl) ? tileUrl : baseStyle(tileUrl, attribution),
        ...(initialViewRef.current
          ? { center: initialViewRef.current.center, zoom: initialViewRef.current.zoom }
          : { bounds: MEXICO_BOUNDS, fitBoundsOptions: { padding: VIEW_PADDING } }),
        minZoom: 3,
        maxZoom: 18,
        maxBounds: [
          [-135, 2],
          [-70, 42],
        ],
        dragRotate: false,
        pitchWithRotate: false,
        attributionControl: false,
        maplibreLogo: false,
        ...(preserveRef.current ? { canvasContextAttributes: { preserveDrawingBuffer: true } } : {}),
      });
    } catch (err) {
      setWebglError(err instanceof Error ? err.message : String(err));
      return;
    }
    mapRef.current = map;
    window.__oc5map = map;
    map.touchZoomRotate.disableRotation();
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
    map.addControl(
      new AttributionControl({ compact: true, customAttribution: attribution && !tileUrl?.includes('{z}') ? attribution : undefined }),
      'bottom-right',
    );

    map.on('load', () => {
      const basemap = !!tileUrl;
      for (const g of LAYER_GROUPS) {
        map.addSource(g.name, { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'code' });
        for (const layer of g.layers(basemap)) map.addLayer(layer);
      }
      onReadyRef.current?.(map);
      setReady(true);
      setZoom(map.getZoom());
      // States first (the first picture), then the rest.
      ensureLoaded('estados');
      cachedLayer('estados')
        .catch(() => undefined)
        .finally(() => loadForView());
    });
    map.on('zoomend', () => {
      setZoom(map.getZoom());
      loadForView();
    });

    // Hover: the names under the cursor, the most specific feature highlighted.
    let frame = 0;
    let lastPoint: MapMouseEvent['point'] | null = null;
    const clearHover = () => {
      const h = hoveredRef.current;
      if (h && map.getSource(h.source)) map.setFeatureState({ source: h.source, id: h.id }, { hover: false });
      hoveredRef.current = null;
    };
    const doHover = () => {
      frame = 0;
      if (!lastPoint || !map.isStyleLoaded()) return;
      const z = map.getZoom();
      const queryable = LAYER_GROUPS.filter((g) => layersRef.current[g.name].visible && z >= g.minzoom && map.getLayer(g.hoverLayer)).map(
        (g) => g.hoverLayer,
      );
      const feats: MapGeoJSONFeature[] = queryable.length ? map.queryRenderedFeatures(lastPoint, { layers: queryable }) : [];
      const bySource = new Map<string, MapGeoJSONFeature>();
      for (const f of feats) if (!bySource.has(f.source)) bySource.set(f.source, f);
      const lines: HoverLine[] = [];
      let top: MapGeoJSONFeature | null = null;
      for (const g of LAYER_GROUPS) {
        const f = bySource.get(g.name);
        if (!f) continue;
        const props = f.properties as { code?: unknown; name?: unknown; parentName?: unknown };
        lines.push({ layer: g.name, code: String(props.code ?? ''), name: String(props.name ?? props.code ?? '') });
        top = f;
      }
      const next = top && top.id !== undefined ? { source: top.source, id: top.id } : null;
      const prev = hoveredRef.current;
      if (!next || !prev || prev.source !== next.source || prev.id !== next.id) {
        clearHover();
        if (next) {
          map.setFeatureState(next, { hover: true });
          hoveredRef.current = next;
        }
      }
      map.getCanvas().style.cursor = lines.length ? 'crosshair' : '';
      setHover(lines.length ? { x: lastPoint.x, y: lastPoint.y, lines } : null);
    };
    map.on('mousemove', (e) => {
      lastPoint = e.point;
      if (!frame) frame = requestAnimationFrame(doHover);
    });
    // `mouseleave` on the container also fires when the pointer moves onto an overlay panel.
    const leave = () => {
      lastPoint = null;
      clearHover();
      map.getCanvas().style.cursor = '';
      setHover(null);
    };
    container.addEventListener('mouseleave', leave);
    map.on('dragstart', () => setHover(null));

    map.on('click', (e) => {
      if (onMapClickRef.current?.(e, map)) return;
      locateAt(map, e.lngLat.lat, e.lngLat.lng);
    });
    map.on('error', (e) => {
      // Tile or source errors are not fatal; keep them out of the user's way.
      console.warn('map error', e.error);
    });

    const resize = new ResizeObserver(() => map.resize());
    resize.observe(container);
    return () => {
      container.removeEventListener('mouseleave', leave);
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
      locateCtrl.current?.abort();
      markerRef.current = null;
      mapRef.current = null;
      if (window.__oc5map === map) delete window.__oc5map;
      map.remove();
      layersRef.current = Object.fromEntries(
        GEO_LAYERS.map((n) => [n, { visible: layersRef.current[n].visible, status: 'idle' }]),
      ) as Layers;
      setReady(false);
    };
    // The map is built once; the locate handler reads refs only.
  }, [tileUrl, attribution]);

  // ── locate a point ───────────────────────────────────────────────────────
  const locateAt = (map: MLMap, lat: number, lon: number) => {
    if (!markerRef.current) markerRef.current = new Marker({ color: '#c62828' });
    markerRef.current.setLngLat([lon, lat]).addTo(map);
    locateCtrl.current?.abort();
    const ctrl = new AbortController();
    locateCtrl.current = ctrl;
    setLocated({ lat, lon, status: 'loading' });
    locatePoint(lat, lon, ctrl.signal)
      .then((result) => {
        if (!ctrl.signal.aborted) setLocated({ lat, lon, status: 'ok', result });
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        const e = err instanceof ApiError ? err : null;
        setLocated({ lat, lon, status: 'error', code: e?.code ?? 'error', message: e?.message ?? t('common.unexpectedError') });
      });
  };

  const closeLocate = () => {
    locateCtrl.current?.abort();
    markerRef.current?.remove();
    setLocated(null);
  };

  // ── layer panel ──────────────────────────────────────────────────────────
  const toggle = (name: GeoLayerName, visible: boolean) => {
    updateLayer(name, { visible });
    const map = mapRef.current;
    if (!map || !ready) return;
    for (const layer of groupOf(name).layers(!!tileUrl)) {
      if (map.getLayer(layer.id)) map.setLayoutProperty(layer.id, 'visibility', visible ? 'visible' : 'none');
    }
    if (visible) loadForView();
  };

  const retry = (name: GeoLayerName) => {
    updateLayer(name, { status: 'idle' });
    ensureLoaded(name);
  };

  const resetView = () => mapRef.current?.fitBounds(MEXICO_BOUNDS, { padding: VIEW_PADDING, duration: 800 });

  // ── search ───────────────────────────────────────────────────────────────
  const onSelect = (hit: SearchHit) => {
    const map = mapRef.current;
    if (!map) return;
    const target = HIT_TARGET[hit.kind];
    for (const g of LAYER_GROUPS) {
      if (map.getLayer(`${g.name}-selected`))
        map.setFilter(`${g.name}-selected`, target.groups.includes(g.name) ? byCode(hit.code) : NOTHING);
    }
    for (const name of target.groups) {
      if (!layersRef.current[name].visible) toggle(name, true);
      ensureLoaded(name);
    }
    const [minLon, minLat, maxLon, maxLat] = hit.bbox;
    map.fitBounds(
      [
        [minLon, minLat],
        [maxLon, maxLat],
      ],
      { padding: 60, maxZoom: target.maxZoom, duration: 1200 },
    );
  };

  if (webglError) {
    return (
      <div className="map-unavailable" role="alert" data-testid="map-unavailable">
        <p>{t('map.webglUnavailable')}</p>
      </div>
    );
  }

  return (
    <div className="map-wrap" data-testid="map" data-ready={ready ? 'true' : 'false'}>
      <div ref={containerRef} className="map-canvas" />
      {hideSearch ? null : <SearchBox onSelect={onSelect} />}
      <LayerPanel
        layers={layers}
        zoom={zoom}
        onToggle={toggle}
        onRetry={retry}
        onReset={resetView}
        collapsible={layersCollapsed !== undefined}
        initiallyCollapsed={layersCollapsed}
      />
      <LocatePanel state={located} onClose={closeLocate} />
      {hover ? <HoverTooltip info={hover} /> : null}
      {children}
    </div>
  );
}
