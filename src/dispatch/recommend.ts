/**
 * Unit recommendation for an incident: which available units to send, best first, and the
 * smallest set of them that together has every capability the incident type needs. Pure: the
 * caller passes the units (with their last known positions) and the agencies.
 *
 * Rules (defaults; every number can be overridden per call):
 * 1. Candidates: units with status `available`, a known position, and at least one of the
 *    required capabilities — or, when the type requires none, any unit with `police`.
 * 2. Distance: great-circle (haversine) distance × a road factor (default 1.35, per agency
 *    override; helicopters always 1.0). ETA = road distance ÷ the speed of the unit type
 *    ({@link DEFAULT_SPEEDS_KMH}, per agency override). Turnout time and position age are not
 *    modelled: the ETA is travel time from the last reported position.
 * 3. Responsibility: the incident's municipality's own (municipal) agencies come first, then the
 *    state agencies of its state, then every other agency (federal, other municipalities or
 *    states). It is applied as a handicap added to the ETA when ranking: +0 s for the municipal
 *    agency, +120 s for state agencies, +300 s for the others ({@link DEFAULT_RESPONSIBILITY_HANDICAP_SECONDS}).
 *    So a responsible unit is preferred unless another unit is more than the handicap
 *    difference faster (a non-responsible unit must arrive over 5 min sooner than a municipal
 *    one, over 3 min sooner than a state one). Being a plain sort key, the rule is transitive.
 * 4. Ties: raw ETA, then more required capabilities covered, then call sign, then unit id.
 * 5. The list is cut at `limit` (default 10), but units of the covering set ({@link coverage})
 *    that fall beyond the limit are appended, so the result always holds enough units to cover
 *    every required capability when the available units can.
 */
import type { Capability, Unit, UnitType } from './dispatch.types.js';

/** Government level of an agency (as in the identity module). */
export type AgencyLevel = 'federal' | 'state' | 'municipal';

/** What the recommendation needs to know of an agency. */
export interface RecommendAgency {
  readonly id: string;
  /** INEGI state code ("09"); null for federal agencies. */
  readonly stateCode: string | null;
  /** INEGI municipality code ("09015"); null for state and federal agencies. */
  readonly municipalityCode: string | null;
  readonly level: AgencyLevel;
}

/** Input of {@link recommendUnits}. */
export interface RecommendInput {
  readonly incident: {
    readonly lat: number;
    readonly lon: number;
    readonly stateCode: string;
    readonly municipalityCode: string;
    readonly requiredCapabilities: readonly Capability[];
  };
  readonly units: readonly Unit[];
  readonly agencies: readonly RecommendAgency[];
  /** Per-agency speeds in km/h, by unit type; missing ones use {@link DEFAULT_SPEEDS_KMH}. */
  readonly speeds?: Readonly<Record<string, Partial<Record<UnitType, number>>>>;
  /** Per-agency road factor (road distance ÷ straight-line distance); default {@link DEFAULT_ROAD_FACTOR}. */
  readonly roadFactor?: Readonly<Record<string, number>>;
  /** Ranking handicap by responsibility tier, in seconds. */
  readonly responsibilityHandicapSeconds?: Partial<Record<ResponsibilityTier, number>>;
  /** Maximum number of ranked units (default 10); covering units beyond it are still appended. */
  readonly limit?: number;
}

/** How responsible a unit's agency is for the incident's location. */
export type ResponsibilityTier = 'municipal' | 'state' | 'other';

/** One recommended unit. */
export interface Recommendation {
  readonly unitId: string;
  readonly callSign: string;
  readonly agencyId: string;
  readonly type: UnitType;
  /** Estimated road distance, metres (straight line × road factor). */
  readonly distanceM: number;
  readonly etaSeconds: number;
  /** The required capabilities this unit has (`['police']` when the type requires none). */
  readonly covers: Capability[];
  /** The unit's agency is the municipal or state agency of the location. */
  readonly responsible: boolean;
}

/**
 * Default travel speeds, km/h: urban averages with lights and sirens, conservative on purpose
 * (Mexican cities at rush hour); fire engines are the slowest, helicopters fly straight.
 */
export const DEFAULT_SPEEDS_KMH: Readonly<Record<UnitType, number>> = {
  patrol_car: 40,
  motorcycle: 45,
  ambulance: 45,
  fire_engine: 35,
  rescue: 40,
  hazmat: 35,
  civil_protection: 40,
  tow_truck: 35,
  helicopter: 180,
};

/** Typical ratio of road to straight-line distance in a city grid. */
export const DEFAULT_ROAD_FACTOR = 1.35;

/** See rule 3 of the module comment. */
export const DEFAULT_RESPONSIBILITY_HANDICAP_SECONDS: Readonly<Record<ResponsibilityTier, number>> = {
  municipal: 0,
  state: 120,
  other: 300,
};

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres between two WGS84 points. */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

const positive = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

/** Responsibility tier of an agency for a location (unknown agencies count as `other`). */
export function responsibilityTier(agency: RecommendAgency | undefined, stateCode: string, municipalityCode: string): ResponsibilityTier {
  if (!agency) return 'other';
  if (agency.level === 'municipal' && agency.municipalityCode === municipalityCode) return 'municipal';
  if (agency.level === 'state' && agency.stateCode === stateCode) return 'state';
  return 'other';
}

/** Ranked units for an incident; see the module comment for the rules. */
export function recommendUnits(input: RecommendInput): Recommendation[] {
  const { incident } = input;
  const required = [...new Set(incident.requiredCapabilities)];
  const wanted: readonly Capability[] = required.length > 0 ? required : ['police'];
  const agencies = new Map(input.agencies.map((a) => [a.id, a]));
  const handicap = { ...DEFAULT_RESPONSIBILITY_HANDICAP_SECONDS, ...input.responsibilityHandicapSeconds };

  const ranked: { rec: Recommendation; key: number }[] = [];
  for (const unit of input.units) {
    if (unit.status !== 'available' || !unit.position) continue;
    const covers = wanted.filter((c) => unit.capabilities.includes(c));
    if (covers.length === 0) continue;
    const straight = haversineM(incident.lat, incident.lon, unit.position.lat, unit.position.lon);
    const agencyFactor = input.roadFactor?.[unit.agencyId];
    const factor = unit.type === 'helicopter' ? 1 : positive(agencyFactor) ? agencyFactor : DEFAULT_ROAD_FACTOR;
    const agencySpeed = input.speeds?.[unit.agencyId]?.[unit.type];
    const speedKmh = positive(agencySpeed) ? agencySpeed : DEFAULT_SPEEDS_KMH[unit.type];
    const distanceM = Math.round(straight * factor);
    const etaSeconds = Math.round((straight * factor) / (speedKmh / 3.6));
    const tier = responsibilityTier(agencies.get(unit.agencyId), incident.stateCode, incident.municipalityCode);
    ranked.push({
      rec: {
        unitId: unit.id,
        callSign: unit.callSign,
        agencyId: unit.agencyId,
        type: unit.type,
        distanceM,
        etaSeconds,
        covers,
        responsible: tier !== 'other',
      },
      key: etaSeconds + handicap[tier],
    });
  }
  ranked.sort(
    (a, b) =>
      a.key - b.key ||
      a.rec.etaSeconds - b.rec.etaSeconds ||
      b.rec.covers.length - a.rec.covers.length ||
      compareText(a.rec.callSign, b.rec.callSign) ||
      compareText(a.rec.unitId, b.rec.unitId),
  );
  const all = ranked.map((r) => r.rec);
  const limit = input.limit ?? 10;
  const result = all.slice(0, Math.max(0, limit));
  for (const rec of coverage(all, wanted).units) if (!result.includes(rec)) result.push(rec);
  return result;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Result of {@link coverage}. */
export interface Coverage {
  /** The smallest set of units having every required capability, in ranking order. */
  readonly units: Recommendation[];
  /** Required capabilities no unit has. */
  readonly missing: Capability[];
}

/**
 * The fewest units, taken from a ranked list, that together have every required capability —
 * e.g. the first medical unit and the first police unit when no unit has both. Exact minimum:
 * units are grouped by the subset of capabilities they cover (only the best-ranked unit of each
 * subset matters), and sets of 1, 2, 3… subsets are tried in turn; among minimal sets the one
 * with the best (lowest) sum of ranking positions wins, so "the nearest medical + the nearest
 * police" beats any pair further down. Capabilities nobody has are reported in `missing` and the
 * rest are still covered.
 */
export function coverage(ranked: readonly Recommendation[], required: readonly Capability[]): Coverage {
  const caps = [...new Set(required)];
  const bit = new Map(caps.map((c, i) => [c, 1 << i]));
  // Best-ranked unit for each coverage mask.
  const bestByMask = new Map<number, number>();
  ranked.forEach((rec, position) => {
    let mask = 0;
    for (const c of rec.covers) mask |= bit.get(c) ?? 0;
    if (mask !== 0 && !bestByMask.has(mask)) bestByMask.set(mask, position);
  });
  let reachable = 0;
  for (const mask of bestByMask.keys()) reachable |= mask;
  const missing = caps.filter((c) => (reachable & bit.get(c)!) === 0);
  if (reachable === 0) return { units: [], missing };

  // Drop masks contained in a better-ranked mask: they never help a minimal, best-ranked set.
  const options = [...bestByMask.entries()]
    .filter(([mask, pos]) => ![...bestByMask.entries()].some(([m, p]) => m !== mask && (m & mask) === mask && p < pos))
    .sort((a, b) => a[1] - b[1]);

  // Greedy set cover when the exact search could blow up (many capabilities, many mixes).
  if (options.length > 40) {
    const positions: number[] = [];
    let covered = 0;
    while (covered !== reachable) {
      let pick = options[0];
      let gain = 0;
      for (const o of options) {
        const g = popcount(o[0] & ~covered);
        if (g > gain) [pick, gain] = [o, g];
      }
      positions.push(pick[1]);
      covered |= pick[0];
    }
    return { units: positions.sort((a, b) => a - b).map((p) => ranked[p]), missing };
  }

  const found: { positions: number[] | null; cost: number } = { positions: null, cost: Infinity };
  const search = (start: number, depth: number, mask: number, chosen: number[], cost: number): void => {
    if (chosen.length === depth) {
      if (mask === reachable && cost < found.cost) {
        found.positions = [...chosen];
        found.cost = cost;
      }
      return;
    }
    for (let i = start; i < options.length; i++) {
      const [m, pos] = options[i];
      if (cost + pos >= found.cost) break; // options are sorted by position: the rest cost more
      chosen.push(pos);
      search(i + 1, depth, mask | m, chosen, cost + pos);
      chosen.pop();
    }
  };
  for (let depth = 1; depth <= caps.length && found.positions === null; depth++) search(0, depth, 0, [], 0);
  const positions = found.positions ?? [];
  return { units: positions.sort((a, b) => a - b).map((p) => ranked[p]), missing };
}

function popcount(n: number): number {
  let count = 0;
  for (let v = n; v !== 0; v &= v - 1) count++;
  return count;
}
