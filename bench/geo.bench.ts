/**
 * Reverse-geocoding benchmark: full `locate` lookups per second with the grid indexes versus a
 * brute-force scan of the same polygons, on the same random points, in one run.
 *
 *   npx tsx bench/geo.bench.ts            (npm run bench:geo)
 *   npx tsx --expose-gc bench/geo.bench.ts (memory figures after a full GC)
 *
 * Points: 1,000,000 uniform inside Mexico (rejection sampling in the national bbox, keeping
 * points inside a state polygon) and 1,000,000 uniform inside Mexico City (inside an INEGI 2023
 * alcaldía). The brute force is timed on the first 20,000 points of each set, and its answers
 * are compared with the index's.
 */
import { loadGeoLayers } from '../src/geo/geo-data.js';
import { createLocator, type LocateResult } from '../src/geo/locate.js';
import { buildSpatialIndex } from '../src/geo/spatial-index.js';

const POINTS = 1_000_000;
const BRUTE_FORCE_POINTS = 20_000;

function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const rssStart = process.memoryUsage().rss;

const started = performance.now();
const layers = loadGeoLayers();
const loadMs = performance.now() - started;
const locator = createLocator(layers);
const buildMs = locator.buildMs;
// With `--expose-gc`, drop the parse garbage first so RSS shows what the service keeps.
const gc = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < 3; i++) gc?.(); // array buffers are released by a later pass
const memoryAfterBuild = process.memoryUsage();
const bruteForce = createLocator(layers, { strategy: 'brute-force' });

// Sampling filters (exact: the index answers as the brute force does, see the tests).
const states = buildSpatialIndex(layers.states);
const alcaldias = locator.indexes.alcaldias;

function sample(
  count: number,
  seed: number,
  bbox: readonly [number, number, number, number],
  keep: (lon: number, lat: number) => boolean,
): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(count * 2); // lat, lon pairs
  for (let n = 0; n < count;) {
    const lon = bbox[0] + random() * (bbox[2] - bbox[0]);
    const lat = bbox[1] + random() * (bbox[3] - bbox[1]);
    if (!keep(lon, lat)) continue;
    out[2 * n] = lat;
    out[2 * n + 1] = lon;
    n++;
  }
  return out;
}

const sets = [
  { name: 'Mexico', points: sample(POINTS, 1, [-118.5, 14.3, -86.6, 32.8], (lon, lat) => states.find(lon, lat) >= 0) },
  { name: 'Mexico City', points: sample(POINTS, 2, [-99.37, 19.04, -98.93, 19.6], (lon, lat) => alcaldias.find(lon, lat) >= 0) },
];

function rate(locate: (lat: number, lon: number) => LocateResult | null, points: Float64Array, count: number): number {
  let found = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) if (locate(points[2 * i], points[2 * i + 1]) !== null) found++;
  const seconds = (performance.now() - t0) / 1000;
  if (found !== count) throw new Error(`expected every sampled point to be located (${found}/${count})`);
  return count / seconds;
}

const rows: string[][] = [];
for (const set of sets) {
  rate(locator.locate, set.points, 100_000); // warm up the JIT
  const indexRate = rate(locator.locate, set.points, POINTS);
  const bruteRate = rate(bruteForce.locate, set.points, BRUTE_FORCE_POINTS);
  let mismatches = 0;
  for (let i = 0; i < BRUTE_FORCE_POINTS; i++) {
    const [lat, lon] = [set.points[2 * i], set.points[2 * i + 1]];
    if (JSON.stringify(locator.locate(lat, lon)) !== JSON.stringify(bruteForce.locate(lat, lon))) mismatches++;
  }
  rows.push([
    set.name,
    Math.round(indexRate).toLocaleString('en-US'),
    Math.round(bruteRate).toLocaleString('en-US'),
    `${(indexRate / bruteRate).toFixed(0)}×`,
    `${(1e9 / indexRate).toFixed(0)} ns`,
    String(mismatches),
  ]);
}
const header = [
  'points (1M each)',
  'index locates/s',
  'brute force/s',
  'speed-up',
  'per locate',
  `mismatches /${BRUTE_FORCE_POINTS / 1000}k`,
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`\ngeo locate benchmark — node ${process.version}, one core\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));

const s = locator.indexes;
console.log(`\nload layers            ${loadMs.toFixed(0)} ms`);
console.log(
  `build indexes          ${buildMs.toFixed(0)} ms  (municipios ${s.municipalities.stats.buildMs.toFixed(0)}, alcaldías ${s.alcaldias.stats.buildMs.toFixed(0)}, colonias ${s.colonias.stats.buildMs.toFixed(0)}, cuadrantes ${s.quadrants.stats.buildMs.toFixed(0)})`,
);
console.log(`index arrays           ${mb(Object.values(s).reduce((n, index) => n + index.stats.bytes, 0))}`);
console.log(`RSS before loading     ${mb(rssStart)}`);
console.log(
  `RSS after index build  ${mb(memoryAfterBuild.rss)}  (heap used ${mb(memoryAfterBuild.heapUsed)}, typed arrays ${mb(memoryAfterBuild.arrayBuffers)}${'gc' in globalThis ? ', after gc' : ''})`,
);
console.log(`RSS at the end         ${mb(process.memoryUsage().rss)}  (includes the 2×1M sample points and the brute-force locator)`);
