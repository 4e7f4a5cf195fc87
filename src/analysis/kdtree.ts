/**
 * A static 2-D k-d tree over points, for the neighbour searches of weights.ts and knox.ts.
 *
 * Why a tree and not a uniform bucket grid: crime data mixes dense city centres with sparse
 * outskirts. One bucket size cannot suit both, and a grid sized for the average puts tens of
 * thousands of points in a downtown bucket (quadratic work), while one sized for downtown needs
 * millions of empty buckets. A k-d tree adapts to the local density: O(n log n) to build,
 * O(log n + answer) per query whatever the distribution.
 *
 * Layout: implicit and balanced, no node objects. The tree is a permutation `perm` of the point
 * indices: the range [lo, hi) of `perm` is a node; its median position mid = (lo + hi) >>> 1 holds
 * the splitting point, `axis[mid]` says whether it splits on x (0) or y (1) — the wider side of
 * the node's bounding box, which copes with elongated clusters — the left child is [lo, mid)
 * (coordinates ≤ the split) and the right child [mid + 1, hi) (≥ the split). Ranges of at most
 * {@link LEAF} points are scanned directly.
 */

const LEAF = 8;

/** A built tree; `x` and `y` are the caller's arrays (not copied). */
export interface KdTree {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly perm: Int32Array;
  readonly axis: Uint8Array;
}

/** Builds the tree (O(n log n)). */
export function buildKdTree(x: Float64Array, y: Float64Array): KdTree {
  const n = x.length;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const axis = new Uint8Array(n);
  // Explicit stack of ranges instead of recursion.
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= LEAF) continue;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let q = lo; q < hi; q++) {
      const p = perm[q];
      if (x[p] < minX) minX = x[p];
      if (x[p] > maxX) maxX = x[p];
      if (y[p] < minY) minY = y[p];
      if (y[p] > maxY) maxY = y[p];
    }
    const onY = maxY - minY > maxX - minX ? 1 : 0;
    const mid = (lo + hi) >>> 1;
    select(perm, onY ? y : x, lo, hi - 1, mid);
    axis[mid] = onY;
    stack.push(lo, mid, mid + 1, hi);
  }
  return { x, y, perm, axis };
}

/** Wirth's selection: afterwards perm[k] holds the k-th smallest key of perm[lo … hi], smaller ones (or equal) before, larger (or equal) after. */
function select(perm: Int32Array, key: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const pivot = key[perm[k]];
    let i = lo;
    let j = hi;
    do {
      while (key[perm[i]] < pivot) i++;
      while (pivot < key[perm[j]]) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
}

/** A range search over one tree: `within(qx, qy, r2, found)`. */
export type RangeSearch = (qx: number, qy: number, r2: number, found: (j: number, d2: number) => void) => void;

/**
 * A range search: calls `found(j, d2)` for every point j with squared distance d2 ≤ r2 from
 * (qx, qy), in no particular order. Built once per tree so that a query allocates nothing; the
 * callback must not start another search with the same searcher.
 */
export function rangeSearch(tree: KdTree): RangeSearch {
  const { x, y, perm, axis } = tree;
  let qx = 0;
  let qy = 0;
  let r2 = 0;
  let found: (j: number, d2: number) => void = () => {};
  const visit = (lo: number, hi: number): void => {
    for (;;) {
      if (hi - lo <= LEAF) {
        for (let q = lo; q < hi; q++) {
          const p = perm[q];
          const dx = x[p] - qx;
          const dy = y[p] - qy;
          const d2 = dx * dx + dy * dy;
          if (d2 <= r2) found(p, d2);
        }
        return;
      }
      const mid = (lo + hi) >>> 1;
      const p = perm[mid];
      const dx = x[p] - qx;
      const dy = y[p] - qy;
      const d2 = dx * dx + dy * dy;
      if (d2 <= r2) found(p, d2);
      // diff = query − split coordinate; the left child lies at coordinates ≤ the split.
      const diff = axis[mid] ? -dy : -dx;
      const goLeft = diff <= 0 || diff * diff <= r2;
      const goRight = diff >= 0 || diff * diff <= r2;
      if (goLeft && goRight) {
        visit(lo, mid);
        lo = mid + 1;
      } else if (goLeft) hi = mid;
      else lo = mid + 1;
    }
  };
  return (qxIn, qyIn, r2In, foundIn) => {
    qx = qxIn;
    qy = qyIn;
    r2 = r2In;
    found = foundIn;
    visit(0, x.length);
  };
}

/**
 * A k-nearest search: `search(qx, qy, exclude)` finds the k nearest points other than `exclude`,
 * ties in distance to the lower index, into `idx`/`d2` as a max-heap (d2[0] is the k-th squared
 * distance), and returns how many it found (< k only when the tree has fewer points). Built once
 * per tree and k: a query allocates nothing; `idx` and `d2` are overwritten by the next query.
 */
export function nearestSearch(
  tree: KdTree,
  k: number,
): { search: (qx: number, qy: number, exclude: number) => number; idx: Int32Array; d2: Float64Array } {
  const { x, y, perm, axis } = tree;
  const outIdx = new Int32Array(k);
  const outD2 = new Float64Array(k);
  let size = 0;
  let qx = 0;
  let qy = 0;
  let exclude = -1;
  // (d, j) ranks after (d', j') when farther, or as far with a higher index.
  const consider = (j: number): void => {
    if (j === exclude) return;
    const dx = x[j] - qx;
    const dy = y[j] - qy;
    const d = dx * dx + dy * dy;
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!(d > outD2[parent] || (d === outD2[parent] && j > outIdx[parent]))) break;
        outD2[c] = outD2[parent];
        outIdx[c] = outIdx[parent];
        c = parent;
      }
      outD2[c] = d;
      outIdx[c] = j;
      return;
    }
    if (!(d < outD2[0] || (d === outD2[0] && j < outIdx[0]))) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const m = r < k && (outD2[r] > outD2[l] || (outD2[r] === outD2[l] && outIdx[r] > outIdx[l])) ? r : l;
      if (!(outD2[m] > d || (outD2[m] === d && outIdx[m] > j))) break;
      outD2[c] = outD2[m];
      outIdx[c] = outIdx[m];
      c = m;
    }
    outD2[c] = d;
    outIdx[c] = j;
  };
  const visit = (lo: number, hi: number): void => {
    if (hi - lo <= LEAF) {
      for (let q = lo; q < hi; q++) consider(perm[q]);
      return;
    }
    const mid = (lo + hi) >>> 1;
    const p = perm[mid];
    consider(p);
    const diff = axis[mid] ? qy - y[p] : qx - x[p];
    // Near side first; the far side only if it can hold a point as close as the k-th (ties included).
    if (diff <= 0) {
      visit(lo, mid);
      if (size < k || diff * diff <= outD2[0]) visit(mid + 1, hi);
    } else {
      visit(mid + 1, hi);
      if (size < k || diff * diff <= outD2[0]) visit(lo, mid);
    }
  };
  const search = (qxIn: number, qyIn: number, excludeIn: number): number => {
    qx = qxIn;
    qy = qyIn;
    exclude = excludeIn;
    size = 0;
    visit(0, x.length);
    return size;
  };
  return { search, idx: outIdx, d2: outD2 };
}
