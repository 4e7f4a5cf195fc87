import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { getGeoLayer, type GeoLayerName } from '../api.js';

export type GeoProps = { code: string; name: string; parentName?: string; [k: string]: unknown };
export type GeoCollection = FeatureCollection<Geometry, GeoProps>;

export const EMPTY: GeoCollection = { type: 'FeatureCollection', features: [] };

/** A boundary layer from the API: a TopoJSON topology whose first object holds the features. */
export async function loadGeoLayer(name: GeoLayerName, signal?: AbortSignal): Promise<GeoCollection> {
  const topology = await getGeoLayer<Topology>(name, signal);
  const key = Object.keys(topology.objects)[0];
  if (!key) return EMPTY;
  const object = topology.objects[key] as GeometryCollection<GeoProps>;
  const out = feature(topology, object) as FeatureCollection<Geometry, GeoProps> | Feature<Geometry, GeoProps>;
  const features = out.type === 'FeatureCollection' ? out.features : [out];
  // Feature state (hover, selection) is keyed by `code`; make sure it is a string.
  for (const f of features) {
    if (f.properties && f.properties.code !== undefined) f.properties.code = String(f.properties.code);
  }
  return { type: 'FeatureCollection', features };
}
