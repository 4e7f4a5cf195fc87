import { describe, expect, it } from 'vitest';
import type { Capability, Unit, UnitStatus, UnitType } from './dispatch.types.js';
import { DEFAULT_ROAD_FACTOR, DEFAULT_SPEEDS_KMH, coverage, haversineM, recommendUnits, responsibilityTier } from './recommend.js';
import type { RecommendAgency, RecommendInput } from './recommend.js';

// Zócalo, Cuauhtémoc (09015), Ciudad de México (09).
const INCIDENT = { lat: 19.4326, lon: -99.1332, stateCode: '09', municipalityCode: '09015' };
const M_PER_DEGREE_LAT = (Math.PI / 180) * 6_371_008.8;

const AGENCIES: RecommendAgency[] = [
  { id: 'mun', stateCode: '09', municipalityCode: '09015', level: 'municipal' },
  { id: 'mun-bj', stateCode: '09', municipalityCode: '09014', level: 'municipal' },
  { id: 'state', stateCode: '09', municipalityCode: null, level: 'state' },
  { id: 'state-mex', stateCode: '15', municipalityCode: null, level: 'state' },
  { id: 'fed', stateCode: null, municipalityCode: null, level: 'federal' },
];

const CAPS: Record<UnitType, Capability[]> = {
  patrol_car: ['police', 'traffic'],
  motorcycle: ['police', 'traffic'],
  ambulance: ['medical'],
  fire_engine: ['fire', 'rescue'],
  rescue: ['rescue'],
  hazmat: ['hazmat'],
  civil_protection: ['civil_protection'],
  tow_truck: ['traffic'],
  helicopter: ['police', 'medical', 'rescue'],
};

/** A unit `metresNorth` of the incident. */
function unit(
  id: string,
  metresNorth: number,
  opts: {
    type?: UnitType;
    agencyId?: string;
    status?: UnitStatus;
    capabilities?: Capability[];
    positioned?: boolean;
    callSign?: string;
  } = {},
): Unit {
  const type = opts.type ?? 'patrol_car';
  return {
    id,
    agencyId: opts.agencyId ?? 'mun',
    callSign: opts.callSign ?? id.toUpperCase(),
    type,
    capabilities: opts.capabilities ?? CAPS[type],
    station: null,
    crew: [],
    status: opts.status ?? 'available',
    statusAt: '2026-01-01T00:00:00.000Z',
    position:
      opts.positioned === false
        ? null
        : { lat: INCIDENT.lat + metresNorth / M_PER_DEGREE_LAT, lon: INCIDENT.lon, at: '2026-01-01T00:00:00.000Z' },
    incidentId: null,
  };
}

const input = (units: Unit[], requiredCapabilities: Capability[], extra: Partial<RecommendInput> = {}): RecommendInput => ({
  incident: { ...INCIDENT, requiredCapabilities },
  units,
  agencies: AGENCIES,
  ...extra,
});
const ids = (recs: { unitId: string }[]): string[] => recs.map((r) => r.unitId);
/** Default ETA in seconds of a patrol car `m` metres away in a straight line. */
const patrolEta = (m: number): number => (m * DEFAULT_ROAD_FACTOR) / (DEFAULT_SPEEDS_KMH.patrol_car / 3.6);

describe('haversine', () => {
  it('one degree of latitude is ~111.2 km; Zócalo → Ángel de la Independencia ~3.7 km', () => {
    expect(haversineM(19, -99, 20, -99)).toBeCloseTo(111_195, -1);
    expect(haversineM(19.4326, -99.1332, 19.427, -99.1677)).toBeGreaterThan(3_500);
    expect(haversineM(19.4326, -99.1332, 19.427, -99.1677)).toBeLessThan(3_700);
  });
});

describe('recommendUnits', () => {
  it('orders by ETA and computes distance × road factor ÷ speed', () => {
    const recs = recommendUnits(input([unit('p3', 3000), unit('p1', 1000), unit('p2', 2000)], ['police']));
    expect(ids(recs)).toEqual(['p1', 'p2', 'p3']);
    expect(recs[0].distanceM).toBe(1350);
    expect(recs[0].etaSeconds).toBe(Math.round(patrolEta(1000)));
    expect(recs[0]).toMatchObject({ callSign: 'P1', agencyId: 'mun', type: 'patrol_car', covers: ['police'], responsible: true });
  });

  it('keeps only units with a required capability', () => {
    const units = [unit('p1', 100), unit('amb1', 2000, { type: 'ambulance' }), unit('fire1', 500, { type: 'fire_engine' })];
    const recs = recommendUnits(input(units, ['medical']));
    expect(ids(recs)).toEqual(['amb1']);
    expect(recs[0].covers).toEqual(['medical']);
    expect(ids(recommendUnits(input(units, ['fire', 'rescue'])))).toEqual(['fire1']);
    expect(recommendUnits(input(units, ['fire', 'rescue']))[0].covers).toEqual(['fire', 'rescue']);
  });

  it('with no required capability, any police unit', () => {
    const units = [unit('amb1', 100, { type: 'ambulance' }), unit('moto1', 900, { type: 'motorcycle' }), unit('p1', 300)];
    const recs = recommendUnits(input(units, []));
    expect(ids(recs)).toEqual(['p1', 'moto1']);
    expect(recs.every((r) => r.covers.join() === 'police')).toBe(true);
  });

  it('excludes busy, out-of-service and unlocated units', () => {
    const units = [
      unit('busy', 100, { status: 'en_route' }),
      unit('dispatched', 100, { status: 'dispatched' }),
      unit('scene', 100, { status: 'on_scene' }),
      unit('returning', 100, { status: 'returning' }),
      unit('oos', 100, { status: 'out_of_service' }),
      unit('lost', 0, { positioned: false }),
      unit('ok', 5000),
    ];
    expect(ids(recommendUnits(input(units, ['police'])))).toEqual(['ok']);
  });

  it('prefers the municipal agency, then the state, then others', () => {
    const units = [
      unit('fed', 1000, { agencyId: 'fed' }),
      unit('state', 1000, { agencyId: 'state' }),
      unit('mun', 1000, { agencyId: 'mun' }),
    ];
    const recs = recommendUnits(input(units, ['police']));
    expect(ids(recs)).toEqual(['mun', 'state', 'fed']);
    expect(recs.map((r) => r.responsible)).toEqual([true, true, false]);
    // a neighbouring municipality or another state's agency is not responsible
    expect(responsibilityTier(AGENCIES[1], '09', '09015')).toBe('other');
    expect(responsibilityTier(AGENCIES[3], '09', '09015')).toBe('other');
    expect(responsibilityTier(undefined, '09', '09015')).toBe('other');
  });

  it('a non-responsible unit goes first only when more than 5 min faster than a municipal one', () => {
    // municipal 3 km away (~365 s); federal 1 km (~122 s): 243 s faster, not enough
    const near = recommendUnits(input([unit('mun', 3000), unit('fed', 1000, { agencyId: 'fed' })], ['police']));
    expect(ids(near)).toEqual(['mun', 'fed']);
    // federal 100 m (~12 s): 353 s faster, goes first
    const nearer = recommendUnits(input([unit('mun', 3000), unit('fed', 100, { agencyId: 'fed' })], ['police']));
    expect(ids(nearer)).toEqual(['fed', 'mun']);
    // a state unit must be more than 2 min faster than a municipal one
    expect(ids(recommendUnits(input([unit('mun', 2000), unit('st', 1200, { agencyId: 'state' })], ['police'])))).toEqual(['mun', 'st']);
    expect(ids(recommendUnits(input([unit('mun', 2000), unit('st', 500, { agencyId: 'state' })], ['police'])))).toEqual(['st', 'mun']);
    // the handicap is configurable; 0 everywhere gives pure ETA order
    const flat = recommendUnits(
      input([unit('mun', 3000), unit('fed', 1000, { agencyId: 'fed' })], ['police'], {
        responsibilityHandicapSeconds: { state: 0, other: 0 },
      }),
    );
    expect(ids(flat)).toEqual(['fed', 'mun']);
  });

  it('breaks ETA ties by coverage, then call sign', () => {
    const units = [
      unit('b', 1000, { callSign: 'B-2' }),
      unit('a', 1000, { callSign: 'A-9' }),
      unit('c', 1000, { callSign: 'C-1', capabilities: ['police', 'medical'] }),
    ];
    expect(ids(recommendUnits(input(units, ['police', 'medical'])))).toEqual(['c', 'a', 'b']);
  });

  it('appends the units needed to cover every capability beyond the limit (nearest medical + nearest police)', () => {
    const units = [
      unit('p-near', 300),
      unit('p-far', 800),
      unit('p-far2', 900),
      unit('amb-near', 2000, { type: 'ambulance' }),
      unit('amb-far', 6000, { type: 'ambulance' }),
    ];
    const recs = recommendUnits(input(units, ['medical', 'police'], { limit: 2 }));
    expect(ids(recs)).toEqual(['p-near', 'p-far', 'amb-near']);
    const all = recommendUnits(input(units, ['medical', 'police']));
    expect(ids(coverage(all, ['medical', 'police']).units)).toEqual(['p-near', 'amb-near']);
  });

  it('uses the speed and road-factor overrides of the unit agency; helicopters fly straight', () => {
    const units = [unit('amb-mun', 5000, { type: 'ambulance' }), unit('amb-state', 5000, { type: 'ambulance', agencyId: 'state' })];
    const base = recommendUnits(input(units, ['medical']));
    const fast = recommendUnits(input(units, ['medical'], { speeds: { state: { ambulance: 90 } } }));
    const byId = (recs: typeof base, id: string) => recs.find((r) => r.unitId === id)!;
    expect(byId(fast, 'amb-state').etaSeconds).toBe(Math.round(byId(base, 'amb-state').etaSeconds / 2));
    expect(byId(fast, 'amb-mun').etaSeconds).toBe(byId(base, 'amb-mun').etaSeconds);
    expect(ids(fast)).toEqual(['amb-state', 'amb-mun']); // 270 s faster than the municipal one: beats the 120 s handicap

    const straight = recommendUnits(input(units, ['medical'], { roadFactor: { mun: 1.0 } }));
    expect(byId(straight, 'amb-mun').distanceM).toBe(5000);
    expect(byId(straight, 'amb-state').distanceM).toBe(6750);

    const heli = recommendUnits(input([unit('h1', 18_000, { type: 'helicopter', agencyId: 'state' })], ['medical']));
    expect(heli[0]).toMatchObject({ distanceM: 18_000, etaSeconds: 360 });
    // invalid overrides fall back to the defaults
    const invalid = recommendUnits(input(units, ['medical'], { speeds: { mun: { ambulance: 0 } }, roadFactor: { mun: -1 } }));
    expect(byId(invalid, 'amb-mun').etaSeconds).toBe(byId(base, 'amb-mun').etaSeconds);
  });

  it('returns nothing when no unit qualifies', () => {
    expect(recommendUnits(input([unit('p1', 100)], ['hazmat']))).toEqual([]);
  });
});

describe('coverage', () => {
  const recs = recommendUnits(
    input(
      [
        unit('p1', 200),
        unit('amb1', 400, { type: 'ambulance' }),
        unit('fire1', 600, { type: 'fire_engine' }),
        unit('heli', 5000, { type: 'helicopter', agencyId: 'fed' }),
      ],
      ['police', 'medical', 'rescue'],
    ),
  );

  it('finds the fewest units, even when one is ranked last', () => {
    // the helicopter alone has police, medical and rescue
    expect(ids(coverage(recs, ['police', 'medical', 'rescue']).units)).toEqual(['heli']);
  });

  it('among minimal sets, the best ranked', () => {
    expect(ids(coverage(recs, ['police', 'medical']).units)).toEqual(['heli']);
    expect(ids(coverage(recs.slice(0, 3), ['police', 'medical', 'rescue']).units)).toEqual(['p1', 'amb1', 'fire1']);
    expect(ids(coverage(recs, ['police']).units)).toEqual(['p1']);
  });

  it('reports capabilities nobody has and covers the rest', () => {
    const result = coverage(recs.slice(0, 2), ['police', 'medical', 'hazmat']);
    expect(result.missing).toEqual(['hazmat']);
    expect(ids(result.units)).toEqual(['p1', 'amb1']);
    expect(coverage([], ['police'])).toEqual({ units: [], missing: ['police'] });
  });
});
