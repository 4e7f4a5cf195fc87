/**
 * The geo module's service: reverse geocoding, place search, catalogues and map layers.
 *
 * Everything is built lazily on first use and then kept for the life of the process (layers
 * ≈ 0.2 s, locator indexes ≈ 0.3 s, gazetteer ≈ 0.1 s); call {@link GeoService.warmUp} at
 * server start to pay that before the first request.
 */
import type { Properties, Topology } from 'topojson-specification';
import { createGazetteer, type Gazetteer, type GazetteerHit, type SearchOptions } from './gazetteer.js';
import { DATA_FILES, extractTopologyObjects, loadGeoLayers, readTopology, type GeoLayers, type LayerName } from './geo-data.js';
import { createLocator, type LocateResult, type Locator } from './locate.js';

export type { LayerName } from './geo-data.js';

/** Names accepted by {@link GeoService.getLayerTopology}. */
export const LAYER_NAMES: readonly LayerName[] = ['estados', 'municipios', 'alcaldias', 'colonias', 'cuadrantes', 'sectores'];

/** A state row of the catalogue. */
export interface StateRow {
  readonly code: string;
  readonly name: string;
  readonly shortName: string;
  readonly abbreviation: string;
  readonly population: number;
}

/** A municipality row of the catalogue (Mexico City alcaldías included). */
export interface MunicipalityRow {
  readonly code: string;
  readonly stateCode: string;
  readonly name: string;
  readonly population: number;
  /** The municipal seat (cabecera) as [lon, lat], when INEGI publishes it. */
  readonly seat: readonly [number, number] | null;
}

/** The geo service. */
export interface GeoService {
  /** See {@link Locator.locate}: `null` outside Mexico or for non-finite input. */
  locate(lat: number, lon: number): LocateResult | null;
  /** See {@link Gazetteer.search}. */
  search(query: string, options?: SearchOptions): GazetteerHit[];
  /** The 32 states, by code. */
  listStates(): StateRow[];
  /** Municipalities by code, optionally of one state ("09"). Unknown state: empty list. */
  listMunicipalities(stateCode?: string): MunicipalityRow[];
  /**
   * TopoJSON of one map layer, holding a single object named like the layer and only the arcs it
   * uses. Every geometry has `id` = `properties.code` and these properties:
   * - `estados`: `code` ("09"), `name` (short: "Veracruz", "Estado de México"), `officialName`, `population`;
   * - `municipios`: `code` ("14039"), `name`, `stateCode`, `state` (short name), `population`
   *   (the coarse national geometry — overlay `alcaldias` for Mexico City);
   * - `alcaldias`: `code` ("09015"), `name`, `population`;
   * - `colonias`: `code` ("15-040"), `name` (title case), `alcaldiaCode`, `alcaldia`, `population` (estimate);
   * - `cuadrantes`: `code` = `name` ("C-1.1.3"), `sector`, `zona`, `alcaldiaCode`, `alcaldia`;
   * - `sectores`: `code` = `name` ("Corredor-Centro"), `alcaldiaCode`, `alcaldia`.
   * The object is built once and shared: do not mutate it.
   */
  getLayerTopology(name: LayerName): Topology;
  /** Plain rows to load into the database. */
  catalogue(): { states: StateRow[]; municipalities: MunicipalityRow[] };
  /** Loads the data and builds every index now instead of on first use. */
  warmUp(): void;
}

function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

function str(properties: Properties | undefined, key: string): string {
  const value: unknown = properties?.[key];
  return typeof value === 'string' ? value : String(value ?? '');
}

/** Builds the map topologies from the shipped files (properties renamed for the browser). */
function buildLayerTopology(name: LayerName, layers: GeoLayers): Topology {
  const alcaldiaName = new Map(layers.alcaldias.features.map((a) => [a.code, a.name]));
  const stateName = new Map(layers.states.features.map((s) => [s.code, s.code === '15' ? 'Estado de México' : s.shortName]));
  const population = new Map(layers.municipalities.features.map((m) => [m.code, m.population]));
  const statePopulation = new Map(layers.states.features.map((s) => [s.code, s.population]));
  const rename = (topology: Topology, from: string): Topology => {
    const object = topology.objects[from];
    return { ...topology, objects: { [name]: object } };
  };
  switch (name) {
    case 'estados':
      return extractTopologyObjects(readTopology(DATA_FILES.national), ['estados'], (g) => {
        const code = str(g.properties, 'CVE_ENT');
        return {
          id: code,
          properties: {
            code,
            name: stateName.get(code) ?? str(g.properties, 'NOM_CORTO'),
            officialName: str(g.properties, 'NOM_ENT'),
            population: statePopulation.get(code) ?? 0,
          },
        };
      });
    case 'municipios':
      return extractTopologyObjects(readTopology(DATA_FILES.national), ['municipios'], (g) => {
        const code = str(g.properties, 'CVEGEO');
        const stateCode = str(g.properties, 'CVE_ENT');
        return {
          id: code,
          properties: {
            code,
            name: str(g.properties, 'NOM_MUN'),
            stateCode,
            state: stateName.get(stateCode) ?? '',
            population: population.get(code) ?? 0,
          },
        };
      });
    case 'alcaldias':
      return extractTopologyObjects(readTopology(DATA_FILES.alcaldias), ['alcaldias'], (g) => {
        const code = str(g.properties, 'CVEGEO');
        return { id: code, properties: { code, name: str(g.properties, 'NOM_MUN'), population: population.get(code) ?? 0 } };
      });
    case 'colonias': {
      const byId = new Map(layers.colonias.features.map((c) => [c.id, c]));
      return extractTopologyObjects(readTopology(DATA_FILES.colonias), ['colonias'], (g) => {
        const code = str(g.properties, 'CVEUT');
        const colonia = byId.get(code);
        const alcaldiaCode = str(g.properties, 'CVEGEO_MUN');
        return {
          id: code,
          properties: {
            code,
            name: colonia?.name ?? str(g.properties, 'NOMUT'),
            alcaldiaCode,
            alcaldia: alcaldiaName.get(alcaldiaCode) ?? '',
            population: colonia?.population ?? 0,
          },
        };
      });
    }
    case 'cuadrantes': {
      const byId = new Map(layers.quadrants.features.map((q) => [q.id, q]));
      return rename(
        extractTopologyObjects(readTopology(DATA_FILES.quadrants), ['cuadrantes_2016'], (g) => {
          const code = str(g.properties, 'CUADRANTE');
          const quadrant = byId.get(code);
          const alcaldiaCode = str(g.properties, 'CVEGEO_MUN');
          return {
            id: code,
            properties: {
              code,
              name: code,
              sector: quadrant?.sector ?? '',
              zona: quadrant?.zona ?? '',
              alcaldiaCode,
              alcaldia: alcaldiaName.get(alcaldiaCode) ?? '',
            },
          };
        }),
        'cuadrantes_2016',
      );
    }
    case 'sectores':
      return rename(
        extractTopologyObjects(readTopology(DATA_FILES.quadrants), ['sectores_2016'], (g) => {
          const sector = layers.sectors.features.find((s) => s.sourceName === str(g.properties, 'SECTOR'));
          const alcaldiaCode = str(g.properties, 'CVEGEO_MUN');
          const display = sector?.name ?? str(g.properties, 'SECTOR');
          return {
            id: display,
            properties: { code: display, name: display, alcaldiaCode, alcaldia: alcaldiaName.get(alcaldiaCode) ?? '' },
          };
        }),
        'sectores_2016',
      );
  }
}

let shared: GeoService | undefined;

/**
 * The process-wide geo service (created on first call; data loaded on first use).
 */
export function createGeoService(): GeoService {
  shared ??= buildGeoService();
  return shared;
}

function buildGeoService(): GeoService {
  const layers = lazy(loadGeoLayers);
  const locator = lazy((): Locator => createLocator(layers()));
  const gazetteer = lazy((): Gazetteer => createGazetteer(layers()));
  const topologies = new Map<LayerName, Topology>();
  const states = lazy((): StateRow[] =>
    layers()
      .states.features.map((s) => ({
        code: s.code,
        name: s.name,
        shortName: s.shortName,
        abbreviation: s.abbreviation,
        population: s.population,
      }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  );
  const municipalities = lazy((): MunicipalityRow[] =>
    layers()
      .municipalities.features.map((m) => ({ code: m.code, stateCode: m.stateCode, name: m.name, population: m.population, seat: m.seat }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  );

  return {
    locate: (lat, lon) => locator().locate(lat, lon),
    search: (query, options) => gazetteer().search(query, options),
    listStates: () => states().map((s) => ({ ...s })),
    listMunicipalities: (stateCode) =>
      municipalities()
        .filter((m) => stateCode === undefined || m.stateCode === stateCode)
        .map((m) => ({ ...m })),
    getLayerTopology: (name) => {
      if (!LAYER_NAMES.includes(name)) throw new Error(`unknown map layer ${String(name)}`);
      let topology = topologies.get(name);
      if (!topology) {
        topology = buildLayerTopology(name, layers());
        topologies.set(name, topology);
      }
      return topology;
    },
    catalogue: () => ({ states: states().map((s) => ({ ...s })), municipalities: municipalities().map((m) => ({ ...m })) }),
    warmUp: () => {
      locator();
      gazetteer();
    },
  };
}
