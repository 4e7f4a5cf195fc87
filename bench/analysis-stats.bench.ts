/**
 * Spatial statistics benchmark (issue 5's sizes): Gi* over ~100,000 grid cells and a 1000 × 1000
 * KDE surface from 1,000,000 points, plus the other statistics at map-portal sizes. Prints the
 * figures; no pass/fail.
 *
 *   npx tsx bench/analysis-stats.bench.ts     (npm run bench:analysis-stats)
 *
 * Data: 1M points in a 10 km × 10 km square (metres), 70 % in 40 Gaussian clusters (sd 150–600 m)
 * and 30 % uniform, from a seeded generator; cell counts of the 316 × 316 Gi* grid come from the
 * same points (≈ 31.6 m cells). Each figure is the median of `runs` timed runs after one warm-up
 * run; one thread (the worker-thread engine will run several such calls in parallel).
 */
import os from 'node:os';
import { emergingHotSpots, spaceTimeCubeFromEvents } from '../src/analysis/emerging-hotspots.js';
import { giStar } from '../src/analysis/gistar.js';
import { countPointsInGrid, type RasterGrid } from '../src/analysis/grid.js';
import { kdeGaussian, kdeQuartic } from '../src/analysis/kde.js';
import { knoxTest } from '../src/analysis/knox.js';
import { localMoran } from '../src/analysis/local-moran.js';
import { seededRandom } from '../src/analysis/random.js';
import { distanceBandWeights, knnWeights, latticeContiguity } from '../src/analysis/weights.js';

const SIDE = 10_000;
const POINTS = 1_000_000;

function clusteredPoints(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const random = seededRandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const centres = Array.from({ length: 40 }, () => [random.next() * SIDE, random.next() * SIDE, 150 + random.next() * 450]);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (random.next() < 0.7) {
      const [cx, cy, sd] = centres[random.int(centres.length)];
      x[i] = Math.min(SIDE - 1e-6, Math.max(0, cx + normal() * sd));
      y[i] = Math.min(SIDE - 1e-6, Math.max(0, cy + normal() * sd));
    } else {
      x[i] = random.next() * SIDE;
      y[i] = random.next() * SIDE;
    }
  }
  return { x, y };
}

/** Median wall-clock and CPU time (this process, user + system) of `runs` runs after a warm-up run. */
function time<T>(runs: number, fn: () => T): { ms: number; cpuMs: number; result: T } {
  let result = fn(); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < runs; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { ms: median(wall), cpuMs: median(cpu), result };
}

const format = (ms: number): string => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
const report = (what: string, size: string, t: { ms: number; cpuMs: number }): void => {
  console.log(`${what.padEnd(46)} ${size.padEnd(30)} ${format(t.ms).padStart(9)} ${format(t.cpuMs).padStart(9)}`);
};

// The machine may be shared: the load average says how much of a core this process really had.
console.log(
  `\nanalysis statistics benchmark — node ${process.version}, one thread, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}\n`,
);
const t0 = performance.now();
const { x, y } = clusteredPoints(POINTS, 1);
console.log(`(1M clustered points generated in ${(performance.now() - t0).toFixed(0)} ms)\n`);
console.log(`${'statistic'.padEnd(46)} ${'size'.padEnd(30)} ${'wall'.padStart(9)} ${'CPU'.padStart(9)}`);

// --- Gi* and local Moran over a 316 × 316 grid (99,856 cells)
const giGrid: RasterGrid = { xmin: 0, ymin: 0, cellSize: SIDE / 316, cols: 316, rows: 316 };
const counts = countPointsInGrid(giGrid, x, y);
const cells = `316 × 316 = ${(316 * 316).toLocaleString('en-US')} cells`;
const queen = time(5, () => latticeContiguity(316, 316, 'queen'));
report('queen weights (lattice, CSR)', cells, queen);
report(
  'Gi* (queen), z + p + bins + FDR bins',
  cells,
  time(5, () => giStar(counts, queen.result)),
);
report(
  "local Moran's I (queen, conditional)",
  cells,
  time(5, () => localMoran(counts, queen.result)),
);
const cx = new Float64Array(316 * 316);
const cy = new Float64Array(316 * 316);
for (let k = 0; k < cx.length; k++) [cx[k], cy[k]] = [((k % 316) + 0.5) * giGrid.cellSize, (Math.floor(k / 316) + 0.5) * giGrid.cellSize];
report(
  'distance band weights (3 cells)',
  cells,
  time(3, () => distanceBandWeights(cx, cy, 3 * giGrid.cellSize)),
);
report(
  'kNN weights (k = 8, ties by index)',
  cells,
  time(3, () => knnWeights(cx, cy, 8)),
);
const sx = x.subarray(0, 100_000);
const sy = y.subarray(0, 100_000);
report(
  'kNN weights (k = 8) on clustered points',
  '100,000 points',
  time(3, () => knnWeights(sx, sy, 8)),
);

// --- KDE 1000 × 1000 from 1M points
const kdeGrid: RasterGrid = { xmin: 0, ymin: 0, cellSize: SIDE / 1000, cols: 1000, rows: 1000 };
const kdeSize = '1000 × 1000 cells, 1M points';
report(
  'KDE quartic, radius 100 m (10 cells), exact',
  kdeSize,
  time(3, () => kdeQuartic(x, y, kdeGrid, 100)),
);
report(
  'KDE quartic, radius 100 m, binned',
  kdeSize,
  time(3, () => kdeQuartic(x, y, kdeGrid, 100, { method: 'binned' })),
);
report(
  'KDE quartic, radius 300 m (30 cells), exact',
  kdeSize,
  time(1, () => kdeQuartic(x, y, kdeGrid, 300)),
);
report(
  'KDE quartic, radius 300 m, binned',
  kdeSize,
  time(3, () => kdeQuartic(x, y, kdeGrid, 300, { method: 'binned' })),
);
report(
  'KDE Gaussian, sigma 40 m (cut at 8σ), exact',
  kdeSize,
  time(1, () => kdeGaussian(x, y, kdeGrid, 40)),
);
report(
  'KDE Gaussian, sigma 40 m, binned',
  kdeSize,
  time(3, () => kdeGaussian(x, y, kdeGrid, 40, { method: 'binned' })),
);
report(
  'KDE Gaussian, sigma 120 m, binned',
  kdeSize,
  time(3, () => kdeGaussian(x, y, kdeGrid, 120, { method: 'binned' })),
);

// --- emerging hot spots and near repeat at portal sizes
const random = seededRandom(2);
const days = Float64Array.from({ length: POINTS }, () => Math.floor(random.next() * 364));
const cubeGrid: RasterGrid = { xmin: 0, ymin: 0, cellSize: 100, cols: 100, rows: 100 };
const cube = spaceTimeCubeFromEvents(cubeGrid, x, y, days, { start: 0, stepLength: 7, steps: 52 });
const cubeWeights = latticeContiguity(100, 100, 'queen');
report(
  'emerging hot spots (queen, lag 1)',
  '100 × 100 cells × 52 weeks',
  time(3, () => emergingHotSpots(cube, cubeWeights)),
);
const kx = x.subarray(0, 5000);
const ky = y.subarray(0, 5000);
const kt = days.subarray(0, 5000);
report(
  'Knox 4 × 100 m, 3 × 7 d, 999 permutations',
  '5,000 events',
  time(1, () => knoxTest(kx, ky, kt, { spaceBandwidth: 100, spaceBands: 4, timeBandwidth: 7, timeBands: 3 })),
);
console.log(`\nload average at the end ${os.loadavg()[0].toFixed(1)}; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
