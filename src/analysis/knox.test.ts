import { describe, expect, it } from 'vitest';
import { knoxTest, type KnoxOptions } from './knox.js';
import { seededRandom } from './random.js';
import { expectCode, expectRel, readOracle } from './test-fixtures.js';

const events = readOracle('st_events.csv');
const ex = events.num('x');
const ey = events.num('y');
const et = events.num('t');
const NRC: KnoxOptions = { spaceBandwidth: 100, spaceBands: 4, timeBandwidth: 7, timeBands: 3, permutations: 999, seed: 2024 };

/** O(n²) reference count of the table. */
function bruteTable(x: Float64Array, y: Float64Array, t: Float64Array, o: KnoxOptions): number[] {
  const table = new Array((o.spaceBands + 2) * (o.timeBands + 1)).fill(0);
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const d = o.metric === 'manhattan' ? Math.abs(x[i] - x[j]) + Math.abs(y[i] - y[j]) : Math.hypot(x[i] - x[j], y[i] - y[j]);
      const dt = Math.abs(t[i] - t[j]);
      let s = 0;
      if (d > 0) {
        s = 1;
        while (s <= o.spaceBands && d > s * o.spaceBandwidth) s++;
      }
      let b = 0;
      while (b < o.timeBands && dt > (b + 1) * o.timeBandwidth) b++;
      table[s * (o.timeBands + 1) + b]++;
    }
  return table;
}

describe('Knox test against the oracle (knox_nrc.csv: 4 × 100 m, 3 × 7 days, 999 permutations)', () => {
  const expected = readOracle('expected/knox_nrc.csv');
  const r = knoxTest(ex, ey, et, NRC);

  it('observed counts and band limits exact; expected_analytic within 1e-5 relative (the file prints 6 digits)', () => {
    expect(r.cells.map((c) => c.observed)).toEqual(Array.from(expected.num('observed')));
    expect(r.cells.map((c) => c.spaceBand)).toEqual(Array.from(expected.num('s_band')));
    expect(r.cells.map((c) => c.timeBand)).toEqual(Array.from(expected.num('t_band')));
    expect(r.cells.map((c) => c.spaceFrom)).toEqual(Array.from(expected.num('s_lo')));
    expect(r.cells.map((c) => c.spaceTo)).toEqual(Array.from(expected.num('s_hi')));
    expect(r.cells.map((c) => c.timeFrom)).toEqual(Array.from(expected.num('t_lo')));
    expect(r.cells.map((c) => c.timeTo)).toEqual(Array.from(expected.num('t_hi')));
    expectRel(
      r.cells.map((c) => c.expectedAnalytic),
      expected.num('expected_analytic'),
      1e-5,
    );
    expect(r.pairs).toBe((400 * 399) / 2);
  });

  it('Monte Carlo columns loosely (another random stream): expected_mc within 4 standard errors, ratio within 10 %, p within 0.06', () => {
    const mc = expected.num('expected_mc');
    const ratio = expected.num('knox_ratio');
    const p = expected.num('p_mc');
    r.cells.forEach((c, k) => {
      // Both means have a standard error of about √(λ/999) (Poisson-like counts).
      expect(Math.abs(c.expectedMc - mc[k]), `expected_mc row ${k}`).toBeLessThanOrEqual(4 * Math.sqrt((2 * Math.max(mc[k], 1)) / 999));
      if (Number.isNaN(ratio[k])) expect(Number.isNaN(c.knoxRatio)).toBe(true);
      else expect(Math.abs(c.knoxRatio / ratio[k] - 1), `knox_ratio row ${k}`).toBeLessThan(0.1);
      expect(Math.abs(c.p - p[k]), `p_mc row ${k}`).toBeLessThanOrEqual(0.06);
    });
    // The near-repeat signal the test exists for: same fortnight within 100 m, far above chance.
    expect(r.cells[4].knoxRatio).toBeGreaterThan(3);
    expect(r.cells[4].p).toBe(0.001);
  });
});

describe('Knox properties', () => {
  function randomEvents(n: number, seed: number) {
    const random = seededRandom(seed);
    const x = Float64Array.from({ length: n }, () => Math.round(random.next() * 2000) / 4);
    const y = Float64Array.from({ length: n }, () => Math.round(random.next() * 2000) / 4);
    const t = Float64Array.from({ length: n }, () => Math.floor(random.next() * 120));
    x[5] = x[4]; // a repeat at the same place
    y[5] = y[4];
    x[7] = x[6] + 30; // exactly on a band edge
    y[7] = y[6] + 40;
    t[7] = t[6] + 14;
    return { x, y, t };
  }

  it('observed table equals an O(n²) count, Euclidean and Manhattan, integer and fractional times', () => {
    const { x, y, t } = randomEvents(700, 1);
    for (const options of [
      { spaceBandwidth: 50, spaceBands: 3, timeBandwidth: 7, timeBands: 2, permutations: 0 },
      { spaceBandwidth: 25, spaceBands: 6, timeBandwidth: 3.5, timeBands: 5, permutations: 0, metric: 'manhattan' as const },
    ]) {
      const r = knoxTest(x, y, t, options);
      expect(r.cells.map((c) => c.observed)).toEqual(bruteTable(x, y, t, options));
      const frac = t.map((v, i) => v + (i % 3) / 3);
      expect(knoxTest(x, y, frac, options).cells.map((c) => c.observed)).toEqual(bruteTable(x, y, frac, options));
    }
  });

  it('the same seed gives the same table; another seed other MC columns, the same observed', () => {
    const { x, y, t } = randomEvents(200, 2);
    const o = { spaceBandwidth: 50, spaceBands: 2, timeBandwidth: 7, timeBands: 2, permutations: 99 };
    const a = knoxTest(x, y, t, { ...o, seed: 5 });
    expect(knoxTest(x, y, t, { ...o, seed: 5 })).toEqual(a);
    const b = knoxTest(x, y, t, { ...o, seed: 6 });
    expect(b.cells.map((c) => c.observed)).toEqual(a.cells.map((c) => c.observed));
    expect(b.cells.map((c) => c.expectedMc)).not.toEqual(a.cells.map((c) => c.expectedMc));
  });

  it('under the null (times independent of places) Knox ratios hover around 1; p is (1 + #≥)/(N + 1)', () => {
    const { x, y, t } = randomEvents(500, 3);
    const r = knoxTest(x, y, t, { spaceBandwidth: 100, spaceBands: 2, timeBandwidth: 10, timeBands: 2, permutations: 199, seed: 1 });
    for (const c of r.cells) {
      if (c.expectedMc > 50) expect(Math.abs(c.knoxRatio - 1)).toBeLessThan(0.25);
      expect(c.p * 200).toBeCloseTo(Math.round(c.p * 200), 9);
    }
    // Row totals of the simulated means equal the observed ones (times are only permuted).
    const total = r.cells.reduce((s, c) => s + c.expectedMc, 0);
    expect(total).toBeCloseTo(r.pairs, 6);
  });

  it('without permutations the Monte Carlo columns are NaN', () => {
    const r = knoxTest([0, 1, 2], [0, 0, 0], [0, 1, 2], {
      spaceBandwidth: 1,
      spaceBands: 1,
      timeBandwidth: 1,
      timeBands: 1,
      permutations: 0,
    });
    expect(r.cells.every((c) => Number.isNaN(c.expectedMc) && Number.isNaN(c.p))).toBe(true);
    expect(r.cells.map((c) => c.observed)).toEqual([0, 0, 2, 0, 0, 1]);
  });

  it('rejects bad input with stable codes', () => {
    const o = { spaceBandwidth: 100, spaceBands: 2, timeBandwidth: 7, timeBands: 2 };
    expectCode(() => knoxTest([], [], [], o), 'analysis_empty_input', 'x');
    expectCode(() => knoxTest([1], [1], [1], o), 'analysis_too_few_observations', 'x');
    expectCode(() => knoxTest([1, 2], [1, 2], [1, 2, 3], o), 'analysis_length_mismatch', 't');
    expectCode(() => knoxTest([1, 2], [1, NaN], [1, 2], o), 'analysis_non_finite', 'y');
    expectCode(() => knoxTest([1, 2], [1, 2], [1, 2], { ...o, spaceBandwidth: 0 }), 'analysis_bad_bandwidth', 'spaceBandwidth');
    expectCode(() => knoxTest([1, 2], [1, 2], [1, 2], { ...o, timeBandwidth: -1 }), 'analysis_bad_bandwidth', 'timeBandwidth');
    expectCode(() => knoxTest([1, 2], [1, 2], [1, 2], { ...o, spaceBands: 0 }), 'analysis_bad_parameter', 'spaceBands');
    expectCode(() => knoxTest([1, 2], [1, 2], [1, 2], { ...o, permutations: 1.5 }), 'analysis_bad_parameter', 'permutations');
    expectCode(
      () => knoxTest([1, 2], [1, 2], [1, 2], { ...o, metric: 'chebyshev' as 'euclidean' }),
      'analysis_unsupported_option',
      'metric',
    );
  });
});
