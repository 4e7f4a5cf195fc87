import type { AddLayerObject, Map as MLMap, MapOptions } from 'maplibre-gl';
import type { GeoLayerName } from '../api.js';

export type StyleSpec = Exclude<MapOptions['style'], string | undefined>;
export type FilterSpec = NonNullable<Parameters<MLMap['setFilter']>[1]>;

/** Mexico, for the first view and "show all of Mexico". */
export const MEXICO_BOUNDS: [[number, number], [number, number]] = [
  [-118.6, 14.3],
  [-86.5, 32.8],
];

export const BACKGROUND = '#d6e0e8';

/** One boundary layer group: its source (`name`) and the MapLibre layers drawn from it. */
export type LayerGroup = {
  name: GeoLayerName;
  minzoom: number;
  /** The layer hovered features are taken from. */
  hoverLayer: string;
  layers: (basemap: boolean) => AddLayerObject[];
};

type FillPaint = NonNullable<Extract<AddLayerObject, { type: 'fill' }>['paint']>;

/** Fill opacity that rises while the feature is hovered (feature state `hover`). */
const hoverOpacity = (base: number, hovered: number): FillPaint['fill-opacity'] => [
  'case',
  ['boolean', ['feature-state', 'hover'], false],
  hovered,
  base,
];

/** No selection: a filter that matches nothing. */
export const NOTHING: FilterSpec = ['==', ['get', 'code'], '\u0000'];
export const byCode = (code: string): FilterSpec => ['==', ['get', 'code'], code];

function selectedLine(name: GeoLayerName, minzoom: number): AddLayerObject {
  return {
    id: `${name}-selected`,
    type: 'line',
    source: name,
    minzoom,
    filter: NOTHING,
    paint: { 'line-color': '#f5b400', 'line-width': 4, 'line-opacity': 0.95 },
  };
}

/** Bottom to top. Text labels are not used: glyphs are not available offline; names show in a DOM tooltip. */
export const LAYER_GROUPS: readonly LayerGroup[] = [
  {
    name: 'estados',
    minzoom: 0,
    hoverLayer: 'estados-fill',
    layers: (basemap) => [
      {
        id: 'estados-fill',
        type: 'fill',
        source: 'estados',
        paint: {
          'fill-color': ['case', ['boolean', ['feature-state', 'hover'], false], '#fff3c4', '#f8f7f2'],
          'fill-opacity': basemap ? hoverOpacity(0.08, 0.35) : 1,
        },
      },
      {
        id: 'estados-line',
        type: 'line',
        source: 'estados',
        paint: { 'line-color': '#35465a', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.9, 10, 2.2] },
      },
      selectedLine('estados', 0),
    ],
  },
  {
    name: 'municipios',
    minzoom: 5,
    hoverLayer: 'municipios-fill',
    layers: () => [
      {
        id: 'municipios-fill',
        type: 'fill',
        source: 'municipios',
        minzoom: 5,
        paint: { 'fill-color': '#f5b400', 'fill-opacity': hoverOpacity(0, 0.22) },
      },
      {
        id: 'municipios-line',
        type: 'line',
        source: 'municipios',
        minzoom: 5,
        paint: { 'line-color': '#7d8c9b', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 0.3, 10, 1] },
      },
      selectedLine('municipios', 5),
    ],
  },
  {
    name: 'alcaldias',
    minzoom: 8,
    hoverLayer: 'alcaldias-fill',
    layers: () => [
      {
        id: 'alcaldias-fill',
        type: 'fill',
        source: 'alcaldias',
        minzoom: 8,
        paint: { 'fill-color': '#6b4fa0', 'fill-opacity': hoverOpacity(0, 0.12) },
      },
      {
        id: 'alcaldias-line',
        type: 'line',
        source: 'alcaldias',
        minzoom: 8,
        paint: { 'line-color': '#5b3f90', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 13, 2.5] },
      },
      selectedLine('alcaldias', 8),
    ],
  },
  {
    name: 'colonias',
    minzoom: 11,
    hoverLayer: 'colonias-fill',
    layers: () => [
      {
        id: 'colonias-fill',
        type: 'fill',
        source: 'colonias',
        minzoom: 11,
        paint: { 'fill-color': '#1f77b4', 'fill-opacity': hoverOpacity(0, 0.2) },
      },
      {
        id: 'colonias-line',
        type: 'line',
        source: 'colonias',
        minzoom: 11,
        paint: { 'line-color': '#3b6e99', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.4, 16, 1.4] },
      },
      selectedLine('colonias', 11),
    ],
  },
  {
    name: 'cuadrantes',
    minzoom: 12,
    hoverLayer: 'cuadrantes-fill',
    layers: () => [
      {
        id: 'cuadrantes-fill',
        type: 'fill',
        source: 'cuadrantes',
        minzoom: 12,
        paint: { 'fill-color': '#c62828', 'fill-opacity': hoverOpacity(0, 0.14) },
      },
      {
        id: 'cuadrantes-line',
        type: 'line',
        source: 'cuadrantes',
        minzoom: 12,
        paint: { 'line-color': '#c62828', 'line-width': 1.4, 'line-dasharray': [3, 2] },
      },
      selectedLine('cuadrantes', 12),
    ],
  },
];

export const groupOf = (name: GeoLayerName) => LAYER_GROUPS.find((g) => g.name === name)!;

/** The style: a plain background (works offline) and, when configured, the operator's basemap. */
export function baseStyle(tileUrl: string | null, attribution: string | null): StyleSpec {
  const style: StyleSpec = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } }],
  };
  if (tileUrl && /\{z\}/.test(tileUrl)) {
    style.sources.basemap = { type: 'raster', tiles: [tileUrl], tileSize: 256, attribution: attribution ?? undefined, maxzoom: 19 };
    style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  return style;
}

/** A MapLibre style document (URL ending in .json) used as the basemap instead of the plain background. */
export const isStyleUrl = (tileUrl: string | null): tileUrl is string => !!tileUrl && /\.json(\?.*)?$/i.test(tileUrl);
