import { describe, expect, it } from 'vitest';
import { QUADRANT_LABELS, localMoran } from './local-moran.js';
import { expectAbs, expectCode, maxError, readOracle } from './test-fixtures.js';
import { distanceBandWeights, gridContiguity, knnWeights, latticeContiguity, rowStandardise, type SpatialWeights } from './weights.js';

const grid = readOracle('grid_counts.csv');
const values = grid.num('value');
const schemes: Record<string, () => SpatialWeights> = {
  queen: () => gridContiguity(grid.num('row'), grid.num('col'), 'queen'),
  rook: () => gridContiguity(grid.num('row'), grid.num('col'), 'rook'),
  distd250: () => distanceBandWeights(grid.num('x'), grid.num('y'), 250),
  knnk6: () => knnWeights(grid.num('x'), grid.num('y'), 6),
};

describe('localMoran against the oracles (spdep localmoran, row-standardised weights, mlvar)', () => {
  for (const moments of ['conditional', 'total'] as const) {
    for (const [name, build] of Object.entries(schemes)) {
      const file = `localmoran_${moments}_${name}.csv`;
      it(`${file}: I, E, Var, Z, p within 1e-9 absolute (achieved ≤ 1e-13), NA where Var = 0, cluster labels exact`, () => {
        const expected = readOracle(`expected/${file}`);
        const r = localMoran(values, build(), { moments });
        expectAbs(r.I, expected.num('Ii'), 1e-9, 'I');
        expectAbs(r.expected, expected.num('E_Ii'), 1e-9, 'E');
        expectAbs(r.variance, expected.num('Var_Ii'), 1e-9, 'Var');
        expectAbs(r.z, expected.num('Z_Ii'), 1e-9, 'Z');
        expectAbs(r.p, expected.num('p'), 1e-9, 'p');
        expect(maxError(r.z, expected.num('Z_Ii')).abs).toBeLessThan(1e-13);
        const clusters = Array.from(r.cluster, (c, i) => (c < 0 ? 'NA' : c === 0 ? 'NS' : QUADRANT_LABELS[r.quadrant[i]]));
        expect(clusters).toEqual(expected.text('cluster'));
      });

      it(`${file}: quadrants exact, except where the true lag is exactly 0 and the oracle's label is rounding noise`, () => {
        const expected = readOracle(`expected/${file}`);
        const r = localMoran(values, build(), { moments });
        const oracleQuad = expected.text('quad');
        const oracleI = expected.num('Ii');
        for (let i = 0; i < values.length; i++) {
          const ours = QUADRANT_LABELS[r.quadrant[i]];
          if (ours === oracleQuad[i]) continue;
          // Integer counts whose neighbours average exactly the mean: our lag Σz/Σw is exactly 0 ('--'), the
          // oracle's sum of 1/k-weighted terms left ~1e-17, whose sign picked its label (its I_i is ~1e-17, not 0).
          expect(ours, `row ${i}`).toBe('--');
          expect(r.lag[i]).toBe(0);
          expect(Math.abs(oracleI[i])).toBeGreaterThan(0);
          expect(Math.abs(oracleI[i])).toBeLessThan(1e-15);
          expect(expected.text('cluster')[i]).toBe('NS');
        }
      });
    }
  }
});

describe('localMoran options and edge cases', () => {
  const w = schemes.queen();

  it('s² with divisor n − 1 scales I by (n − 1)/n', () => {
    const a = localMoran(values, w);
    const b = localMoran(values, w, { varianceDivisor: 'n-1' });
    const n = values.length;
    expectAbs(
      b.I,
      a.I.map((v) => (v * (n - 1)) / n),
      1e-15,
    );
  });

  it('row-standardised weights given with standardise: none equal binary weights standardised here', () => {
    const a = localMoran(values, w, { moments: 'total' });
    const b = localMoran(values, rowStandardise(w), { moments: 'total', standardise: 'none' });
    expectAbs(b.I, a.I, 1e-14);
    expectAbs(b.z, a.z, 1e-12);
  });

  it('quadrants: HH inside a high cluster, LH a low hole in it, HL a high outlier among lows, LL low among lows', () => {
    const x = new Array(25).fill(1);
    for (const k of [6, 7, 8, 11, 13, 16, 17, 18]) x[k] = 10;
    x[12] = 0;
    x[0] = 12;
    const r = localMoran(x, latticeContiguity(5, 5, 'queen'));
    expect(QUADRANT_LABELS[r.quadrant[12]]).toBe('LH');
    expect(QUADRANT_LABELS[r.quadrant[7]]).toBe('HH');
    // Cell 0 (12) has neighbours 1, 1 and 10: their mean 4 is below the overall mean 107/25.
    expect(QUADRANT_LABELS[r.quadrant[0]]).toBe('HL');
    expect(QUADRANT_LABELS[r.quadrant[24]]).toBe('LL');
  });

  it('an island has I = 0, E = 0, Var = 0 and an undefined Z (cluster NA)', () => {
    const island: SpatialWeights = {
      n: 4,
      offsets: Int32Array.from([0, 1, 2, 2, 2]),
      neighbours: Int32Array.from([1, 0]),
      weights: Float64Array.from([1, 1]),
    };
    const r = localMoran([1, 2, 3, 9], island, { moments: 'total' });
    expect(r.I[3]).toBe(0);
    expect(Number.isNaN(r.z[3])).toBe(true);
    expect(r.cluster[3]).toBe(-1);
  });

  it('rejects bad input with stable codes', () => {
    const small = latticeContiguity(1, 2, 'rook');
    expectCode(() => localMoran([1, 2], small), 'analysis_too_few_observations', 'values');
    expectCode(() => localMoran([], small), 'analysis_empty_input', 'values');
    expectCode(() => localMoran(values, latticeContiguity(3, 3, 'rook')), 'analysis_bad_weights', 'weights');
    expectCode(() => localMoran([1, 2, NaN], latticeContiguity(1, 3, 'rook')), 'analysis_non_finite', 'values');
    expectCode(() => localMoran([2, 2, 2], latticeContiguity(1, 3, 'rook')), 'analysis_no_variance', 'values');
    expectCode(() => localMoran(values, w, { moments: 'exact' as 'total' }), 'analysis_unsupported_option', 'moments');
    expectCode(() => localMoran(values, w, { varianceDivisor: 'n-2' as 'n' }), 'analysis_unsupported_option', 'varianceDivisor');
    expectCode(() => localMoran(values, w, { alpha: 0 }), 'analysis_bad_parameter', 'alpha');
  });
});
