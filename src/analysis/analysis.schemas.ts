/**
 * The analysis API's shapes (the contract, ANALYSIS-CONTRACT: filters, the eight endpoints and the
 * public map). Queries and bodies are validated here on the request thread; the answers are written
 * by the workers as JSON text (engine/geojson.ts) and these response schemas document them in
 * /api/openapi.json — the API tests parse every answer with them (test/api/analysis.test.ts).
 */
import { z } from 'zod';

const code = /\d{1,2}(\.\d{1,2}){0,3}/.source;
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** The filters of every question (query string; the same names in POST bodies). */
export const filterShape = {
  /** SESNSP codes at any level, comma separated; a code matches its subtree. */
  classification: z
    .string()
    .max(400)
    .regex(new RegExp(`^${code}(,${code})*$`), 'SESNSP codes, e.g. 4.1,1.1.1')
    .optional(),
  from: date.optional(),
  to: date.optional(),
  /** Hours 0–23 and ranges, `0-5,22-23` (a range may wrap past midnight: `22-3`). */
  hours: z
    .string()
    .max(200)
    .regex(/^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$/, 'hours, e.g. 0-5,22-23')
    .optional(),
  /** ISO weekdays 1 (Monday) … 7, comma separated. */
  weekdays: z
    .string()
    .max(20)
    .regex(/^[1-7](,[1-7])*$/, 'weekdays 1-7, e.g. 1,2,3')
    .optional(),
  /** `state:09` | `municipality:09015` | `colonia:<id>` | `quadrant:<id>`. */
  area: z
    .string()
    .max(60)
    .regex(/^(state|municipality|colonia|quadrant):[\w.-]{1,40}$/, 'state:09, municipality:09015, colonia:<id> or quadrant:<id>')
    .optional(),
};

/** A drawn GeoJSON Polygon (POST); its deeper checks (closed, ≤ 1000 vertices, no self-intersection) run in the engine. */
export const polygonSchema = z.object({
  type: z.literal('Polygon'),
  coordinates: z
    .array(z.array(z.array(z.number()).min(2).max(3)).max(1100))
    .min(1)
    .max(20),
});

/** GET: the polygon as JSON text. */
export const filterQuery = z.strictObject({ ...filterShape, polygon: z.string().max(120_000).optional() });

const unitShape = {
  unit: z.enum(['h3', 'grid', 'colonia', 'quadrant', 'municipality', 'state']),
  resolution: z.coerce.number().int().min(7).max(10).optional(),
  cellSize: z.coerce.number().int().min(50).max(5000).optional(),
};

export const aggregateQuery = filterQuery.extend(unitShape);
export const publicAggregateQuery = filterQuery.extend({
  unit: z.enum(['h3', 'colonia', 'quadrant', 'municipality']),
  resolution: z.coerce.number().int().min(7).max(9).optional(),
});
export const pointsQuery = filterQuery.extend({ limit: z.coerce.number().int().min(1).max(50_000).default(10_000) });
export const publicPointsQuery = filterQuery.extend({ limit: z.coerce.number().int().min(1).max(50_000).default(5_000) });
export const timeseriesQuery = filterQuery.extend({ interval: z.enum(['day', 'week', 'month']).default('month') });
export const breakdownQuery = filterQuery.extend({ level: z.coerce.number().int().min(1).max(4).default(2) });
export const forecastQuery = filterQuery.extend({
  unit: z.enum(['h3', 'grid']).default('h3'),
  resolution: z.coerce.number().int().min(7).max(10).optional(),
  cellSize: z.coerce.number().int().min(50).max(5000).optional(),
  /** Share of the study area the forecast marks, 0 < c ≤ 0.5. */
  coverage: z.coerce.number().gt(0).max(0.5).default(0.05),
  /** Length of the held-out period, ISO weeks. */
  weeks: z.coerce.number().int().min(1).max(26).default(4),
  /** Quartic kernel radius of the decayed KDE, metres. */
  bandwidth: z.coerce.number().min(50).max(5000).optional(),
});
export const profileQuery = z.strictObject({
  ...filterShape,
  area: z
    .string()
    .max(60)
    .regex(/^(municipality|colonia|quadrant):[\w.-]{1,40}$/, 'colonia:<id>, quadrant:<id> or municipality:<code>'),
});

export const jobBody = z.strictObject({
  method: z.enum(['gistar', 'localmoran', 'kde', 'emerging', 'knox']),
  ...filterShape,
  polygon: polygonSchema.optional(),
  unit: unitShape.unit.optional(),
  resolution: z.number().int().min(7).max(10).optional(),
  cellSize: z.number().int().min(10).max(5000).optional(),
  weights: z.enum(['queen', 'rook', 'distance', 'knn']).optional(),
  /** Distance band, metres (weights `distance`). */
  distance: z.number().min(10).max(100_000).optional(),
  /** Neighbours (weights `knn`). */
  k: z.number().int().min(1).max(50).optional(),
  fdr: z.boolean().optional(),
  kernel: z.enum(['quartic', 'gaussian']).optional(),
  /** Metres, or `rule` (ArcGIS's default search radius for quartic, the normal-reference sigma for Gaussian). */
  bandwidth: z.union([z.number().min(10).max(50_000), z.literal('rule')]).optional(),
  timeStep: z.enum(['week', 'month']).optional(),
  spaceBands: z.number().int().min(1).max(20).optional(),
  spaceBandwidth: z.number().min(1).max(10_000).optional(),
  timeBands: z.number().int().min(1).max(20).optional(),
  timeBandwidth: z.number().min(1).max(365).optional(),
  permutations: z.number().int().min(0).max(999).optional(),
});

// ── answers ─────────────────────────────────────────────────────────────────

const ring = z.array(z.array(z.number()));
const areaGeometry = z.union([
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring)) }),
]);
export const unitProperties = z.object({
  id: z.string(),
  name: z.string().nullable(),
  count: z.number().nullable(),
  ratePer1000: z.number().nullable(),
  perKm2: z.number().nullable(),
  /** Public map only: true where the count is below the suppression threshold (count, rate and density are then null). */
  suppressed: z.boolean().optional(),
});
const unitMeta = z.object({
  /** Records counted in the features (public map: only the published ones). */
  total: z.number(),
  unit: z.string(),
  resolution: z.number().nullable(),
  cellSize: z.number().nullable(),
  /** The filter's area or polygon when given; else the features' area. */
  areaKm2: z.number(),
  /** Public map: units suppressed. */
  suppressed: z.number().optional(),
});
const unitCollection = <P extends z.ZodRawShape>(extra: P) =>
  z.object({
    type: z.literal('FeatureCollection'),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        id: z.string(),
        geometry: areaGeometry,
        properties: unitProperties.extend(extra),
      }),
    ),
    meta: unitMeta.passthrough(),
  });
export const aggregateResponse = unitCollection({});

const point = z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) });
export const pointsResponse = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: point,
      properties: z.object({
        id: z.string(),
        classificationCode: z.string(),
        occurredOn: z.string(),
        occurredTime: z.string().nullable(),
        violent: z.boolean(),
      }),
    }),
  ),
  meta: z.object({ total: z.number(), returned: z.number(), limit: z.number() }),
});
export const publicPointsResponse = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: point,
      properties: z.strictObject({ classificationCode: z.string(), occurredOn: z.string(), violent: z.boolean() }),
    }),
  ),
  meta: z.object({ total: z.number(), returned: z.number(), limit: z.number(), snap: z.enum(['h3', 'quadrant']) }),
});
export const timeseriesResponse = z.object({
  interval: z.enum(['day', 'week', 'month']),
  buckets: z.array(z.object({ start: z.string(), count: z.number() })),
});
export const publicTimeseriesResponse = z.object({
  interval: z.enum(['day', 'week', 'month']),
  buckets: z.array(z.object({ start: z.string(), count: z.number().nullable(), suppressed: z.boolean() })),
});
export const matrixResponse = z.object({ counts: z.array(z.array(z.number())), unknownTime: z.number() });
export const breakdownResponse = z.object({
  level: z.number(),
  rows: z.array(z.object({ code: z.string(), name: z.string(), nameEn: z.string(), count: z.number() })),
});

const period = z.object({ from: z.string(), to: z.string() });
export const forecastResponse = z.object({
  period,
  coverage: z.number(),
  methods: z.array(
    z.object({
      method: z.enum(['decayed_kde', 'last_period', 'long_run']),
      hitRate: z.number().nullable(),
      pai: z.number().nullable(),
      pei: z.number().nullable(),
      rri: z.number().nullable(),
      areaFraction: z.number().nullable(),
      hits: z.number(),
      total: z.number(),
    }),
  ),
  sentence: z.object({ es: z.string(), en: z.string() }),
  unit: z.enum(['h3', 'grid']),
  resolution: z.number().nullable(),
  cellSize: z.number().nullable(),
  cells: z.number(),
  history: period,
  halfLifeDays: z.number(),
  bandwidth: z.number(),
});

const change = {
  count: z.number(),
  ratePer1000: z.number().nullable(),
  previous: z.number(),
  lastYear: z.number(),
  /** Percent change, (count − previous) ÷ previous × 100; null when previous is 0. */
  changePrevious: z.number().nullable(),
  changeLastYear: z.number().nullable(),
};
export const hotspotCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      id: z.string(),
      geometry: areaGeometry,
      properties: z.object({
        id: z.string(),
        name: z.null(),
        count: z.number(),
        z: z.number().nullable(),
        p: z.number().nullable(),
        bin: z.number(),
      }),
    }),
  ),
});
export const profileResponse = z.object({
  area: z.object({
    kind: z.enum(['colonia', 'quadrant', 'municipality']),
    id: z.string(),
    name: z.string(),
    population: z.number().nullable(),
    areaKm2: z.number().nullable(),
  }),
  period,
  previous: period,
  lastYear: period,
  byType: z.array(z.object({ code: z.string(), name: z.string(), nameEn: z.string(), ...change })),
  total: z.object(change),
  matrix: z.array(z.array(z.number())),
  hotspots: hotspotCollection,
  rank: z.object({ position: z.number(), of: z.number(), peers: z.string() }),
});

export const jobCreated = z.object({ id: z.string() });
const jobError = z.object({ code: z.string(), message: z.string(), field: z.string().optional() });
const rasterResult = z.object({
  kind: z.literal('raster'),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  cols: z.number(),
  rows: z.number(),
  values: z.array(z.number()),
  max: z.number().nullable(),
  unit: z.literal('crimes per km²'),
  kernel: z.enum(['quartic', 'gaussian']),
  bandwidth: z.number().nullable(),
  cellSize: z.number().nullable(),
  events: z.number(),
});
const knoxResult = z.object({
  kind: z.literal('table'),
  pairs: z.number(),
  permutations: z.number(),
  cells: z.array(
    z.object({
      spaceBand: z.number(),
      timeBand: z.number(),
      spaceFrom: z.number(),
      spaceTo: z.number().nullable(),
      timeFrom: z.number(),
      timeTo: z.number().nullable(),
      observed: z.number(),
      expected: z.number().nullable(),
      ratio: z.number().nullable(),
      p: z.number().nullable(),
    }),
  ),
});
export const gistarResult = unitCollection({ z: z.number().nullable(), p: z.number().nullable(), bin: z.number() });
export const localMoranResult = unitCollection({
  I: z.number().nullable(),
  z: z.number().nullable(),
  p: z.number().nullable(),
  cluster: z.enum(['HH', 'LL', 'HL', 'LH']).nullable(),
});
export const emergingResult = unitCollection({ pattern: z.string(), trendZ: z.number().nullable(), trendP: z.number().nullable() });
export const jobResponse = z.object({
  id: z.string(),
  method: z.enum(['gistar', 'localmoran', 'kde', 'emerging', 'knox', 'forecast']),
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  progress: z.number(),
  error: jobError.optional(),
  result: z.union([gistarResult, localMoranResult, emergingResult, rasterResult, knoxResult]).optional(),
});
