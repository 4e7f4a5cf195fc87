/**
 * The standard normal distribution to full double precision, for the p-values of the z-scores.
 *
 * W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev approximations for the
 * error function", Math. Comp. 23 (1969) 631–637; the ANORM routine of his SPECFUN package),
 * evaluated as R's `pnorm` does: three ranges of |x|, and in the tails the factor exp(−x²/2)
 * split as exp(−xs²/2)·exp(−(x−xs)(x+xs)/2) with xs = x rounded down to 1/16, which keeps the
 * relative error near 1e-16 even where the tail probability is 1e-300. A two-sided p-value is
 * computed from the tail directly, never as 1 − Φ(|z|), which would lose every digit beyond z ≈ 8.
 */

// Cody's coefficients, written as the shortest literals of the same doubles (the published 20-digit
// decimals round to exactly these values).
const A = [2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356, 0.06568233791820745];
const B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673];
const C = [
  0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726, 6848.190450536283, 11602.65143764735,
  9842.714838383978, 1.0765576773720192e-8,
];
const D = [
  22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097, 34900.95272114598, 38912.00328609327,
  19685.429676859992,
];
const P = [
  0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934, 0.000029112874951168793, 0.023073441764940174,
];
const Q = [1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824, 0.00007297515550839662];

const ONE_OVER_SQRT_2PI = 0.3989422804014327;
const SQRT_32 = 5.656854249492381;
/** qnorm(3/4): below it the central approximation is used. */
const CENTRAL = 0.67448975;
const HALF_EPSILON = Number.EPSILON / 2;

/** exp(−y²/2) · r, with the square split so that no precision is lost for large y (see the module comment). */
function tailExp(y: number, r: number): number {
  const ys = Math.trunc(y * 16) / 16;
  const del = (y - ys) * (y + ys);
  return Math.exp(-ys * ys * 0.5) * Math.exp(-del * 0.5) * r;
}

/** P(Z > y) for y ≥ 0 (the upper tail of the standard normal), to about 1e-16 relative. */
function upperTail(y: number): number {
  if (y <= CENTRAL) {
    let num = 0;
    let den = 0;
    if (y > HALF_EPSILON) {
      const ysq = y * y;
      num = A[4] * ysq;
      den = ysq;
      for (let i = 0; i < 3; i++) {
        num = (num + A[i]) * ysq;
        den = (den + B[i]) * ysq;
      }
    }
    return 0.5 - (y * (num + A[3])) / (den + B[3]);
  }
  if (y <= SQRT_32) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    return tailExp(y, (num + C[7]) / (den + D[7]));
  }
  // Beyond 37.5 the tail underflows to 0 (it is below 1e-308).
  if (y >= 37.5193) return 0;
  const ysq = 1 / (y * y);
  let num = P[5] * ysq;
  let den = ysq;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * ysq;
    den = (den + Q[i]) * ysq;
  }
  const r = (ysq * (num + P[4])) / (den + Q[4]);
  return tailExp(y, (ONE_OVER_SQRT_2PI - r) / y);
}

/** Φ(x) = P(Z ≤ x). NaN gives NaN. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x > 0 ? 1 - upperTail(x) : upperTail(-x);
}

/** 1 − Φ(x) = P(Z > x), accurate in the upper tail. NaN gives NaN. */
export function normalSf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x >= 0 ? upperTail(x) : 1 - upperTail(-x);
}

/** Two-sided p-value of a z-score, 2·Φ(−|z|), accurate to ~1e-16 relative however small; NaN for NaN. */
export function twoSidedP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return Math.min(1, 2 * upperTail(Math.abs(z)));
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return ONE_OVER_SQRT_2PI * tailExp(Math.abs(x), 1);
}
