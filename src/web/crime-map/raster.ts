import type { KdeRaster } from '../api.js';
import { heatColor } from './colors.js';

/** Intensities below this share of the maximum stay transparent: the surface shows where crime concentrates, not everywhere. */
export const HEAT_FLOOR = 0.02;

/**
 * The pixels of a heat surface: one RGBA pixel per cell, row 0 the north edge (the API's order,
 * which is also an image's top-down order), coloured on the heat ramp by value / max. Missing,
 * non-finite or negative values, and values under {@link HEAT_FLOOR}·max, are transparent.
 */
export function paintRaster(r: Pick<KdeRaster, 'cols' | 'rows' | 'values' | 'max'>): Uint8ClampedArray {
  const { cols, rows, values } = r;
  const out = new Uint8ClampedArray(cols * rows * 4);
  let max = r.max;
  if (!(max > 0)) {
    max = 0;
    for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  }
  if (!(max > 0)) return out;
  const n = Math.min(values.length, cols * rows);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v <= 0) continue;
    const t = v / max;
    if (t < HEAT_FLOOR) continue;
    const [red, green, blue, alpha] = heatColor(t);
    const o = i * 4;
    out[o] = red;
    out[o + 1] = green;
    out[o + 2] = blue;
    out[o + 3] = alpha;
  }
  return out;
}

/** The four corners of an image source for the raster's bounds: top-left, top-right, bottom-right, bottom-left. */
export function rasterCorners(bounds: KdeRaster['bounds']): [[number, number], [number, number], [number, number], [number, number]] {
  const [west, south, east, north] = bounds;
  return [
    [west, north],
    [east, north],
    [east, south],
    [west, south],
  ];
}

/** How many cells are painted (not transparent), for tests and the legend. */
export function paintedCells(pixels: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) n++;
  return n;
}

/** Draws the raster on a canvas of its own size (one pixel per cell) and returns it as a PNG data URL. */
export function rasterDataUrl(r: KdeRaster, pixels: Uint8ClampedArray = paintRaster(r)): string {
  const canvas = document.createElement('canvas');
  canvas.width = r.cols;
  canvas.height = r.rows;
  const g = canvas.getContext('2d');
  if (!g) return '';
  g.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, r.cols, r.rows), 0, 0);
  return canvas.toDataURL('image/png');
}
