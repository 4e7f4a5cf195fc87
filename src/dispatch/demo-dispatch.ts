import { newId } from '../platform/ids.js';
import type { Agency } from '../identity/identity.service.js';
import { listAgencies, listUsers } from '../identity/identity.service.js';
import * as store from './dispatch.store.js';
import { createUnit, type DispatchDeps } from './dispatch.service.js';
import type { Capability, UnitType } from './dispatch.types.js';

/**
 * Demo units and cameras for the demo organisation: Mexico City's C5 with the
 * city's police by alcaldía, ERUM ambulances and fire engines, and Guadalajara's
 * municipal police. Positions start at the municipal seats (INEGI) with fixed
 * offsets, so every start gives the same board. Camera positions are demo data,
 * not the C5's real network.
 */
const offset = (seat: readonly [number, number], i: number, metres: number): { lat: number; lon: number } => {
  const angle = (i * 137.508 * Math.PI) / 180; // golden angle: spread without clumping
  const dLat = (metres * Math.cos(angle)) / 111_320;
  const dLon = (metres * Math.sin(angle)) / (111_320 * Math.cos((seat[1] * Math.PI) / 180));
  return { lat: Number((seat[1] + dLat).toFixed(6)), lon: Number((seat[0] + dLon).toFixed(6)) };
};

/** Customary short codes of Mexico City's alcaldías (INEGI CVE_MUN → code), for call signs. */
const ALCALDIA_CODE: Record<string, string> = {
  '09002': 'AZC', '09003': 'COY', '09004': 'CUJ', '09005': 'GAM', '09006': 'IZC', '09007': 'IZP', '09008': 'MAC', '09009': 'MIL',
  '09010': 'AOB', '09011': 'TLH', '09012': 'TLP', '09013': 'XOC', '09014': 'BJU', '09015': 'CUH', '09016': 'MHI', '09017': 'VCA',
}; // prettier-ignore

export async function loadDemoDispatch(deps: DispatchDeps): Promise<{ units: number; cameras: number }> {
  if ((await store.unitCount(deps.handle.db)) > 0) return { units: 0, cameras: 0 };
  const agencies = await listAgencies({ handle: deps.handle });
  const byCode = new Map<string, Agency>(agencies.map((a) => [a.code, a]));
  const police = byCode.get('SSC-CDMX');
  const erum = byCode.get('ERUM-CDMX');
  const fire = byCode.get('BOMBEROS-CDMX');
  const c5 = byCode.get('C5-CDMX');
  const gdl = byCode.get('PM-GDL');
  const zap = byCode.get('PC-ZAP');
  if (!police || !erum || !fire || !c5) return { units: 0, cameras: 0 };
  const users = await listUsers({ handle: deps.handle, config: deps.config });
  const userId = (username: string) => users.find((u) => u.username === username)?.id;
  const seed = { system: 'demo-seed' };
  const alcaldias = deps.geo.listMunicipalities('09').filter((m) => m.seat);
  let units = 0;
  const add = async (
    agency: Agency,
    callSign: string,
    type: UnitType,
    capabilities: Capability[],
    at: { lat: number; lon: number },
    station: string,
    crew: string[] = [],
  ) => {
    await createUnit(deps, seed, { agencyId: agency.id, callSign, type, capabilities, station, crew, position: at });
    units++;
  };
  for (const [i, a] of alcaldias.entries()) {
    const code = ALCALDIA_CODE[a.code] ?? a.code;
    for (let k = 0; k < 2; k++) {
      const crew = a.code === '09015' && k === 0 ? [userId('policia')].filter((x): x is string => !!x) : [];
      await add(
        police,
        `P-${code}-${k + 1}`,
        'patrol_car',
        ['police', 'traffic'],
        offset(a.seat!, i * 3 + k, 900 + 400 * k),
        `Sector ${a.name}`,
        crew,
      );
    }
    await add(police, `M-${code}`, 'motorcycle', ['police', 'traffic'], offset(a.seat!, i * 3 + 2, 600), `Sector ${a.name}`);
    if (i % 2 === 0)
      await add(
        erum,
        `ERUM-${String(i / 2 + 1).padStart(2, '0')}`,
        'ambulance',
        i % 4 === 0 ? ['medical', 'advanced_life_support'] : ['medical'],
        offset(a.seat!, i + 5, 1200),
        `Base ERUM ${a.name}`,
      );
    if (i % 3 === 0)
      await add(fire, `B-${code}`, 'fire_engine', ['fire', 'rescue', 'hazmat'], offset(a.seat!, i + 9, 700), `Estación ${a.name}`);
  }
  const gdlSeat = deps.geo.listMunicipalities('14').find((m) => m.code === '14039')?.seat;
  if (gdl && gdlSeat) {
    for (let k = 0; k < 6; k++) {
      await add(
        gdl,
        `GDL-${String(k + 1).padStart(2, '0')}`,
        'patrol_car',
        ['police', 'traffic'],
        offset(gdlSeat, k, 800 + 300 * k),
        'Comisaría Guadalajara',
        k === 0 ? [userId('policia.gdl')].filter((x): x is string => !!x) : [],
      );
    }
  }
  const zapSeat = deps.geo.listMunicipalities('14').find((m) => m.code === '14120')?.seat;
  if (zap && zapSeat)
    await add(zap, 'PC-ZAP-01', 'civil_protection', ['civil_protection', 'rescue', 'fire'], offset(zapSeat, 1, 500), 'Base Zapopan');

  let cameras = 0;
  for (const [i, a] of alcaldias.entries()) {
    for (let k = 0; k < 6; k++) {
      const at = offset(a.seat!, i * 6 + k, 250 + 250 * k);
      const code = `C5-${a.code.slice(2)}-${String(k + 1).padStart(3, '0')}`;
      await store.insertCamera(deps.handle.db, {
        id: newId(),
        centreId: c5.id,
        code,
        name: `${a.name} ${k + 1}`,
        ...at,
        kind: k % 3 === 0 ? 'ptz' : 'fixed',
        streamUrl: `rtsp://video.c5.demo.invalid/${code}`,
        status: k === 5 ? 'maintenance' : 'online',
      });
      cameras++;
    }
  }
  return { units, cameras };
}
