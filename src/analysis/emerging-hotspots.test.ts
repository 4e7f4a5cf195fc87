import { describe, expect, it } from 'vitest';
import {
  classifyEmergingPattern,
  emergingHotSpots,
  mannKendall,
  spaceTimeCube,
  spaceTimeCubeFromEvents,
  spaceTimeGiStar,
  type EmergingPattern,
} from './emerging-hotspots.js';
import { giStar } from './gistar.js';
import { expectAbs, expectCode, expectRel, maxError, readOracle } from './test-fixtures.js';
import { gridContiguity, latticeContiguity } from './weights.js';

const cubeCsv = readOracle('cube.csv');
const L = 36;
const T = 10;
// cube.csv lists every location at every step, location-major: our layout.
const cube = spaceTimeCube(cubeCsv.num('value'), L, T);
const locRow = cubeCsv.num('row').filter((_, k) => k % T === 0);
const locCol = cubeCsv.num('col').filter((_, k) => k % T === 0);
const queen = gridContiguity(locRow, locCol, 'queen');

describe('emerging hot spots against the oracles (queen, one time lag, BH-FDR at 0.05)', () => {
  it('cube.csv is location-major with steps 0 … 9', () => {
    expect(Array.from(cubeCsv.num('loc').slice(0, 11))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(cubeCsv.num('t').slice(0, 11))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
  });

  it('ehsa_bins_queen_tlag1.csv: space-time Gi* z and p within 1e-9 absolute (achieved ~1e-14), significance exact', () => {
    const expected = readOracle('expected/ehsa_bins_queen_tlag1.csv');
    const r = spaceTimeGiStar(cube, queen);
    expectAbs(r.z, expected.num('gi_z'), 1e-9, 'z');
    expectAbs(r.p, expected.num('p'), 1e-9, 'p');
    expect(maxError(r.z, expected.num('gi_z')).abs).toBeLessThan(1e-13);
    expect(Array.from(r.significant)).toEqual(Array.from(expected.num('sig')));
  });

  it('ehsa_queen_tlag1.csv: hot/cold counts, final significance and pattern exact; final z within 1e-9 (file: 10 digits); Mann-Kendall within 1e-5 relative (file: 6 digits)', () => {
    const expected = readOracle('expected/ehsa_queen_tlag1.csv');
    const r = emergingHotSpots(cube, queen);
    const loc = r.locations;
    expect(loc.map((l) => l.nHot)).toEqual(Array.from(expected.num('n_hot')));
    expect(loc.map((l) => l.nCold)).toEqual(Array.from(expected.num('n_cold')));
    expect(loc.map((l) => (l.finalSignificant ? 1 : 0))).toEqual(Array.from(expected.num('final_sig')));
    expectAbs(
      loc.map((l) => l.finalZ),
      expected.num('final_z'),
      1e-9,
      'final z',
    );
    expectRel(
      loc.map((l) => l.trend.tau),
      expected.num('mk_tau'),
      1e-5,
      1e-6,
      'tau',
    );
    expectRel(
      loc.map((l) => l.trend.z),
      expected.num('mk_z'),
      1e-5,
      1e-6,
      'mk z',
    );
    expectRel(
      loc.map((l) => l.trend.p),
      expected.num('mk_p'),
      1e-5,
      1e-6,
      'mk p',
    );
    expect(loc.map((l) => l.pattern)).toEqual(expected.text('pattern').map((p) => p.replaceAll(' ', '_')));
  });
});

describe('space-time Gi*', () => {
  it('with timeLag 0 each bin is the Gi* of its own step with the cube-wide mean and SD', () => {
    const r = spaceTimeGiStar(cube, queen, { timeLag: 0 });
    // One step at a time, through a weights matrix over the L·T bins joining only same-step neighbours.
    const rows: number[] = [];
    const cols: number[] = [];
    for (let loc = 0; loc < L; loc++)
      for (let t = 0; t < T; t++) {
        rows.push(locRow[loc] + t * 100); // steps far apart: never contiguous
        cols.push(locCol[loc]);
      }
    const flat = giStar(cube.values, gridContiguity(rows, cols, 'queen'));
    expectAbs(r.z, flat.z, 1e-12);
  });

  it('without FDR a bin is significant when p < alpha', () => {
    const r = spaceTimeGiStar(cube, queen, { fdr: false, alpha: 0.1 });
    expect(Array.from(r.significant)).toEqual(Array.from(r.p, (p) => (p < 0.1 ? 1 : 0)));
  });

  it('cube from events: counts per cell and step; outside the grid or the period not counted', () => {
    const grid = { xmin: 0, ymin: 0, cellSize: 100, cols: 2, rows: 2 };
    const c = spaceTimeCubeFromEvents(grid, [10, 10, 150, 150, 500, 10], [10, 10, 150, 20, 10, 10], [0, 6.9, 7, 13.99, 1, 14], {
      start: 0,
      stepLength: 7,
      steps: 2,
    });
    // loc 0 (row 0, col 0): two events in step 0; loc 3 (row 1, col 1): one in step 1; loc 1 (row 0, col 1): one in step 1.
    expect(Array.from(c.values)).toEqual([2, 0, 0, 1, 0, 0, 0, 1]);
    expect(spaceTimeGiStar(c, latticeContiguity(2, 2, 'queen')).z.length).toBe(8);
  });
});

describe('Mann-Kendall', () => {
  it('a strictly increasing series: S = n(n−1)/2, tau = 1, Var = n(n−1)(2n+5)/18', () => {
    const r = mannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.s).toBe(45);
    expect(r.tau).toBe(1);
    expect(r.variance).toBe(125);
    expect(r.z).toBeCloseTo(44 / Math.sqrt(125), 14);
  });

  it('ties reduce the variance by Σ t(t−1)(2t+5)/18 and count 0 in S', () => {
    const r = mannKendall([1, 2, 2, 3, 1]);
    // Signs of the pairs i < j: +1 +1 +1 0 | 0 +1 −1 | +1 −1 | −1 → S = 2
    expect(r.s).toBe(2);
    // n = 5: 5·4·15 = 300; ties: two groups of 2 → 2·(2·1·9) = 36 → (300 − 36)/18
    expect(r.variance).toBeCloseTo(264 / 18, 14);
    expect(r.z).toBeCloseTo(1 / Math.sqrt(264 / 18), 14);
    expect(mannKendall([3, 3, 3]).z).toBe(0);
    expect(mannKendall([3, 3, 3]).p).toBe(1);
  });
});

describe('pattern rules (ArcGIS definitions, this library’s precedence)', () => {
  const T10 = (hot: string, cold = '..........'): [number[], number[]] => [
    [...hot].map((c) => (c === 'H' ? 1 : 0)),
    [...cold].map((c) => (c === 'C' ? 1 : 0)),
  ];
  const flat = { significant: false, increasing: false };
  const up = { significant: true, increasing: true };
  const down = { significant: true, increasing: false };
  const cases: [string, string, { significant: boolean; increasing: boolean }, EmergingPattern][] = [
    ['.........H', '..........', flat, 'new_hot_spot'],
    ['.......HHH', '..........', flat, 'consecutive_hot_spot'],
    ['.HHHHHHHHH', '..........', up, 'intensifying_hot_spot'],
    ['HHHHHHHHHH', '..........', flat, 'persistent_hot_spot'],
    ['HHHHHHHHHH', '..........', down, 'diminishing_hot_spot'],
    ['..H..H...H', '..........', flat, 'sporadic_hot_spot'],
    ['H......HHH', '..........', up, 'sporadic_hot_spot'], // hot before the final run: not consecutive
    ['.........H', '...C......', flat, 'oscillating_hot_spot'], // earlier cold beats "new"
    ['.......HHH', 'CC........', flat, 'oscillating_hot_spot'],
    ['HHHHHHHHH.', '..........', flat, 'historical_hot_spot'],
    ['HHHHHHHH..', '..........', flat, 'no_pattern_detected'], // 80 %: not historical
    ['..........', '.........C', flat, 'new_cold_spot'],
    ['..........', '........CC', flat, 'consecutive_cold_spot'],
    ['..........', 'CCCCCCCCCC', down, 'intensifying_cold_spot'],
    ['..........', 'CCCCCCCCCC', flat, 'persistent_cold_spot'],
    ['..........', 'CCCCCCCCCC', up, 'diminishing_cold_spot'],
    ['..........', 'C...C....C', flat, 'sporadic_cold_spot'],
    ['..H.......', '.........C', flat, 'oscillating_cold_spot'],
    ['..........', 'CCCCCCCCC.', flat, 'historical_cold_spot'],
    ['..........', '..........', up, 'no_pattern_detected'],
  ];
  for (const [hot, cold, trend, pattern] of cases) {
    it(`${hot} / ${cold} trend ${trend.significant ? (trend.increasing ? 'up' : 'down') : 'none'} → ${pattern}`, () => {
      const [h, c] = T10(hot, cold);
      expect(classifyEmergingPattern(h, c, trend)).toBe(pattern);
    });
  }
});

describe('emerging hot spots: bad input', () => {
  it('throws stable codes', () => {
    expectCode(() => spaceTimeCube([1, 2, 3], 2, 2), 'analysis_length_mismatch', 'values');
    expectCode(() => spaceTimeCube([], 0, 2), 'analysis_bad_parameter', 'locations');
    expectCode(() => spaceTimeCube([1, NaN], 1, 2), 'analysis_non_finite', 'values');
    expectCode(() => spaceTimeGiStar(cube, latticeContiguity(5, 5, 'queen')), 'analysis_bad_weights', 'weights');
    expectCode(() => spaceTimeGiStar(cube, queen, { timeLag: 10 }), 'analysis_bad_parameter', 'timeLag');
    expectCode(() => spaceTimeGiStar(cube, queen, { timeLag: -1 }), 'analysis_bad_parameter', 'timeLag');
    expectCode(() => spaceTimeGiStar(cube, queen, { alpha: 1.5 }), 'analysis_bad_parameter', 'alpha');
    expectCode(
      () => spaceTimeGiStar(spaceTimeCube(new Array(8).fill(3), 4, 2), latticeContiguity(2, 2, 'rook')),
      'analysis_no_variance',
      'cube',
    );
    expectCode(
      () => emergingHotSpots(spaceTimeCube([1, 2, 3, 4, 5, 6, 7, 9], 4, 2), latticeContiguity(2, 2, 'rook')),
      'analysis_too_few_observations',
      'steps',
    );
    expectCode(() => mannKendall([1, 2]), 'analysis_too_few_observations', 'series');
    expectCode(() => classifyEmergingPattern([1, 0], [0], flatTrend), 'analysis_length_mismatch', 'cold');
    expectCode(
      () =>
        spaceTimeCubeFromEvents({ xmin: 0, ymin: 0, cellSize: 1, cols: 1, rows: 1 }, [0], [0], [0], { start: 0, stepLength: 0, steps: 1 }),
      'analysis_bad_parameter',
      'stepLength',
    );
    expectCode(
      () =>
        spaceTimeCubeFromEvents({ xmin: 0, ymin: 0, cellSize: 1, cols: 1, rows: 1 }, [0], [0], [0, 1], {
          start: 0,
          stepLength: 1,
          steps: 1,
        }),
      'analysis_length_mismatch',
      't',
    );
  });
});

const flatTrend = { significant: false, increasing: false };
