/**
 * The areas a map aggregates to — states, municipalities (Mexico City's alcaldías from INEGI 2023,
 * as the geo module locates records), colonias and police quadrants — with names, population where
 * it exists, area, polygons and neighbours, built once per worker from the geo module's service
 * (`getLayerTopology`, the same TopoJSON the web map draws).
 */
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { feature, neighbors } from 'topojson-client';
import { createGeoService, type GeoService, type LayerName } from '../../geo/geo.service.js';
import { pointInPolygon, polygonAreaKm2, polygonCentroid, preparePolygon, type PreparedPolygon } from './geometry.js';

export const AREA_KINDS = ['state', 'municipality', 'colonia', 'quadrant'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

/** One layer of areas, index-aligned arrays. */
export interface AreaLayer {
  readonly kind: AreaKind;
  readonly codes: readonly string[];
  readonly names: readonly string[];
  /** Inhabitants (Censo 2020; colonias: the IECM estimate); null where none is published (quadrants) or it is 0. */
  readonly population: readonly (number | null)[];
  readonly areaKm2: Float64Array;
  /** The area's municipality (colonias, quadrants), state (municipalities), or '' (states). */
  readonly parent: readonly string[];
  readonly centroidLon: Float64Array;
  readonly centroidLat: Float64Array;
  readonly indexOf: ReadonlyMap<string, number>;
  /** The geometry as GeoJSON text (coordinates to 6 decimals, ~0.1 m), built on first use and kept. */
  geometryJson(i: number): string;
  geometry(i: number): Polygon | MultiPolygon;
  prepared(i: number): PreparedPolygon;
  /** Areas sharing a border (TopoJSON shared arcs), symmetric. */
  adjacency(): readonly number[][];
}

export type Areas = Readonly<Record<AreaKind, AreaLayer>>;

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

function geometryText(g: Polygon | MultiPolygon): string {
  return JSON.stringify({ type: g.type, coordinates: g.coordinates }, (_k, v: unknown) => (typeof v === 'number' ? round6(v) : v));
}

type Source = { topology: Topology; object: string; features: Feature<Polygon | MultiPolygon>[] };

function source(geo: GeoService, layer: LayerName): Source {
  const topology = geo.getLayerTopology(layer);
  const object = Object.keys(topology.objects)[0];
  const fc = feature(topology, topology.objects[object]) as unknown as { features: Feature<Polygon | MultiPolygon | null>[] };
  return { topology, object, features: fc.features.filter((f): f is Feature<Polygon | MultiPolygon> => !!f.geometry) };
}

type Row = { code: string; name: string; population: number | null; parent: string; geometry: Polygon | MultiPolygon };

function layerOf(kind: AreaKind, rows: Row[], adjacency: () => number[][]): AreaLayer {
  const n = rows.length;
  const areaKm2 = new Float64Array(n);
  const centroidLon = new Float64Array(n);
  const centroidLat = new Float64Array(n);
  rows.forEach((r, i) => {
    areaKm2[i] = polygonAreaKm2(r.geometry);
    [centroidLon[i], centroidLat[i]] = polygonCentroid(r.geometry);
  });
  const texts: (string | undefined)[] = new Array(n);
  const prepared: (PreparedPolygon | undefined)[] = new Array(n);
  let adj: number[][] | undefined;
  return {
    kind,
    codes: rows.map((r) => r.code),
    names: rows.map((r) => r.name),
    population: rows.map((r) => (r.population && r.population > 0 ? r.population : null)),
    areaKm2,
    parent: rows.map((r) => r.parent),
    centroidLon,
    centroidLat,
    indexOf: new Map(rows.map((r, i) => [r.code, i])),
    geometryJson: (i) => (texts[i] ??= geometryText(rows[i].geometry)),
    geometry: (i) => rows[i].geometry,
    prepared: (i) => (prepared[i] ??= preparePolygon(rows[i].geometry)),
    adjacency: () => (adj ??= adjacency()),
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : String(v ?? ''));
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/** Symmetric adjacency from TopoJSON shared arcs, re-indexed to `order` (a feature index per row). */
function topoAdjacency(s: Source, rowOfFeature: Int32Array): () => number[][] {
  return () => {
    const geometries = (s.topology.objects[s.object] as GeometryCollection).geometries;
    const nb = neighbors(geometries as Parameters<typeof neighbors>[0]);
    const rows = Math.max(0, ...rowOfFeature) + 1;
    const out: number[][] = Array.from({ length: rows }, () => []);
    nb.forEach((list, f) => {
      const r = rowOfFeature[f];
      if (r < 0) return;
      for (const g of list) if (rowOfFeature[g] >= 0 && rowOfFeature[g] !== r) out[r].push(rowOfFeature[g]);
    });
    return out.map((l) => [...new Set(l)].sort((a, b) => a - b));
  };
}

let shared: Areas | undefined;

/** The four layers (built on first call: about a second; then kept for the worker's life). */
export function loadAreas(geo: GeoService = createGeoService()): Areas {
  if (shared) return shared;
  const states = source(geo, 'estados');
  const municipios = source(geo, 'municipios');
  const alcaldias = source(geo, 'alcaldias');
  const colonias = source(geo, 'colonias');
  const cuadrantes = source(geo, 'cuadrantes');

  const plain = (s: Source, kind: AreaKind, row: (f: Feature<Polygon | MultiPolygon>) => Omit<Row, 'geometry'>): AreaLayer => {
    const rows = s.features.map((f) => ({ ...row(f), geometry: f.geometry }));
    const rowOf = new Int32Array(rows.length).map((_, i) => i);
    return layerOf(kind, rows, topoAdjacency(s, rowOf));
  };

  // Municipalities: the national layer, with Mexico City's alcaldías replaced by INEGI 2023's (the
  // geometry `locate` decides with). Neighbours come from the national layer, which has both.
  const alcaldiaGeometry = new Map(alcaldias.features.map((f) => [str(f.properties?.code), f.geometry]));
  const muniRows: Row[] = municipios.features.map((f) => {
    const code = str(f.properties?.code);
    return {
      code,
      name: str(f.properties?.name),
      population: num(f.properties?.population),
      parent: str(f.properties?.stateCode),
      geometry: alcaldiaGeometry.get(code) ?? f.geometry,
    };
  });
  const muniRowOf = new Int32Array(muniRows.length).map((_, i) => i);

  shared = {
    state: plain(states, 'state', (f) => ({
      code: str(f.properties?.code),
      name: str(f.properties?.name),
      population: num(f.properties?.population),
      parent: '',
    })),
    municipality: layerOf('municipality', muniRows, topoAdjacency(municipios, muniRowOf)),
    colonia: plain(colonias, 'colonia', (f) => ({
      code: str(f.properties?.code),
      name: str(f.properties?.name),
      population: num(f.properties?.population),
      parent: str(f.properties?.alcaldiaCode),
    })),
    quadrant: plain(cuadrantes, 'quadrant', (f) => ({
      code: str(f.properties?.code),
      name: str(f.properties?.name),
      population: null,
      parent: str(f.properties?.alcaldiaCode),
    })),
  };
  return shared;
}

/** Whether (lon, lat) lies in area `i` of a layer. */
export const inArea = (layer: AreaLayer, i: number, lon: number, lat: number) => pointInPolygon(layer.prepared(i), lon, lat);
