/**
 * GeoJSON and JSON answers written as text: geometry text is built once per unit and reused, and a
 * FeatureCollection of 20,000 hexagons is a join of strings — several times faster than building
 * objects and serialising them, and done in the worker, off the request thread. The fields written
 * are exactly the contract's (see analysis.schemas.ts; the API tests parse every answer with it).
 */
import type { UnitCounts, UnitInfo } from './units.js';

/** A finite number rounded to `digits` decimals, or null. */
export const num = (v: number | null | undefined, digits = 4): number | null => {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

const j = JSON.stringify;

export interface UnitFeatureOptions {
  /** Extra properties per feature (already JSON, without braces, starting with a comma), by position. */
  readonly extra?: (position: number) => string;
  /** Counts below this are published as null with `suppressed: true` (public map); 0 = none. */
  readonly minCount?: number;
}

export interface UnitCollectionMeta {
  total: number;
  unit: string;
  resolution: number | null;
  cellSize: number | null;
  areaKm2: number;
  /** Public map: how many units were suppressed. */
  suppressed?: number;
}

/**
 * The FeatureCollection of units with their counts: `id`, polygon, and properties `{ id, name,
 * count, ratePer1000, perKm2 }` (+ extras). Units without a boundary are left out.
 */
export function unitFeatureCollection(
  units: UnitCounts,
  info: UnitInfo,
  meta: Omit<UnitCollectionMeta, 'total' | 'areaKm2' | 'suppressed'> & { areaKm2?: number },
  options: UnitFeatureOptions = {},
): { text: string; meta: UnitCollectionMeta } {
  const parts: string[] = [];
  let total = 0;
  let area = 0;
  let suppressed = 0;
  const min = options.minCount ?? 0;
  for (let p = 0; p < units.keys.length; p++) {
    const key = units.keys[p];
    const geometry = info.geometryJson(key);
    if (geometry === null) continue;
    const id = info.id(key);
    const count = units.counts[p];
    const areaKm2 = info.areaKm2(key);
    area += areaKm2;
    const hidden = count > 0 && count < min;
    let props: string;
    if (hidden) {
      suppressed++;
      props = `"id":${j(id)},"name":${j(info.name(key))},"count":null,"ratePer1000":null,"perKm2":null,"suppressed":true`;
    } else {
      total += count;
      const population = info.population(key);
      const rate = population ? num((count / population) * 1000) : null;
      const density = areaKm2 > 0 ? num(count / areaKm2, 3) : null;
      props = `"id":${j(id)},"name":${j(info.name(key))},"count":${count},"ratePer1000":${j(rate)},"perKm2":${j(density)}`;
      if (min > 0) props += ',"suppressed":false';
    }
    parts.push(`{"type":"Feature","id":${j(id)},"geometry":${geometry},"properties":{${props}${options.extra ? options.extra(p) : ''}}}`);
  }
  const fullMeta: UnitCollectionMeta = {
    total,
    unit: meta.unit,
    resolution: meta.resolution,
    cellSize: meta.cellSize,
    areaKm2: num(meta.areaKm2 ?? area, 3) ?? 0,
    ...(min > 0 ? { suppressed } : {}),
  };
  return { text: `{"type":"FeatureCollection","features":[${parts.join(',')}],"meta":${j(fullMeta)}}`, meta: fullMeta };
}

/** A FeatureCollection of points: `[lon, lat]` and the given properties (JSON without braces). */
export function pointCollection(count: number, point: (k: number) => { lon: number; lat: number; props: string }, meta: object): string {
  const parts = new Array<string>(count);
  for (let k = 0; k < count; k++) {
    const p = point(k);
    parts[k] = `{"type":"Feature","geometry":{"type":"Point","coordinates":[${p.lon},${p.lat}]},"properties":{${p.props}}}`;
  }
  return `{"type":"FeatureCollection","features":[${parts.join(',')}],"meta":${j(meta)}}`;
}
