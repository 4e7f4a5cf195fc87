/**
 * TEST FIXTURE — a small, in-process implementation of the analysis API contract of issue 5
 * (`/api/analysis/*` and `/api/public/map/*`), for the crime map portal's browser tests only.
 *
 * It is NOT the analysis engine: `src/app.ts` never registers it, and the page code does not
 * know it exists (it talks to the contract through `src/web/api.ts`). At merge the real routes
 * replace it. What it does is real, though, so that the pages are exercised against honest
 * answers: it reads real Mexico City crime records (every `every`-th row of the SSP-DF files of
 * 2014 and 2015 in `../shared/data/incidents`, so the records span both years), classifies
 * them with the records module's built-in `cdmx-ssp` mapping and the SESNSP catalogue, places
 * them with the geo service (municipality, colonia, quadrant) and h3-js (resolutions 7–10), and
 * answers every endpoint by computing over them with `src/analysis` (Gi*, local Moran, KDE,
 * emerging hot spots, Knox, forecast accuracy).
 *
 * Simplifications (documented, not hidden): square grids and KDE surfaces use a local
 * equirectangular projection centred on Mexico City (a linear map of degrees, so a grid of
 * metres is a grid of degrees); jobs advance their progress on a timer (`jobMs`) and compute the
 * result at the end; the forecast always evaluates on a square grid; polygon contiguity comes
 * from shared TopoJSON arcs (rook), also when queen is asked.
 *
 * The platform's Fastify app is already `ready` when `createPlatform` returns (no plugin can be
 * added to it), so {@link serveWithAnalysisContract} registers this plugin on a second Fastify
 * app built the platform's way (same error shape, language, cookies and the real access hook)
 * and serves both from one HTTP server: the contract's paths go to the fixture, everything else
 * to the platform's own router (`app.routing`), so sessions, CSRF and the SPA are the real ones.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { cellArea, cellToBoundary, cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import { feature, neighbors } from 'topojson-client';
import type { GeometryCollection, GeometryObject, Topology } from 'topojson-specification';
import {
  adjacencyWeights,
  compareForecasts,
  distanceBandWeights,
  emergingHotSpots,
  giStar,
  gridCovering,
  isAnalysisError,
  kdeGaussian,
  kdeQuartic,
  kdeRules,
  knnWeights,
  knoxTest,
  latticeContiguity,
  localMoran,
  minimumConnectingDistance,
  spaceTimeCube,
  type SpatialWeights,
} from '../../src/analysis/index.js';
import type { Platform } from '../../src/app.js';
import type { GeoService } from '../../src/geo/geo.service.js';
import { registerAccessHook } from '../../src/identity/access.hook.js';
import type { Actor } from '../../src/identity/access-policy.js';
import type { Role } from '../../src/identity/roles.js';
import { buildServer } from '../../src/platform/http/server.js';
import { crimeCatalogue } from '../../src/records/crime-catalogue.js';
import { canSeeCrime } from '../../src/records/crime.service.js';
import { CDMX_SSP_MAPPING, categoryIndex } from '../../src/records/import-mapping.js';
import { foldText } from '../../src/records/crime-catalogue.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE_FILES = [2014, 2015].map((y) => path.resolve(here, `../../../shared/data/incidents/cdmx-ssp-delitos-${y}.csv`));

/** The contract's audience of `analysis.read`. */
export const ANALYSIS_ROLES: readonly Role[] = ['analyst', 'commander', 'fusion_analyst', 'supervisor', 'agency_admin', 'system_admin'];
/** Never shown as points on the public map: sexual crimes (3) and family / gender violence (5.1, 5.2). */
const PUBLIC_NO_POINTS = ['3', '5.1', '5.2'];

// ── records ─────────────────────────────────────────────────────────────────

export type FixtureRecord = {
  id: string;
  code: string;
  date: string;
  /** Days since 1970-01-01 of the local date. */
  day: number;
  time: string | null;
  hour: number | null;
  /** ISO weekday, Monday = 1. */
  weekday: number;
  lat: number;
  lon: number;
  /** Metres in the fixture's local projection. */
  x: number;
  y: number;
  stateCode: string;
  municipalityCode: string;
  coloniaId: string | null;
  quadrantId: string | null;
  violent: boolean;
  /** H3 cells, index = resolution − 7. */
  h3: string[];
};

const LON0 = -99.13;
const LAT0 = 19.43;
const KX = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
const KY = 110_574;
const toXY = (lon: number, lat: number): [number, number] => [(lon - LON0) * KX, (lat - LAT0) * KY];
const toLonLat = (x: number, y: number): [number, number] => [x / KX + LON0, y / KY + LAT0];

const dayOf = (date: string) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86_400_000;
const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
const isoWeekday = (day: number) => ((new Date(day * 86_400_000).getUTCDay() + 6) % 7) + 1;

/**
 * Every `every`-th row of the 2014 and 2015 files, classified and placed as the records module
 * would (rows it would reject — unknown category, outside Mexico City — are left out).
 */
export function loadFixtureRecords(geo: GeoService, every = 8): FixtureRecord[] {
  const catalogue = crimeCatalogue();
  const categories = categoryIndex(CDMX_SSP_MAPPING);
  const out: FixtureRecord[] = [];
  for (const file of FIXTURE_FILES) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 1; i < lines.length; i += every) {
      const [id, date, time, crime, , latText, lonText] = lines[i].split(',');
      const target = categories.get(foldText(crime ?? ''));
      const lat = Number(latText);
      const lon = Number(lonText);
      if (!target || !/^\d{4}-\d{2}-\d{2}$/.test(date ?? '') || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
      const place = geo.locate(lat, lon);
      if (!place || place.state.code !== '09') continue;
      const code = catalogue.resolve(target.code) ?? target.code;
      const t = /^([01]\d|2[0-3]):[0-5]\d$/.test(time ?? '') ? time! : null;
      const day = dayOf(date);
      const [x, y] = toXY(lon, lat);
      out.push({
        id: `cdmx-ssp-${id}`,
        code,
        date,
        day,
        time: t,
        hour: t ? Number(t.slice(0, 2)) : null,
        weekday: isoWeekday(day),
        lat,
        lon,
        x,
        y,
        stateCode: place.state.code,
        municipalityCode: place.municipality.code,
        coloniaId: place.colonia?.id ?? null,
        quadrantId: place.quadrant?.id ?? null,
        violent: target.violent ?? catalogue.violenceOf(code) === 'violent',
        h3: [7, 8, 9, 10].map((r) => latLngToCell(lat, lon, r)),
      });
    }
  }
  return out;
}

// ── errors ──────────────────────────────────────────────────────────────────

class ContractError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | undefined,
    readonly es: string,
    readonly en: string,
  ) {
    super(en);
  }
}
const bad = (field: string, es: string, en: string) => new ContractError(400, 'validation', field, es, en);

// ── filters ─────────────────────────────────────────────────────────────────

type Ring = [number, number][];
export type Filters = {
  codes: string[] | null;
  from: string | null;
  to: string | null;
  hours: Set<number> | null;
  weekdays: Set<number> | null;
  area: { kind: 'state' | 'municipality' | 'colonia' | 'quadrant'; id: string } | null;
  polygon: Ring[] | null;
};

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function cross(a: number[], b: number[], c: number[]) {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
}
function ringSelfIntersects(ring: Ring): boolean {
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      const [a, b, c, d] = [ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n]];
      if (cross(a, b, c) * cross(a, b, d) < 0 && cross(c, d, a) * cross(c, d, b) < 0) return true;
    }
  }
  return false;
}

function parsePolygon(raw: unknown): Ring[] {
  let g = raw;
  if (typeof raw === 'string') {
    try {
      g = JSON.parse(raw);
    } catch {
      throw bad('polygon', 'El polígono no es JSON válido.', 'The polygon is not valid JSON.');
    }
  }
  const poly = g as { type?: unknown; coordinates?: unknown };
  if (!poly || poly.type !== 'Polygon' || !Array.isArray(poly.coordinates) || !poly.coordinates.length)
    throw bad('polygon', 'Se esperaba un polígono GeoJSON.', 'A GeoJSON Polygon was expected.');
  const rings: Ring[] = [];
  for (const r of poly.coordinates as unknown[]) {
    if (!Array.isArray(r) || !r.every((p) => Array.isArray(p) && p.length >= 2 && p.every((v) => Number.isFinite(v))))
      throw bad('polygon', 'Coordenadas del polígono no válidas.', 'Invalid polygon coordinates.');
    const ring = (r as number[][]).map((p) => [p[0], p[1]] as [number, number]);
    const last = ring[ring.length - 1];
    if (ring.length > 1 && last[0] === ring[0][0] && last[1] === ring[0][1]) ring.pop();
    rings.push(ring);
  }
  const vertices = rings.reduce((s, r) => s + r.length, 0);
  if (rings[0].length < 3) throw bad('polygon', 'El polígono necesita al menos 3 vértices.', 'The polygon needs at least 3 vertices.');
  if (vertices > 1000)
    throw bad(
      'polygon',
      `El polígono tiene ${vertices} vértices; el máximo es 1000.`,
      `The polygon has ${vertices} vertices; at most 1000.`,
    );
  if (rings.some(ringSelfIntersects)) throw bad('polygon', 'El polígono se cruza consigo mismo.', 'The polygon intersects itself.');
  return rings;
}

function parseList(raw: unknown, field: string, min: number, max: number, ranges: boolean): Set<number> {
  const out = new Set<number>();
  for (const part of String(raw).split(',')) {
    const m = (ranges ? /^(\d{1,2})(?:-(\d{1,2}))?$/ : /^(\d{1,2})()$/).exec(part.trim());
    const a = m ? Number(m[1]) : NaN;
    const b = m && m[2] ? Number(m[2]) : a;
    if (!m || a < min || b > max || b < a)
      throw bad(field, `Valor no válido en ${field}: «${part}».`, `Invalid value in ${field}: "${part}".`);
    for (let v = a; v <= b; v++) out.add(v);
  }
  return out;
}

export function parseFilters(q: Record<string, unknown>): Filters {
  const str = (k: string) => (q[k] === undefined || q[k] === null || q[k] === '' ? null : String(q[k]));
  const from = str('from');
  const to = str('to');
  if (from !== null && !DATE.test(from)) throw bad('from', 'Fecha no válida (AAAA-MM-DD).', 'Invalid date (YYYY-MM-DD).');
  if (to !== null && !DATE.test(to)) throw bad('to', 'Fecha no válida (AAAA-MM-DD).', 'Invalid date (YYYY-MM-DD).');
  if (from && to && to < from) throw bad('from', 'La fecha inicial es posterior a la final.', 'The start date is after the end date.');
  const classification = str('classification');
  const codes = classification ? classification.split(',').map((c) => c.trim()) : null;
  if (codes && !codes.every((c) => crimeCatalogue().get(c)))
    throw bad('classification', 'Clave de delito desconocida.', 'Unknown crime code.');
  const areaText = str('area');
  let area: Filters['area'] = null;
  if (areaText) {
    const m = /^(state|municipality|colonia|quadrant):(.+)$/.exec(areaText);
    if (!m) throw bad('area', 'Área no válida.', 'Invalid area.');
    area = { kind: m[1] as NonNullable<Filters['area']>['kind'], id: m[2] };
  }
  return {
    codes,
    from,
    to,
    hours: str('hours') === null ? null : parseList(q.hours, 'hours', 0, 23, true),
    weekdays: str('weekdays') === null ? null : parseList(q.weekdays, 'weekdays', 1, 7, false),
    area,
    polygon: q.polygon === undefined || q.polygon === null || q.polygon === '' ? null : parsePolygon(q.polygon),
  };
}

function inRing(ring: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function matches(r: FixtureRecord, f: Filters): boolean {
  if (f.codes && !f.codes.some((c) => r.code === c || r.code.startsWith(`${c}.`))) return false;
  if (f.from && r.date < f.from) return false;
  if (f.to && r.date > f.to) return false;
  if (f.hours && (r.hour === null || !f.hours.has(r.hour))) return false;
  if (f.weekdays && !f.weekdays.has(r.weekday)) return false;
  if (f.area) {
    const v = { state: r.stateCode, municipality: r.municipalityCode, colonia: r.coloniaId, quadrant: r.quadrantId }[f.area.kind];
    if (v !== f.area.id) return false;
  }
  if (f.polygon && !(inRing(f.polygon[0], r.lon, r.lat) && !f.polygon.slice(1).some((h) => inRing(h, r.lon, r.lat)))) return false;
  return true;
}

// ── areas (from the geo service's shipped layers) ───────────────────────────

type AreaKind = 'state' | 'municipality' | 'colonia' | 'quadrant';
type AreaInfo = {
  code: string;
  name: string;
  population: number | null;
  geometry: Polygon | MultiPolygon;
  areaKm2: number;
  /** The alcaldía (colonias, quadrants) or state (municipalities) it belongs to. */
  parent: string;
  /** Index in the layer's TopoJSON object (for contiguity). */
  index: number;
  layer: string;
};

const R_KM = 6371.0088;
function ringAreaKm2(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const [l1, p1] = ring[i];
    const [l2, p2] = ring[(i + 1) % ring.length];
    s += (((l2 - l1) * Math.PI) / 180) * (2 + Math.sin((p1 * Math.PI) / 180) + Math.sin((p2 * Math.PI) / 180));
  }
  return Math.abs((s * R_KM * R_KM) / 2);
}
function geometryAreaKm2(g: Polygon | MultiPolygon): number {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.reduce((sum, rings) => sum + ringAreaKm2(rings[0]) - rings.slice(1).reduce((h, r) => h + ringAreaKm2(r), 0), 0);
}

const LAYER_OF: Record<AreaKind, 'estados' | 'municipios' | 'colonias' | 'cuadrantes'> = {
  state: 'estados',
  municipality: 'municipios',
  colonia: 'colonias',
  quadrant: 'cuadrantes',
};

function buildAreas(geo: GeoService) {
  const cache = new Map<string, Map<string, AreaInfo>>();
  const read = (layer: 'estados' | 'municipios' | 'alcaldias' | 'colonias' | 'cuadrantes') => {
    let m = cache.get(layer);
    if (m) return m;
    m = new Map();
    const topology = geo.getLayerTopology(layer) as Topology;
    const object = topology.objects[Object.keys(topology.objects)[0]] as GeometryCollection<Record<string, unknown>>;
    const fc = feature(topology, object) as FeatureCollection<Polygon | MultiPolygon, Record<string, unknown>>;
    fc.features.forEach((f, index) => {
      const p = f.properties;
      if (!f.geometry) return;
      const code = String(p.code);
      const pop = typeof p.population === 'number' && p.population > 0 ? p.population : null;
      m!.set(code, {
        code,
        name: String(p.name ?? code),
        population: layer === 'cuadrantes' ? null : pop,
        geometry: f.geometry,
        areaKm2: geometryAreaKm2(f.geometry),
        parent: String(p.alcaldiaCode ?? p.stateCode ?? ''),
        index,
        layer,
      });
    });
    cache.set(layer, m);
    return m;
  };
  const topologyGeometries = (layer: string) => {
    const topology = geo.getLayerTopology(layer as 'estados') as Topology;
    return (topology.objects[Object.keys(topology.objects)[0]] as GeometryCollection).geometries as GeometryObject[];
  };
  const neighbourCache = new Map<string, number[][]>();
  return {
    /** An area by kind and code; Mexico City's municipalities take the detailed alcaldías layer. */
    get(kind: AreaKind, code: string): AreaInfo | undefined {
      if (kind === 'municipality' && code.startsWith('09')) {
        const a = read('alcaldias').get(code);
        if (a) return { ...a, parent: '09', index: read('municipios').get(code)?.index ?? -1, layer: 'municipios' };
      }
      return read(LAYER_OF[kind]).get(code);
    },
    all(kind: AreaKind): AreaInfo[] {
      return [...read(LAYER_OF[kind]).values()].map((a) => this.get(kind, a.code) ?? a);
    },
    /** Neighbours by shared arcs, as indices of the layer's object. */
    neighbours(kind: AreaKind): number[][] {
      const layer = LAYER_OF[kind];
      let n = neighbourCache.get(layer);
      if (!n) {
        n = neighbors(topologyGeometries(layer));
        neighbourCache.set(layer, n);
      }
      return n;
    },
  };
}
type Areas = ReturnType<typeof buildAreas>;

// ── units: cells and areas ──────────────────────────────────────────────────

type UnitKind = 'h3' | 'grid' | AreaKind;
type Unit = { kind: UnitKind; resolution: number | null; cellSize: number | null };
type Cell = {
  id: string;
  name: string | null;
  geometry: Polygon | MultiPolygon;
  areaKm2: number;
  population: number | null;
  x: number;
  y: number;
};

function parseUnit(q: Record<string, unknown>, allowed: readonly UnitKind[], maxResolution = 10): Unit {
  const kind = String(q.unit ?? 'h3') as UnitKind;
  if (!allowed.includes(kind)) throw bad('unit', `Unidad no admitida: ${kind}.`, `Unsupported unit: ${kind}.`);
  if (kind === 'h3') {
    const r = q.resolution === undefined ? Math.min(9, maxResolution) : Number(q.resolution);
    if (!Number.isInteger(r) || r < 7 || r > maxResolution)
      throw bad('resolution', `Resolución H3 no admitida (7 a ${maxResolution}).`, `Unsupported H3 resolution (7 to ${maxResolution}).`);
    return { kind, resolution: r, cellSize: null };
  }
  if (kind === 'grid') {
    const c = q.cellSize === undefined ? 500 : Number(q.cellSize);
    if (!Number.isFinite(c) || c < 50 || c > 5000)
      throw bad('cellSize', 'Tamaño de celda no admitido (50 a 5000 m).', 'Unsupported cell size (50 to 5000 m).');
    return { kind, resolution: null, cellSize: c };
  }
  return { kind, resolution: null, cellSize: null };
}

function keyOf(unit: Unit): (r: FixtureRecord) => string | null {
  switch (unit.kind) {
    case 'h3':
      return (r) => r.h3[unit.resolution! - 7];
    case 'grid':
      return (r) => `${unit.cellSize}m:${Math.floor(r.x / unit.cellSize!)}:${Math.floor(r.y / unit.cellSize!)}`;
    case 'state':
      return (r) => r.stateCode;
    case 'municipality':
      return (r) => r.municipalityCode;
    case 'colonia':
      return (r) => r.coloniaId;
    case 'quadrant':
      return (r) => r.quadrantId;
  }
}

function cellOf(unit: Unit, id: string, areas: Areas): Cell | null {
  if (unit.kind === 'h3') {
    const ring = cellToBoundary(id, true);
    const [lat, lon] = cellToLatLng(id);
    const [x, y] = toXY(lon, lat);
    return { id, name: null, geometry: { type: 'Polygon', coordinates: [ring] }, areaKm2: cellArea(id, 'km2'), population: null, x, y };
  }
  if (unit.kind === 'grid') {
    const [, c, r] = id.split(':');
    const s = unit.cellSize!;
    const x0 = Number(c) * s;
    const y0 = Number(r) * s;
    const corners = [toLonLat(x0, y0), toLonLat(x0 + s, y0), toLonLat(x0 + s, y0 + s), toLonLat(x0, y0 + s), toLonLat(x0, y0)];
    return {
      id,
      name: null,
      geometry: { type: 'Polygon', coordinates: [corners] },
      areaKm2: (s * s) / 1e6,
      population: null,
      x: x0 + s / 2,
      y: y0 + s / 2,
    };
  }
  const a = areas.get(unit.kind, id);
  if (!a) return null;
  const ring = a.geometry.type === 'Polygon' ? a.geometry.coordinates[0] : a.geometry.coordinates[0][0];
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  const [x, y] = toXY(lon, lat);
  return { id, name: a.name, geometry: a.geometry, areaKm2: a.areaKm2, population: a.population, x, y };
}

function countBy(unit: Unit, recs: FixtureRecord[]): Map<string, number> {
  const key = keyOf(unit);
  const counts = new Map<string, number>();
  for (const r of recs) {
    const k = key(r);
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);
const round = (v: number, d = 6) => Number(v.toFixed(d));

function figures(cell: Cell, count: number) {
  return {
    id: cell.id,
    name: cell.name,
    count,
    ratePer1000: cell.population ? round((count / cell.population) * 1000, 4) : null,
    perKm2: round(count / Math.max(cell.areaKm2, 1e-9), 4),
  };
}

/** The study region of a statistic: the cells with crimes and their zero neighbours (h3, grid), or every area of the layer in the records' state. */
function studyCells(unit: Unit, counts: Map<string, number>, areas: Areas, recs: FixtureRecord[]) {
  let ids: string[];
  let contiguity: (rule: 'queen' | 'rook') => SpatialWeights;
  if (unit.kind === 'h3') {
    const set = new Set<string>();
    for (const id of counts.keys()) for (const n of gridDisk(id, 1)) set.add(n);
    ids = [...set].sort();
    const index = new Map(ids.map((id, i) => [id, i]));
    contiguity = () =>
      adjacencyWeights(
        ids.map((id) =>
          gridDisk(id, 1)
            .filter((n) => n !== id && index.has(n))
            .map((n) => index.get(n)!),
        ),
      );
  } else if (unit.kind === 'grid') {
    const cs = unit.cellSize!;
    let c0 = Infinity;
    let c1 = -Infinity;
    let r0 = Infinity;
    let r1 = -Infinity;
    for (const id of counts.keys()) {
      const [, c, r] = id.split(':').map(Number);
      c0 = Math.min(c0, c - 1);
      c1 = Math.max(c1, c + 1);
      r0 = Math.min(r0, r - 1);
      r1 = Math.max(r1, r + 1);
    }
    const cols = c1 - c0 + 1;
    const rows = r1 - r0 + 1;
    if (!(cols > 0 && rows > 0)) ids = [];
    else {
      if (cols * rows > 60_000)
        throw new ContractError(
          400,
          'analysis_too_large',
          'cellSize',
          'Demasiadas celdas; use celdas más grandes.',
          'Too many cells; use larger cells.',
        );
      ids = [];
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) ids.push(`${cs}m:${c0 + c}:${r0 + r}`);
    }
    contiguity = (rule) => latticeContiguity(rows, cols, rule);
  } else {
    const states = new Set(recs.map((r) => r.stateCode));
    const kind = unit.kind;
    const all = areas.all(kind).filter((a) => (kind === 'state' ? true : kind === 'municipality' ? states.has(a.parent) : true));
    ids = all.map((a) => a.code);
    const byIndex = new Map(all.map((a, i) => [a.index, i]));
    contiguity = () => {
      const nb = areas.neighbours(kind);
      return adjacencyWeights(all.map((a) => (nb[a.index] ?? []).filter((j) => byIndex.has(j)).map((j) => byIndex.get(j)!)));
    };
  }
  const cells = ids.map((id) => cellOf(unit, id, areas)).filter((c): c is Cell => c !== null);
  return { cells, contiguity };
}

type JobBody = Record<string, unknown>;

function weightsFor(body: JobBody, cells: Cell[], contiguity: (rule: 'queen' | 'rook') => SpatialWeights): SpatialWeights {
  const kind = String(body.weights ?? 'queen');
  const x = Float64Array.from(cells, (c) => c.x);
  const y = Float64Array.from(cells, (c) => c.y);
  if (kind === 'queen' || kind === 'rook') return contiguity(kind);
  if (kind === 'distance')
    return distanceBandWeights(x, y, body.distance === undefined ? minimumConnectingDistance(x, y) : Number(body.distance));
  if (kind === 'knn') return knnWeights(x, y, body.k === undefined ? 8 : Number(body.k));
  throw bad('weights', `Pesos no admitidos: ${kind}.`, `Unsupported weights: ${kind}.`);
}

// ── the analyses of a job ───────────────────────────────────────────────────

function runAnalysis(method: string, body: JobBody, recs: FixtureRecord[], areas: Areas, f: Filters): unknown {
  if (recs.length < 3)
    throw new ContractError(
      400,
      'analysis_too_few_observations',
      'filters',
      'Muy pocos delitos para analizar.',
      'Too few crimes to analyse.',
    );
  const unit =
    method === 'kde' || method === 'knox' ? null : parseUnit(body, ['h3', 'grid', 'colonia', 'quadrant', 'municipality', 'state']);
  if (method === 'gistar' || method === 'localmoran') {
    const counts = countBy(unit!, recs);
    const { cells, contiguity } = studyCells(unit!, counts, areas, recs);
    const values = Float64Array.from(cells, (c) => counts.get(c.id) ?? 0);
    const w = weightsFor(body, cells, contiguity);
    if (method === 'gistar') {
      const g = giStar(values, w);
      const bins = body.fdr === true ? g.binFdr : g.bin;
      return collection(
        cells.map((c, i) => ({ cell: c, props: { ...figures(c, values[i]), z: finite(g.z[i]), p: finite(g.p[i]), bin: bins[i] } })),
        unit!,
        recs.length,
      );
    }
    const m = localMoran(values, w);
    const labels = [null, 'HH', 'LL', 'HL', 'LH'];
    return collection(
      cells.map((c, i) => ({
        cell: c,
        props: {
          ...figures(c, values[i]),
          I: finite(m.I[i]),
          z: finite(m.z[i]),
          p: finite(m.p[i]),
          cluster: m.cluster[i] > 0 ? labels[m.cluster[i]] : null,
        },
      })),
      unit!,
      recs.length,
    );
  }
  if (method === 'emerging') {
    const step = body.timeStep === 'week' ? 7 : 30.4375;
    const first = f.from ? dayOf(f.from) : Math.min(...recs.map((r) => r.day));
    const last = f.to ? dayOf(f.to) : Math.max(...recs.map((r) => r.day));
    const steps = Math.max(1, Math.floor((last - first + 1) / step));
    const counts = countBy(unit!, recs);
    const { cells, contiguity } = studyCells(unit!, counts, areas, recs);
    const index = new Map(cells.map((c, i) => [c.id, i]));
    const values = new Float64Array(cells.length * steps);
    const key = keyOf(unit!);
    for (const r of recs) {
      const i = index.get(key(r) ?? '');
      const k = Math.floor((r.day - first) / step);
      if (i !== undefined && k >= 0 && k < steps) values[i * steps + k]++;
    }
    const result = emergingHotSpots(spaceTimeCube(values, cells.length, steps), weightsFor(body, cells, contiguity), {
      fdr: body.fdr !== false,
    });
    return collection(
      cells.map((c, i) => ({
        cell: c,
        props: {
          ...figures(c, counts.get(c.id) ?? 0),
          pattern: result.locations[i].pattern,
          trendZ: finite(result.locations[i].trend.z),
          trendP: finite(result.locations[i].trend.p),
        },
      })),
      unit!,
      recs.length,
    );
  }
  const x = Float64Array.from(recs, (r) => r.x);
  const y = Float64Array.from(recs, (r) => r.y);
  if (method === 'kde') {
    const kernel = body.kernel === 'gaussian' ? 'gaussian' : 'quartic';
    const rules = kdeRules(x, y);
    const bw =
      body.bandwidth === undefined || body.bandwidth === 'rule'
        ? kernel === 'quartic'
          ? rules.arcgisSearchRadius
          : rules.normalReferenceSigma
        : Number(body.bandwidth);
    if (!(bw > 0)) throw bad('bandwidth', 'Ancho de banda no válido.', 'Invalid bandwidth.');
    const reach = kernel === 'quartic' ? bw : 3 * bw;
    const xmin = Math.min(...x) - reach;
    const ymin = Math.min(...y) - reach;
    const xmax = Math.max(...x) + reach;
    const ymax = Math.max(...y) + reach;
    const cell = Math.max(body.cellSize === undefined ? 0 : Number(body.cellSize), Math.max(xmax - xmin, ymax - ymin) / 300, 25);
    const grid = gridCovering(xmin, ymin, xmax, ymax, cell);
    const surface = kernel === 'quartic' ? kdeQuartic(x, y, grid, bw) : kdeGaussian(x, y, grid, bw);
    // The library's row 0 is the south edge; the contract's is the north: flip, and per m² → per km².
    const values = new Array<number>(grid.rows * grid.cols);
    let max = 0;
    for (let r = 0; r < grid.rows; r++) {
      for (let c = 0; c < grid.cols; c++) {
        const v = surface[r * grid.cols + c] * 1e6;
        values[(grid.rows - 1 - r) * grid.cols + c] = round(v, 4);
        max = Math.max(max, v);
      }
    }
    const [west, south] = toLonLat(grid.xmin, grid.ymin);
    const [east, north] = toLonLat(grid.xmin + grid.cols * cell, grid.ymin + grid.rows * cell);
    return {
      kind: 'raster',
      bounds: [west, south, east, north],
      cols: grid.cols,
      rows: grid.rows,
      values,
      max: round(max, 4),
      unit: 'crimes per km²',
    };
  }
  if (method === 'knox') {
    const space = Array.isArray(body.spaceBands) ? (body.spaceBands as number[]) : [200, 400, 600, 800];
    const time = Array.isArray(body.timeBands) ? (body.timeBands as number[]) : [7, 14, 21, 28];
    const k = knoxTest(
      x,
      y,
      Float64Array.from(recs, (r) => r.day),
      {
        spaceBandwidth: space[0],
        spaceBands: space.length,
        timeBandwidth: time[0],
        timeBands: time.length,
        permutations: 99,
      },
    );
    return {
      kind: 'table',
      cells: k.cells.map((c) => ({
        spaceBand: c.spaceBand,
        timeBand: c.timeBand,
        observed: c.observed,
        expected: round(Number.isFinite(c.expectedMc) ? c.expectedMc : c.expectedAnalytic, 4),
        ratio: finite(c.knoxRatio),
        p: finite(c.p),
      })),
    };
  }
  throw bad('method', `Método desconocido: ${method}.`, `Unknown method: ${method}.`);
}

function collection(items: { cell: Cell; props: Record<string, unknown> }[], unit: Unit, total: number) {
  return {
    type: 'FeatureCollection' as const,
    features: items.map(({ cell, props }) => ({ type: 'Feature' as const, id: cell.id, geometry: cell.geometry, properties: props })),
    meta: {
      total,
      unit: unit.kind,
      resolution: unit.resolution,
      cellSize: unit.cellSize,
      areaKm2: round(
        items.reduce((s, i) => s + i.cell.areaKm2, 0),
        3,
      ),
    },
  };
}

// ── the plugin ──────────────────────────────────────────────────────────────

export type ContractFixtureOptions = {
  geo: GeoService;
  /** Every n-th row of the files (default 8: about 8,000 records of 2014–2015). */
  every?: number;
  /** How long a job runs, ms (default 2500), in 10 progress steps. */
  jobMs?: number;
  /** Public counts below this are suppressed (default 5). */
  suppressionThreshold?: number;
  /** Public points snapped to the H3 res-9 cell centre or the quadrant's centre (default h3). */
  publicSnap?: 'h3' | 'quadrant';
  /** Public requests per IP per minute (default 600). */
  rateLimit?: number;
};

type Job = {
  id: string;
  owner: string;
  method: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: number;
  error?: { code: string; message: string; field?: string };
  result?: unknown;
  timer?: NodeJS.Timeout;
};

export async function analysisContractFixture(app: FastifyInstance, opts: ContractFixtureOptions): Promise<void> {
  const records = loadFixtureRecords(opts.geo, opts.every ?? 8);
  const areas = buildAreas(opts.geo);
  const jobs = new Map<string, Job>();
  const jobMs = opts.jobMs ?? 2500;
  const threshold = opts.suppressionThreshold ?? 5;
  const hits = new Map<string, { windowStart: number; n: number }>();
  app.addHook('onClose', async () => {
    for (const j of jobs.values()) clearTimeout(j.timer);
  });

  const message = (req: FastifyRequest, e: ContractError) => (req.lang === 'en' ? e.en : e.es);
  const fail = (req: FastifyRequest, reply: FastifyReply, e: unknown) => {
    if (e instanceof ContractError)
      return reply.code(e.status).send({ error: { code: e.code, message: message(req, e), ...(e.field ? { field: e.field } : {}) } });
    if (isAnalysisError(e)) return reply.code(400).send({ error: { code: e.code, message: e.message, field: e.field } });
    throw e;
  };
  const actorOf = (req: FastifyRequest): Actor => {
    const actor = req.auth?.actor;
    if (!actor || !actor.roles.some((r) => ANALYSIS_ROLES.includes(r)))
      throw new ContractError(403, 'forbidden', undefined, 'No tiene permiso para esta acción.', 'You are not allowed to do this.');
    return actor;
  };
  const visible = (actor: Actor) => records.filter((r) => canSeeCrime(actor, { ...r, ownerAgencyId: null }));
  const query = (req: FastifyRequest) => req.query as Record<string, unknown>;

  type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;
  const session = (url: string, handler: (req: FastifyRequest, reply: FastifyReply, recs: FixtureRecord[], actor: Actor) => unknown) =>
    app.get(url, { config: { access: 'session.read' } }, async (req, reply) => {
      try {
        const actor = actorOf(req);
        return await handler(req, reply, visible(actor), actor);
      } catch (e) {
        return fail(req, reply, e);
      }
    });

  /** Public answers: rate-limited per IP, cached by ETag for five minutes. */
  const publicRoute = (url: string, handler: (req: FastifyRequest) => unknown) =>
    app.get(url, { config: { access: 'public' } }, (async (req, reply) => {
      try {
        const now = Date.now();
        const h = hits.get(req.ip);
        if (!h || now - h.windowStart > 60_000) hits.set(req.ip, { windowStart: now, n: 1 });
        else if (++h.n > (opts.rateLimit ?? 600))
          throw new ContractError(
            429,
            'rate_limited',
            undefined,
            'Demasiadas consultas; intente de nuevo en un minuto.',
            'Too many requests; try again in a minute.',
          );
        const body = JSON.stringify(await handler(req));
        const etag = `"${crypto.createHash('sha1').update(body).digest('base64url')}"`;
        reply.header('etag', etag).header('cache-control', 'public, max-age=300');
        if (req.headers['if-none-match'] === etag) return reply.code(304).send();
        return reply.type('application/json; charset=utf-8').send(body);
      } catch (e) {
        return fail(req, reply, e);
      }
    }) as Handler);

  // 1. aggregate
  const aggregate = (recs: FixtureRecord[], q: Record<string, unknown>, allowed: readonly UnitKind[], maxRes: number) => {
    const f = parseFilters(q);
    const unit = parseUnit(q, allowed, maxRes);
    const sel = recs.filter((r) => matches(r, f));
    const counts = countBy(unit, sel);
    const items = [...counts]
      .map(([id, n]) => ({ cell: cellOf(unit, id, areas), n }))
      .filter((i): i is { cell: Cell; n: number } => i.cell !== null);
    const fc = collection(
      items.map(({ cell, n }) => ({ cell, props: figures(cell, n) })),
      unit,
      sel.length,
    );
    if (f.area) fc.meta.areaKm2 = round(areas.get(f.area.kind, f.area.id)?.areaKm2 ?? fc.meta.areaKm2, 3);
    if (f.polygon) fc.meta.areaKm2 = round(ringAreaKm2(f.polygon[0]), 3);
    return fc;
  };
  session('/api/analysis/aggregate', (req, _r, recs) =>
    aggregate(recs, query(req), ['h3', 'grid', 'colonia', 'quadrant', 'municipality', 'state'], 10),
  );

  // 2. points
  const limitOf = (q: Record<string, unknown>) => {
    const n = q.limit === undefined ? 5000 : Number(q.limit);
    if (!Number.isInteger(n) || n < 1 || n > 50_000) throw bad('limit', 'Límite no válido (1 a 50000).', 'Invalid limit (1 to 50000).');
    return n;
  };
  session('/api/analysis/points', (req, _r, recs) => {
    const f = parseFilters(query(req));
    const sel = recs.filter((r) => matches(r, f)).slice(0, limitOf(query(req)));
    return {
      type: 'FeatureCollection',
      features: sel.map((r) => ({
        type: 'Feature',
        id: r.id,
        geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
        properties: { id: r.id, classificationCode: r.code, occurredOn: r.date, occurredTime: r.time, violent: r.violent },
      })),
    };
  });

  // 3. time series
  const bucketStart = (interval: string, day: number) => {
    if (interval === 'day') return day;
    if (interval === 'week') return day - (isoWeekday(day) - 1);
    const d = dateOf(day);
    return dayOf(`${d.slice(0, 7)}-01`);
  };
  const nextBucket = (interval: string, day: number) => {
    if (interval === 'day') return day + 1;
    if (interval === 'week') return day + 7;
    const d = new Date(day * 86_400_000);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 86_400_000;
  };
  const timeseries = (recs: FixtureRecord[], q: Record<string, unknown>) => {
    const f = parseFilters(q);
    const interval = String(q.interval ?? 'month');
    if (!['day', 'week', 'month'].includes(interval)) throw bad('interval', 'Intervalo no admitido.', 'Unsupported interval.');
    const sel = recs.filter((r) => matches(r, f));
    const counts = new Map<number, number>();
    for (const r of sel) {
      const b = bucketStart(interval, r.day);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const first = f.from ? bucketStart(interval, dayOf(f.from)) : Math.min(...counts.keys());
    const last = f.to ? bucketStart(interval, dayOf(f.to)) : Math.max(...counts.keys());
    const buckets: { start: string; count: number }[] = [];
    if (Number.isFinite(first) && Number.isFinite(last))
      for (let b = first; b <= last && buckets.length < 5000; b = nextBucket(interval, b))
        buckets.push({ start: dateOf(b), count: counts.get(b) ?? 0 });
    return { interval, buckets };
  };
  session('/api/analysis/timeseries', (req, _r, recs) => timeseries(recs, query(req)));

  // 4. hour × weekday
  const matrixOf = (sel: FixtureRecord[]) => {
    const counts = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    let unknownTime = 0;
    for (const r of sel) {
      if (r.hour === null) unknownTime++;
      else counts[r.weekday - 1][r.hour]++;
    }
    return { counts, unknownTime };
  };
  session('/api/analysis/matrix', (req, _r, recs) => {
    const f = parseFilters(query(req));
    return matrixOf(recs.filter((r) => matches(r, f)));
  });

  // 5. breakdown
  session('/api/analysis/breakdown', (req, _r, recs) => {
    const q = query(req);
    const f = parseFilters(q);
    const level = Number(q.level ?? 2);
    if (![1, 2, 3, 4].includes(level)) throw bad('level', 'Nivel no válido (1 a 4).', 'Invalid level (1 to 4).');
    const counts = new Map<string, number>();
    for (const r of recs) {
      if (!matches(r, f)) continue;
      const code = r.code.split('.').slice(0, level).join('.');
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    const cat = crimeCatalogue();
    return {
      rows: [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([code, count]) => ({ code, name: cat.get(code)?.name ?? code, nameEn: cat.get(code)?.nameEn ?? code, count })),
    };
  });

  // 6. jobs
  const jobView = (j: Job) => ({
    id: j.id,
    method: j.method,
    status: j.status,
    progress: j.progress,
    ...(j.error ? { error: j.error } : {}),
    ...(j.result !== undefined ? { result: j.result } : {}),
  });
  app.post('/api/analysis/jobs', { config: { access: 'session.read' } }, async (req, reply) => {
    try {
      const actor = actorOf(req);
      const body = (req.body ?? {}) as JobBody;
      const method = String(body.method ?? '');
      if (!['gistar', 'localmoran', 'kde', 'emerging', 'knox'].includes(method))
        throw bad('method', `Método desconocido: ${method}.`, `Unknown method: ${method}.`);
      const f = parseFilters(body);
      if (method !== 'kde' && method !== 'knox') parseUnit(body, ['h3', 'grid', 'colonia', 'quadrant', 'municipality', 'state']);
      const recs = visible(actor).filter((r) => matches(r, f));
      const job: Job = { id: crypto.randomUUID(), owner: actor.userId, method, status: 'queued', progress: 0 };
      jobs.set(job.id, job);
      let step = 0;
      const tick = () => {
        if (job.status === 'cancelled') return;
        step++;
        job.status = 'running';
        job.progress = Math.min(0.9, step / 10);
        if (step < 10) {
          job.timer = setTimeout(tick, jobMs / 10);
          return;
        }
        try {
          job.result = runAnalysis(method, body, recs, areas, f);
          job.status = 'done';
          job.progress = 1;
        } catch (e) {
          job.status = 'failed';
          const lang = req.lang;
          job.error =
            e instanceof ContractError
              ? { code: e.code, message: lang === 'en' ? e.en : e.es, ...(e.field ? { field: e.field } : {}) }
              : isAnalysisError(e)
                ? { code: e.code, message: e.message, field: e.field }
                : { code: 'internal', message: String(e) };
        }
      };
      job.timer = setTimeout(tick, jobMs / 10);
      return reply.code(202).send({ id: job.id });
    } catch (e) {
      return fail(req, reply, e);
    }
  });
  const ownJob = (req: FastifyRequest) => {
    const actor = actorOf(req);
    const job = jobs.get((req.params as { id: string }).id);
    // Someone else's job answers exactly like a missing one.
    if (!job || job.owner !== actor.userId)
      throw new ContractError(404, 'not_found', undefined, 'No se encontró el análisis.', 'Analysis not found.');
    return job;
  };
  app.get('/api/analysis/jobs/:id', { config: { access: 'session.read' } }, async (req, reply) => {
    try {
      return jobView(ownJob(req));
    } catch (e) {
      return fail(req, reply, e);
    }
  });
  app.delete('/api/analysis/jobs/:id', { config: { access: 'session.read' } }, async (req, reply) => {
    try {
      const job = ownJob(req);
      if (job.status === 'queued' || job.status === 'running') {
        clearTimeout(job.timer);
        job.status = 'cancelled';
      }
      return jobView(job);
    } catch (e) {
      return fail(req, reply, e);
    }
  });

  // 7. forecast
  session('/api/analysis/forecast', (req, _r, recs) => {
    const q = query(req);
    const f = parseFilters(q);
    const coverage = q.coverage === undefined ? 0.05 : Number(q.coverage);
    if (!(coverage > 0 && coverage < 1)) throw bad('coverage', 'Cobertura no válida (entre 0 y 1).', 'Invalid coverage (between 0 and 1).');
    const weeks = q.weeks === undefined ? 4 : Number(q.weeks);
    if (!Number.isInteger(weeks) || weeks < 1 || weeks > 52) throw bad('weeks', 'Semanas no válidas (1 a 52).', 'Invalid weeks (1 to 52).');
    const cellSize = q.unit === 'grid' && q.cellSize !== undefined ? Number(q.cellSize) : 500;
    const sel = recs.filter((r) => matches(r, { ...f, to: f.to }));
    if (sel.length < 10)
      throw new ContractError(
        400,
        'analysis_too_few_observations',
        'filters',
        'Muy pocos delitos para evaluar un pronóstico.',
        'Too few crimes to evaluate a forecast.',
      );
    const x = Float64Array.from(sel, (r) => r.x);
    const y = Float64Array.from(sel, (r) => r.y);
    const t = Float64Array.from(sel, (r) => r.day);
    const end = (f.to ? dayOf(f.to) : Math.max(...t)) + 1;
    const start = end - weeks * 7;
    const grid = gridCovering(Math.min(...x), Math.min(...y), Math.max(...x) + 1, Math.max(...y) + 1, cellSize);
    const cmp = compareForecasts(
      grid,
      { x, y, t },
      { testStart: start, testEnd: end, halfLife: 28, bandwidth: 600, coverages: [coverage] },
    );
    const row = (method: string, a: (typeof cmp.decayedKde)[number]) => ({
      method,
      hitRate: finite(round(a.hitRate)),
      pai: finite(round(a.pai)),
      pei: finite(round(a.pei)),
      rri: finite(round(a.rriLevine)),
    });
    const k = cmp.decayedKde[0];
    const pctArea = round(k.areaFraction * 100, 1);
    const pctCrimes = Math.round(k.hitRate * 100);
    const period = { from: dateOf(start), to: dateOf(end - 1) };
    return {
      period,
      coverage,
      methods: [row('decayed_kde', k), row('last_period', cmp.lastPeriod[0]), row('long_run', cmp.longRun[0])],
      sentence: {
        es: `El pronóstico del periodo pasado (${period.from} a ${period.to}) marcó el ${pctArea.toLocaleString('es-MX')} % del área; ahí ocurrió el ${pctCrimes} % de los delitos.`,
        en: `Last period's forecast (${period.from} to ${period.to}) marked ${pctArea} % of the area; ${pctCrimes} % of the crimes happened there.`,
      },
    };
  });

  // 8. neighbourhood profile
  session('/api/analysis/profile', (req, _r, recs) => {
    const q = query(req);
    const m = /^(colonia|quadrant|municipality):(.+)$/.exec(String(q.area ?? ''));
    if (!m)
      throw bad(
        'area',
        'Indique colonia:<id>, quadrant:<id> o municipality:<clave>.',
        'Give colonia:<id>, quadrant:<id> or municipality:<code>.',
      );
    const kind = m[1] as 'colonia' | 'quadrant' | 'municipality';
    const info = areas.get(kind, m[2]);
    if (!info) throw new ContractError(404, 'not_found', 'area', 'No se encontró el área.', 'Area not found.');
    const inArea = (r: FixtureRecord) =>
      ({ colonia: r.coloniaId, quadrant: r.quadrantId, municipality: r.municipalityCode })[kind] === info.code;
    const f = parseFilters({ ...q, area: undefined });
    let to = f.to;
    let from = f.from;
    if (!to) to = dateOf(Math.max(...recs.map((r) => r.day)));
    if (!from) {
      const d = new Date(dayOf(to) * 86_400_000);
      from = dateOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 2, 1) / 86_400_000);
    }
    const len = dayOf(to) - dayOf(from) + 1;
    const previous = { from: dateOf(dayOf(from) - len), to: dateOf(dayOf(from) - 1) };
    const lastYear = { from: `${Number(from.slice(0, 4)) - 1}${from.slice(4)}`, to: `${Number(to.slice(0, 4)) - 1}${to.slice(4)}` };
    const within = (r: FixtureRecord, p: { from: string; to: string }) =>
      r.date >= p.from && r.date <= p.to && matches(r, { ...f, from: null, to: null });
    const mine = recs.filter(inArea);
    const cur = mine.filter((r) => within(r, { from, to: to! }));
    const prev = mine.filter((r) => within(r, previous));
    const ly = mine.filter((r) => within(r, lastYear));
    const subtype = (r: FixtureRecord) => r.code.split('.').slice(0, 3).join('.');
    const tally = (list: FixtureRecord[]) => {
      const c = new Map<string, number>();
      for (const r of list) c.set(subtype(r), (c.get(subtype(r)) ?? 0) + 1);
      return c;
    };
    const [tc, tp, tl] = [tally(cur), tally(prev), tally(ly)];
    const change = (a: number, b: number) => (b > 0 ? round(((a - b) / b) * 100, 2) : null);
    const figs = (count: number, p: number, l: number) => ({
      count,
      ratePer1000: info.population ? round((count / info.population) * 1000, 4) : null,
      previous: p,
      lastYear: l,
      changePrevious: change(count, p),
      changeLastYear: change(count, l),
    });
    const cat = crimeCatalogue();
    const codes = [...new Set([...tc.keys(), ...tp.keys(), ...tl.keys()])].sort((a, b) => (tc.get(b) ?? 0) - (tc.get(a) ?? 0));
    // Hot spots: Gi* over H3 res 9 of the surrounding alcaldía (or the municipality itself), the hot cells inside the area.
    const parent = kind === 'municipality' ? info.code : info.parent;
    const around = recs.filter((r) => r.municipalityCode === parent && within(r, { from, to: to! }));
    const hotUnit: Unit = { kind: 'h3', resolution: 9, cellSize: null };
    let hotspots: Feature[] = [];
    if (around.length >= 3) {
      const counts = countBy(hotUnit, around);
      const { cells, contiguity } = studyCells(hotUnit, counts, areas, around);
      const values = Float64Array.from(cells, (c) => counts.get(c.id) ?? 0);
      try {
        const g = giStar(values, contiguity('queen'));
        hotspots = cells
          .map((c, i) => ({ c, i }))
          .filter(({ c, i }) => {
            if (g.bin[i] <= 0) return false;
            const [lat, lon] = cellToLatLng(c.id);
            const place = opts.geo.locate(lat, lon);
            const id = kind === 'colonia' ? place?.colonia?.id : kind === 'quadrant' ? place?.quadrant?.id : place?.municipality.code;
            return id === info.code;
          })
          .map(({ c, i }) => ({
            type: 'Feature',
            id: c.id,
            geometry: c.geometry,
            properties: { ...figures(c, values[i]), z: finite(g.z[i]), p: finite(g.p[i]), bin: g.bin[i] },
          }));
      } catch (e) {
        if (!isAnalysisError(e)) throw e;
      }
    }
    // Rank among the peers: colonias / quadrants of the same alcaldía, municipalities of the same state (1 = most crimes).
    const peerKey = (r: FixtureRecord) => ({ colonia: r.coloniaId, quadrant: r.quadrantId, municipality: r.municipalityCode })[kind];
    const peers = areas.all(kind).filter((a) => a.parent === info.parent);
    const peerCounts = new Map(peers.map((p) => [p.code, 0]));
    for (const r of recs) {
      const k = peerKey(r);
      if (k && peerCounts.has(k) && within(r, { from, to: to! })) peerCounts.set(k, peerCounts.get(k)! + 1);
    }
    const position = 1 + [...peerCounts.values()].filter((n) => n > cur.length).length;
    return {
      area: { kind, id: info.code, name: info.name, population: info.population, areaKm2: round(info.areaKm2, 3) },
      period: { from, to },
      previous,
      lastYear,
      byType: codes.map((code) => ({
        code,
        name: cat.get(code)?.name ?? code,
        nameEn: cat.get(code)?.nameEn ?? code,
        ...figs(tc.get(code) ?? 0, tp.get(code) ?? 0, tl.get(code) ?? 0),
      })),
      total: figs(cur.length, prev.length, ly.length),
      matrix: matrixOf(cur).counts,
      hotspots: { type: 'FeatureCollection', features: hotspots },
      rank: {
        position,
        of: peers.length,
        peers:
          kind === 'municipality'
            ? 'municipalities of the state'
            : kind === 'colonia'
              ? 'colonias of the municipality'
              : 'quadrants of the municipality',
      },
    };
  });

  // 9. public map
  publicRoute('/api/public/map/aggregate', (req) => {
    const fc = aggregate(records, query(req), ['h3', 'quadrant', 'colonia', 'municipality'], 9);
    for (const feat of fc.features) {
      const p = feat.properties as Record<string, unknown>;
      if ((p.count as number) < threshold) Object.assign(p, { count: null, ratePer1000: null, perKm2: null, suppressed: true });
    }
    return fc;
  });
  publicRoute('/api/public/map/points', (req) => {
    const q = query(req);
    const f = parseFilters(q);
    const limit = limitOf(q);
    const sel = records
      .filter((r) => matches(r, f) && !PUBLIC_NO_POINTS.some((c) => r.code === c || r.code.startsWith(`${c}.`)))
      .slice(0, limit);
    const centre = (r: FixtureRecord): [number, number] | null => {
      if (opts.publicSnap === 'quadrant') {
        const c = r.quadrantId ? cellOf({ kind: 'quadrant', resolution: null, cellSize: null }, r.quadrantId, areas) : null;
        return c ? toLonLat(c.x, c.y) : null;
      }
      const [lat, lon] = cellToLatLng(r.h3[2]);
      return [lon, lat];
    };
    return {
      type: 'FeatureCollection',
      features: sel
        .map((r) => ({ r, at: centre(r) }))
        .filter((x): x is { r: FixtureRecord; at: [number, number] } => x.at !== null)
        .map(({ r, at }) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [round(at[0], 6), round(at[1], 6)] },
          properties: { classificationCode: r.code, occurredOn: r.date, violent: r.violent },
        })),
    };
  });
  publicRoute('/api/public/map/timeseries', (req) => timeseries(records, query(req)));
}

/** The contract's paths, answered by the fixture. */
export const isContractPath = (url: string) => /^\/api\/(analysis|public\/map)\//.test(url);

/**
 * Serves the platform and the contract fixture from one HTTP server on 127.0.0.1 (see the module
 * comment); returns its address and a close function (which does not close the platform).
 */
export async function serveWithAnalysisContract(
  p: Platform,
  options: Omit<ContractFixtureOptions, 'geo'> = {},
): Promise<{ base: string; fixture: FastifyInstance; close: () => Promise<void> }> {
  const ctx = { config: p.config, handle: p.handle };
  const fixture = await buildServer(ctx, { logger: false });
  registerAccessHook(fixture, ctx);
  await fixture.register(analysisContractFixture, { ...options, geo: p.geo });
  await fixture.ready();
  await p.app.ready();
  const server = http.createServer((req, res) => (isContractPath(req.url ?? '') ? fixture : p.app).routing(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    fixture,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fixture.close();
    },
  };
}
