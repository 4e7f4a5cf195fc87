import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import { expectCode, readOracle } from './test-fixtures.js';
import {
  adjacencyWeights,
  checkWeights,
  distanceBandWeights,
  gridContiguity,
  knnWeights,
  latticeContiguity,
  minimumConnectingDistance,
  neighbourCounts,
  rowStandardise,
  spatialLag,
  type SpatialWeights,
} from './weights.js';

const rowsOf = (w: SpatialWeights): number[][] =>
  Array.from({ length: w.n }, (_, i) => Array.from(w.neighbours.subarray(w.offsets[i], w.offsets[i + 1])));

function bruteKnn(x: Float64Array, y: Float64Array, k: number): number[][] {
  return Array.from(x, (_, i) =>
    Array.from(x, (_v, j) => j)
      .filter((j) => j !== i)
      .map((j) => ({ j, d: (x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2 }))
      .sort((a, b) => a.d - b.d || a.j - b.j)
      .slice(0, k)
      .map((e) => e.j)
      .sort((a, b) => a - b),
  );
}

function bruteBand(x: Float64Array, y: Float64Array, t: number): number[][] {
  return Array.from(x, (_, i) => Array.from(x, (_v, j) => j).filter((j) => j !== i && (x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2 <= t * t));
}

function randomPoints(n: number, seed: number, integer: boolean): { x: Float64Array; y: Float64Array } {
  const random = seededRandom(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // A dense cluster and a sparse background, so buckets are uneven.
    const clustered = random.next() < 0.5;
    const spread = clustered ? 50 : 1000;
    x[i] = (clustered ? 300 : 0) + random.next() * spread;
    y[i] = (clustered ? 300 : 0) + random.next() * spread;
    if (integer) [x[i], y[i]] = [Math.round(x[i] / 10), Math.round(y[i] / 10)];
  }
  return { x, y };
}

describe('weights against the oracles', () => {
  const grid = readOracle('grid_counts.csv');
  const cases: Record<string, () => SpatialWeights> = {
    queen: () => gridContiguity(grid.num('row'), grid.num('col'), 'queen'),
    rook: () => gridContiguity(grid.num('row'), grid.num('col'), 'rook'),
    distd250: () => distanceBandWeights(grid.num('x'), grid.num('y'), 250),
    knnk6: () => knnWeights(grid.num('x'), grid.num('y'), 6),
  };
  for (const [name, build] of Object.entries(cases)) {
    it(`neighbour counts equal n_nb of gistar_${name}.csv exactly`, () => {
      const w = build();
      checkWeights(w, 120);
      expect(Array.from(neighbourCounts(w))).toEqual(Array.from(readOracle(`expected/gistar_${name}.csv`).num('n_nb')));
    });
  }
  it('the knn oracle grid: a corner cell takes its 6 nearest with ties to the lowest index', () => {
    const w = knnWeights(grid.num('x'), grid.num('y'), 6);
    // Cell 0 (row 0, col 0) on a 12-column grid: 1 and 12 at 100 m, 13 at 141 m, then 2 and 24 at 200 m, then 14 (224 m) before 25.
    expect(rowsOf(w)[0]).toEqual([1, 2, 12, 13, 14, 24]);
  });
});

describe('contiguity', () => {
  it('lattice queen/rook: interior 8/4, corner 3/2, rows sorted, symmetric', () => {
    const q = latticeContiguity(3, 4, 'queen');
    const r = latticeContiguity(3, 4, 'rook');
    expect(rowsOf(q)[5]).toEqual([0, 1, 2, 4, 6, 8, 9, 10]);
    expect(rowsOf(q)[0]).toEqual([1, 4, 5]);
    expect(rowsOf(r)[5]).toEqual([1, 4, 6, 9]);
    expect(rowsOf(r)[11]).toEqual([7, 10]);
    for (const w of [q, r]) rowsOf(w).forEach((row, i) => row.forEach((j) => expect(rowsOf(w)[j]).toContain(i)));
  });

  it('gridContiguity over a full lattice equals latticeContiguity; missing cells are not neighbours', () => {
    const row: number[] = [];
    const col: number[] = [];
    for (let r = 0; r < 6; r++) for (let c = 0; c < 7; c++) [row[r * 7 + c], col[r * 7 + c]] = [r, c];
    for (const rule of ['queen', 'rook'] as const)
      expect(rowsOf(gridContiguity(row, col, rule))).toEqual(rowsOf(latticeContiguity(6, 7, rule)));
    // Three cells of a sparse, shuffled list far from the origin (the Map path of the lookup).
    const sparse = gridContiguity([1e6, -5, 1e6 + 1], [2e6, 3, 2e6 + 1], 'queen');
    expect(rowsOf(sparse)).toEqual([[2], [], [0]]);
    expect(rowsOf(gridContiguity([1e6, -5, 1e6 + 1], [2e6, 3, 2e6 + 1], 'rook'))).toEqual([[], [], []]);
  });

  it('adjacency lists are made symmetric, deduplicated and sorted', () => {
    const w = adjacencyWeights([[2, 1, 2], [], [3], []]);
    expect(rowsOf(w)).toEqual([[1, 2], [0], [0, 3], [2]]);
    expect(Array.from(w.weights)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('distance band and k nearest neighbours (bucket grid) equal brute force', () => {
  it('distance band on clustered points, coincident points and distances exactly at the threshold', () => {
    const { x, y } = randomPoints(600, 7, false);
    for (const t of [5, 40, 180]) expect(rowsOf(distanceBandWeights(x, y, t))).toEqual(bruteBand(x, y, t));
    const exact = distanceBandWeights([0, 3, 0, 0], [0, 4, 0, 5.000001], 5);
    expect(rowsOf(exact)).toEqual([[1, 2], [0, 2, 3], [0, 1], [1]]);
  });

  it('knn with many exact ties (integer coordinates): ties go to the lowest index', () => {
    const { x, y } = randomPoints(500, 11, true);
    for (const k of [1, 4, 8, 30]) expect(rowsOf(knnWeights(x, y, k))).toEqual(bruteKnn(x, y, k));
  });

  it('knn on continuous coordinates, and k = n − 1 takes everyone', () => {
    const { x, y } = randomPoints(300, 3, false);
    expect(rowsOf(knnWeights(x, y, 5))).toEqual(bruteKnn(x, y, 5));
    const all = knnWeights([0, 1, 5], [0, 0, 0], 2);
    expect(rowsOf(all)).toEqual([
      [1, 2],
      [0, 2],
      [0, 1],
    ]);
    const same = knnWeights([1, 1, 1, 1], [2, 2, 2, 2], 2);
    expect(rowsOf(same)).toEqual([
      [1, 2],
      [0, 2],
      [0, 1],
      [0, 1],
    ]);
  });

  it('a dense centre, sparse outskirts and far outliers (where a uniform grid fails): same as brute force', () => {
    const random = seededRandom(13);
    const n = 1500;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const kind = random.next();
      const spread = kind < 0.8 ? 20 : kind < 0.99 ? 5000 : 1e6;
      x[i] = (random.next() - 0.5) * spread;
      y[i] = (random.next() - 0.5) * spread * (kind < 0.8 ? 0.1 : 1); // an elongated centre
    }
    for (const k of [1, 6]) expect(rowsOf(knnWeights(x, y, k))).toEqual(bruteKnn(x, y, k));
    expect(rowsOf(distanceBandWeights(x, y, 3))).toEqual(bruteBand(x, y, 3));
    expect(rowsOf(distanceBandWeights(x, y, 400))).toEqual(bruteBand(x, y, 400));
  });

  it('minimumConnectingDistance is the largest nearest-neighbour distance', () => {
    const { x, y } = randomPoints(200, 5, false);
    const d = minimumConnectingDistance(x, y);
    expect(neighbourCounts(distanceBandWeights(x, y, d)).every((c) => c >= 1)).toBe(true);
    expect(neighbourCounts(distanceBandWeights(x, y, d * (1 - 1e-9))).some((c) => c === 0)).toBe(true);
  });
});

describe('row standardisation and lag', () => {
  it('rows sum to 1, empty rows stay empty, the structure is shared', () => {
    const w = adjacencyWeights([[1, 2], [], [], []]);
    const s = rowStandardise(w);
    expect(Array.from(s.weights)).toEqual([0.5, 0.5, 1, 1]);
    expect(s.offsets).toBe(w.offsets);
    expect(Array.from(spatialLag(s, [10, 20, 40, 7]))).toEqual([30, 10, 10, 0]);
  });
});

describe('weights: bad input', () => {
  it('throws stable codes', () => {
    expectCode(() => knnWeights([0, 1, 2], [0, 1, 2], 3), 'analysis_bad_k', 'k');
    expectCode(() => knnWeights([0, 1, 2], [0, 1, 2], 0), 'analysis_bad_k', 'k');
    expectCode(() => knnWeights([0, 1, 2], [0, 1, 2], 1.5), 'analysis_bad_k', 'k');
    expectCode(() => knnWeights([0], [0], 1), 'analysis_too_few_observations', 'x');
    expectCode(() => knnWeights([], [], 1), 'analysis_empty_input', 'x');
    expectCode(() => distanceBandWeights([0, 1], [0], 5), 'analysis_length_mismatch', 'y');
    expectCode(() => distanceBandWeights([0, 1], [0, NaN], 5), 'analysis_non_finite', 'y');
    expectCode(() => distanceBandWeights([0, 1], [0, 1], 0), 'analysis_bad_bandwidth', 'threshold');
    expectCode(() => distanceBandWeights([0, 1], [0, 1], -3), 'analysis_bad_bandwidth', 'threshold');
    expectCode(() => gridContiguity([0, 0], [1, 1], 'queen'), 'analysis_bad_parameter', 'row');
    expectCode(() => gridContiguity([0.5], [1], 'queen'), 'analysis_bad_parameter', 'row');
    expectCode(() => gridContiguity([0], [1], 'bishop' as 'queen'), 'analysis_unsupported_option', 'rule');
    expectCode(() => latticeContiguity(0, 3, 'queen'), 'analysis_bad_parameter', 'rows');
    expectCode(() => adjacencyWeights([[1], [5]]), 'analysis_bad_weights', 'adjacency');
    expectCode(() => adjacencyWeights([[0]]), 'analysis_bad_weights', 'adjacency');
    expectCode(() => adjacencyWeights([]), 'analysis_empty_input', 'adjacency');
    const w = latticeContiguity(2, 2, 'queen');
    expectCode(() => checkWeights({ ...w, weights: w.weights.map(() => -1) }, 4), 'analysis_bad_weights');
    expectCode(() => checkWeights({ ...w, offsets: Int32Array.from([0, 3, 2, 9, 12]) }, 4), 'analysis_bad_weights');
    expectCode(() => checkWeights({ ...w, neighbours: w.neighbours.map(() => 7) }, 4), 'analysis_bad_weights');
  });
});
