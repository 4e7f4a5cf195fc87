import { Marker, type Map as MLMap, type MapMouseEvent } from 'maplibre-gl';
import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import MexicoMap from '../map/mexico-map.js';

/** Picks a point on the map (when the phone gives no position). */
export default function PositionPicker({
  start,
  onPick,
}: {
  start: { lat: number; lon: number } | null;
  onPick: (lat: number, lon: number) => void;
}) {
  const { t } = useTranslation();
  const marker = useRef<Marker | null>(null);
  const [point, setPoint] = useState<{ lat: number; lon: number } | null>(null);
  const onMapClick = useCallback((e: MapMouseEvent, map: MLMap) => {
    const p = { lat: Number(e.lngLat.lat.toFixed(6)), lon: Number(e.lngLat.lng.toFixed(6)) };
    marker.current ??= new Marker({ color: '#0d5bd7' });
    marker.current.setLngLat([p.lon, p.lat]).addTo(map);
    setPoint(p);
    return true;
  }, []);
  return (
    <div className="fv-picker" data-testid="field-picker">
      <p className="fv-picker-hint">{t('field.pickHint')}</p>
      <div className="fv-picker-map">
        <MexicoMap
          onMapClick={onMapClick}
          layersCollapsed
          hideSearch
          initialView={start ? { center: [start.lon, start.lat], zoom: 14 } : undefined}
        />
      </div>
      <button
        type="button"
        className="fbtn fbtn--primary"
        disabled={!point}
        onClick={() => point && onPick(point.lat, point.lon)}
        data-testid="field-send-picked"
      >
        {t('field.sendPicked')}
      </button>
    </div>
  );
}
