import { describe, expect, it } from 'vitest';
import { EMERGING_PATTERNS } from '../api.js';
import {
  GI_BINS,
  GI_COLORS,
  PATTERN_COLORS,
  classColors,
  classLabels,
  classOf,
  giConfidence,
  heatColor,
  quantileBreaks,
  toGiBin,
} from './colors.js';
import { HEAT_FLOOR, paintRaster, paintedCells, rasterCorners } from './raster.js';

describe('colour classes of the crime map', () => {
  it('gives each Gi* bin its own colour and confidence label', () => {
    expect(new Set(GI_BINS.map((b) => GI_COLORS[b])).size).toBe(7);
    expect(GI_BINS.map(giConfidence)).toEqual([99, 95, 90, null, 90, 95, 99]);
    expect([toGiBin(2.9), toGiBin(-7), toGiBin(null), toGiBin('3')]).toEqual([3, -3, 0, 0]);
  });

  it('has a colour for every emerging hot spot pattern of the analysis module', () => {
    for (const p of EMERGING_PATTERNS) expect(PATTERN_COLORS[p]).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('breaks counts at their quantiles, merging equal breaks, and classes values by them', () => {
    const values = [1, 1, 1, 1, 2, 2, 3, 5, 8, 40];
    const breaks = quantileBreaks(values);
    expect(breaks).toEqual([2, 3, 8]);
    expect(values.map((v) => classOf(v, breaks))).toEqual([0, 0, 0, 0, 1, 1, 2, 2, 3, 3]);
    // The top class is always the darkest colour, whatever the number of classes.
    expect(classColors(breaks)).toHaveLength(4);
    expect(classColors(breaks)[3]).toBe('#bd0026');
    expect(quantileBreaks([4, 4, 4])).toEqual([]);
  });

  it('labels count classes as whole ranges and other figures as intervals', () => {
    const format = (v: number) => String(v);
    expect(classLabels([2, 3, 8], { integer: true, min: 1, format })).toEqual(['1', '2', '3–7', '≥ 8']);
    expect(classLabels([0.5, 1.25], { integer: false, min: 0.1, format })).toEqual(['< 0.5', '0.5 – 1.25', '≥ 1.25']);
    expect(classLabels([], { integer: true, min: 4, format })).toEqual(['≥ 4']);
  });
});

describe('painting a heat surface', () => {
  it('paints row 0 (north) first, transparent where there is nothing, darkest at the maximum', () => {
    const r = { cols: 3, rows: 2, max: 10, values: [0, 5, 10, -1, Number.NaN, HEAT_FLOOR * 10 * 0.5] };
    const px = paintRaster(r);
    expect(px).toHaveLength(3 * 2 * 4);
    const alpha = (i: number) => px[i * 4 + 3];
    expect([alpha(0), alpha(3), alpha(4), alpha(5)]).toEqual([0, 0, 0, 0]);
    expect(Array.from(px.slice(8, 12))).toEqual(heatColor(1));
    expect(Array.from(px.slice(4, 8))).toEqual(heatColor(0.5));
    expect(alpha(1)).toBeLessThan(alpha(2));
    expect(paintedCells(px)).toBe(2);
  });

  it('finds the maximum itself when the answer has none, and paints nothing for an empty surface', () => {
    expect(paintedCells(paintRaster({ cols: 2, rows: 1, max: 0, values: [2, 4] }))).toBe(2);
    expect(paintedCells(paintRaster({ cols: 2, rows: 1, max: 0, values: [0, 0] }))).toBe(0);
  });

  it('places the image on the bounds: top-left is west/north', () => {
    expect(rasterCorners([-99.3, 19.2, -98.9, 19.6])).toEqual([
      [-99.3, 19.6],
      [-98.9, 19.6],
      [-98.9, 19.2],
      [-99.3, 19.2],
    ]);
  });
});
