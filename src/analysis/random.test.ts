import { describe, expect, it } from 'vitest';
import { seededRandom, shuffleInPlace } from './random.js';

describe('seeded generator', () => {
  it('the same seed gives the same stream; another seed another', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const sa = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(sa);
  });

  it('the stream is fixed across versions (sfc32 seeded by SplitMix32): first values of seed 1', () => {
    const r = seededRandom(1);
    const first = [r.uint32(), r.uint32(), r.uint32()];
    // Recorded once: a change here changes every Monte Carlo result computed with a seed.
    expect(first).toEqual(FIRST_OF_SEED_1);
  });

  it('next() is in [0, 1); int(n) is uniform (chi-square over 10 bins, 100,000 draws)', () => {
    const r = seededRandom(7);
    const bins = new Array(10).fill(0);
    let inRange = true;
    for (let i = 0; i < 100_000; i++) {
      const u = r.next();
      inRange &&= u >= 0 && u < 1;
      bins[r.int(10)]++;
    }
    expect(inRange).toBe(true);
    const chi2 = bins.reduce((s, o) => s + (o - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(27.9); // 99.9th percentile of χ² with 9 degrees of freedom
  });

  it('shuffle is a permutation', () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    shuffleInPlace(a, seededRandom(3));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

const FIRST_OF_SEED_1 = [792534090, 3215351813, 160231488];
