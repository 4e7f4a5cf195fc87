import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { feature } from 'topojson-client';
import type { FeatureCollection, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { DATA_FILES, interiorPoint, loadGeoLayers, parseCsv, readTopology, titleCaseEs, type GeoLayer } from './geo-data.js';
import { buildSpatialIndex } from './spatial-index.js';

describe('geo data', () => {
  const layers = loadGeoLayers();

  it('title-cases upper-case names', () => {
    expect(titleCaseEs('DEL VALLE I')).toBe('Del Valle I');
    expect(titleCaseEs('SANTA MARIA LA RIBERA IV')).toBe('Santa Maria la Ribera IV');
    expect(titleCaseEs('SAN  MIGUEL AMANTLA (PBLO)')).toBe('San Miguel Amantla (Pblo)');
    expect(titleCaseEs('HOGAR Y SEGURIDAD/NUEVA SANTA MARIA')).toBe('Hogar y Seguridad/Nueva Santa Maria');
    expect(titleCaseEs('FOVISSSTE SAN PEDRO MARTIR (U HAB)')).toBe('FOVISSSTE San Pedro Martir (U Hab)');
  });

  it('finds interior points', () => {
    const all: GeoLayer<unknown>[] = [layers.states, layers.municipalities, layers.alcaldias, layers.colonias, layers.quadrants];
    for (const layer of all) {
      const index = buildSpatialIndex(layer);
      // The located feature must be the shape itself (for colonias this also means the point is
      // not under an overlapping housing unit).
      const misplaced = layer.shapes.filter((shape, i) => index.find(...interiorPoint(shape, layer.transform)) !== i);
      expect(misplaced).toHaveLength(0);
    }
    const { shapes, transform } = layers.municipalities;
    shapes.forEach((shape) => {
      const [lon, lat] = interiorPoint(shape, transform);
      expect(lon).toBeGreaterThanOrEqual(shape.bbox[0]);
      expect(lon).toBeLessThanOrEqual(shape.bbox[2]);
      expect(lat).toBeGreaterThanOrEqual(shape.bbox[1]);
      expect(lat).toBeLessThanOrEqual(shape.bbox[3]);
    });
  });

  it('parses CSV with quoted fields', () => {
    expect(parseCsv('a,b\n"x, ""y""",2\r\n3,\n')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
      ['3', ''],
    ]);
  });

  it('joins population and names to every polygon', () => {
    expect(layers.states.features).toHaveLength(32);
    expect(layers.municipalities.features.every((m) => m.population > 0)).toBe(true);
    expect(layers.alcaldias.features.map((a) => a.code)).toEqual(
      Array.from({ length: 16 }, (_, i) => `090${String(i + 2).padStart(2, '0')}`),
    );
    expect(layers.colonias.features.reduce((n, c) => n + c.population, 0)).toBeGreaterThan(9_000_000);
    expect(layers.quadrants.features).toHaveLength(847);
    expect(layers.sectors.features).toHaveLength(72);
    const cuauhtemoc = layers.alcaldias.shapes[13];
    expect(layers.alcaldias.features[13].name).toBe('Cuauhtémoc');
    expect(cuauhtemoc.areaKm2).toBeGreaterThan(30);
    expect(cuauhtemoc.areaKm2).toBeLessThan(35);
  });

  // The shared data folder sits beside the repository (developers' machines and CI); elsewhere this check is skipped.
  const source = fileURLToPath(new URL('../../../shared/data/geo/cdmx-alcaldias-inegi2023.geojson', import.meta.url));
  it.skipIf(!existsSync(source))('alcaldías TopoJSON reproduces the source GeoJSON coordinates exactly (6 decimals)', () => {
    const original = JSON.parse(readFileSync(source, 'utf8')) as FeatureCollection<Polygon>;
    const topology = readTopology(DATA_FILES.alcaldias);
    const decoded = feature(topology, topology.objects.alcaldias) as FeatureCollection<Polygon>;
    expect(decoded.features).toHaveLength(original.features.length);
    decoded.features.forEach((f, i) => {
      const a = f.geometry.coordinates.flat(2);
      const b = original.features[i].geometry.coordinates.flat(2);
      expect(a.length).toBe(b.length);
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-9);
    });
  });
});
