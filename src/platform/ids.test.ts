import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId (UUID v7)', () => {
  it('is a version-7, RFC 4122-variant UUID carrying its millisecond', () => {
    // Ahead of any id this process made before, so the millisecond is taken as given.
    const at = Date.now() + 3_600_000;
    const id = newId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts in the order made, within a millisecond and past the 4,096 its sequence holds', () => {
    const at = Date.now() + 7_200_000;
    // 10,000 ids in one millisecond: the sequence overflows twice and borrows the next milliseconds.
    const ids = Array.from({ length: 10_000 }, () => newId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => V7.test(id))).toBe(true);
    // The clock going back does not break the order either.
    const after = newId(at - 5_000);
    expect(after > ids[ids.length - 1]!).toBe(true);
  });

  it('ends in 62 random bits, so ids made together are not guessable from one another', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => newId().slice(19)));
    expect(tails.size).toBe(1000);
  });
});
