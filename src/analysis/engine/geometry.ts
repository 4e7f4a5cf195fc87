/**
 * Plane and sphere geometry the engine needs on longitude/latitude polygons: areas, point in
 * polygon, the checks of a drawn polygon (closed, at most 1000 vertices, no self-intersection),
 * convex hulls and centroids. Rings are flat `[lon0, lat0, lon1, lat1, …]` arrays, closed (the
 * first point repeated at the end).
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** WGS84 equatorial radius: the authalic-free spherical area of d3-geo / Mapbox geojson-area (within ~0.3 % of the ellipsoid). */
const R = 6378137;
const RAD = Math.PI / 180;

/** A polygon or multipolygon ready for point-in-polygon tests: every ring of every part, and the bounding box. */
export interface PreparedPolygon {
  /** Rings (outer rings and holes of every part), closed, flat lon/lat. */
  readonly rings: readonly Float64Array[];
  /** [west, south, east, north]. */
  readonly bbox: readonly [number, number, number, number];
}

/** Area of a closed ring in m² (absolute; spherical excess as in d3-geo's `geoArea` for small rings). */
export function ringAreaM2(ring: ArrayLike<number>): number {
  let sum = 0;
  const n = ring.length / 2;
  for (let i = 0; i < n - 1; i++) {
    const l1 = ring[2 * i] * RAD;
    const p1 = ring[2 * i + 1] * RAD;
    const l2 = ring[2 * i + 2] * RAD;
    const p2 = ring[2 * i + 3] * RAD;
    sum += (l2 - l1) * (2 + Math.sin(p1) + Math.sin(p2));
  }
  return Math.abs((sum * R * R) / 2);
}

const flat = (ring: readonly Position[]): Float64Array => {
  const out = new Float64Array(ring.length * 2);
  for (let i = 0; i < ring.length; i++) {
    out[2 * i] = ring[i][0];
    out[2 * i + 1] = ring[i][1];
  }
  return out;
};

/** Prepares a GeoJSON Polygon or MultiPolygon. */
export function preparePolygon(g: Polygon | MultiPolygon): PreparedPolygon {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const rings: Float64Array[] = [];
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const poly of polys) {
    for (const ring of poly) {
      const f = flat(ring);
      rings.push(f);
      for (let i = 0; i < f.length; i += 2) {
        if (f[i] < w) w = f[i];
        if (f[i] > e) e = f[i];
        if (f[i + 1] < s) s = f[i + 1];
        if (f[i + 1] > n) n = f[i + 1];
      }
    }
  }
  return { rings, bbox: [w, s, e, n] };
}

/** Area in km² of a Polygon or MultiPolygon: outer rings minus holes. */
export function polygonAreaKm2(g: Polygon | MultiPolygon): number {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let m2 = 0;
  for (const poly of polys) poly.forEach((ring, k) => (m2 += (k === 0 ? 1 : -1) * ringAreaM2(flat(ring))));
  return Math.max(0, m2) / 1e6;
}

/** Whether (lon, lat) is inside (even-odd rule over all rings: holes and separate parts come out right). */
export function pointInPolygon(p: PreparedPolygon, lon: number, lat: number): boolean {
  const [w, s, e, n] = p.bbox;
  if (lon < w || lon > e || lat < s || lat > n) return false;
  let inside = false;
  for (const r of p.rings) {
    const m = r.length;
    for (let i = 0, j = m - 2; i < m; j = i, i += 2) {
      const yi = r[i + 1];
      const yj = r[j + 1];
      if (yi > lat !== yj > lat && lon < ((r[j] - r[i]) * (lat - yi)) / (yj - yi) + r[i]) inside = !inside;
    }
  }
  return inside;
}

/** Area-weighted centroid of a Polygon or MultiPolygon's outer rings (planar in degrees: fine at a city's scale). */
export function polygonCentroid(g: Polygon | MultiPolygon): [number, number] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (const poly of polys) {
    const ring = poly[0];
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i];
      const [x1, y1] = ring[i + 1];
      const c = x0 * y1 - x1 * y0;
      a += c;
      cx += (x0 + x1) * c;
      cy += (y0 + y1) * c;
    }
  }
  if (a === 0) {
    const ring = polys[0][0];
    return [ring[0][0], ring[0][1]];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** Convex hull (Andrew's monotone chain) of points given as flat lon/lat, as a closed ring; null for fewer than 3 distinct points. */
export function convexHull(lon: ArrayLike<number>, lat: ArrayLike<number>, count = lon.length): Position[] | null {
  const idx = Array.from({ length: count }, (_, i) => i).sort((a, b) => lon[a] - lon[b] || lat[a] - lat[b]);
  const cross = (o: number, a: number, b: number) => (lon[a] - lon[o]) * (lat[b] - lat[o]) - (lat[a] - lat[o]) * (lon[b] - lon[o]);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], i) <= 0) lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], i) <= 0) upper.pop();
    upper.push(i);
  }
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  if (hull.length < 3) return null;
  return [...hull, hull[0]].map((i) => [lon[i], lat[i]]);
}

/** Why a drawn polygon was refused (each maps to a message `error.analysis.polygon_<reason>`). */
export type PolygonProblem = 'shape' | 'too_many_vertices' | 'out_of_range' | 'too_few_vertices' | 'self_intersecting' | 'empty';

/** Largest number of vertices of a drawn polygon (all rings). */
export const MAX_POLYGON_VERTICES = 1000;

/**
 * Checks a drawn polygon: a GeoJSON Polygon of closed rings (an open ring is closed here), longitudes and
 * latitudes in range, 3+ distinct vertices per ring, at most {@link MAX_POLYGON_VERTICES} in all,
 * no edge crossing or touching another (within and across rings), a non-zero area.
 */
export function checkDrawnPolygon(value: unknown): { ok: true; polygon: Polygon } | { ok: false; problem: PolygonProblem } {
  const v = value as { type?: unknown; coordinates?: unknown };
  if (!v || typeof v !== 'object' || v.type !== 'Polygon' || !Array.isArray(v.coordinates) || v.coordinates.length === 0)
    return { ok: false, problem: 'shape' };
  const rings: Position[][] = [];
  let vertices = 0;
  for (const raw of v.coordinates as unknown[]) {
    if (!Array.isArray(raw)) return { ok: false, problem: 'shape' };
    const ring: Position[] = [];
    for (const p of raw as unknown[]) {
      if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') return { ok: false, problem: 'shape' };
      const [x, y] = p as number[];
      if (!Number.isFinite(x) || !Number.isFinite(y) || x < -180 || x > 180 || y < -90 || y > 90)
        return { ok: false, problem: 'out_of_range' };
      // Repeated consecutive vertices are not edges.
      const last = ring[ring.length - 1];
      if (!last || last[0] !== x || last[1] !== y) ring.push([x, y]);
    }
    if (ring.length > MAX_POLYGON_VERTICES + 2) return { ok: false, problem: 'too_many_vertices' };
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (ring.length > 1 && (first[0] !== last[0] || first[1] !== last[1])) ring.push([first[0], first[1]]);
    if (ring.length < 4) return { ok: false, problem: 'too_few_vertices' };
    // The closing point repeats the first: not a vertex of its own.
    vertices += ring.length - 1;
    if (vertices > MAX_POLYGON_VERTICES) return { ok: false, problem: 'too_many_vertices' };
    rings.push(ring);
  }
  if (selfIntersects(rings)) return { ok: false, problem: 'self_intersecting' };
  const polygon: Polygon = { type: 'Polygon', coordinates: rings };
  if (!(polygonAreaKm2(polygon) > 0)) return { ok: false, problem: 'empty' };
  return { ok: true, polygon };
}

type Seg = { ax: number; ay: number; bx: number; by: number; ring: number; k: number; n: number };

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
};
const onSegment = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
  Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);

function segmentsMeet(s: Seg, t: Seg): boolean {
  const o1 = orient(s.ax, s.ay, s.bx, s.by, t.ax, t.ay);
  const o2 = orient(s.ax, s.ay, s.bx, s.by, t.bx, t.by);
  const o3 = orient(t.ax, t.ay, t.bx, t.by, s.ax, s.ay);
  const o4 = orient(t.ax, t.ay, t.bx, t.by, s.bx, s.by);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(s.ax, s.ay, s.bx, s.by, t.ax, t.ay)) ||
    (o2 === 0 && onSegment(s.ax, s.ay, s.bx, s.by, t.bx, t.by)) ||
    (o3 === 0 && onSegment(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)) ||
    (o4 === 0 && onSegment(t.ax, t.ay, t.bx, t.by, s.bx, s.by))
  );
}

/** Whether any two edges cross or touch, except consecutive edges of a ring at their shared vertex. O(n²) over ≤ 1000 edges, bbox-pruned. */
function selfIntersects(rings: Position[][]): boolean {
  const segs: Seg[] = [];
  rings.forEach((ring, r) => {
    const n = ring.length - 1;
    for (let k = 0; k < n; k++) segs.push({ ax: ring[k][0], ay: ring[k][1], bx: ring[k + 1][0], by: ring[k + 1][1], ring: r, k, n });
  });
  segs.sort((a, b) => Math.min(a.ax, a.bx) - Math.min(b.ax, b.bx));
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    const sMaxX = Math.max(s.ax, s.bx);
    for (let j = i + 1; j < segs.length; j++) {
      const t = segs[j];
      if (Math.min(t.ax, t.bx) > sMaxX) break;
      if (Math.max(s.ay, s.by) < Math.min(t.ay, t.by) || Math.max(t.ay, t.by) < Math.min(s.ay, s.by)) continue;
      if (s.ring === t.ring) {
        const d = Math.abs(s.k - t.k);
        if (d === 1 || d === s.n - 1) {
          // Neighbours share one vertex V; they still fail when they fold back over each other (collinear, same side of V).
          const sEndsAtV = s.bx === t.ax && s.by === t.ay;
          const [vx, vy] = sEndsAtV ? [s.bx, s.by] : [s.ax, s.ay];
          const [px, py] = sEndsAtV ? [s.ax, s.ay] : [s.bx, s.by];
          const [qx, qy] = sEndsAtV ? [t.bx, t.by] : [t.ax, t.ay];
          if (orient(px, py, vx, vy, qx, qy) === 0 && (px - vx) * (qx - vx) + (py - vy) * (qy - vy) > 0) return true;
          continue;
        }
      }
      if (segmentsMeet(s, t)) return true;
    }
  }
  return false;
}
