/**
 * Spatial weights of a study region's units (src/analysis/weights.ts does the work): contiguity
 * of hexagons (H3 neighbours: a hexagon's six share an edge, so queen = rook), of grid cells (queen:
 * edges and corners; rook: edges) and of areas (shared borders); a fixed distance band or the k
 * nearest neighbours between unit centres (EPSG:6372 metres).
 */
import { cellToLatLng, gridDisk } from 'h3-js';
import { adjacencyWeights, distanceBandWeights, gridContiguity, knnWeights, type SpatialWeights } from '../weights.js';
import { filterError } from './filter.js';
import { project } from './projection.js';
import type { LatticeInput } from './study.js';

export type WeightsKind = 'queen' | 'rook' | 'distance' | 'knn';

/** Unit centres in EPSG:6372 metres. */
export function latticeCentres(l: LatticeInput): { x: Float64Array; y: Float64Array } {
  if (l.x && l.y) return { x: l.x, y: l.y };
  const n = l.ids.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (l.unit === 'h3') {
      const [lat, lon] = cellToLatLng(l.ids[i]);
      [x[i], y[i]] = project(lon, lat);
    } else {
      const [size, col, row] = l.ids[i].split(':').map(Number);
      x[i] = (col + 0.5) * size;
      y[i] = (row + 0.5) * size;
    }
  }
  return { x, y };
}

export function latticeWeights(l: LatticeInput, kind: WeightsKind = 'queen', distance?: number, k?: number): SpatialWeights {
  if (kind === 'distance') {
    const { x, y } = latticeCentres(l);
    const d = distance ?? (l.cellSize ? l.cellSize * 1.5 : l.resolution ? [2500, 1000, 400, 150][l.resolution - 7] : 1000);
    return distanceBandWeights(x, y, d);
  }
  if (kind === 'knn') {
    const { x, y } = latticeCentres(l);
    const kk = k ?? 8;
    if (kk >= l.ids.length) throw filterError('too_few', 'error.analysis.too_few', 'k', { detail: `k = ${kk}, units = ${l.ids.length}` });
    return knnWeights(x, y, kk);
  }
  if (l.unit === 'grid') {
    const row = new Float64Array(l.ids.length);
    const col = new Float64Array(l.ids.length);
    l.ids.forEach((id, i) => {
      const [, c, r] = id.split(':').map(Number);
      col[i] = c;
      row[i] = r;
    });
    return gridContiguity(row, col, kind);
  }
  if (l.unit === 'h3') {
    const position = new Map(l.ids.map((id, i) => [id, i]));
    return adjacencyWeights(l.ids.map((id) => gridDisk(id, 1).flatMap((c) => (c === id ? [] : position.has(c) ? [position.get(c)!] : []))));
  }
  // Areas: neighbours share a border (TopoJSON arcs); rook and queen agree on polygons that share whole edges.
  return adjacencyWeights(l.adjacency ?? l.ids.map(() => []));
}
