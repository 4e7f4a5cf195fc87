import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GeoLayerName } from '../api.js';
import { LAYER_GROUPS } from './layers.js';

export type LayerStatus = 'idle' | 'loading' | 'ready' | 'error';
export type LayerState = { visible: boolean; status: LayerStatus; error?: string };

const SWATCH: Record<GeoLayerName, string> = {
  estados: '#35465a',
  municipios: '#7d8c9b',
  alcaldias: '#5b3f90',
  colonias: '#3b6e99',
  cuadrantes: '#c62828',
};

type LayerPanelProps = {
  layers: Record<GeoLayerName, LayerState>;
  zoom: number;
  onToggle: (name: GeoLayerName, visible: boolean) => void;
  onRetry: (name: GeoLayerName) => void;
  onReset: () => void;
  /** Can be folded to a single button (small maps). */
  collapsible?: boolean;
  initiallyCollapsed?: boolean;
};

/** One checkbox per boundary layer, with its load state and the zoom it appears from. */
export function LayerPanel({ layers, zoom, onToggle, onRetry, onReset, collapsible, initiallyCollapsed }: LayerPanelProps) {
  const { t } = useTranslation();
  const [collapsed, setCollapsed] = useState(!!initiallyCollapsed);
  if (collapsible && collapsed) {
    return (
      <div className="map-panel map-layers map-layers--folded" data-testid="layer-panel">
        <button
          type="button"
          className="btn btn--small"
          aria-expanded="false"
          onClick={() => setCollapsed(false)}
          data-testid="layer-panel-open"
        >
          {t('map.layers')}
        </button>
      </div>
    );
  }
  return (
    <div className="map-panel map-layers" data-testid="layer-panel">
      <fieldset>
        <legend>
          {t('map.layers')}
          {collapsible ? (
            <button
              type="button"
              className="icon-btn map-layers-fold"
              aria-expanded="true"
              aria-label={t('map.foldLayers')}
              onClick={() => setCollapsed(true)}
            >
              ×
            </button>
          ) : null}
        </legend>
        {LAYER_GROUPS.map((g) => {
          const s = layers[g.name];
          const belowZoom = zoom < g.minzoom;
          return (
            <div key={g.name} className={`layer-row${belowZoom ? ' layer-row--dim' : ''}`}>
              <label>
                <input
                  type="checkbox"
                  checked={s.visible}
                  onChange={(e) => onToggle(g.name, e.target.checked)}
                  data-testid={`layer-toggle-${g.name}`}
                  data-status={s.status}
                />
                <span className="layer-swatch" style={{ borderColor: SWATCH[g.name] }} aria-hidden="true" />
                <span className="layer-name">{t(`map.layer.${g.name}`)}</span>
              </label>
              {s.status === 'loading' ? <span className="layer-note">{t('map.layerLoading')}</span> : null}
              {s.status !== 'loading' && belowZoom && g.minzoom > 0 ? (
                <span className="layer-note">{t('map.fromZoom', { zoom: g.minzoom })}</span>
              ) : null}
              {s.status === 'error' ? (
                <span className="layer-error" role="alert">
                  {t('map.layerFailed', { message: s.error ?? '' })}{' '}
                  <button type="button" className="btn btn--link btn--small" onClick={() => onRetry(g.name)}>
                    {t('common.retry')}
                  </button>
                </span>
              ) : null}
            </div>
          );
        })}
      </fieldset>
      <div className="map-layers-foot">
        <span className="muted" data-testid="map-zoom">
          {t('map.zoomLevel', { zoom: zoom.toFixed(1) })}
        </span>
        <button type="button" className="btn btn--small" onClick={onReset} data-testid="map-reset">
          {t('map.resetView')}
        </button>
      </div>
    </div>
  );
}
