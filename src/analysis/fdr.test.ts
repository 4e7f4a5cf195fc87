import { describe, expect, it } from 'vitest';
import { confidenceBins, confidenceBinsFdr, fdrAdjusted, fdrCutoff, fdrSignificant } from './fdr.js';

describe('Benjamini–Hochberg', () => {
  it('step-up: the largest k with p_(k) ≤ k/m·α makes every smaller p significant, even one above its own line', () => {
    // m = 5, α = 0.05: lines 0.01, 0.02, 0.03, 0.04, 0.05. p_(3) = 0.025 ≤ 0.03, p_(4) = 0.045 > 0.04, p_(5) = 0.5.
    // p_(2) = 0.021 > 0.02 fails its own line but is below the cutoff p_(3).
    const p = Float64Array.from([0.5, 0.021, 0.001, 0.045, 0.025]);
    expect(fdrCutoff(p, 0.05)).toBe(0.025);
    expect(Array.from(fdrSignificant(p, 0.05))).toEqual([0, 1, 1, 0, 1]);
    expect(fdrCutoff(Float64Array.from([0.9, 0.8]), 0.05)).toBe(-Infinity);
  });

  it('adjusted p-values equal R p.adjust(method = "BH")', () => {
    // p.adjust(c(0.5, 0.021, 0.001, 0.045, 0.025), "BH") = 0.50000 0.04166667 0.00500000 0.05625000 0.04166667
    const q = fdrAdjusted(Float64Array.from([0.5, 0.021, 0.001, 0.045, 0.025]));
    [0.5, 0.041666666666666664, 0.005, 0.05625, 0.041666666666666664].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 15));
  });

  it('NaN p-values are not tests: never significant, not counted in m', () => {
    const p = Float64Array.from([NaN, 0.02, NaN, 0.04]);
    // m = 2: lines 0.025 and 0.05 → both significant.
    expect(Array.from(fdrSignificant(p, 0.05))).toEqual([0, 1, 0, 1]);
    expect(Number.isNaN(fdrAdjusted(p)[0])).toBe(true);
  });
});

describe('confidence bins (ArcGIS Gi_Bin)', () => {
  it('±3/±2/±1 at p < 0.01/0.05/0.10 with the sign of z; strict inequalities', () => {
    const z = Float64Array.from([3, -3, 2, -2, 1.7, 1, 0]);
    const p = Float64Array.from([0.0099, 0.0099, 0.01, 0.049, 0.05, 0.1, 0.001]);
    expect(Array.from(confidenceBins(z, p))).toEqual([3, -3, 2, -2, 1, 0, 0]);
  });

  it('with FDR each level has its own cutoff', () => {
    const z = Float64Array.from([4, 3, -2.5, 1, 0.5]);
    const p = Float64Array.from([0.001, 0.012, 0.03, 0.3, 0.6]);
    // m = 5. α 0.01: lines 0.002 … → only 0.001. α 0.05: 0.01, 0.02, 0.03 → p_(3) = 0.03 qualifies. α 0.1: same, 0.3 > 0.08.
    expect(Array.from(confidenceBinsFdr(z, p))).toEqual([3, 2, -2, 0, 0]);
  });
});
