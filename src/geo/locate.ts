/**
 * Reverse geocoding of a coordinate to state, municipality and — in Mexico City — alcaldía,
 * colonia and police quadrant.
 *
 * ## Which layer decides (Mexico City border rule)
 *
 * The national municipios layer is strongly simplified: along Mexico City's border it is off by
 * up to ~0.6 km. The INEGI 2023 alcaldías layer is the authoritative Mexico City boundary, so:
 * 1. A point inside an INEGI 2023 alcaldía is in Mexico City (state "09") and its municipality
 *    is that alcaldía — whatever the national layer says (it may say Estado de México).
 * 2. Otherwise the national layer decides. If it says Mexico City (the point lies in the sliver
 *    where the coarse border bulges past the detailed one), the answer is the nearest municipio
 *    of another state within {@link CDMX_SLIVER_MAX_METRES} (in practice ≤ 0.6 km away; should
 *    none be found, the national answer is kept).
 * 3. No national polygon: `null` (outside Mexico, including at sea off the coast — the national
 *    layer's coastline is simplified, so points within a few hundred metres of the shore may
 *    fall either way).
 * The state is the municipality's state (the `estados` layer is the dissolve of the municipios
 * and agrees with them everywhere). Colonia and quadrant are looked up only for Mexico City
 * points; either may be missing (the colonias do not cover the rural south; quadrants cover the
 * urban area) and, being from other sources, their own alcaldía may occasionally differ from the
 * INEGI one (≈ 0.4% of points near alcaldía borders). Overlapping colonias resolve to the
 * smallest (a housing unit over its surrounding colonia), see `spatial-index.ts`.
 */
import type { GeoLayers } from './geo-data.js';
import { buildSpatialIndex, bruteForceLocate, type SpatialIndex } from './spatial-index.js';

/** Code and name of a state or municipality. */
export interface PlaceRef {
  readonly code: string;
  readonly name: string;
}

/** A state reference, with the common short name ("Veracruz"). */
export interface StateRef extends PlaceRef {
  readonly shortName: string;
}

/** Result of {@link Locator.locate}. Sub-objects are shared and frozen: do not mutate them. */
export interface LocateResult {
  readonly state: StateRef;
  readonly municipality: PlaceRef;
  /** Present in Mexico City (same as `municipality` there). */
  readonly alcaldia?: PlaceRef;
  readonly colonia?: { readonly id: string; readonly name: string };
  readonly quadrant?: { readonly id: string; readonly sector: string; readonly zona: string };
}

/** Reverse geocoder built by {@link createLocator}. */
export interface Locator {
  /** Place containing (lat, lon), or null outside Mexico (and for NaN/non-finite input). */
  locate(lat: number, lon: number): LocateResult | null;
  /** The underlying indexes (for statistics, tests and benchmarks). */
  readonly indexes: {
    readonly municipalities: SpatialIndex;
    readonly alcaldias: SpatialIndex;
    readonly colonias: SpatialIndex;
    readonly quadrants: SpatialIndex;
  };
  /** Wall time spent building the indexes, ms. */
  readonly buildMs: number;
}

/** Options of {@link createLocator}. */
export interface LocatorOptions {
  /**
   * `index` (default) answers from the grid indexes; `brute-force` scans every polygon of each
   * layer instead (same answers, for tests and benchmarks).
   */
  readonly strategy?: 'index' | 'brute-force';
}

/** Furthest a point of the national layer's CDMX sliver may be from its true (non-CDMX) municipio. */
export const CDMX_SLIVER_MAX_METRES = 3000;

const CDMX = '09';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds the indexes of the municipios, alcaldías, colonias and quadrants layers (~0.3 s). */
export function createLocator(layers: GeoLayers, options: LocatorOptions = {}): Locator {
  const started = performance.now();
  const indexes = {
    municipalities: buildSpatialIndex(layers.municipalities),
    alcaldias: buildSpatialIndex(layers.alcaldias),
    colonias: buildSpatialIndex(layers.colonias),
    quadrants: buildSpatialIndex(layers.quadrants),
  };
  const buildMs = performance.now() - started;

  const finder = (index: SpatialIndex): ((lon: number, lat: number) => number) =>
    options.strategy === 'brute-force' ? (lon, lat) => bruteForceLocate(index, lon, lat) : index.find;
  const findMunicipality = finder(indexes.municipalities);
  const findAlcaldia = finder(indexes.alcaldias);
  const findColonia = finder(indexes.colonias);
  const findQuadrant = finder(indexes.quadrants);

  // Result pieces are built once and shared, so a lookup allocates a single object.
  const stateByCode = new Map<string, StateRef>(
    layers.states.features.map((s) => [s.code, Object.freeze({ code: s.code, name: s.name, shortName: s.shortName })]),
  );
  const stateOf = (code: string): StateRef => {
    const state = stateByCode.get(code);
    if (!state) throw new Error(`unknown state ${code}`);
    return state;
  };
  const cdmx = stateOf(CDMX);
  const municipalityRefs = layers.municipalities.features.map((m) => Object.freeze({ code: m.code, name: m.name }));
  const municipalityStates = layers.municipalities.features.map((m) => stateOf(m.stateCode));
  const alcaldiaRefs = layers.alcaldias.features.map((a) => Object.freeze({ code: a.code, name: a.name }));
  const coloniaRefs = layers.colonias.features.map((c) => Object.freeze({ id: c.id, name: c.name }));
  const quadrantRefs = layers.quadrants.features.map((q) => Object.freeze({ id: q.id, sector: q.sector, zona: q.zona }));
  const notCdmx = (municipality: number): boolean => municipalityStates[municipality] !== cdmx;

  const locate = (lat: number, lon: number): LocateResult | null => {
    if (!(Number.isFinite(lat) && Number.isFinite(lon))) return null;
    const alcaldia = findAlcaldia(lon, lat);
    if (alcaldia >= 0) {
      const ref = alcaldiaRefs[alcaldia];
      const result: Mutable<LocateResult> = { state: cdmx, municipality: ref, alcaldia: ref };
      const colonia = findColonia(lon, lat);
      if (colonia >= 0) result.colonia = coloniaRefs[colonia];
      const quadrant = findQuadrant(lon, lat);
      if (quadrant >= 0) result.quadrant = quadrantRefs[quadrant];
      return result;
    }
    let municipality = findMunicipality(lon, lat);
    if (municipality < 0) return null;
    if (municipalityStates[municipality] === cdmx) {
      const neighbour = indexes.municipalities.nearest(lon, lat, CDMX_SLIVER_MAX_METRES, notCdmx);
      if (neighbour >= 0) municipality = neighbour;
    }
    return { state: municipalityStates[municipality], municipality: municipalityRefs[municipality] };
  };

  return { locate, indexes, buildMs };
}
