import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf, normalSf, twoSidedP } from './normal.js';

// [x, Φ(x), 1 − Φ(x)] computed with mpmath at 40 significant digits.
// Kept as strings: the digits beyond a double's are the reference's, the test parses them.
const REFERENCE: readonly (readonly [string, string, string])[] = [
  ['-37.5', '4.6053530095819548438e-308', '1.0'],
  ['-30', '4.9067139271481870595e-198', '1.0'],
  ['-20', '2.7536241186062336951e-89', '1.0'],
  ['-12.5', '3.7325642988777133772e-36', '1.0'],
  ['-8.3', '5.2055697448902540246e-17', '0.99999999999999994794'],
  ['-8', '6.2209605742717841235e-16', '0.9999999999999993779'],
  ['-6', '9.865876450376981407e-10', '0.99999999901341235496'],
  ['-5.657', '7.7020881721776008424e-9', '0.99999999229791182782'],
  ['-5', '2.8665157187919391167e-7', '0.99999971334842812081'],
  ['-3.5', '0.00023262907903552503635', '0.99976737092096447496'],
  ['-2.5758293035489', '0.0050000000000000118702', '0.99499999999999998813'],
  ['-1.959963984540054', '0.025000000000000010876', '0.97499999999999998912'],
  ['-1.6448536269514722', '0.050000000000000053934', '0.94999999999999994607'],
  ['-1', '0.15865525393145705141', '0.84134474606854294859'],
  ['-0.6744', '0.25002852137294061469', '0.74997147862705938531'],
  ['-0.5', '0.30853753872598689636', '0.69146246127401310364'],
  ['-0.1', '0.46017216272297101633', '0.53982783727702898367'],
  ['-1e-20', '0.5', '0.5'],
  ['0', '0.5', '0.5'],
  ['0.1', '0.53982783727702898367', '0.46017216272297101633'],
  ['0.6745', '0.75000325713630083111', '0.24999674286369916889'],
  ['1', '0.84134474606854294859', '0.15865525393145705141'],
  ['2.5', '0.99379033467422386483', '0.006209665325776135167'],
  ['3', '0.99865010196836990547', '0.0013498980316300945267'],
  ['5.66', '0.999999992431350248', '7.5686497519977137143e-9'],
  ['7', '0.99999999999872018746', '1.2798125438858350044e-12'],
  ['9', '0.99999999999999999989', '1.1285884059538406477e-19'],
  ['12', '1.0', '1.7764821120776789977e-33'],
  ['20', '1.0', '2.7536241186062336951e-89'],
  ['37', '1.0', '5.7255712225245768227e-300'],
];

const rel = (a: number, e: number): number => (a === e ? 0 : Math.abs(a - e) / Math.abs(e));

describe('normal distribution (Cody / R pnorm)', () => {
  it('Φ and 1 − Φ within 2e-15 relative of 40-digit references, tails down to 1e-307', () => {
    for (const [xs, cdfs, sfs] of REFERENCE) {
      const [x, cdf, sf] = [Number(xs), Number(cdfs), Number(sfs)];
      expect(rel(normalCdf(x), cdf), `Φ(${x})`).toBeLessThan(2e-15);
      expect(rel(normalSf(x), sf), `1 − Φ(${x})`).toBeLessThan(2e-15);
    }
  });

  it('two-sided p = 2·Φ(−|z|), symmetric, accurate far in the tail; beyond |z| ≈ 37.5 it underflows to 0', () => {
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 15);
    expect(twoSidedP(-9)).toBe(twoSidedP(9));
    expect(rel(twoSidedP(20), 2 * Number('2.7536241186062336951e-89'))).toBeLessThan(2e-15);
    expect(twoSidedP(0)).toBe(1);
    expect(twoSidedP(40)).toBe(0);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(Number.isNaN(twoSidedP(NaN))).toBe(true);
    expect(Number.isNaN(normalCdf(NaN))).toBe(true);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalSf(Infinity)).toBe(0);
  });

  it('Φ is monotone across the range boundaries of the approximation (0.674…, √32)', () => {
    let previous = 0;
    for (let x = -10; x <= 10; x += 0.001) {
      const v = normalCdf(x);
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
  });

  it('density', () => {
    expect(normalPdf(0)).toBeCloseTo(0.3989422804014327, 16);
    expect(rel(normalPdf(-3), 0.0044318484119380075)).toBeLessThan(1e-15);
  });
});
