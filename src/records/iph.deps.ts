import type { Db } from '../platform/db/database.js';
import type { Config } from '../platform/config.js';
import { AppError } from '../platform/errors.js';
import type { Actor } from '../identity/access-policy.js';
import { getUserView, listAgencies, type Agency, type RequestContext } from '../identity/identity.service.js';
import type { GeoService } from '../geo/geo.service.js';
import type { DispatchDeps } from '../dispatch/dispatch.service.js';
import type { LocatedPlace } from './iph.fields.js';
import type { IphView } from './iph.schemas.js';
import type { SignedForCrime } from './iph-crime.js';
import type { Q } from './iph.store.js';

/** What happened when an IPH was signed: the hook's argument. */
export type SignedIph = IphView & { status: 'signed'; signature: NonNullable<IphView['signature']> };

/** The services the IPH, detention and evidence services are handed. */
export type RecordsDeps = {
  handle: Db;
  config: Config;
  geo: GeoService;
  /** 911 incidents are read through the dispatch module's service (getIncident, visibleUnit), never its tables. */
  dispatch: DispatchDeps;
  now?: () => Date;
  /**
   * IPH signed → crime record (src/records/iph-crime.ts): runs inside the signature's transaction
   * with the IPH's classification and content, so both commit or neither; an error it throws
   * refuses the signature and names the IPH field to fix.
   */
  onSigned?: (q: Q, iph: SignedForCrime, actor: Actor) => Promise<void>;
};
export type Ctx = RequestContext;

export const nowIso = (deps: Pick<RecordsDeps, 'now'>) => (deps.now ? deps.now() : new Date()).toISOString();

/** A point resolved to state, municipality, colonia and quadrant; outside Mexico is the caller's error on `field`. */
export function locatePlace(
  geo: GeoService,
  point: { lat: number; lon: number; address?: string | null; references?: string | null },
  field: string,
): LocatedPlace {
  const hit = geo.locate(point.lat, point.lon);
  if (!hit) throw new AppError(400, 'outside_mexico', 'error.outside_mexico', { lat: point.lat, lon: point.lon }, field);
  return {
    lat: point.lat,
    lon: point.lon,
    address: point.address ?? null,
    references: point.references ?? null,
    stateCode: hit.state.code,
    state: hit.state.name,
    municipalityCode: hit.municipality.code,
    municipality: hit.municipality.name,
    coloniaId: hit.colonia?.id ?? null,
    colonia: hit.colonia?.name ?? null,
    quadrantId: hit.quadrant?.id ?? null,
  };
}

export async function agencyMap(deps: Pick<RecordsDeps, 'handle'>): Promise<Map<string, Agency>> {
  return new Map((await listAgencies({ handle: deps.handle })).map((a) => [a.id, a]));
}

/** Users by id (name and agency), for authors, crews and signers. Unknown ids are left out. */
export async function usersById(deps: RecordsDeps, ids: readonly string[]): Promise<Map<string, { fullName: string; agencyId: string }>> {
  const out = new Map<string, { fullName: string; agencyId: string }>();
  for (const id of new Set(ids)) {
    const u = await getUserView({ handle: deps.handle, config: deps.config }, id);
    if (u) out.set(id, { fullName: u.fullName, agencyId: u.agencyId });
  }
  return out;
}

export const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
