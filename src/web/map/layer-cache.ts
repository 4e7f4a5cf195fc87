import type { GeoLayerName } from '../api.js';
import { loadGeoLayer, type GeoCollection } from './geo-data.js';

/** Boundary layers are large and never change during a session: download each once per page load. */
const cache = new Map<GeoLayerName, Promise<GeoCollection>>();

export function cachedLayer(name: GeoLayerName): Promise<GeoCollection> {
  let p = cache.get(name);
  if (!p) {
    p = loadGeoLayer(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}
