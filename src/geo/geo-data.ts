/**
 * Loading of the shipped boundary layers (`./data/`) into typed, in-memory layers.
 *
 * Geometry is kept in each TopoJSON file's own integer grid (the quantized coordinates the file
 * stores) instead of being converted to floating-point degrees: the spatial index relies on exact
 * integer arithmetic, and the grid is also the most compact representation.
 */
import { readFileSync } from 'node:fs';
import type { Arc, GeometryCollection, GeometryObject, MultiPolygon, Polygon, Properties, Topology } from 'topojson-specification';

/** `[minLon, minLat, maxLon, maxLat]` in WGS84 degrees (or `[minX, minY, maxX, maxY]` in grid units). */
export type BBox = [number, number, number, number];

/** `[lon, lat]` in WGS84 degrees. */
export type LonLat = [number, number];

/** Names of the shipped layers. */
export type LayerName = 'estados' | 'municipios' | 'alcaldias' | 'colonias' | 'cuadrantes' | 'sectores';

/** Affine map from a layer's integer grid to WGS84: `lon = x * scale[0] + translate[0]`. */
export interface GridTransform {
  readonly scale: readonly [number, number];
  readonly translate: readonly [number, number];
}

/** One feature's polygon geometry in its layer's integer grid. */
export interface Shape {
  /**
   * Polygon parts (one for a Polygon, several for a MultiPolygon). Each part is a list of closed
   * rings, outer ring first, as flat `[x0, y0, x1, y1, …]` grid coordinates with the first point
   * repeated at the end.
   */
  readonly parts: readonly (readonly Int32Array[])[];
  /** Bounding box in grid units. */
  readonly gridBBox: BBox;
  /** Bounding box in WGS84 degrees. */
  readonly bbox: BBox;
  /** Approximate area in km² (outer rings minus holes). */
  readonly areaKm2: number;
}

/** A polygon layer: features (typed properties) and their shapes, index-aligned. */
export interface GeoLayer<F> {
  readonly name: LayerName;
  readonly transform: GridTransform;
  readonly features: readonly F[];
  readonly shapes: readonly Shape[];
}

/** A federal entity (state, or Mexico City). */
export interface State {
  /** INEGI `CVE_ENT`, 2 digits, e.g. `"09"`. */
  readonly code: string;
  /** Official name, e.g. `"Veracruz de Ignacio de la Llave"`. */
  readonly name: string;
  /** Common short name, e.g. `"Veracruz"`. */
  readonly shortName: string;
  /** INEGI abbreviation, e.g. `"Ver."`. */
  readonly abbreviation: string;
  /** Censo 2020 population. */
  readonly population: number;
}

/** A municipio (or, in Mexico City, an alcaldía) from the national layer. */
export interface Municipality {
  /** INEGI `CVEGEO`, 5 digits, e.g. `"09015"`. */
  readonly code: string;
  /** `CVE_ENT`, e.g. `"09"`. */
  readonly stateCode: string;
  /** `CVE_MUN`, 3 digits, e.g. `"015"`. */
  readonly localCode: string;
  readonly name: string;
  /** Censo 2020 population. */
  readonly population: number;
  /** Municipal seat (cabecera) location, when published. */
  readonly seat: LonLat | null;
  /** Metropolitan area name, or null when the municipio belongs to none. */
  readonly metroArea: string | null;
}

/** A Mexico City alcaldía from INEGI's Marco Geoestadístico 2023. */
export interface Alcaldia {
  /** `CVEGEO`, e.g. `"09015"`. */
  readonly code: string;
  readonly name: string;
}

/** An IECM colonia / unidad territorial of Mexico City. */
export interface Colonia {
  /** IECM `CVEUT`, e.g. `"15-037"`. */
  readonly id: string;
  /** Display name in title case, e.g. `"Centro I"`. */
  readonly name: string;
  /** Name as published (upper case, mostly without accents). */
  readonly sourceName: string;
  /** Alcaldía `CVEGEO`, e.g. `"09015"`. */
  readonly alcaldiaCode: string;
  /** Population estimate of the source (`SUMPOB1`). */
  readonly population: number;
}

/** A police quadrant of the 2016 "Cuadrantes" plan. */
export interface Quadrant {
  /** `CUADRANTE`, e.g. `"P-1.4.8"`. */
  readonly id: string;
  /** Sector name in title case, e.g. `"San Angel"`. */
  readonly sector: string;
  /** Zone in title case, e.g. `"Poniente"`. */
  readonly zona: string;
  readonly alcaldiaCode: string;
}

/** A police sector of the 2016 plan (a group of quadrants). */
export interface Sector {
  /** Title case, e.g. `"Abasto-Reforma"`. */
  readonly name: string;
  readonly sourceName: string;
  readonly alcaldiaCode: string;
}

/** Every shipped layer, loaded. */
export interface GeoLayers {
  readonly states: GeoLayer<State>;
  readonly municipalities: GeoLayer<Municipality>;
  readonly alcaldias: GeoLayer<Alcaldia>;
  readonly colonias: GeoLayer<Colonia>;
  readonly quadrants: GeoLayer<Quadrant>;
  readonly sectors: GeoLayer<Sector>;
}

/** Files shipped in `./data/`. */
export const DATA_FILES = {
  national: 'mx-municipios-estados.topo.json',
  alcaldias: 'cdmx-alcaldias-inegi2023.topo.json',
  colonias: 'cdmx-colonias.topo.json',
  quadrants: 'cdmx-policia-cuadrantes.topo.json',
  statePopulation: 'mx-estados-poblacion-2020.csv',
  municipalityPopulation: 'mx-municipios-poblacion-2020.csv',
} as const;

/** Absolute URL of a file in `./data/`. */
export function dataFileUrl(file: string): URL {
  return new URL(`./data/${file}`, import.meta.url);
}

/** Reads and parses a TopoJSON file of `./data/` (or any path/URL). */
export function readTopology(file: string | URL): Topology {
  const location = typeof file === 'string' && !file.includes('/') ? dataFileUrl(file) : file;
  const parsed: unknown = JSON.parse(readFileSync(location, 'utf8'));
  if (!isTopology(parsed)) throw new Error(`not a TopoJSON topology: ${String(location)}`);
  return parsed;
}

function isTopology(value: unknown): value is Topology {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Topology' &&
    Array.isArray((value as { arcs?: unknown }).arcs)
  );
}

// ---------------------------------------------------------------------------------------------
// CSV

/** Parses RFC 4180 CSV (quoted fields may contain commas and doubled quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as records keyed by the header row. */
export function readCsvRecords(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(dataFileUrl(file), 'utf8'));
  if (!header) return [];
  return rows.filter((r) => r.length > 1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

// ---------------------------------------------------------------------------------------------
// Names

// Connectors stay lower case inside a name ("Santa Maria de la Ribera"); acronyms and Roman
// numerals stay upper case ("Centro IV", "Imss Tlatelolco" would read wrong).
const LOWER_WORDS = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'en']);
const UPPER_WORDS = new Set([
  'CTM',
  'IMSS',
  'ISSSTE',
  'FOVISSSTE',
  'INFONAVIT',
  'ISSFAM',
  'UNAM',
  'IPN',
  'PEMEX',
  'CROC',
  'CFE',
  'SCT',
  'DDF',
  'FSTSE',
  'SNTE',
  'STUNAM',
  'FOVI',
  'ISSEMYM',
  'CNOP',
  'SEDENA',
  'UAM',
  'INDECO',
  'FIVIDESU',
  'INVI',
  'FONHAPO',
  'STC',
  'CONASUPO',
  'LFC',
  'SME',
  'SUTERM',
]);
const ROMAN = /^(?=[IVXL])(X{0,3}L?X{0,3})(IX|IV|V?I{0,3})$/;

/**
 * Title-cases an upper-case Spanish place name: `"DEL VALLE CENTRO"` → `"Del Valle Centro"`,
 * `"SAN ANDRES DE LAS SALINAS (PBLO)"` → `"San Andres de las Salinas (Pblo)"`, `"CENTRO IV"` →
 * `"Centro IV"`. Missing accents are not restored (the source has none to restore from).
 */
export function titleCaseEs(upper: string): string {
  const words = upper.trim().split(/\s+/).filter(Boolean);
  return words
    .map((word, index) =>
      word
        // Capitalize each piece of hyphenated, slashed or parenthesized words separately.
        .split(/([-/().,])/)
        .map((piece) => {
          if (piece === '' || /^[-/().,]$/.test(piece)) return piece;
          if (UPPER_WORDS.has(piece) || ROMAN.test(piece)) return piece;
          if (piece.length === 1 && /[A-Z]/.test(piece) && index > 0 && !LOWER_WORDS.has(piece.toLowerCase())) return piece; // unit letters: "El Rosario A"
          const lower = piece.toLocaleLowerCase('es');
          if (index > 0 && LOWER_WORDS.has(lower) && word === piece) return lower;
          return lower.charAt(0).toLocaleUpperCase('es') + lower.slice(1);
        })
        .join(''),
    )
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// Geometry decoding

/** Decodes every arc of a quantized topology into absolute grid coordinates. */
export function decodeArcs(topology: Topology): Int32Array[] {
  if (!topology.transform) throw new Error('only quantized topologies are supported');
  return topology.arcs.map((arc: Arc) => {
    const out = new Int32Array(arc.length * 2);
    let x = 0;
    let y = 0;
    for (let i = 0; i < arc.length; i++) {
      const p = arc[i];
      x += p[0];
      y += p[1];
      out[2 * i] = x;
      out[2 * i + 1] = y;
    }
    return out;
  });
}

function stitchRing(arcIndexes: readonly number[], arcs: readonly Int32Array[]): Int32Array {
  let length = 0;
  for (const index of arcIndexes) length += arcs[index < 0 ? ~index : index].length - 2;
  const ring = new Int32Array(length + 2);
  let o = 0;
  arcIndexes.forEach((index, n) => {
    const arc = arcs[index < 0 ? ~index : index];
    const points = arc.length / 2;
    // Consecutive arcs share their junction point: copy it only once.
    const skip = n === 0 ? 0 : 1;
    for (let i = skip; i < points; i++) {
      const j = index < 0 ? points - 1 - i : i;
      ring[o++] = arc[2 * j];
      ring[o++] = arc[2 * j + 1];
    }
  });
  return o === ring.length ? ring : ring.slice(0, o);
}

function ringArea2(ring: Int32Array): number {
  let sum = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) sum += ring[i] * ring[i + 3] - ring[i + 2] * ring[i + 1];
  return sum;
}

/** Decodes a Polygon/MultiPolygon geometry object into a {@link Shape}. */
export function decodeShape(geometry: GeometryObject<Properties>, arcs: readonly Int32Array[], transform: GridTransform): Shape {
  let polygons: number[][][];
  if (geometry.type === 'Polygon') polygons = [(geometry as Polygon).arcs];
  else if (geometry.type === 'MultiPolygon') polygons = (geometry as MultiPolygon).arcs;
  else throw new Error(`unsupported geometry type ${String(geometry.type)}`);
  const parts = polygons.map((rings) => rings.map((ring) => stitchRing(ring, arcs)));
  const gridBBox: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const part of parts)
    for (const ring of part)
      for (let i = 0; i < ring.length; i += 2) {
        if (ring[i] < gridBBox[0]) gridBBox[0] = ring[i];
        if (ring[i] > gridBBox[2]) gridBBox[2] = ring[i];
        if (ring[i + 1] < gridBBox[1]) gridBBox[1] = ring[i + 1];
        if (ring[i + 1] > gridBBox[3]) gridBBox[3] = ring[i + 1];
      }
  const [sx, sy] = transform.scale;
  const [tx, ty] = transform.translate;
  const bbox: BBox = [gridBBox[0] * sx + tx, gridBBox[1] * sy + ty, gridBBox[2] * sx + tx, gridBBox[3] * sy + ty];
  let area2 = 0;
  for (const part of parts)
    part.forEach((ring, r) => {
      const a = Math.abs(ringArea2(ring));
      area2 += r === 0 ? a : -a;
    });
  const midLat = ((bbox[1] + bbox[3]) / 2) * (Math.PI / 180);
  const areaKm2 = (Math.abs(area2) / 2) * sx * sy * 111.32 * Math.cos(midLat) * 110.574;
  return { parts, gridBBox, bbox, areaKm2 };
}

/** Grid → WGS84 for one point. */
export function gridToLonLat(transform: GridTransform, x: number, y: number): LonLat {
  return [x * transform.scale[0] + transform.translate[0], y * transform.scale[1] + transform.translate[1]];
}

function geometriesOf(topology: Topology, objectName: string): GeometryObject<Properties>[] {
  const object = topology.objects[objectName];
  if (!object || object.type !== 'GeometryCollection') throw new Error(`missing object ${objectName}`);
  return (object as GeometryCollection<Properties>).geometries;
}

function prop(properties: Properties | undefined, key: string): string {
  const value: unknown = properties?.[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`missing property ${key}`);
}

function buildLayer<F>(
  name: LayerName,
  topology: Topology,
  arcs: readonly Int32Array[],
  objectName: string,
  toFeature: (properties: Properties | undefined) => F,
): GeoLayer<F> {
  const transform = topology.transform as GridTransform;
  const geometries = geometriesOf(topology, objectName).filter((g) => g.type === 'Polygon' || g.type === 'MultiPolygon');
  return {
    name,
    transform,
    features: geometries.map((g) => toFeature(g.properties)),
    shapes: geometries.map((g) => decodeShape(g, arcs, transform)),
  };
}

/** Loads every shipped layer (≈ 0.1 s). */
export function loadGeoLayers(): GeoLayers {
  const statePopulation = new Map(readCsvRecords(DATA_FILES.statePopulation).map((r) => [r.CVE_ENT, r]));
  const municipalityRows = new Map(readCsvRecords(DATA_FILES.municipalityPopulation).map((r) => [r.CVEGEO, r]));

  const national = readTopology(DATA_FILES.national);
  const nationalArcs = decodeArcs(national);
  const states = buildLayer('estados', national, nationalArcs, 'estados', (p) => {
    const code = prop(p, 'CVE_ENT');
    const row = statePopulation.get(code);
    return {
      code,
      name: prop(p, 'NOM_ENT'),
      shortName: prop(p, 'NOM_CORTO'),
      abbreviation: prop(p, 'ABREV'),
      population: row ? Number(row.POB_TOTAL) : 0,
    };
  });
  const municipalities = buildLayer('municipios', national, nationalArcs, 'municipios', (p): Municipality => {
    const code = prop(p, 'CVEGEO');
    const row = municipalityRows.get(code);
    const seatLon = Number(row?.CABECERA_LON);
    const seatLat = Number(row?.CABECERA_LAT);
    return {
      code,
      stateCode: prop(p, 'CVE_ENT'),
      localCode: prop(p, 'CVE_MUN'),
      name: prop(p, 'NOM_MUN'),
      population: row ? Number(row.POB_TOTAL) : 0,
      seat: row?.CABECERA_LON && row.CABECERA_LAT && Number.isFinite(seatLon + seatLat) ? ([seatLon, seatLat] as LonLat) : null,
      metroArea: row?.ZONA_METRO ? row.ZONA_METRO : null,
    };
  });

  const alcaldiaTopology = readTopology(DATA_FILES.alcaldias);
  const alcaldias = buildLayer('alcaldias', alcaldiaTopology, decodeArcs(alcaldiaTopology), 'alcaldias', (p) => ({
    code: prop(p, 'CVEGEO'),
    name: prop(p, 'NOM_MUN'),
  }));

  const coloniaTopology = readTopology(DATA_FILES.colonias);
  const colonias = buildLayer('colonias', coloniaTopology, decodeArcs(coloniaTopology), 'colonias', (p) => {
    const sourceName = prop(p, 'NOMUT');
    return {
      id: prop(p, 'CVEUT'),
      // A few source names use "_" as a space ("ALVARO OBREGON_(FRACC)").
      name: titleCaseEs(sourceName.replace(/_/g, ' ')),
      sourceName,
      alcaldiaCode: prop(p, 'CVEGEO_MUN'),
      population: Number(p?.POB_EST ?? 0) || 0,
    };
  });

  const quadrantTopology = readTopology(DATA_FILES.quadrants);
  const quadrantArcs = decodeArcs(quadrantTopology);
  const quadrants = buildLayer('cuadrantes', quadrantTopology, quadrantArcs, 'cuadrantes_2016', (p) => ({
    id: prop(p, 'CUADRANTE'),
    sector: titleCaseEs(prop(p, 'SECTOR')),
    zona: titleCaseEs(prop(p, 'ZONA')),
    alcaldiaCode: prop(p, 'CVEGEO_MUN'),
  }));
  const sectors = buildLayer('sectores', quadrantTopology, quadrantArcs, 'sectores_2016', (p) => ({
    name: titleCaseEs(prop(p, 'SECTOR')),
    sourceName: prop(p, 'SECTOR'),
    alcaldiaCode: prop(p, 'CVEGEO_MUN'),
  }));

  return { states, municipalities, alcaldias, colonias, quadrants, sectors };
}

// ---------------------------------------------------------------------------------------------
// Topology surgery (used to build the data files and to serve one layer to the browser)

/**
 * Returns a topology holding only `objectNames` and the arcs they use (renumbered), with each
 * geometry's properties (and `id`) optionally rewritten. The input is not modified.
 */
export function extractTopologyObjects(
  topology: Topology,
  objectNames: readonly string[],
  rewrite?: (geometry: GeometryObject<Properties>, objectName: string) => { id?: string; properties: Properties },
): Topology {
  const remap = new Map<number, number>();
  const arcs: Arc[] = [];
  const mapIndex = (index: number): number => {
    const source = index < 0 ? ~index : index;
    let target = remap.get(source);
    if (target === undefined) {
      target = arcs.length;
      remap.set(source, target);
      arcs.push(topology.arcs[source]);
    }
    return index < 0 ? ~target : target;
  };
  const mapArcs = (value: unknown): unknown =>
    typeof value === 'number' ? mapIndex(value) : Array.isArray(value) ? value.map(mapArcs) : value;
  const objects: Topology['objects'] = {};
  for (const name of objectNames) {
    const geometries = geometriesOf(topology, name).map((g) => {
      const out = { ...g } as GeometryObject<Properties> & { arcs?: unknown };
      if ('arcs' in g) out.arcs = mapArcs(g.arcs);
      if (rewrite) {
        const { id, properties } = rewrite(g, name);
        out.properties = properties;
        if (id !== undefined) out.id = id;
      }
      return out as GeometryObject<Properties>;
    });
    objects[name] = { type: 'GeometryCollection', geometries };
  }
  const out: Topology = { type: 'Topology', objects, arcs };
  if (topology.transform) out.transform = topology.transform;
  if (topology.bbox) out.bbox = topology.bbox;
  return out;
}

/**
 * A point inside the shape, for labels and map centring: the midpoint of the widest inside
 * interval of a horizontal line through the middle of the largest part (a centroid can fall
 * outside concave or holed polygons).
 */
export function interiorPoint(shape: Shape, transform: GridTransform): LonLat {
  let largest = shape.parts[0];
  let largestArea = -1;
  for (const part of shape.parts) {
    const area = Math.abs(ringArea2(part[0]));
    if (area > largestArea) {
      largest = part;
      largestArea = area;
    }
  }
  let minY = Infinity;
  let maxY = -Infinity;
  const outer = largest[0];
  for (let i = 1; i < outer.length; i += 2) {
    minY = Math.min(minY, outer[i]);
    maxY = Math.max(maxY, outer[i]);
  }
  // Half a grid unit off the grid, so the line never passes through a vertex.
  const y = Math.floor((minY + maxY) / 2) + 0.5;
  const xs: number[] = [];
  for (const ring of largest)
    for (let i = 0; i + 3 < ring.length; i += 2) {
      const ay = ring[i + 1];
      const by = ring[i + 3];
      if (ay > y !== by > y) xs.push(ring[i] + ((y - ay) * (ring[i + 2] - ring[i])) / (by - ay));
    }
  xs.sort((a, b) => a - b);
  let bestX = (shape.gridBBox[0] + shape.gridBBox[2]) / 2;
  let bestWidth = -1;
  for (let i = 0; i + 1 < xs.length; i += 2)
    if (xs[i + 1] - xs[i] > bestWidth) {
      bestWidth = xs[i + 1] - xs[i];
      bestX = (xs[i] + xs[i + 1]) / 2;
    }
  return gridToLonLat(transform, bestX, y);
}
