import { appendAudit } from '../identity/audit.service.js';
import { canActOn, type Actor } from '../identity/access-policy.js';
import { notFound } from '../platform/errors.js';
import { agencyMap, type Ctx, type DispatchDeps } from './dispatch.service.js';
import * as store from './dispatch.store.js';
import { PRIORITIES, UNIT_TYPES, type Priority, type UnitType } from './dispatch.types.js';
import { DEFAULT_ROAD_FACTOR, DEFAULT_SPEEDS_KMH } from './recommend.js';

/**
 * Per-agency dispatch settings. Travel speeds and the road factor belong to the agency
 * whose units move (a mountain municipality's patrol cars are slower than the capital's);
 * the on-scene limit to the agency whose units are on scene; the dispatch targets to the
 * centre that owns the incidents. Anything not set falls back to the platform default.
 */
export type DispatchSettings = {
  agencyId: string;
  roadFactor: number | null;
  speedsKmh: Partial<Record<UnitType, number>>;
  onSceneStaleMinutes: number | null;
  dispatchTargetSeconds: Partial<Record<Priority, number>>;
  updatedAt: string | null;
  updatedBy: string | null;
};

/** NFPA 1225 §4.1.2.3.3: 90 % of emergency calls processed to first dispatch within 60 s; MEDIA and BAJA are local defaults. */
export const DEFAULT_DISPATCH_TARGET_SECONDS: Readonly<Record<Priority, number>> = { ALTA: 60, MEDIA: 120, BAJA: 300 };
/** A unit on scene this long without any status change raises an alert. */
export const DEFAULT_ON_SCENE_STALE_MINUTES = 30;

export const SETTINGS_LIMITS = {
  roadFactor: { min: 1, max: 3 },
  speedKmh: { min: 5, max: 300 },
  onSceneStaleMinutes: { min: 5, max: 24 * 60 },
  dispatchTargetSeconds: { min: 10, max: 3600 },
} as const;

export const DEFAULTS = {
  roadFactor: DEFAULT_ROAD_FACTOR,
  speedsKmh: DEFAULT_SPEEDS_KMH,
  onSceneStaleMinutes: DEFAULT_ON_SCENE_STALE_MINUTES,
  dispatchTargetSeconds: DEFAULT_DISPATCH_TARGET_SECONDS,
};

function pick<K extends string>(keys: readonly K[], raw: string): Partial<Record<K, number>> {
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) if (typeof parsed[k] === 'number') out[k] = parsed[k];
  return out;
}

function fromRow(agencyId: string, row: store.SettingsRow | undefined): DispatchSettings {
  if (!row)
    return {
      agencyId,
      roadFactor: null,
      speedsKmh: {},
      onSceneStaleMinutes: null,
      dispatchTargetSeconds: {},
      updatedAt: null,
      updatedBy: null,
    };
  return {
    agencyId,
    roadFactor: row.roadFactor === null ? null : Number(row.roadFactor),
    speedsKmh: pick(UNIT_TYPES, row.speedsKmh),
    onSceneStaleMinutes: row.onSceneStaleMinutes === null ? null : Number(row.onSceneStaleMinutes),
    dispatchTargetSeconds: pick(PRIORITIES, row.dispatchTargetSeconds),
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

/** Every agency's overrides, for the recommendation and the supervisor timers (one read of a small table). */
export async function allSettings(deps: Pick<DispatchDeps, 'handle'>): Promise<Map<string, DispatchSettings>> {
  return new Map((await store.listSettings(deps.handle.db)).map((r) => [r.agencyId, fromRow(r.agencyId, r)]));
}

export const targetSecondsFor = (s: DispatchSettings | undefined, p: Priority) =>
  s?.dispatchTargetSeconds[p] ?? DEFAULT_DISPATCH_TARGET_SECONDS[p];
export const staleMinutesFor = (s: DispatchSettings | undefined) => s?.onSceneStaleMinutes ?? DEFAULT_ON_SCENE_STALE_MINUTES;

/** The settings of an agency the actor administers (AP-2: any other agency is "not found"). */
export async function getSettings(deps: DispatchDeps, actor: Actor, agencyId: string): Promise<DispatchSettings> {
  const agency = (await agencyMap(deps)).get(agencyId);
  if (!agency || !canActOn(actor, 'dispatch.settings', agencyId)) throw notFound();
  return fromRow(agencyId, await store.getSettings(deps.handle.db, agencyId));
}

export type SettingsInput = {
  roadFactor: number | null;
  speedsKmh: Partial<Record<UnitType, number>>;
  onSceneStaleMinutes: number | null;
  dispatchTargetSeconds: Partial<Record<Priority, number>>;
};

/** Replaces an agency's overrides (an empty value means "use the default"); audited with the old and new values. */
export async function putSettings(
  deps: DispatchDeps,
  actor: Actor,
  agencyId: string,
  input: SettingsInput,
  ctx: Ctx = {},
): Promise<DispatchSettings> {
  const before = await getSettings(deps, actor, agencyId);
  const row: store.SettingsRow = {
    agencyId,
    roadFactor: input.roadFactor,
    speedsKmh: JSON.stringify(input.speedsKmh),
    onSceneStaleMinutes: input.onSceneStaleMinutes,
    dispatchTargetSeconds: JSON.stringify(input.dispatchTargetSeconds),
    updatedAt: (deps.now ? deps.now() : new Date()).toISOString(),
    updatedBy: actor.userId,
  };
  await deps.handle.write(async (q) => {
    await store.putSettings(q, row);
    const { updatedAt: _a, updatedBy: _b, ...old } = before;
    await appendAudit(
      deps.handle,
      actor,
      { action: 'dispatch.settings.update', targetType: 'agency', targetId: agencyId, details: { before: old, after: input }, ...ctx },
      q,
    );
  });
  return fromRow(agencyId, row);
}
