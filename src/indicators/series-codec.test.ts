import { describe, expect, it } from 'vitest';
import { MAX_COUNT, decodeCounts, encodeCounts } from './series-codec.js';

describe('series blocks', () => {
  it('round-trips areas × months of counts, from an unaligned buffer too', () => {
    const rows = [
      [0, 1, 2],
      [MAX_COUNT, 7, 0],
    ];
    const block = encodeCounts(rows);
    expect(block.byteLength).toBe(2 * 3 * 4);
    // 32-bit little-endian, area after area.
    expect([...block.subarray(12, 16)]).toEqual([0xff, 0xff, 0xff, 0x7f]);
    const unaligned = Buffer.concat([Buffer.from([9]), block]).subarray(1);
    expect(Array.from(decodeCounts(unaligned, 2, 3))).toEqual([0, 1, 2, MAX_COUNT, 7, 0]);
    expect(() => decodeCounts(block, 2, 4)).toThrow(/expected 32/);
  });
});
