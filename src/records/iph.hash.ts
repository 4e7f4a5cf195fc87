import crypto from 'node:crypto';
import type { ChainProblem } from './iph.types.js';

/**
 * Canonical JSON and SHA-256 for what the records module signs and chains: the IPH's
 * content, its amendments, an evidence item's registration and its custody transfers.
 * Canonical: object keys sorted, no whitespace, `undefined` members dropped, so the same
 * data gives the same hash whichever database stored it and whatever order its keys
 * came in. Instants are normalized to `toISOString()` before they are hashed (the stores
 * do it), because PostgreSQL gives back timestamps in that form.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** The hash of a link: the previous link's hash, a newline, then the link's canonical JSON. */
export const linkHash = (prevHash: string, body: unknown) => sha256(`${prevHash}\n${canonicalJson(body)}`);

/** An instant as every store keeps it. */
export const isoInstant = (v: string) => new Date(v).toISOString();

export type ChainLink = { seq: number; prevHash: string; hash: string; recomputed: string };

export type ChainCheck =
  | { intact: true; entries: number; headHash: string }
  | { intact: false; entries: number; headHash: string | null; seq: number; problem: ChainProblem };

/**
 * Walks a hash chain: an original record (link no. 0, whose hash is `originHash` and must
 * equal `originRecomputed`) followed by links numbered 1…n, each carrying the hash of the
 * one before. Names the first broken link:
 * - `modified`: the link's content no longer gives its hash (or the original's);
 * - `deleted`: a number is missing, fewer links than the head counter says, or a link
 *   points to a predecessor that is gone;
 * - `reordered`: a link points to a predecessor that exists but sits elsewhere.
 * A link rewritten together with its own hash breaks the next link instead; with the
 * link count intact that is reported as `modified` at the rewritten link.
 * `expected` is what the parent row says of its chain (count and head), which shows a
 * deletion of the newest links.
 */
export function checkChain(
  origin: { hash: string; recomputed: string },
  links: readonly ChainLink[],
  expected: { count: number; headHash: string },
): ChainCheck {
  const entries = links.length + 1;
  if (origin.recomputed !== origin.hash) return { intact: false, entries, headHash: null, seq: 0, problem: 'modified' };
  const known = new Set([origin.hash, ...links.map((l) => l.hash)]);
  const sorted = [...links].sort((a, b) => a.seq - b.seq);
  let prev = origin.hash;
  for (const [i, link] of sorted.entries()) {
    const k = i + 1;
    if (link.seq !== k) return { intact: false, entries, headHash: null, seq: k, problem: 'deleted' };
    if (link.recomputed !== link.hash) return { intact: false, entries, headHash: null, seq: k, problem: 'modified' };
    if (link.prevHash !== prev) {
      if (known.has(link.prevHash) && link.prevHash !== link.hash)
        return { intact: false, entries, headHash: null, seq: k, problem: 'reordered' };
      if (sorted.length < expected.count) return { intact: false, entries, headHash: null, seq: k, problem: 'deleted' };
      return { intact: false, entries, headHash: null, seq: k - 1, problem: 'modified' };
    }
    prev = link.hash;
  }
  if (sorted.length < expected.count) return { intact: false, entries, headHash: null, seq: sorted.length + 1, problem: 'deleted' };
  if (prev !== expected.headHash) return { intact: false, entries, headHash: null, seq: sorted.length, problem: 'modified' };
  return { intact: true, entries, headHash: prev };
}
