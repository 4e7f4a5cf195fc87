/**
 * A small seedable pseudo-random generator for the Monte Carlo tests (Knox, permutation
 * p-values), so that a result can be reproduced from its seed on any machine and any Node
 * version: `Math.random` cannot be seeded.
 *
 * sfc32 (Chris Doty-Humphrey's "small fast counting" generator from PractRand): 128 bits of state,
 * period ≥ 2^32, passes PractRand and BigCrush, and needs only 32-bit integer operations, which
 * V8 runs natively. The seed is expanded with SplitMix32 so that nearby seeds give unrelated
 * streams.
 */

/** A generator: `next()` is uniform in [0, 1) with 32 random bits; `int(n)` uniform in 0 … n − 1. */
export interface Random {
  next(): number;
  /** Uniform integer in [0, n), without modulo bias; n in 1 … 2^32. */
  int(n: number): number;
  /** Next raw 32-bit unsigned integer. */
  uint32(): number;
}

/** A generator seeded by any integer (taken modulo 2^32). */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1;
  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Discard the first outputs: sfc32's authors advise a few rounds before use.
  for (let i = 0; i < 12; i++) uint32();
  return {
    uint32,
    next: () => uint32() / 4294967296,
    int: (n: number): number => {
      // Rejection of the top partial block: every value keeps exactly the same probability.
      const limit = 4294967296 - (4294967296 % n);
      let r = uint32();
      while (r >= limit) r = uint32();
      return r % n;
    },
  };
}

/** Fisher–Yates shuffle of `array` in place (every permutation equally likely). */
export function shuffleInPlace(array: Float64Array | Int32Array, random: Random): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = array[i];
    array[i] = array[j];
    array[j] = t;
  }
}
