import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { createGeoService, LAYER_NAMES } from './geo.service.js';

const geo = createGeoService();

describe('geo service', () => {
  it('is a singleton and warms up within budget', () => {
    expect(createGeoService()).toBe(geo);
    const started = performance.now();
    geo.warmUp();
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('locates and searches', () => {
    expect(geo.locate(19.4326, -99.1332)?.municipality.code).toBe('09015');
    expect(geo.locate(Number.NaN, Number.NaN)).toBeNull();
    expect(geo.search('guadalajara')[0].code).toBe('14039');
  });

  it('lists states and municipalities', () => {
    const states = geo.listStates();
    expect(states).toHaveLength(32);
    expect(states[8]).toEqual({
      code: '09',
      name: 'Ciudad de México',
      shortName: 'Ciudad de México',
      abbreviation: 'CDMX',
      population: 9209944,
    });
    expect(geo.listMunicipalities()).toHaveLength(2469);
    const cdmx = geo.listMunicipalities('09');
    expect(cdmx).toHaveLength(16);
    expect(cdmx.find((m) => m.code === '09015')).toEqual({
      code: '09015',
      stateCode: '09',
      name: 'Cuauhtémoc',
      population: 545884,
      seat: [-99.151884, 19.441647],
    });
    expect(geo.listMunicipalities('99')).toEqual([]);
  });

  it('catalogue: plain rows matching the Censo 2020 totals', () => {
    const { states, municipalities } = geo.catalogue();
    expect(states.reduce((n, s) => n + s.population, 0)).toBe(126_014_024);
    expect(municipalities.reduce((n, m) => n + m.population, 0)).toBe(126_014_024);
    expect(new Set(municipalities.map((m) => m.code)).size).toBe(2469);
    for (const m of municipalities) {
      expect(m.code).toMatch(/^\d{5}$/);
      expect(m.code.slice(0, 2)).toBe(m.stateCode);
      expect(m.name.length).toBeGreaterThan(0);
    }
    expect(municipalities.find((m) => m.code === '20549')?.name).toBe(
      'Heroica Villa Tezoatlán de Segura y Luna, Cuna de la Independencia de Oaxaca',
    );
    // Callers get copies: mutating them does not leak into the service.
    (states as { population: number }[])[0].population = -1;
    expect(geo.listStates()[0].population).toBeGreaterThan(0);
  });

  for (const name of LAYER_NAMES) {
    it(`layer topology "${name}" decodes and labels every feature with code and name`, () => {
      const topology = geo.getLayerTopology(name);
      expect(Object.keys(topology.objects)).toEqual([name]);
      const collection = feature(topology, topology.objects[name]) as FeatureCollection<Polygon | MultiPolygon>;
      expect(collection.features.length).toBeGreaterThan(10);
      const codes = new Set<string>();
      for (const f of collection.features as Feature<Polygon | MultiPolygon, { code: string; name: string }>[]) {
        expect(typeof f.properties.code).toBe('string');
        expect(f.properties.name.length).toBeGreaterThan(0);
        expect(f.id).toBe(f.properties.code);
        codes.add(f.properties.code);
      }
      expect(codes.size).toBe(collection.features.length);
      // Only the arcs this layer uses are shipped.
      const used = new Set<number>();
      const walk = (value: unknown): void => {
        if (typeof value === 'number') used.add(value < 0 ? ~value : value);
        else if (Array.isArray(value)) value.forEach(walk);
      };
      for (const g of (topology.objects[name] as { geometries: { arcs?: unknown }[] }).geometries) walk(g.arcs);
      expect(used.size).toBe(topology.arcs.length);
    });
  }

  it('layer sizes', () => {
    const counts = Object.fromEntries(
      LAYER_NAMES.map((name) => {
        const topology = geo.getLayerTopology(name);
        return [name, (topology.objects[name] as { geometries: unknown[] }).geometries.length];
      }),
    );
    expect(counts).toEqual({ estados: 32, municipios: 2469, alcaldias: 16, colonias: 1814, cuadrantes: 847, sectores: 72 });
  });
});
