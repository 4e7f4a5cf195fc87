import { describe, expect, it } from 'vitest';
import { giStar } from './gistar.js';
import { expectAbs, expectCode, maxError, readOracle } from './test-fixtures.js';
import { distanceBandWeights, gridContiguity, knnWeights, latticeContiguity, type SpatialWeights } from './weights.js';

const grid = readOracle('grid_counts.csv');
const values = grid.num('value');
const schemes: Record<string, () => SpatialWeights> = {
  queen: () => gridContiguity(grid.num('row'), grid.num('col'), 'queen'),
  rook: () => gridContiguity(grid.num('row'), grid.num('col'), 'rook'),
  distd250: () => distanceBandWeights(grid.num('x'), grid.num('y'), 250),
  knnk6: () => knnWeights(grid.num('x'), grid.num('y'), 6),
};

describe('giStar against the oracles (spdep localG with include.self)', () => {
  for (const [name, build] of Object.entries(schemes)) {
    it(`gistar_${name}.csv: z and p within 1e-9 absolute (achieved ~1e-14), bin and bin_fdr exact`, () => {
      const expected = readOracle(`expected/gistar_${name}.csv`);
      expect(Array.from(expected.num('value'))).toEqual(Array.from(values));
      const result = giStar(values, build());
      expectAbs(result.z, expected.num('gi_z'), 1e-9, 'z');
      expectAbs(result.p, expected.num('p'), 1e-9, 'p');
      expect(maxError(result.z, expected.num('gi_z')).abs).toBeLessThan(1e-13);
      expect(Array.from(result.bin)).toEqual(Array.from(expected.num('bin')));
      expect(Array.from(result.binFdr)).toEqual(Array.from(expected.num('bin_fdr')));
    });
  }
});

describe('giStar properties', () => {
  it('scaling every row and the self weight by one constant leaves z unchanged', () => {
    const w = schemes.queen();
    const scaled = { ...w, weights: w.weights.map((v) => v * 3.7) };
    const a = giStar(values, w);
    const b = giStar(values, scaled, { selfWeight: 3.7 });
    expectAbs(b.z, a.z, 1e-12);
  });

  it('an island (no neighbours) has z = (x_i − mean)/SD, the standardised value', () => {
    const w = latticeContiguity(1, 1, 'queen');
    const empty: SpatialWeights = { n: 4, offsets: new Int32Array(5), neighbours: new Int32Array(0), weights: new Float64Array(0) };
    expect(w.neighbours.length).toBe(0);
    const x = [1, 2, 3, 10];
    const mean = 4;
    const sd = Math.sqrt((9 + 4 + 1 + 36) / 4);
    const r = giStar(x, empty);
    expectAbs(
      r.z,
      x.map((v) => (v - mean) / sd),
      1e-14,
    );
    expect(r.mean).toBe(mean);
  });

  it('a cell surrounded by high values is a hot spot; number arrays and typed arrays give the same result', () => {
    const x = new Array(25).fill(1);
    for (const k of [6, 7, 8, 11, 12, 13, 16, 17, 18]) x[k] = 10;
    const w = latticeContiguity(5, 5, 'queen');
    const r = giStar(x, w);
    expect(r.z[12]).toBeGreaterThan(3);
    expect(r.bin[12]).toBe(3);
    expect(r.z[0]).toBeLessThan(r.z[12]);
    expect(Array.from(giStar(Float64Array.from(x), w).z)).toEqual(Array.from(r.z));
  });

  it('rejects bad input with stable codes', () => {
    const w = latticeContiguity(2, 2, 'rook');
    expectCode(() => giStar([], w), 'analysis_empty_input', 'values');
    expectCode(() => giStar([1], latticeContiguity(1, 1, 'rook')), 'analysis_too_few_observations', 'values');
    expectCode(() => giStar([1, 2, 3], w), 'analysis_bad_weights', 'weights');
    expectCode(() => giStar([1, 2, NaN, 4], w), 'analysis_non_finite', 'values');
    expectCode(() => giStar([1, 2, Infinity, 4], w), 'analysis_non_finite', 'values');
    expectCode(() => giStar([5, 5, 5, 5], w), 'analysis_no_variance', 'values');
    expectCode(() => giStar([1, 2, 3, 4], w, { selfWeight: -1 }), 'analysis_bad_parameter', 'selfWeight');
    const selfLoop = { ...w, neighbours: Int32Array.from(w.neighbours, (j, q) => (q === 0 ? 0 : j)) };
    expectCode(() => giStar([1, 2, 3, 4], selfLoop), 'analysis_bad_weights', 'weights');
  });
});
