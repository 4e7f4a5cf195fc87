/**
 * How a release's figures are stored: per crime, one row holding every area's monthly counts as a
 * single block of 32-bit little-endian integers, area after area (areas × months). A municipal crime
 * of ten years is 2,469 × 120 × 4 bytes ≈ 1.2 MB, read back in one row and copied, not parsed — which
 * keeps a cold read of a whole municipal cube to a few milliseconds of the request thread
 * (docs/benchmarks.md). Counts are validated at import to fit (0 … 2,147,483,647).
 */
import os from 'node:os';

export const MAX_COUNT = 2 ** 31 - 1;
const LITTLE_ENDIAN = os.endianness() === 'LE';

/** Encodes the rows of a matrix (one array of monthly values per area, all of one length). */
export function encodeCounts(rows: readonly ArrayLike<number>[]): Buffer {
  const months = rows.length ? rows[0].length : 0;
  const out = Buffer.alloc(rows.length * months * 4);
  rows.forEach((values, a) => {
    for (let k = 0; k < months; k++) out.writeInt32LE(values[k], (a * months + k) * 4);
  });
  return out;
}

/** Decodes a block into areas × months integers (a copy: the database driver's buffer may be unaligned or pooled). */
export function decodeCounts(bytes: Uint8Array, areas: number, months: number): Int32Array {
  const n = areas * months;
  if (bytes.byteLength !== n * 4) throw new Error(`series block of ${bytes.byteLength} bytes, expected ${n * 4}`);
  const out = new Int32Array(n);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
  }
  return out;
}
