import { GeoJSONSource, LngLatBounds, Marker, type Map as MLMap, type MapMouseEvent } from 'maplibre-gl';
import type { FeatureCollection, Point } from 'geojson';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { UNIT_STATUSES, getStates, searchPlaces, type Incident, type Unit } from '../api.js';
import MexicoMap from '../map/mexico-map.js';
import { PRIORITY_COLOR, UNIT_STATUS_COLOR } from './format.js';

const INCIDENTS = 'dispatch-incidents';
const UNITS = 'dispatch-units';
const INCIDENT_LAYERS = [`${INCIDENTS}-halo`, `${INCIDENTS}-circle`];
const UNIT_LAYER = `${UNITS}-square`;

type Props = {
  incidents: Incident[];
  units: Unit[];
  selectedId: string | null;
  onSelectIncident: (id: string) => void;
  /** The location being picked for a new incident (drawn as a marker). */
  pick: { lat: number; lon: number } | null;
  /** Set when a click on an empty spot picks the new incident's location. */
  onPick?: (lat: number, lon: number) => void;
  /** Fly here when it changes (a search hit, a selected incident). */
  focus: { lat: number; lon: number; zoom?: number; seq: number } | null;
  /** The console's state (INEGI code): the first view; all of Mexico when null. */
  stateCode: string | null;
};

type Tip = { x: number; y: number; lines: { kind: string; text: string }[] };

function incidentData(incidents: Incident[], selectedId: string | null): FeatureCollection<Point> {
  return {
    type: 'FeatureCollection',
    features: incidents.map((i) => ({
      type: 'Feature',
      id: i.id,
      geometry: { type: 'Point', coordinates: [i.location.lon, i.location.lat] },
      properties: { id: i.id, folio: i.folio, priority: i.priority, status: i.status, typeName: i.typeName, selected: i.id === selectedId },
    })),
  };
}

function unitData(units: Unit[]): FeatureCollection<Point> {
  return {
    type: 'FeatureCollection',
    features: units
      .filter((u) => u.position)
      .map((u) => ({
        type: 'Feature',
        id: u.id,
        geometry: { type: 'Point', coordinates: [u.position!.lon, u.position!.lat] },
        properties: { id: u.id, callSign: u.callSign, status: u.status, icon: `unit-${u.status}` },
      })),
  };
}

/** A small square per unit status, drawn once (no sprite sheet needed offline). */
function addUnitIcons(map: MLMap) {
  const px = 2;
  const size = 13 * px;
  for (const status of UNIT_STATUSES) {
    const id = `unit-${status}`;
    if (map.hasImage(id)) continue;
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#0b1f33';
    ctx.fillRect(0, 0, size, size);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(px, px, size - 2 * px, size - 2 * px);
    ctx.fillStyle = UNIT_STATUS_COLOR[status];
    ctx.fillRect(2.5 * px, 2.5 * px, size - 5 * px, size - 5 * px);
    const img = ctx.getImageData(0, 0, size, size);
    map.addImage(id, { width: size, height: size, data: new Uint8Array(img.data.buffer) }, { pixelRatio: px });
  }
}

/** The console's map: the map of Mexico with the open incidents (circles by priority) and the units (squares by status). */
export function DispatchMap({ incidents, units, selectedId, onSelectIncident, pick, onPick, focus, stateCode }: Props) {
  const { t } = useTranslation();
  const mapRef = useRef<MLMap | null>(null);
  const markerRef = useRef<Marker | null>(null);
  const [ready, setReady] = useState(false);
  const [tip, setTip] = useState<Tip | null>(null);
  const latest = useRef({ incidents, units, selectedId, onSelectIncident, onPick, t });
  latest.current = { incidents, units, selectedId, onSelectIncident, onPick, t };

  const onReady = useCallback((map: MLMap) => {
    mapRef.current = map;
    addUnitIcons(map);
    const { incidents: inc, units: un, selectedId: sel } = latest.current;
    map.addSource(UNITS, { type: 'geojson', data: unitData(un) });
    map.addSource(INCIDENTS, { type: 'geojson', data: incidentData(inc, sel) });
    map.addLayer({
      id: UNIT_LAYER,
      type: 'symbol',
      source: UNITS,
      layout: {
        'icon-image': ['get', 'icon'],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
        'icon-size': ['interpolate', ['linear'], ['zoom'], 6, 0.6, 12, 1, 16, 1.3],
      },
    });
    map.addLayer({
      id: `${INCIDENTS}-halo`,
      type: 'circle',
      source: INCIDENTS,
      filter: ['==', ['get', 'selected'], true],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 11, 14, 17],
        'circle-color': 'rgba(245, 180, 0, 0.35)',
        'circle-stroke-color': '#f5b400',
        'circle-stroke-width': 3,
      },
    });
    map.addLayer({
      id: `${INCIDENTS}-circle`,
      type: 'circle',
      source: INCIDENTS,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 5, 14, 9],
        'circle-color': ['match', ['get', 'priority'], 'ALTA', PRIORITY_COLOR.ALTA, 'MEDIA', PRIORITY_COLOR.MEDIA, PRIORITY_COLOR.BAJA],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    });

    const hover = (e: MapMouseEvent) => {
      const feats = map.queryRenderedFeatures(e.point, { layers: [`${INCIDENTS}-circle`, UNIT_LAYER] });
      if (!feats.length) {
        setTip(null);
        return;
      }
      const tr = latest.current.t;
      const lines = feats.slice(0, 4).map((f) => {
        const p = f.properties as Record<string, string>;
        return f.layer.id === UNIT_LAYER
          ? { kind: tr('dispatch.map.unit'), text: `${p.callSign} · ${tr(`dispatch.unitStatus.${p.status}`)}` }
          : { kind: tr('dispatch.map.incident'), text: `${p.folio} · ${tr(`dispatch.incidentStatus.${p.status}`)}` };
      });
      setTip({ x: e.point.x, y: e.point.y, lines });
    };
    for (const id of [`${INCIDENTS}-circle`, UNIT_LAYER]) {
      map.on('mousemove', id, (e) => {
        map.getCanvas().style.cursor = 'pointer';
        hover(e);
      });
      map.on('mouseleave', id, () => {
        map.getCanvas().style.cursor = '';
        setTip(null);
      });
    }
    setReady(true);
  }, []);

  const onMapClick = useCallback((e: MapMouseEvent, map: MLMap) => {
    const hit = map.getLayer(`${INCIDENTS}-circle`)
      ? map.queryRenderedFeatures(e.point, { layers: INCIDENT_LAYERS }).find((f) => f.layer.id === `${INCIDENTS}-circle`)
      : undefined;
    if (hit) {
      latest.current.onSelectIncident(String((hit.properties as { id: string }).id));
      return true;
    }
    const pickFn = latest.current.onPick;
    if (pickFn) {
      pickFn(Number(e.lngLat.lat.toFixed(6)), Number(e.lngLat.lng.toFixed(6)));
      return true;
    }
    return false;
  }, []);

  // Data updates.
  useEffect(() => {
    const src = ready ? mapRef.current?.getSource(INCIDENTS) : undefined;
    if (src instanceof GeoJSONSource) void src.setData(incidentData(incidents, selectedId));
  }, [ready, incidents, selectedId]);
  useEffect(() => {
    const src = ready ? mapRef.current?.getSource(UNITS) : undefined;
    if (src instanceof GeoJSONSource) void src.setData(unitData(units));
  }, [ready, units]);

  // The picked location of a new incident.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    if (!pick) {
      markerRef.current?.remove();
      return;
    }
    if (!markerRef.current) markerRef.current = new Marker({ color: '#f5b400' });
    markerRef.current.setLngLat([pick.lon, pick.lat]).addTo(map);
  }, [ready, pick]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || !focus) return;
    map.flyTo({ center: [focus.lon, focus.lat], zoom: focus.zoom ?? Math.max(map.getZoom(), 13), duration: 900 });
  }, [ready, focus]);

  // First view: the console's state.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || !stateCode) return;
    let live = true;
    getStates()
      .then(({ states }) => {
        const name = states.find((s) => s.code === stateCode)?.name;
        return name ? searchPlaces(name, 10) : null;
      })
      .then((r) => {
        const hit = r?.results.find((h) => h.kind === 'state' && h.code === stateCode);
        if (!live || !hit) return;
        const [a, b, c, d] = hit.bbox;
        map.fitBounds(new LngLatBounds([a, b], [c, d]), { padding: 30, duration: 0 });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [ready, stateCode]);

  return (
    <MexicoMap onReady={onReady} onMapClick={onMapClick} layersCollapsed hideSearch>
      <div className="dispatch-legend" aria-hidden="true">
        <span>
          <i className="legend-dot" style={{ background: PRIORITY_COLOR.ALTA }} />
          {t('dispatch.priority.ALTA')}
        </span>
        <span>
          <i className="legend-dot" style={{ background: PRIORITY_COLOR.MEDIA }} />
          {t('dispatch.priority.MEDIA')}
        </span>
        <span>
          <i className="legend-dot" style={{ background: PRIORITY_COLOR.BAJA }} />
          {t('dispatch.priority.BAJA')}
        </span>
        <span>
          <i className="legend-square" style={{ background: UNIT_STATUS_COLOR.available }} />
          {t('dispatch.map.units')}
        </span>
      </div>
      {onPick ? (
        <p className="dispatch-pick-hint" data-testid="map-pick-hint">
          {t('dispatch.map.pickHint')}
        </p>
      ) : null}
      {tip ? (
        <div className="map-tooltip" style={{ transform: `translate(${tip.x + 14}px, ${tip.y + 14}px)` }} aria-hidden="true">
          {tip.lines.map((l, i) => (
            <div key={i} className="map-tooltip-line">
              <span className="map-tooltip-kind">{l.kind}</span>
              <span className="map-tooltip-name">{l.text}</span>
            </div>
          ))}
        </div>
      ) : null}
    </MexicoMap>
  );
}
