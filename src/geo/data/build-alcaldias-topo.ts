/**
 * Converts the INEGI 2023 CDMX alcaldías GeoJSON into `cdmx-alcaldias-inegi2023.topo.json`.
 *
 *   npx tsx src/geo/data/build-alcaldias-topo.ts <source-dir>   (source-dir holds cdmx-alcaldias-inegi2023.geojson)
 *
 * The source coordinates have 6 decimals, so quantizing on an exact 1e-6° grid is lossless: every
 * decoded coordinate rounds back to the source value (checked below). One arc per ring, no arc
 * sharing (the 16 polygons are small; sharing would save ~40% of 0.15 MB — not worth a topology
 * builder). Arcs are delta-encoded as the TopoJSON spec requires for quantized topologies.
 * Output is deterministic.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { Arc, Topology } from 'topojson-specification';

const SOURCE_FILE = 'cdmx-alcaldias-inegi2023.geojson';
const OUTPUT_URL = new URL('./cdmx-alcaldias-inegi2023.topo.json', import.meta.url);
const STEP = 1e-6;

const sourceDir = process.argv[2];
if (!sourceDir) {
  console.error('usage: tsx src/geo/data/build-alcaldias-topo.ts <source-dir>');
  process.exit(2);
}

const collection = JSON.parse(readFileSync(join(sourceDir, SOURCE_FILE), 'utf8')) as FeatureCollection<Polygon | MultiPolygon>;

let minLon = Infinity;
let minLat = Infinity;
let maxLon = -Infinity;
let maxLat = -Infinity;
for (const feature of collection.features) {
  const polygons = feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates;
  for (const ring of polygons.flat())
    for (const [lon, lat] of ring) {
      minLon = Math.min(minLon, lon);
      minLat = Math.min(minLat, lat);
      maxLon = Math.max(maxLon, lon);
      maxLat = Math.max(maxLat, lat);
    }
}
const round6 = (v: number): number => Math.round(v / STEP) * STEP;
const translate: [number, number] = [Number(round6(minLon).toFixed(6)), Number(round6(minLat).toFixed(6))];

const arcs: Arc[] = [];
let maxError = 0;

function encodeRing(ring: Position[]): number {
  const points: [number, number][] = [];
  for (const [lon, lat] of ring) {
    const q: [number, number] = [Math.round((lon - translate[0]) / STEP), Math.round((lat - translate[1]) / STEP)];
    const last = points[points.length - 1];
    if (last && last[0] === q[0] && last[1] === q[1]) continue; // duplicate vertex
    points.push(q);
    maxError = Math.max(maxError, Math.abs(q[0] * STEP + translate[0] - lon), Math.abs(q[1] * STEP + translate[1] - lat));
  }
  const first = points[0];
  const last = points[points.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) points.push([first[0], first[1]]);
  const arc: Arc = points.map((p, i) => (i === 0 ? [p[0], p[1]] : [p[0] - points[i - 1][0], p[1] - points[i - 1][1]]));
  arcs.push(arc);
  return arcs.length - 1;
}

const geometries = collection.features.map((feature: Feature<Polygon | MultiPolygon>) => {
  const properties = {
    CVEGEO: String(feature.properties?.CVEGEO),
    CVE_ENT: String(feature.properties?.CVE_ENT),
    CVE_MUN: String(feature.properties?.CVE_MUN),
    NOM_ENT: String(feature.properties?.NOM_ENT),
    NOM_MUN: String(feature.properties?.NOM_MUN),
  };
  if (feature.geometry.type === 'Polygon')
    return { type: 'Polygon' as const, properties, arcs: feature.geometry.coordinates.map((ring) => [encodeRing(ring)]) };
  return {
    type: 'MultiPolygon' as const,
    properties,
    arcs: feature.geometry.coordinates.map((polygon) => polygon.map((ring) => [encodeRing(ring)])),
  };
});

// Lossless check: the grid is the source's 6-decimal grid, so errors are float noise only.
if (maxError > 1e-9) throw new Error(`quantization error ${maxError} exceeds float noise`);

const topology: Topology = {
  type: 'Topology',
  bbox: [minLon, minLat, maxLon, maxLat],
  transform: { scale: [STEP, STEP], translate },
  objects: { alcaldias: { type: 'GeometryCollection', geometries } },
  arcs,
};
const json = JSON.stringify(topology);
writeFileSync(OUTPUT_URL, json);
console.log(
  `wrote ${OUTPUT_URL.pathname}: ${geometries.length} alcaldías, ${arcs.length} arcs, ` +
    `${arcs.reduce((n, a) => n + a.length, 0)} points, ${(json.length / 1e6).toFixed(3)} MB, max error ${maxError.toExponential(1)}°`,
);
