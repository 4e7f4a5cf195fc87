/**
 * Exact point-in-polygon location over one polygon layer, with a uniform grid.
 *
 * ## Semantics (shared by the index and {@link bruteForceLocate})
 *
 * A query point is snapped to a fine integer grid (the layer's TopoJSON grid subdivided 2^k
 * times: ≈ 10 cm for the national layer, a few millimetres for the CDMX layers — see
 * {@link PreparedPolygons.fineFactor}); polygon vertices lie on that grid too. Inside-ness is
 * even-odd ray casting to +x (the classic PNPOLY rule: an edge counts when it straddles the
 * ray's y half-open, `(ay > py) !== (by > py)`, and the point is strictly left of it), evaluated
 * with exact integer arithmetic (every product is an exact double, see `MAX_FINE_RANGE`). This
 * rule is equivalent to testing the symbolically perturbed point (px + ε, py + δ), 0 < δ ≪ ε,
 * which never lies on an edge; that is what makes the grid shortcut below provably give the
 * brute-force answer, points on edges and vertices included.
 *
 * Each polygon part (of a Polygon or MultiPolygon) is tested on its own rings (so holes work and
 * overlapping parts of one feature do not cancel); a feature contains the point when any of its
 * parts does. When several features contain the point (overlapping polygons, e.g. the ~10
 * housing units ("U HAB") drawn on top of their surrounding colonia), the answer is the feature
 * with the smallest area — the most specific one — ties going to the lower feature index.
 *
 * ## Index
 *
 * A uniform grid over the layer's bounding box. For every cell the sweep below computes the
 * inside/outside status of each polygon part at the cell's bottom-right corner C = (X1, Y0):
 * - cells that no edge touches have a constant answer, stored directly in the cell;
 * - other cells store, per candidate part (parts with an edge touching the closed cell, plus parts
 *   containing the whole cell), the status at C and copies of the part's edges touching the cell.
 *   A query P counts the crossings of the path P → (X1, py) → C with those edges only: each
 *   crossing flips the status (parity), giving the status at P. Candidates are stored by
 *   increasing feature area, so the first one found to contain P is the answer.
 * The corner statuses come from a right-to-left sweep of each grid row: left of the grid's right
 * edge everything is outside, and moving from one corner to the next flips the parts whose edges
 * (all in the cell between them) cross the bottom side of that cell.
 */
import type { GeoLayer } from './geo-data.js';

/** A layer's polygons converted to the fine integer grid, shared by the index and brute force. */
export interface PreparedPolygons {
  readonly layerName: string;
  readonly featureCount: number;
  /** Fine grid: `x = round((lon - originLon) * unitsPerDegreeX)`, same for y. */
  readonly originLon: number;
  readonly originLat: number;
  readonly unitsPerDegreeX: number;
  readonly unitsPerDegreeY: number;
  /** Fine units per TopoJSON grid unit (2^k). */
  readonly fineFactor: number;
  /** Per part: feature index. */
  readonly partFeature: Int32Array;
  /** Per part: `[minX, minY, maxX, maxY]` in fine units. */
  readonly partBBox: Int32Array;
  /** Per part: first ring index; part p owns rings `partRingStart[p] .. partRingStart[p + 1] - 1`. */
  readonly partRingStart: Int32Array;
  /** Per ring: first point index; ring r owns points `ringStart[r] .. ringStart[r + 1] - 1` (closed). */
  readonly ringStart: Int32Array;
  /** Points, `[x0, y0, x1, y1, …]` in fine units. */
  readonly coords: Int32Array;
  /** Per feature: preference order among overlapping features (0 = smallest area). */
  readonly featureRank: Int32Array;
  /** Bounding box of all parts in fine units. */
  readonly bbox: readonly [number, number, number, number];
}

/** Size and timing figures of a built index. */
export interface SpatialIndexStats {
  /** Grid origin and cell size in fine units (see {@link PreparedPolygons}). */
  readonly originX: number;
  readonly originY: number;
  readonly cellWidthUnits: number;
  readonly cellHeightUnits: number;
  readonly columns: number;
  readonly rows: number;
  readonly cellWidthMetres: number;
  readonly cellHeightMetres: number;
  readonly boundaryCells: number;
  readonly entries: number;
  readonly edgeRefs: number;
  /** Bytes of the typed arrays of the grid (not counting the prepared polygons). */
  readonly bytes: number;
  readonly buildMs: number;
}

/** Exact point location over one layer. */
export interface SpatialIndex {
  readonly polygons: PreparedPolygons;
  readonly stats: SpatialIndexStats;
  /** Index of the feature containing (lon, lat) — the smallest one if several — or -1. NaN gives -1. */
  find(lon: number, lat: number): number;
  /**
   * Feature accepted by `accept` nearest to (lon, lat) within `maxMetres` (the containing feature
   * if accepted), or -1. Distances are approximate (equirectangular metres); meant for border
   * fallbacks, not exact.
   */
  nearest(lon: number, lat: number, maxMetres: number, accept: (feature: number) => boolean): number;
}

/** Tuning of {@link buildSpatialIndex}. */
export interface SpatialIndexOptions {
  /** Approximate number of grid cells; default 4 per polygon edge, within [2^14, 2^22]. */
  readonly targetCells?: number;
}

// Exactness budget: polygon extents ≤ 2^25 fine units, and the grid overhangs them by at most
// one cell (≤ the extent), so edge deltas ≤ 2^25 and point–vertex deltas ≤ 2^26 + 2: every
// orientation product is an integer < 2^52, exact in a double, and the sign of a difference of
// two exact products is exact.
const MAX_FINE_RANGE = 2 ** 25;

/** Converts a layer to the fine grid used by {@link buildSpatialIndex} and {@link bruteForceLocate}. */
export function preparePolygons<F>(layer: GeoLayer<F>): PreparedPolygons {
  const shapes = layer.shapes;
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const s of shapes) {
    [minX, minY] = [Math.min(minX, s.gridBBox[0]), Math.min(minY, s.gridBBox[1])];
    [maxX, maxY] = [Math.max(maxX, s.gridBBox[2]), Math.max(maxY, s.gridBBox[3])];
  }
  const extent = Math.max(1, maxX - minX, maxY - minY);
  const magnitude = Math.max(1, Math.abs(minX), Math.abs(minY), Math.abs(maxX), Math.abs(maxY));
  if (extent > MAX_FINE_RANGE || magnitude >= 2 ** 30) throw new Error(`layer ${layer.name}: grid too large for exact arithmetic`);
  let shift = 0;
  // Fine coordinates must also fit an Int32Array.
  while (extent * 2 ** (shift + 1) <= MAX_FINE_RANGE && magnitude * 2 ** (shift + 1) < 2 ** 30 && shift < 12) shift++;
  const factor = 2 ** shift;

  let partCount = 0;
  let ringCount = 0;
  let pointCount = 0;
  for (const s of shapes)
    for (const part of s.parts) {
      partCount++;
      for (const ring of part) {
        ringCount++;
        pointCount += ring.length / 2;
      }
    }
  const partFeature = new Int32Array(partCount);
  const partBBox = new Int32Array(partCount * 4);
  const partRingStart = new Int32Array(partCount + 1);
  const ringStart = new Int32Array(ringCount + 1);
  const coords = new Int32Array(pointCount * 2);
  let p = 0;
  let r = 0;
  let o = 0;
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  shapes.forEach((shape, feature) => {
    for (const part of shape.parts) {
      partFeature[p] = feature;
      partRingStart[p] = r;
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (const ring of part) {
        ringStart[r++] = o / 2;
        for (let i = 0; i < ring.length; i += 2) {
          const x = ring[i] * factor;
          const y = ring[i + 1] * factor;
          coords[o++] = x;
          coords[o++] = y;
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
      }
      partBBox.set([minX, minY, maxX, maxY], p * 4);
      bbox[0] = Math.min(bbox[0], minX);
      bbox[1] = Math.min(bbox[1], minY);
      bbox[2] = Math.max(bbox[2], maxX);
      bbox[3] = Math.max(bbox[3], maxY);
      p++;
    }
  });
  partRingStart[partCount] = ringCount;
  ringStart[ringCount] = pointCount;

  const byArea = shapes.map((_, i) => i).sort((a, b) => shapes[a].areaKm2 - shapes[b].areaKm2 || a - b);
  const featureRank = new Int32Array(shapes.length);
  byArea.forEach((feature, rank) => (featureRank[feature] = rank));

  return {
    layerName: layer.name,
    featureCount: shapes.length,
    originLon: layer.transform.translate[0],
    originLat: layer.transform.translate[1],
    unitsPerDegreeX: factor / layer.transform.scale[0],
    unitsPerDegreeY: factor / layer.transform.scale[1],
    fineFactor: factor,
    partFeature,
    partBBox,
    partRingStart,
    ringStart,
    coords,
    featureRank,
    bbox,
  };
}

/**
 * Reference implementation: even-odd ray casting over every polygon of the layer (bounding-box
 * pre-check only). Same semantics and same answer as {@link SpatialIndex.find}, for tests and
 * benchmarks.
 */
export function bruteForceLocate(target: SpatialIndex | PreparedPolygons, lon: number, lat: number): number {
  const poly = 'polygons' in target ? target.polygons : target;
  const px = Math.round((lon - poly.originLon) * poly.unitsPerDegreeX);
  const py = Math.round((lat - poly.originLat) * poly.unitsPerDegreeY);
  if (!(px >= poly.bbox[0] && px <= poly.bbox[2] && py >= poly.bbox[1] && py <= poly.bbox[3])) return -1;
  const { partBBox, partRingStart, ringStart, coords, partFeature, featureRank } = poly;
  let best = -1;
  for (let part = 0; part < partFeature.length; part++) {
    const b = part * 4;
    if (px < partBBox[b] || px > partBBox[b + 2] || py < partBBox[b + 1] || py > partBBox[b + 3]) continue;
    let inside = false;
    for (let ring = partRingStart[part]; ring < partRingStart[part + 1]; ring++) {
      const end = ringStart[ring + 1] * 2 - 2;
      for (let i = ringStart[ring] * 2; i < end; i += 2) {
        const ay = coords[i + 1];
        const by = coords[i + 3];
        if (ay > py === by > py) continue;
        const ax = coords[i];
        const bx = coords[i + 2];
        // Orientation of P against the edge directed upwards; > 0 means P is strictly left.
        const o = by > ay ? (bx - ax) * (py - ay) - (by - ay) * (px - ax) : (ax - bx) * (py - by) - (ay - by) * (px - bx);
        if (o > 0) inside = !inside;
      }
    }
    if (inside) {
      const feature = partFeature[part];
      if (best < 0 || featureRank[feature] < featureRank[best]) best = feature;
    }
  }
  return best;
}

/** Growable Int32 buffer for the build. */
function growable(initial: number): { data: Int32Array; length: number; push(v: number): void } {
  const buffer = {
    data: new Int32Array(Math.max(16, initial)),
    length: 0,
    push(v: number): void {
      if (buffer.length === buffer.data.length) {
        const next = new Int32Array(buffer.data.length * 2);
        next.set(buffer.data);
        buffer.data = next;
      }
      buffer.data[buffer.length++] = v;
    },
  };
  return buffer;
}

const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LON_EQUATOR = 111_320;

/** Builds the grid index of a layer (see the module comment). */
export function buildSpatialIndex<F>(layer: GeoLayer<F>, options: SpatialIndexOptions = {}): SpatialIndex {
  const started = performance.now();
  const poly = preparePolygons(layer);
  const { partFeature, partRingStart, ringStart, coords, featureRank } = poly;
  const partCount = partFeature.length;

  // --- grid geometry: roughly square cells in metres
  const midLat = ((poly.bbox[1] + poly.bbox[3]) / 2 / poly.unitsPerDegreeY + poly.originLat) * (Math.PI / 180);
  const metresPerUnitX = (METRES_PER_DEGREE_LON_EQUATOR * Math.cos(midLat)) / poly.unitsPerDegreeX;
  const metresPerUnitY = METRES_PER_DEGREE_LAT / poly.unitsPerDegreeY;
  const edgeCount = coords.length / 2 - ringStart.length + 1;
  const targetCells = options.targetCells ?? Math.min(2 ** 22, Math.max(2 ** 14, edgeCount * 4));
  const widthMetres = (poly.bbox[2] - poly.bbox[0] + 1) * metresPerUnitX;
  const heightMetres = (poly.bbox[3] - poly.bbox[1] + 1) * metresPerUnitY;
  const cellMetres = Math.sqrt((widthMetres * heightMetres) / targetCells);
  const cw = Math.max(1, Math.min(poly.bbox[2] - poly.bbox[0] + 1, Math.round(cellMetres / metresPerUnitX)));
  const ch = Math.max(1, Math.min(poly.bbox[3] - poly.bbox[1] + 1, Math.round(cellMetres / metresPerUnitY)));
  const gx0 = poly.bbox[0];
  const gy0 = poly.bbox[1];
  const nx = Math.floor((poly.bbox[2] - gx0) / cw) + 1;
  const ny = Math.floor((poly.bbox[3] - gy0) / ch) + 1;
  const cellCount = nx * ny;

  // --- parts in preference order (smallest feature first), so that each cell's list is sorted
  const partOrder = Array.from({ length: partCount }, (_, i) => i).sort(
    (a, b) => featureRank[partFeature[a]] - featureRank[partFeature[b]] || a - b,
  );
  const partRank = new Int32Array(partCount);
  partOrder.forEach((part, rank) => (partRank[part] = rank));

  // --- edge/cell incidences: every edge in every cell whose closed rectangle it touches
  const incCell = growable(edgeCount * 2);
  const incEdge = growable(edgeCount * 2); // point index of the edge's first point
  const incPart = growable(edgeCount * 2);
  for (const part of partOrder) {
    for (let ring = partRingStart[part]; ring < partRingStart[part + 1]; ring++) {
      const end = ringStart[ring + 1] - 1;
      for (let i = ringStart[ring]; i < end; i++) {
        const ax = coords[2 * i];
        const ay = coords[2 * i + 1];
        const bx = coords[2 * i + 2];
        const by = coords[2 * i + 3];
        if (ax === bx && ay === by) continue; // zero-length edges never cross anything
        const minX = ax < bx ? ax : bx;
        const maxX = ax < bx ? bx : ax;
        const minY = ay < by ? ay : by;
        const maxY = ay < by ? by : ay;
        const c0 = Math.max(0, Math.ceil((minX - gx0) / cw) - 1);
        const c1 = Math.min(nx - 1, Math.floor((maxX - gx0) / cw));
        const r0 = Math.max(0, Math.ceil((minY - gy0) / ch) - 1);
        const r1 = Math.min(ny - 1, Math.floor((maxY - gy0) / ch));
        const single = c0 === c1 && r0 === r1;
        const dx = bx - ax;
        const dy = by - ay;
        for (let cy = r0; cy <= r1; cy++) {
          const y0 = gy0 + cy * ch - ay;
          const y1 = y0 + ch;
          for (let cx = c0; cx <= c1; cx++) {
            if (!single) {
              // The segment misses the closed rectangle iff all four corners lie strictly on one side of its line.
              const x0 = gx0 + cx * cw - ax;
              const x1 = x0 + cw;
              const s00 = dx * y0 - dy * x0;
              const s10 = dx * y0 - dy * x1;
              const s01 = dx * y1 - dy * x0;
              const s11 = dx * y1 - dy * x1;
              if ((s00 > 0 && s10 > 0 && s01 > 0 && s11 > 0) || (s00 < 0 && s10 < 0 && s01 < 0 && s11 < 0)) continue;
            }
            incCell.push(cy * nx + cx);
            incEdge.push(i);
            incPart.push(part);
          }
        }
      }
    }
  }

  // --- stable counting sort of incidences by cell (keeps the part order inside each cell)
  const incCount = incCell.length;
  const cellStart = new Int32Array(cellCount + 1);
  for (let k = 0; k < incCount; k++) cellStart[incCell.data[k] + 1]++;
  for (let c = 0; c < cellCount; c++) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, cellCount);
  const sortedEdge = new Int32Array(incCount);
  const sortedPart = new Int32Array(incCount);
  for (let k = 0; k < incCount; k++) {
    const at = fill[incCell.data[k]]++;
    sortedEdge[at] = incEdge.data[k];
    sortedPart[at] = incPart.data[k];
  }

  // --- row sweeps
  const cellValue = new Int32Array(cellCount);
  const boundaryStart = growable(1024); // per boundary cell: first entry
  const entryFeature = growable(4096);
  const entryParity = growable(4096);
  const entryEdgeStart = growable(4096); // per entry: first edge (index into edgeData / 4)
  const edgeData = growable(incCount * 4 + 16);
  const parity = new Uint8Array(partCount);
  const active: number[] = []; // parts containing the current corner
  const stamp = new Int32Array(partCount).fill(-1);
  const cellParts: number[] = [];
  const cellPartFirst: number[] = [];

  const toggle = (part: number): void => {
    parity[part] ^= 1;
    if (parity[part]) active.push(part);
    else active.splice(active.indexOf(part), 1);
  };

  for (let cy = 0; cy < ny; cy++) {
    for (const part of active) parity[part] = 0;
    active.length = 0;
    const Y0 = gy0 + cy * ch;
    for (let cx = nx - 1; cx >= 0; cx--) {
      const c = cy * nx + cx;
      const s = cellStart[c];
      const e = cellStart[c + 1];
      if (s === e) {
        let best = -1;
        for (const part of active) if (best < 0 || partRank[part] < partRank[best]) best = part;
        cellValue[c] = best < 0 ? -1 : partFeature[best];
        continue;
      }
      cellValue[c] = -2 - boundaryStart.length;
      boundaryStart.push(entryFeature.length);

      // Candidate parts: runs of incidences (already in rank order) plus active parts without edges here.
      cellParts.length = 0;
      cellPartFirst.length = 0;
      for (let k = s; k < e; k++) {
        const part = sortedPart[k];
        if (stamp[part] !== c) {
          stamp[part] = c;
          cellParts.push(part);
          cellPartFirst.push(k);
        }
      }
      for (const part of active)
        if (stamp[part] !== c) {
          cellParts.push(part);
          cellPartFirst.push(-1);
        }
      // Insertion sort by rank (lists are tiny and mostly sorted already).
      for (let i = 1; i < cellParts.length; i++) {
        const part = cellParts[i];
        const first = cellPartFirst[i];
        let j = i - 1;
        while (j >= 0 && partRank[cellParts[j]] > partRank[part]) {
          cellParts[j + 1] = cellParts[j];
          cellPartFirst[j + 1] = cellPartFirst[j];
          j--;
        }
        cellParts[j + 1] = part;
        cellPartFirst[j + 1] = first;
      }
      for (let i = 0; i < cellParts.length; i++) {
        const part = cellParts[i];
        entryFeature.push(partFeature[part]);
        entryParity.push(parity[part]);
        entryEdgeStart.push(edgeData.length / 4);
        const first = cellPartFirst[i];
        if (first < 0) continue;
        for (let k = first; k < e && sortedPart[k] === part; k++) {
          const pt = sortedEdge[k] * 2;
          edgeData.push(coords[pt]);
          edgeData.push(coords[pt + 1]);
          edgeData.push(coords[pt + 2]);
          edgeData.push(coords[pt + 3]);
        }
      }

      // Move the corner from (X1, Y0) to (X0, Y0): flip parts whose edges cross the cell's bottom side.
      const X1 = gx0 + (cx + 1) * cw;
      const X0 = X1 - cw;
      for (let k = s; k < e; k++) {
        const pt = sortedEdge[k] * 2;
        const ay = coords[pt + 1];
        const by = coords[pt + 3];
        if (ay > Y0 === by > Y0) continue;
        const ax = coords[pt];
        const bx = coords[pt + 2];
        let o0: number;
        let o1: number;
        if (by > ay) {
          const t = (bx - ax) * (Y0 - ay);
          o0 = t - (by - ay) * (X0 - ax);
          o1 = t - (by - ay) * (X1 - ax);
        } else {
          const t = (ax - bx) * (Y0 - by);
          o0 = t - (ay - by) * (X0 - bx);
          o1 = t - (ay - by) * (X1 - bx);
        }
        if (o0 > 0 !== o1 > 0) toggle(sortedPart[k]);
      }
    }
  }
  boundaryStart.push(entryFeature.length);
  entryEdgeStart.push(edgeData.length / 4);

  const bStart = boundaryStart.data.slice(0, boundaryStart.length);
  const eFeature = entryFeature.data.slice(0, entryFeature.length);
  const eParity = Uint8Array.from(entryParity.data.subarray(0, entryParity.length));
  const eEdgeStart = entryEdgeStart.data.slice(0, entryEdgeStart.length);
  const edges = edgeData.data.slice(0, edgeData.length);
  const { originLon, originLat, unitsPerDegreeX, unitsPerDegreeY } = poly;

  const find = (lon: number, lat: number): number => {
    const px = Math.round((lon - originLon) * unitsPerDegreeX);
    const py = Math.round((lat - originLat) * unitsPerDegreeY);
    const fx = (px - gx0) / cw;
    const fy = (py - gy0) / ch;
    if (!(fx >= 0 && fx < nx && fy >= 0 && fy < ny)) return -1; // also rejects NaN
    const cx = Math.floor(fx);
    const cy = Math.floor(fy);
    const v = cellValue[cy * nx + cx];
    if (v > -2) return v;
    const b = -2 - v;
    const X1 = gx0 + (cx + 1) * cw;
    const Y0 = gy0 + cy * ch;
    const entryEnd = bStart[b + 1];
    for (let entry = bStart[b]; entry < entryEnd; entry++) {
      let inside = eParity[entry];
      const end = eEdgeStart[entry + 1] * 4;
      for (let k = eEdgeStart[entry] * 4; k < end; k += 4) {
        const ax = edges[k];
        const ay = edges[k + 1];
        const bx = edges[k + 2];
        const by = edges[k + 3];
        // Horizontal leg P → (X1, py): crossing iff P and (X1, py) are on different sides.
        if (ay > py !== by > py) {
          let o0: number;
          let o1: number;
          if (by > ay) {
            const t = (bx - ax) * (py - ay);
            o0 = t - (by - ay) * (px - ax);
            o1 = t - (by - ay) * (X1 - ax);
          } else {
            const t = (ax - bx) * (py - by);
            o0 = t - (ay - by) * (px - bx);
            o1 = t - (ay - by) * (X1 - bx);
          }
          if (o0 > 0 !== o1 > 0) inside ^= 1;
        }
        // Vertical leg (X1 + ε, py + δ) → (X1 + ε, Y0 + δ): the edge must span x = X1 + ε.
        if (ax > X1 !== bx > X1) {
          let dx: number;
          let dy: number;
          let base: number;
          let ly: number;
          if (bx > ax) {
            dx = bx - ax;
            dy = by - ay;
            base = dy * (X1 - ax);
            ly = ay;
          } else {
            dx = ax - bx;
            dy = ay - by;
            base = dy * (X1 - bx);
            ly = by;
          }
          // Above the left-to-right edge iff orientation > 0; on the line, δ ≪ ε decides by slope.
          const oP = dx * (py - ly) - base;
          const oC = dx * (Y0 - ly) - base;
          const aboveP = oP > 0 || (oP === 0 && dy <= 0);
          const aboveC = oC > 0 || (oC === 0 && dy <= 0);
          if (aboveP !== aboveC) inside ^= 1;
        }
      }
      if (inside) return eFeature[entry];
    }
    return -1;
  };

  const nearest = (lon: number, lat: number, maxMetres: number, accept: (feature: number) => boolean): number => {
    const containing = find(lon, lat);
    if (containing >= 0 && accept(containing)) return containing;
    const px = Math.round((lon - originLon) * unitsPerDegreeX);
    const py = Math.round((lat - originLat) * unitsPerDegreeY);
    if (!Number.isFinite(px) || !Number.isFinite(py)) return -1;
    const mx = (METRES_PER_DEGREE_LON_EQUATOR * Math.cos(lat * (Math.PI / 180))) / unitsPerDegreeX;
    const my = METRES_PER_DEGREE_LAT / unitsPerDegreeY;
    const ccx = Math.floor((px - gx0) / cw);
    const ccy = Math.floor((py - gy0) / ch);
    const step = Math.min(cw * mx, ch * my);
    let best = -1;
    let bestD2 = maxMetres * maxMetres;
    const consider = (feature: number, d2: number): void => {
      if (d2 > bestD2) return;
      if (d2 === bestD2 && best >= 0 && featureRank[feature] >= featureRank[best]) return;
      if (!accept(feature)) return;
      best = feature;
      bestD2 = d2;
    };
    const rectD2 = (cx: number, cy: number): number => {
      const x0 = gx0 + cx * cw;
      const y0 = gy0 + cy * ch;
      const ddx = px < x0 ? x0 - px : px > x0 + cw ? px - x0 - cw : 0;
      const ddy = py < y0 ? y0 - py : py > y0 + ch ? py - y0 - ch : 0;
      return (ddx * mx) ** 2 + (ddy * my) ** 2;
    };
    const maxRing = Math.ceil(maxMetres / step) + 1;
    for (let ring = 0; ring <= maxRing; ring++) {
      if (best >= 0 && (ring - 1) * step > Math.sqrt(bestD2)) break;
      for (let cy = ccy - ring; cy <= ccy + ring; cy++) {
        if (cy < 0 || cy >= ny) continue;
        const edgeRow = cy === ccy - ring || cy === ccy + ring;
        for (let cx = ccx - ring; cx <= ccx + ring; cx += edgeRow || ring === 0 ? 1 : 2 * ring) {
          if (cx < 0 || cx >= nx) continue;
          const v = cellValue[cy * nx + cx];
          if (v === -1) continue;
          if (v >= 0) {
            consider(v, rectD2(cx, cy));
            continue;
          }
          const b = -2 - v;
          for (let entry = bStart[b]; entry < bStart[b + 1]; entry++) {
            const feature = eFeature[entry];
            const start = eEdgeStart[entry] * 4;
            const end = eEdgeStart[entry + 1] * 4;
            if (start === end) {
              consider(feature, rectD2(cx, cy));
              continue;
            }
            for (let k = start; k < end; k += 4) {
              // Distance from P to the segment, in metres.
              const ax = (edges[k] - px) * mx;
              const ay = (edges[k + 1] - py) * my;
              const bx = (edges[k + 2] - px) * mx;
              const by = (edges[k + 3] - py) * my;
              const sx = bx - ax;
              const sy = by - ay;
              const len2 = sx * sx + sy * sy;
              const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * sx + ay * sy) / len2)) : 0;
              const qx = ax + t * sx;
              const qy = ay + t * sy;
              consider(feature, qx * qx + qy * qy);
            }
          }
        }
      }
    }
    return best;
  };

  const bytes =
    cellValue.byteLength + bStart.byteLength + eFeature.byteLength + eParity.byteLength + eEdgeStart.byteLength + edges.byteLength;
  return {
    polygons: poly,
    find,
    nearest,
    stats: {
      originX: gx0,
      originY: gy0,
      cellWidthUnits: cw,
      cellHeightUnits: ch,
      columns: nx,
      rows: ny,
      cellWidthMetres: cw * metresPerUnitX,
      cellHeightMetres: ch * metresPerUnitY,
      boundaryCells: bStart.length - 1,
      entries: eFeature.length,
      edgeRefs: edges.length / 4,
      bytes,
      buildMs: performance.now() - started,
    },
  };
}
