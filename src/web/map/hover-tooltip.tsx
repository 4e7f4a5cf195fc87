import { useTranslation } from 'react-i18next';
import type { GeoLayerName } from '../api.js';

export type HoverLine = { layer: GeoLayerName; code: string; name: string; parentName?: string };
export type HoverInfo = { x: number; y: number; lines: HoverLine[] };

/** The names under the cursor (drawn in the DOM: the map has no glyphs offline). */
export function HoverTooltip({ info }: { info: HoverInfo }) {
  const { t } = useTranslation();
  return (
    <div
      className="map-tooltip"
      style={{ transform: `translate(${info.x + 14}px, ${info.y + 14}px)` }}
      data-testid="map-tooltip"
      aria-hidden="true"
    >
      {info.lines.map((l) => (
        <div key={l.layer} className="map-tooltip-line">
          <span className="map-tooltip-kind">{t(`map.hover.${l.layer}`)}</span>
          <span className="map-tooltip-name">{l.name}</span>
        </div>
      ))}
    </div>
  );
}
