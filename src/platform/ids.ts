import crypto from 'node:crypto';

const randomPool = Buffer.alloc(8192);
let randomAt = randomPool.length;
let lastMs = 0;
let sequence = 0;

/**
 * A new record id: a time-ordered UUID (RFC 9562 version 7: milliseconds, a 12-bit sequence, 62
 * random bits). Ids made one after another sort one after another, so an index on an id grows at
 * its right-hand end: rows written together share a few index pages instead of landing on one
 * random page each. With random version-4 ids a bulk import of crime records paged through the
 * whole primary-key index once it outgrew the cache, and a group commit of 911 incidents wrote one
 * page per row and per index (docs/benchmarks.md). The crime map's engine also relies on the order:
 * it follows new records by id. The 62 random bits keep ids unguessable.
 */
export function newId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // More ids in one millisecond than the sequence holds (or the clock went back): borrow the next.
    lastMs++;
    sequence = 0;
  }
  if (randomAt + 8 > randomPool.length) {
    crypto.randomFillSync(randomPool);
    randomAt = 0;
  }
  randomPool[randomAt] = (randomPool[randomAt]! & 0x3f) | 0x80; // the RFC 4122 variant
  const rand = randomPool.toString('hex', randomAt, randomAt + 8);
  randomAt += 8;
  const ms = lastMs.toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${sequence.toString(16).padStart(3, '0')}-${rand.slice(0, 4)}-${rand.slice(4)}`;
}
