import { describe, expect, it } from 'vitest';
import { gridCovering, type RasterGrid } from './grid.js';
import { kdeGaussian, kdeQuartic, kdeRules, kdeScipyGaussian, scottFactor, silvermanFactor } from './kde.js';
import { seededRandom } from './random.js';
import { expectCode, expectRel, maxError, readOracle } from './test-fixtures.js';

const points = readOracle('points.csv');
const px = points.num('x');
const py = points.num('y');
// The oracle grid: 50 m cells covering x 0–1200, y 0–1000, row 0 at y = 0.
const ORACLE_GRID: RasterGrid = { xmin: 0, ymin: 0, cellSize: 50, cols: 24, rows: 20 };

function expectOracleGrid(file: string): Float64Array {
  const e = readOracle(file);
  // The file lists cells row-major with row 0 south, exactly our layout.
  e.num('row').forEach((r, k) => expect(r * 24 + e.num('col')[k]).toBe(k));
  expect(e.num('x')[1]).toBe(75);
  expect(e.num('y')[24]).toBe(75);
  return e.num('kde');
}

describe('KDE against the oracles (intensity, events per m²)', () => {
  it('kde_gaussian.csv (sigma 80 m): within 1e-9 relative (achieved ≤ 1e-13)', () => {
    const surface = kdeGaussian(px, py, ORACLE_GRID, 80);
    const expected = expectOracleGrid('expected/kde_gaussian.csv');
    expectRel(surface, expected, 1e-9);
    expect(maxError(surface, expected).rel).toBeLessThan(5e-13);
  });

  it('kde_quartic.csv (ArcGIS quartic, radius 200 m): within 1e-9 relative (achieved ≤ 1e-13), zero outside every disc', () => {
    const surface = kdeQuartic(px, py, ORACLE_GRID, 200);
    const expected = expectOracleGrid('expected/kde_quartic.csv');
    expectRel(surface, expected, 1e-9);
    expect(maxError(surface, expected).rel).toBeLessThan(5e-13);
  });

  it('kde_scipy.csv (scipy gaussian_kde, Scott): within 1e-9 relative (achieved ≤ 1e-13)', () => {
    const surface = kdeScipyGaussian(px, py, ORACLE_GRID);
    const expected = expectOracleGrid('expected/kde_scipy.csv');
    expectRel(surface, expected, 1e-9);
    expect(maxError(surface, expected).rel).toBeLessThan(5e-13);
    // Silverman's rule is Scott's in 2-D, as scipy's.
    expectRel(kdeScipyGaussian(px, py, ORACLE_GRID, { bandwidth: 'silverman' }), expected, 1e-13);
    expectRel(kdeScipyGaussian(px, py, ORACLE_GRID, { bandwidth: scottFactor(300) }), expected, 1e-13);
  });

  it('kde_rules.csv: every rule of thumb within 1e-12 relative', () => {
    const e = readOracle('expected/kde_rules.csv');
    const want = Object.fromEntries(e.text('rule').map((k, i) => [k, e.num('value')[i]]));
    const r = kdeRules(px, py);
    const got: Record<string, number> = {
      n: r.n,
      standard_distance: r.standardDistance,
      median_dist_to_mean_centre: r.medianDistanceToMeanCentre,
      arcgis_default_search_radius: r.arcgisSearchRadius,
      scott_factor: r.scottFactor,
      silverman_factor: r.silvermanFactor,
      scipy_scott_bw_x: r.scottBandwidthX,
      scipy_scott_bw_y: r.scottBandwidthY,
      normal_ref_sigma_iso: r.normalReferenceSigma,
      extent_w: r.extentWidth,
      extent_h: r.extentHeight,
      arcgis_default_cell: r.arcgisCellSize,
      cell_shorter_side_over_150: r.cellShorterSideOver150,
    };
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) expect(Math.abs(got[k] - want[k]) / want[k], k).toBeLessThan(1e-12);
    expect(silvermanFactor(300, 1)).toBeCloseTo((300 * 0.75) ** -0.2, 15);
  });
});

describe('KDE properties', () => {
  // A fine grid with a margin wider than the kernels, so the surfaces hold (almost) all of their mass.
  const fine = gridCovering(-1000, -1000, 2200, 2000, 10);
  const mass = (s: Float64Array, g: RasterGrid): number => s.reduce((a, b) => a + b, 0) * g.cellSize * g.cellSize;

  it('an intensity integrates to n, a density to 1', () => {
    expect(mass(kdeQuartic(px, py, fine, 200), fine) / 300).toBeCloseTo(1, 3);
    expect(mass(kdeGaussian(px, py, fine, 80), fine) / 300).toBeCloseTo(1, 6);
    expect(mass(kdeScipyGaussian(px, py, fine), fine) / 300).toBeCloseTo(1, 6);
    const density = kdeGaussian(px, py, ORACLE_GRID, 80, { scale: 'density' });
    expectRel(
      density,
      kdeGaussian(px, py, ORACLE_GRID, 80).map((v) => v / 300),
      1e-14,
    );
  });

  it('a weight of 2 equals the point twice; points outside the grid still reach it', () => {
    const once = kdeQuartic([100, 100, 1250], [100, 100, 500], ORACLE_GRID, 200);
    const weighted = kdeQuartic([100, 1250], [100, 500], ORACLE_GRID, 200, { weights: [2, 1] });
    expectRel(weighted, once, 1e-15);
    expect(once[10 * 24 + 23]).toBeGreaterThan(0); // x 1175, y 525: 75 m from the outside point
    const density = kdeQuartic([100, 1250], [100, 500], ORACLE_GRID, 200, { weights: [2, 1], scale: 'density' });
    expectRel(
      density,
      weighted.map((v) => v / 3),
      1e-15,
    );
  });

  it('the quartic kernel is 3/(πR²)·(1 − d²/R²)² at a cell centre and 0 at d ≥ R', () => {
    const g: RasterGrid = { xmin: 0, ymin: 0, cellSize: 10, cols: 30, rows: 1 };
    const s = kdeQuartic([5], [5], g, 100);
    expect(s[0]).toBeCloseTo(3 / (Math.PI * 1e4), 18);
    expect(s[5]).toBeCloseTo((3 / (Math.PI * 1e4)) * (1 - 0.25) ** 2, 18);
    expect(s[10]).toBe(0); // exactly R away
  });

  it('binned evaluation approximates the exact surface (error O((cell/bandwidth)²))', () => {
    const random = seededRandom(9);
    const n = 20_000;
    const x = Float64Array.from({ length: n }, () => 200 + random.next() * 600 + random.next() * 200);
    const y = Float64Array.from({ length: n }, () => 100 + random.next() * 500 + random.next() * 300);
    const g: RasterGrid = { xmin: 0, ymin: 0, cellSize: 10, cols: 120, rows: 100 };
    for (const [exact, binned] of [
      [kdeGaussian(x, y, g, 40), kdeGaussian(x, y, g, 40, { method: 'binned' })],
      [kdeQuartic(x, y, g, 80), kdeQuartic(x, y, g, 80, { method: 'binned' })],
    ]) {
      const peak = Math.max(...exact);
      expect(maxError(binned, exact).abs / peak).toBeLessThan(0.01);
      expect(Math.abs(binned.reduce((a, b) => a + b, 0) / exact.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(0.005);
    }
  });

  it('a surface computed in bands of rows (one per worker) concatenates to the whole one', () => {
    for (const method of ['exact', 'binned'] as const) {
      const whole = kdeQuartic(px, py, ORACLE_GRID, 200, { method });
      const gauss = kdeGaussian(px, py, ORACLE_GRID, 80, { method });
      const bands = [0, 7, 13, 20];
      const parts: number[] = [];
      const gaussParts: number[] = [];
      for (let b = 0; b < 3; b++) {
        const band = { ...ORACLE_GRID, ymin: bands[b] * 50, rows: bands[b + 1] - bands[b] };
        parts.push(...kdeQuartic(px, py, band, 200, { method }));
        gaussParts.push(...kdeGaussian(px, py, band, 80, { method }));
      }
      expectRel(parts, whole, 1e-12, 1e-20, method);
      expectRel(gaussParts, gauss, 1e-12, 1e-20, method);
    }
  });

  it('exact Gaussian truncation: a cutoff of 8σ matches 12σ within 1e-12 of the peak', () => {
    const a = kdeGaussian(px, py, ORACLE_GRID, 80);
    const b = kdeGaussian(px, py, ORACLE_GRID, 80, { cutoff: 12 });
    expect(maxError(a, b).abs / Math.max(...b)).toBeLessThan(1e-12);
  });
});

describe('KDE: bad input', () => {
  it('throws stable codes', () => {
    expectCode(() => kdeQuartic(px, py, ORACLE_GRID, 0), 'analysis_bad_bandwidth', 'radius');
    expectCode(() => kdeQuartic(px, py, ORACLE_GRID, -5), 'analysis_bad_bandwidth', 'radius');
    expectCode(() => kdeGaussian(px, py, ORACLE_GRID, NaN), 'analysis_bad_bandwidth', 'sigma');
    expectCode(() => kdeScipyGaussian(px, py, ORACLE_GRID, { bandwidth: 0 }), 'analysis_bad_bandwidth', 'bandwidth');
    expectCode(() => kdeScipyGaussian(px, py, ORACLE_GRID, { bandwidth: 'normal' as 'scott' }), 'analysis_unsupported_option', 'bandwidth');
    expectCode(() => kdeQuartic([], [], ORACLE_GRID, 100), 'analysis_empty_input', 'x');
    expectCode(() => kdeQuartic([1, 2], [1], ORACLE_GRID, 100), 'analysis_length_mismatch', 'y');
    expectCode(() => kdeQuartic([1, Infinity], [1, 2], ORACLE_GRID, 100), 'analysis_non_finite', 'x');
    expectCode(() => kdeQuartic([1], [1], ORACLE_GRID, 100, { weights: [-1] }), 'analysis_bad_parameter', 'weights');
    expectCode(() => kdeQuartic([1], [1], ORACLE_GRID, 100, { weights: [1, 2] }), 'analysis_length_mismatch', 'weights');
    expectCode(() => kdeQuartic([1], [1], ORACLE_GRID, 100, { method: 'fft' as 'exact' }), 'analysis_unsupported_option', 'method');
    expectCode(() => kdeQuartic([1], [1], ORACLE_GRID, 100, { scale: 'probability' as 'density' }), 'analysis_unsupported_option', 'scale');
    expectCode(() => kdeQuartic([1], [1], { ...ORACLE_GRID, cellSize: 0 }, 100), 'analysis_bad_grid', 'grid');
    expectCode(() => kdeQuartic([1], [1], { ...ORACLE_GRID, cols: 2.5 }, 100), 'analysis_bad_grid', 'grid');
    expectCode(() => kdeQuartic([1], [1], { ...ORACLE_GRID, cols: 100_000, rows: 100_000 }, 100), 'analysis_bad_grid', 'grid');
    expectCode(() => kdeGaussian([1], [1], ORACLE_GRID, 10, { cutoff: 1 }), 'analysis_bad_parameter', 'cutoff');
    expectCode(() => kdeScipyGaussian([1, 2, 3], [2, 4, 6], ORACLE_GRID), 'analysis_no_variance', 'x');
    expectCode(() => kdeScipyGaussian([1], [2], ORACLE_GRID), 'analysis_too_few_observations', 'x');
    expectCode(() => kdeRules([1], [1]), 'analysis_too_few_observations', 'x');
  });
});
