/**
 * A token bucket per client address for the public routes: `capacity` requests at once, then
 * `perSecond` more each second. In memory, per process (a multi-instance deployment multiplies the
 * allowance by its instances, which is acceptable for read-only public data).
 */
export type RateLimiter = {
  /** Takes a token; returns 0 when allowed, else the seconds until the next token. */
  take(key: string, now?: number): number;
};

export function createRateLimiter(capacity: number, perSecond: number, maxKeys = 20_000): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, now = Date.now()) {
      let b = buckets.get(key);
      if (!b) {
        // Forget the addresses that have refilled completely before the map grows without bound.
        if (buckets.size >= maxKeys) {
          for (const [k, v] of buckets) if (v.tokens + ((now - v.at) / 1000) * perSecond >= capacity) buckets.delete(k);
          if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
        }
        b = { tokens: capacity, at: now };
        buckets.set(key, b);
      }
      b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) / perSecond);
    },
  };
}
