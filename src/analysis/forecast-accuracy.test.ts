import { describe, expect, it } from 'vitest';
import {
  compareForecasts,
  decayedKdeForecast,
  forecastAccuracy,
  lastPeriodForecast,
  longRunForecast,
  type CoverageAccuracy,
} from './forecast-accuracy.js';
import type { RasterGrid } from './grid.js';
import { kdeQuartic } from './kde.js';
import { seededRandom } from './random.js';
import { expectCode, expectRel, readOracle } from './test-fixtures.js';

describe('forecastAccuracy against the oracle (pai.csv, pessimistic ties)', () => {
  it('cells, area fraction, hits and N exact; hit rate, PAI, PAI_max, PEI, pred/obs within 1e-9 relative (the file prints 10 digits); RRI NA without a base', () => {
    const cells = readOracle('pai_cells.csv');
    const expected = readOracle('expected/pai.csv');
    const coverages = Array.from(expected.num('coverage'));
    const r = forecastAccuracy({ pred: cells.num('pred'), obs: cells.num('obs'), area: cells.num('area') }, coverages);
    const col = (f: (a: CoverageAccuracy) => number) => r.map(f);
    expect(col((a) => a.cells)).toEqual(Array.from(expected.num('cells')));
    expect(col((a) => a.hits)).toEqual(Array.from(expected.num('hits')));
    expect(col((a) => a.total)).toEqual(Array.from(expected.num('N')));
    expectRel(
      col((a) => a.areaFraction),
      expected.num('area_frac'),
      1e-12,
    );
    for (const [key, column] of [
      ['hitRate', 'hit_rate'],
      ['pai', 'PAI'],
      ['paiMax', 'PAI_max'],
      ['pei', 'PEI'],
      ['predOverObs', 'pred_over_obs'],
    ] as const)
      expectRel(
        col((a) => a[key]),
        expected.num(column),
        1e-9,
        0,
        column,
      );
    expect(r.every((a) => Number.isNaN(a.rriLevine))).toBe(true);
    expect(Array.from(expected.num('RRI_levine')).every(Number.isNaN)).toBe(true);
  });
});

describe('forecastAccuracy rules', () => {
  it('ties are broken pessimistically: among equal predictions the cells with fewer events come first', () => {
    const r = forecastAccuracy({ pred: [1, 1, 1, 1], obs: [5, 0, 3, 0] }, [0.5]);
    expect(r[0].hits).toBe(0);
    expect(r[0].pei).toBe(0);
    expect(r[0].paiMax).toBe(2); // the perfect 2 cells hold all 8 of 8 events in half the area
  });

  it('whole cells until the area is reached, with unequal areas; PEI against the perfect ranking', () => {
    // Densities: cell 0: 10/2 = 5, cell 1: 3/1 = 3, cell 2: 1/1, cell 3: 0/4. A = 8.
    const r = forecastAccuracy({ pred: [4, 6, 1, 0], obs: [10, 3, 1, 0], area: [2, 1, 1, 4] }, [0.125, 0.3]);
    // 12.5 % of 8 = 1: cell 1 (pred density 6) alone.
    expect(r[0]).toMatchObject({ cells: 1, hits: 3, areaFraction: 0.125 });
    expect(r[0].pai).toBeCloseTo(3 / 14 / 0.125, 14);
    // Perfect with the same area (1): cell 0 has the highest density but area 2 → it is taken whole: 10 events in 2.
    expect(r[0].paiMax).toBeCloseTo(10 / 14 / (2 / 8), 14);
    expect(r[0].pei).toBeCloseTo(3 / 10, 14);
    // 30 % of 8 = 2.4: cells 1 then 0 (pred densities 6 and 2): area 3.
    expect(r[1]).toMatchObject({ cells: 2, hits: 13, areaFraction: 3 / 8 });
  });

  it('RRI (Levine) = (n2/n1)/(N2/N1) with the base period counts', () => {
    const r = forecastAccuracy({ pred: [9, 8, 1, 1], obs: [6, 2, 1, 1], base: [4, 4, 1, 1] }, [0.5]);
    // Taken: cells 0 and 1. n2 = 8, n1 = 8, N2 = 10, N1 = 10 → 1.
    expect(r[0].rriLevine).toBeCloseTo(1, 15);
    const s = forecastAccuracy({ pred: [9, 8, 1, 1], obs: [6, 4, 1, 1], base: [4, 4, 1, 1] }, [0.5]);
    expect(s[0].rriLevine).toBeCloseTo(10 / 8 / (12 / 10), 15);
  });

  it('with no observed events the rates are NaN, not a crash', () => {
    const r = forecastAccuracy({ pred: [1, 2], obs: [0, 0] }, [0.5]);
    expect(Number.isNaN(r[0].hitRate) && Number.isNaN(r[0].pai) && Number.isNaN(r[0].pei)).toBe(true);
  });

  it('rejects bad input with stable codes', () => {
    expectCode(() => forecastAccuracy({ pred: [], obs: [] }), 'analysis_empty_input', 'pred');
    expectCode(() => forecastAccuracy({ pred: [1, 2], obs: [1] }), 'analysis_length_mismatch', 'obs');
    expectCode(() => forecastAccuracy({ pred: [1, NaN], obs: [1, 1] }), 'analysis_non_finite', 'pred');
    expectCode(() => forecastAccuracy({ pred: [1, 2], obs: [1, -1] }), 'analysis_bad_parameter', 'obs');
    expectCode(() => forecastAccuracy({ pred: [1, 2], obs: [1, 1], area: [1, 0] }), 'analysis_bad_parameter', 'area');
    expectCode(() => forecastAccuracy({ pred: [1, 2], obs: [1, 1] }, [0]), 'analysis_bad_parameter', 'coverages');
    expectCode(() => forecastAccuracy({ pred: [1, 2], obs: [1, 1] }, [1.2]), 'analysis_bad_parameter', 'coverages');
    expectCode(() => forecastAccuracy({ pred: [1, 2], obs: [1, 1] }, []), 'analysis_empty_input', 'coverages');
  });
});

describe('forecasts and baselines', () => {
  const grid: RasterGrid = { xmin: 0, ymin: 0, cellSize: 100, cols: 10, rows: 10 };

  it('last period and long run count the events of their windows per cell', () => {
    const e = { x: [50, 50, 150, 950, 50], y: [50, 50, 50, 950, 50], t: [0, 10, 25, 29, 30] };
    expect(Array.from(lastPeriodForecast(grid, e, { start: 20, end: 30 })).filter((v) => v > 0)).toEqual([1, 1]);
    const longRun = longRunForecast(grid, e, { start: 0, end: 30, periodLength: 10 });
    expect(longRun[0]).toBeCloseTo(2 / 3, 15);
    expect(longRun[1]).toBeCloseTo(1 / 3, 15);
    expect(longRun[99]).toBeCloseTo(1 / 3, 15);
  });

  it('the decayed KDE weighs an event halfLife old half as much as a fresh one, and ignores the future and beyond lookback', () => {
    const e = { x: [500, 500, 500, 500], y: [500, 500, 500, 500], t: [99, 89, 100, 50] };
    const f = decayedKdeForecast(grid, e, { asOf: 100, halfLife: 10, lookback: 20, bandwidth: 150 });
    const base = kdeQuartic([500], [500], grid, 150);
    // Ages 1 and 11 count 2^-0.1 + 2^-1.1; age 0 (t = asOf) is the forecast period, age 50 is beyond lookback.
    expectRel(
      f,
      base.map((v) => v * 1e4 * (2 ** -0.1 + 2 ** -1.1)),
      1e-14,
    );
    const none = decayedKdeForecast(grid, e, { asOf: 0, halfLife: 10, bandwidth: 150 });
    expect(none.every((v) => v === 0)).toBe(true);
  });

  it('compareForecasts: on a stable hot spot pattern the KDE beats the noisy last period, and every method is evaluated the same way', () => {
    const random = seededRandom(4);
    const x: number[] = [];
    const y: number[] = [];
    const t: number[] = [];
    // 200 days; 60 % of events around three fixed hot spots, the rest uniform.
    const spots = [
      [250, 250],
      [700, 300],
      [400, 800],
    ];
    for (let day = 0; day < 200; day++)
      for (let k = 0; k < 3; k++) {
        const hot = random.next() < 0.6;
        const [cx, cy] = spots[random.int(3)];
        x.push(hot ? cx + (random.next() - 0.5) * 120 : random.next() * 1000);
        y.push(hot ? cy + (random.next() - 0.5) * 120 : random.next() * 1000);
        t.push(day + random.next());
      }
    const r = compareForecasts(grid, { x, y, t }, { testStart: 180, testEnd: 200, halfLife: 60, bandwidth: 200, coverages: [0.05, 0.1] });
    for (const method of [r.decayedKde, r.lastPeriod, r.longRun]) {
      expect(method.map((a) => a.total)).toEqual([method[0].total, method[0].total]);
      expect(method[0].total).toBe(60);
    }
    expect(r.decayedKde[1].pai).toBeGreaterThan(3);
    expect(r.decayedKde[1].pai).toBeGreaterThanOrEqual(r.lastPeriod[1].pai);
    expect(r.longRun[1].rriLevine).toBeGreaterThan(0);
  });

  it('rejects bad input with stable codes', () => {
    const e = { x: [1], y: [1], t: [1] };
    expectCode(() => decayedKdeForecast(grid, e, { asOf: 10, halfLife: 0, bandwidth: 100 }), 'analysis_bad_bandwidth', 'halfLife');
    expectCode(() => decayedKdeForecast(grid, e, { asOf: 10, halfLife: 5, bandwidth: -1 }), 'analysis_bad_bandwidth', 'bandwidth');
    expectCode(
      () => decayedKdeForecast(grid, e, { asOf: 10, halfLife: 5, bandwidth: 100, kernel: 'epanechnikov' as 'quartic' }),
      'analysis_unsupported_option',
      'kernel',
    );
    expectCode(() => lastPeriodForecast(grid, e, { start: 5, end: 5 }), 'analysis_bad_parameter', 'end');
    expectCode(() => lastPeriodForecast(grid, { x: [1, 2], y: [1], t: [1] }, { start: 0, end: 5 }), 'analysis_length_mismatch', 'y');
    expectCode(() => longRunForecast(grid, e, { start: 0, end: 5, periodLength: 0 }), 'analysis_bad_bandwidth', 'periodLength');
    expectCode(
      () => compareForecasts(grid, e, { testStart: 10, testEnd: 5, halfLife: 5, bandwidth: 100 }),
      'analysis_bad_parameter',
      'end',
    );
  });
});
