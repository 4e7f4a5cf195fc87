import type { FeatureCollection, Polygon, MultiPolygon } from 'geojson';
import { GeoJSONSource, ImageSource, LngLatBounds, type ExpressionSpecification, type Map as MLMap, type MapMouseEvent } from 'maplibre-gl';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { AggregateCollection, CrimePointProperties, KdeRaster, PointCollection } from '../api.js';
import MexicoMap from '../map/mexico-map.js';
import { analysisOpacity, clusterColor, giColor, patternColor } from './paint.js';
import { paintedCells, paintRaster, rasterCorners, rasterDataUrl } from './raster.js';

const AGG = 'cm-agg';
const ANALYSIS = 'cm-analysis';
const POINTS = 'cm-points';
const KDE = 'cm-kde';
const DRAW = 'cm-draw';
const AREA = 'cm-area-outline';
/** Our fills go under the boundary lines, so municipalities, colonias and quadrants stay readable on top. */
const BELOW = 'estados-line';
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };
/** A 1×1 transparent PNG: the image source exists from the start and gets the surface later. */
const BLANK_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export type AnalysisLayer =
  { kind: 'gistar' | 'localmoran' | 'emerging'; data: FeatureCollection<Polygon | MultiPolygon> } | { kind: 'kde'; raster: KdeRaster };

export type MapSelection =
  { kind: 'cell'; id: string; layer: 'aggregate' | 'analysis' } | { kind: 'point'; props: CrimePointProperties; lngLat: [number, number] };

type Props = {
  aggregate: AggregateCollection | null;
  aggregateColor: ExpressionSpecification;
  points: PointCollection | null;
  analysis: AnalysisLayer | null;
  /** The vertices while drawing a polygon, or null. */
  drawing: [number, number][] | null;
  /** The applied polygon filter, outlined. */
  polygon: [number, number][] | null;
  initialView: { lon: number; lat: number; zoom: number } | null;
  /** Fit the camera to these bounds when it changes (the page asks once per new area / data). */
  fitTo: [number, number, number, number] | null;
  onView: (v: { lon: number; lat: number; zoom: number }) => void;
  onSelect: (s: MapSelection) => void;
  onDrawVertex: (lngLat: [number, number]) => void;
  onMap: (map: MLMap | null) => void;
  children?: ReactNode;
};

/**
 * The crime map's MapLibre map: the boundary layers of MexicoMap (municipalities, alcaldías,
 * colonias, quadrants) with the choropleth, the analysis classes or heat surface, the clustered
 * points and the polygon being drawn on top. The drawing buffer is kept for the PNG export.
 */
export function AnalysisMap(props: Props) {
  const { aggregate, aggregateColor, points, analysis, drawing, polygon, initialView, fitTo } = props;
  const mapRef = useRef<MLMap | null>(null);
  const [ready, setReady] = useState(false);
  const [painted, setPainted] = useState({ agg: -1, points: -1, analysis: -1, raster: '' });
  const cb = useRef(props);
  cb.current = props;
  /** Camera moves are reported once the camera shows something chosen: a link's view, a fit, or the user's own move. */
  const reportViews = useRef(!!initialView);

  /** Sets a figure once the map has drawn the new data (the `idle` after the change). */
  const whenDrawn = useCallback((patch: Partial<typeof painted>) => {
    const map = mapRef.current;
    if (!map) return;
    map.once('idle', () => setPainted((p) => ({ ...p, ...patch })));
    map.triggerRepaint();
  }, []);

  const onReady = useCallback((map: MLMap) => {
    mapRef.current = map;
    cb.current.onMap(map);
    map.addSource(KDE, { type: 'image', url: BLANK_PNG, coordinates: rasterCorners([-99.2, 19.3, -99.1, 19.4]) });
    map.addLayer(
      {
        id: `${KDE}-raster`,
        type: 'raster',
        source: KDE,
        layout: { visibility: 'none' },
        paint: { 'raster-opacity': 0.85, 'raster-resampling': 'linear' },
      },
      BELOW,
    );
    map.addSource(AGG, { type: 'geojson', data: EMPTY, promoteId: 'id' });
    map.addLayer({ id: `${AGG}-fill`, type: 'fill', source: AGG, paint: { 'fill-color': '#fd8d3c', 'fill-opacity': 0.7 } }, BELOW);
    map.addLayer(
      { id: `${AGG}-line`, type: 'line', source: AGG, paint: { 'line-color': '#7c2d12', 'line-width': 0.4, 'line-opacity': 0.5 } },
      BELOW,
    );
    map.addSource(ANALYSIS, { type: 'geojson', data: EMPTY, promoteId: 'id' });
    map.addLayer(
      { id: `${ANALYSIS}-fill`, type: 'fill', source: ANALYSIS, paint: { 'fill-color': '#eeeeee', 'fill-opacity': 0.8 } },
      BELOW,
    );
    map.addLayer(
      {
        id: `${ANALYSIS}-line`,
        type: 'line',
        source: ANALYSIS,
        paint: { 'line-color': '#334155', 'line-width': 0.3, 'line-opacity': 0.4 },
      },
      BELOW,
    );
    map.addSource(AREA, { type: 'geojson', data: EMPTY });
    map.addLayer({
      id: `${AREA}-line`,
      type: 'line',
      source: AREA,
      paint: { 'line-color': '#0d5bd7', 'line-width': 2.5, 'line-dasharray': [2, 1] },
    });
    map.addSource(POINTS, { type: 'geojson', data: EMPTY, cluster: true, clusterRadius: 42, clusterMaxZoom: 15 });
    map.addLayer({
      id: `${POINTS}-cluster`,
      type: 'circle',
      source: POINTS,
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': ['step', ['get', 'point_count'], '#60a5fa', 25, '#2563eb', 200, '#1e3a8a'],
        'circle-radius': ['step', ['get', 'point_count'], 9, 25, 14, 200, 20],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
        'circle-opacity': 0.85,
      },
    });
    map.addLayer({
      id: `${POINTS}-point`,
      type: 'circle',
      source: POINTS,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': ['case', ['boolean', ['get', 'violent'], false], '#b91c1c', '#0369a1'],
        'circle-radius': 5,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
      },
    });
    map.addSource(DRAW, { type: 'geojson', data: EMPTY });
    map.addLayer({ id: `${DRAW}-line`, type: 'line', source: DRAW, paint: { 'line-color': '#f5b400', 'line-width': 3 } });
    map.addLayer({
      id: `${DRAW}-vertex`,
      type: 'circle',
      source: DRAW,
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 5, 'circle-color': '#f5b400', 'circle-stroke-color': '#111', 'circle-stroke-width': 1 },
    });
    map.on('moveend', (e) => {
      if (!reportViews.current && !e.originalEvent) return;
      reportViews.current = true;
      const c = map.getCenter();
      cb.current.onView({ lon: c.lng, lat: c.lat, zoom: map.getZoom() });
    });
    for (const layer of [`${POINTS}-cluster`, `${POINTS}-point`, `${AGG}-fill`, `${ANALYSIS}-fill`]) {
      map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
    }
    setReady(true);
  }, []);

  useEffect(() => () => cb.current.onMap(null), []);

  const onMapClick = useCallback((e: MapMouseEvent, map: MLMap) => {
    if (cb.current.drawing) {
      cb.current.onDrawVertex([e.lngLat.lng, e.lngLat.lat]);
      return true;
    }
    const layers = [`${POINTS}-cluster`, `${POINTS}-point`, `${ANALYSIS}-fill`, `${AGG}-fill`].filter(
      (l) => map.getLayer(l) && map.getLayoutProperty(l, 'visibility') !== 'none',
    );
    const f = map.queryRenderedFeatures(e.point, { layers })[0];
    if (!f) return false;
    if (f.layer.id === `${POINTS}-cluster`) {
      const src = map.getSource(POINTS) as GeoJSONSource;
      const geom = f.geometry as unknown as { coordinates: [number, number] };
      void src.getClusterExpansionZoom(Number(f.properties.cluster_id)).then((zoom) => map.easeTo({ center: geom.coordinates, zoom }));
      return true;
    }
    if (f.layer.id === `${POINTS}-point`) {
      const geom = f.geometry as unknown as { coordinates: [number, number] };
      cb.current.onSelect({ kind: 'point', props: f.properties as CrimePointProperties, lngLat: geom.coordinates });
      return true;
    }
    cb.current.onSelect({
      kind: 'cell',
      id: String(f.properties.id ?? f.id),
      layer: f.layer.id === `${AGG}-fill` ? 'aggregate' : 'analysis',
    });
    return true;
  }, []);

  // The choropleth.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    void (map.getSource(AGG) as GeoJSONSource).setData(aggregate ?? EMPTY);
    map.setPaintProperty(`${AGG}-fill`, 'fill-color', aggregateColor);
    const visible = aggregate ? 'visible' : 'none';
    map.setLayoutProperty(`${AGG}-fill`, 'visibility', visible);
    map.setLayoutProperty(`${AGG}-line`, 'visibility', visible);
    // Under an analysis layer the choropleth is only an outline.
    map.setPaintProperty(`${AGG}-fill`, 'fill-opacity', analysis ? 0.15 : 0.7);
    whenDrawn({ agg: aggregate ? aggregate.features.length : -1 });
  }, [aggregate, aggregateColor, analysis, ready, whenDrawn]);

  // The points, clustered.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    void (map.getSource(POINTS) as GeoJSONSource).setData(points ?? EMPTY);
    whenDrawn({ points: points ? points.features.length : -1 });
  }, [points, ready, whenDrawn]);

  // The analysis result: classes on cells, or the heat surface.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    const cells = analysis && analysis.kind !== 'kde' ? analysis : null;
    void (map.getSource(ANALYSIS) as GeoJSONSource).setData(cells?.data ?? EMPTY);
    if (cells) {
      map.setPaintProperty(
        `${ANALYSIS}-fill`,
        'fill-color',
        cells.kind === 'gistar' ? giColor() : cells.kind === 'localmoran' ? clusterColor() : patternColor(),
      );
      map.setPaintProperty(`${ANALYSIS}-fill`, 'fill-opacity', analysisOpacity(cells.kind));
    }
    for (const l of [`${ANALYSIS}-fill`, `${ANALYSIS}-line`]) map.setLayoutProperty(l, 'visibility', cells ? 'visible' : 'none');
    let raster = '';
    if (analysis?.kind === 'kde') {
      const pixels = paintRaster(analysis.raster);
      const url = rasterDataUrl(analysis.raster, pixels);
      (map.getSource(KDE) as ImageSource).updateImage({ url, coordinates: rasterCorners(analysis.raster.bounds) });
      raster = `${analysis.raster.cols}x${analysis.raster.rows}:${paintedCells(pixels)}`;
    }
    map.setLayoutProperty(`${KDE}-raster`, 'visibility', analysis?.kind === 'kde' ? 'visible' : 'none');
    whenDrawn({ analysis: cells ? cells.data.features.length : -1, raster });
  }, [analysis, ready, whenDrawn]);

  // The polygon being drawn, and the applied one.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    const ring = drawing ?? [];
    void (map.getSource(DRAW) as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: [
        ...(ring.length > 1
          ? [
              {
                type: 'Feature' as const,
                properties: {},
                geometry: { type: 'LineString' as const, coordinates: [...ring, ...(ring.length > 2 ? [ring[0]] : [])] },
              },
            ]
          : []),
        ...ring.map((p) => ({ type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: p } })),
      ],
    });
    void (map.getSource(AREA) as GeoJSONSource).setData(
      polygon ? { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [...polygon, polygon[0]] } } : EMPTY,
    );
    if (drawing) map.doubleClickZoom.disable();
    else map.doubleClickZoom.enable();
    map.getCanvas().style.cursor = drawing ? 'crosshair' : '';
  }, [drawing, polygon, ready]);

  // Fit the camera when the page asks.
  const fitKey = fitTo?.join(',') ?? '';
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready || !fitTo) return;
    const [w, s, e, n] = fitTo;
    reportViews.current = true;
    map.fitBounds(new LngLatBounds([w, s], [e, n]), { padding: 40, maxZoom: 15, duration: 0 });
    // fitKey stands for fitTo's value.
  }, [fitKey, ready]);

  return (
    <div
      className="cm-map"
      data-testid="cm-map"
      data-painted={painted.agg}
      data-points={painted.points}
      data-analysis={painted.analysis}
      data-raster={painted.raster}
      data-drawing={drawing ? drawing.length : ''}
    >
      <MexicoMap
        onReady={onReady}
        onMapClick={onMapClick}
        layersCollapsed
        preserveDrawingBuffer
        initialView={initialView ? { center: [initialView.lon, initialView.lat], zoom: initialView.zoom } : undefined}
      >
        {props.children}
      </MexicoMap>
    </div>
  );
}
