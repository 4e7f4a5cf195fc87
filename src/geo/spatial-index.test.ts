import { describe, expect, it } from 'vitest';
import { loadGeoLayers, type BBox, type GeoLayer, type Shape } from './geo-data.js';
import { bruteForceLocate, buildSpatialIndex, type SpatialIndex } from './spatial-index.js';

/** Deterministic PRNG (mulberry32) so failures are reproducible. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MEXICO_BBOX: BBox = [-118.5, 14.3, -86.6, 32.8];
const CDMX_BBOX: BBox = [-99.37, 19.04, -98.93, 19.6];

const layers = loadGeoLayers();
const all: [string, GeoLayer<unknown>][] = [
  ['estados', layers.states],
  ['municipios', layers.municipalities],
  ['alcaldias', layers.alcaldias],
  ['colonias', layers.colonias],
  ['cuadrantes', layers.quadrants],
  ['sectores', layers.sectors],
];
const indexes = new Map(all.map(([name, layer]) => [name, buildSpatialIndex(layer)]));

function compareRandom(index: SpatialIndex, bbox: BBox, count: number, seed: number): { mismatches: number; hits: number } {
  const random = seededRandom(seed);
  let mismatches = 0;
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const lon = bbox[0] + random() * (bbox[2] - bbox[0]);
    const lat = bbox[1] + random() * (bbox[3] - bbox[1]);
    const found = index.find(lon, lat);
    if (found !== bruteForceLocate(index, lon, lat)) mismatches++;
    if (found >= 0) hits++;
  }
  return { mismatches, hits };
}

describe('spatial index equals brute force on the real layers', () => {
  for (const [name] of all) {
    const index = indexes.get(name)!;
    it(`${name}: 100k random points in Mexico's bbox`, () => {
      const { mismatches, hits } = compareRandom(index, MEXICO_BBOX, 100_000, 1);
      expect(mismatches).toBe(0);
      expect(hits).toBeGreaterThan(0);
    });
    it(`${name}: 100k random points in Mexico City's bbox`, () => {
      const { mismatches, hits } = compareRandom(index, CDMX_BBOX, 100_000, 2);
      expect(mismatches).toBe(0);
      expect(hits).toBeGreaterThan(10_000);
    });
    it(`${name}: points exactly on vertices, edges and grid lines`, () => {
      const { coords, originLon, originLat, unitsPerDegreeX, unitsPerDegreeY } = index.polygons;
      const { originX, originY, cellWidthUnits, cellHeightUnits } = index.stats;
      const random = seededRandom(3);
      let mismatches = 0;
      const check = (x: number, y: number): void => {
        const lon = originLon + x / unitsPerDegreeX;
        const lat = originLat + y / unitsPerDegreeY;
        if (index.find(lon, lat) !== bruteForceLocate(index, lon, lat)) mismatches++;
      };
      const points = coords.length / 2;
      for (let k = 0; k < 5000; k++) {
        const i = Math.floor(random() * (points - 1));
        const [x, y, x2, y2] = [coords[2 * i], coords[2 * i + 1], coords[2 * i + 2], coords[2 * i + 3]];
        check(x, y);
        for (const [dx, dy] of [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
          [1, 1],
          [-1, -1],
        ])
          check(x + dx, y + dy);
        check(Math.round((x + x2) / 2), Math.round((y + y2) / 2));
        const gx = originX + Math.round((x - originX) / cellWidthUnits) * cellWidthUnits;
        const gy = originY + Math.round((y - originY) / cellHeightUnits) * cellHeightUnits;
        check(gx, y);
        check(x, gy);
        check(gx, gy);
        check(gx - 1, gy + 1);
      }
      expect(mismatches).toBe(0);
    });
  }

  it('gives -1 for NaN, infinities and far-away points', () => {
    const index = indexes.get('municipios')!;
    expect(index.find(Number.NaN, 20)).toBe(-1);
    expect(index.find(-100, Number.NaN)).toBe(-1);
    expect(index.find(Number.POSITIVE_INFINITY, 20)).toBe(-1);
    expect(index.find(0, 0)).toBe(-1);
    expect(bruteForceLocate(index, Number.NaN, 20)).toBe(-1);
  });

  it('builds every layer quickly', () => {
    const total = [...indexes.values()].reduce((ms, index) => ms + index.stats.buildMs, 0);
    expect(total).toBeLessThan(3000);
  });
});

// ---------------------------------------------------------------------------------------------
// Synthetic layers on a tiny integer grid, so that query points hit vertices, edges and grid
// lines exactly: the degenerate cases a random point never produces.

function shape(parts: number[][][]): Shape {
  const rings = parts.map((part) => part.map((ring) => Int32Array.from([...ring, ring[0], ring[1]])));
  const xs = parts.flat(2).filter((_, i) => i % 2 === 0);
  const ys = parts.flat(2).filter((_, i) => i % 2 === 1);
  const gridBBox: BBox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  let area = 0;
  for (const part of rings)
    part.forEach((ring, r) => {
      let a = 0;
      for (let i = 0; i + 3 < ring.length; i += 2) a += ring[i] * ring[i + 3] - ring[i + 2] * ring[i + 1];
      area += (r === 0 ? 1 : -1) * Math.abs(a / 2);
    });
  return { parts: rings, gridBBox, bbox: gridBBox, areaKm2: Math.abs(area) };
}

const synthetic: GeoLayer<string> = {
  name: 'colonias',
  transform: { scale: [1, 1], translate: [0, 0] },
  features: ['square with hole', 'island in the hole', 'bow-tie', 'overlapping small', 'multipolygon', 'touching', 'spiky'],
  shapes: [
    shape([
      [
        [0, 0, 10, 0, 10, 10, 0, 10],
        [3, 3, 3, 7, 7, 7, 7, 3],
      ],
    ]),
    shape([[[4, 4, 6, 4, 6, 6, 4, 6]]]),
    shape([[[12, 0, 16, 4, 16, 0, 12, 4]]]),
    shape([[[1, 1, 3, 1, 3, 2, 1, 2]]]),
    shape([[[12, 6, 14, 6, 14, 8, 12, 8]], [[15, 6, 17, 6, 17, 8, 15, 8]], [[16, 7, 18, 7, 18, 9, 16, 9]]]),
    shape([[[10, 0, 12, 0, 12, 4, 10, 4]]]),
    shape([[[0, 12, 8, 12, 8, 13, 4, 13, 4, 16, 3, 13, 2, 16, 2, 13, 0, 13, 4, 14, 0, 14]]]),
  ],
};

describe('spatial index equals brute force on degenerate synthetic polygons', () => {
  for (const targetCells of [4, 37, 400, 5000]) {
    it(`exhaustive quarter-unit lattice, ~${targetCells} cells`, () => {
      const index = buildSpatialIndex(synthetic, { targetCells });
      let mismatches = 0;
      let hits = 0;
      for (let x = -1; x <= 19; x += 0.25)
        for (let y = -1; y <= 17; y += 0.25) {
          const found = index.find(x, y);
          if (found !== bruteForceLocate(index, x, y)) mismatches++;
          if (found >= 0) hits++;
        }
      expect(mismatches).toBe(0);
      expect(hits).toBeGreaterThan(1000);
    });
  }

  it('resolves holes, islands, overlaps and multipolygons', () => {
    const index = buildSpatialIndex(synthetic);
    const name = (x: number, y: number): string | null => {
      const f = index.find(x, y);
      return f < 0 ? null : synthetic.features[f];
    };
    expect(name(1.5, 5)).toBe('square with hole');
    expect(name(3.5, 3.5)).toBeNull(); // in the hole
    expect(name(5, 5)).toBe('island in the hole');
    expect(name(2, 1.5)).toBe('overlapping small'); // smaller of two overlapping polygons
    expect(name(16.5, 7.5)).toBe('multipolygon'); // where two parts of one feature overlap
    expect(name(13, 7)).toBe('multipolygon');
    expect(name(14.5, 7)).toBeNull(); // between the parts
    expect(name(12.5, 2)).toBe('bow-tie');
    expect(name(15.5, 2)).toBe('bow-tie');
    expect(name(14, 3)).toBeNull(); // outside the bow-tie's lobes
    expect(name(11, 2)).toBe('touching');
  });

  it('finds the nearest accepted feature', () => {
    const index = buildSpatialIndex(synthetic);
    const metresPerUnit = 111_320; // scale 1 = 1 degree
    expect(index.nearest(11, 2, 3 * metresPerUnit, (f) => synthetic.features[f] === 'bow-tie')).toBe(2);
    expect(index.nearest(11, 2, 0.5 * metresPerUnit, (f) => synthetic.features[f] === 'spiky')).toBe(-1);
    expect(index.nearest(11, 2, 10, () => true)).toBe(5);
  });
});
