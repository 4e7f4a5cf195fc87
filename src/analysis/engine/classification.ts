/**
 * The SESNSP classification as small integers: node `k` is the k-th node of the catalogue in its
 * published (pre-)order, so a node's subtree is the contiguous range [k, end[k]) — a filter on
 * any level is a lookup in a 200-entry mask, and a breakdown by level folds the per-node counts.
 */
import { crimeCatalogue, type CrimeCatalogue } from '../../records/crime-catalogue.js';
import type { CatalogueNode } from '../../records/crime.types.js';

/**
 * Classifications never shown as points on the public map (only in aggregates, with small counts
 * suppressed): every sexual crime — the whole legal interest 3, "La libertad y la seguridad sexual"
 * (abuso sexual, acoso, hostigamiento, violación simple y equiparada, incesto, otros) — and the family
 * and gender violence of legal interest 5: 5.1 "Violencia familiar" and 5.2 "Violencia de género en
 * todas sus modalidades distinta a la violencia familiar". Their place is most often the victim's home,
 * so a point identifies a person.
 */
export const SENSITIVE_CODES = ['3', '5.1', '5.2'] as const;

export interface ClassificationIndex {
  readonly nodes: readonly CatalogueNode[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** One past the last node of each node's subtree. */
  readonly end: Int32Array;
  /** Depth of each node: 1 legal interest … 4 modality. */
  readonly depth: Uint8Array;
  /** ancestorAt[(level − 1) · n + k]: node k's ancestor at level 1–4 (itself when k is at that level or above it). */
  readonly ancestorAt: Int32Array;
  /** 1 for the nodes of {@link SENSITIVE_CODES}' subtrees. */
  readonly sensitive: Uint8Array;
  /** A mask of the nodes in the subtrees of `codes` (unknown codes: undefined, with the first unknown one). */
  mask(codes: readonly string[]): { mask: Uint8Array } | { unknown: string };
}

let shared: ClassificationIndex | undefined;

export function classificationIndex(catalogue: CrimeCatalogue = crimeCatalogue()): ClassificationIndex {
  if (shared && catalogue === crimeCatalogue()) return shared;
  const nodes = catalogue.all();
  const n = nodes.length;
  const indexOf = new Map(nodes.map((node, k) => [node.code, k]));
  const end = new Int32Array(n);
  const depth = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    depth[k] = nodes[k].path.length + 1;
    let e = k + 1;
    const prefix = `${nodes[k].code}.`;
    while (e < n && nodes[e].code.startsWith(prefix)) e++;
    end[k] = e;
  }
  // The catalogue is in pre-order: every descendant lies in the range (checked, since the ranges depend on it).
  for (let k = 0; k < n; k++) {
    const prefix = `${nodes[k].code}.`;
    for (let j = end[k]; j < n; j++)
      if (nodes[j].code.startsWith(prefix)) throw new Error(`catalogue not in pre-order at ${nodes[j].code}`);
  }
  const ancestorAt = new Int32Array(4 * n);
  for (let k = 0; k < n; k++) {
    const chain = [...nodes[k].path.map((p) => indexOf.get(p.code)!), k];
    for (let level = 1; level <= 4; level++) ancestorAt[(level - 1) * n + k] = chain[Math.min(level, chain.length) - 1];
  }
  const sensitive = new Uint8Array(n);
  for (const code of SENSITIVE_CODES) {
    const k = indexOf.get(code);
    if (k === undefined) throw new Error(`sensitive code ${code} not in the catalogue`);
    sensitive.fill(1, k, end[k]);
  }
  const index: ClassificationIndex = {
    nodes,
    indexOf,
    end,
    depth,
    ancestorAt,
    sensitive,
    mask(codes) {
      const mask = new Uint8Array(n);
      for (const code of codes) {
        const k = indexOf.get(code);
        if (k === undefined) return { unknown: code };
        mask.fill(1, k, end[k]);
      }
      return { mask };
    },
  };
  if (catalogue === crimeCatalogue()) shared = index;
  return index;
}
