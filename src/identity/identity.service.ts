import { newId } from '../platform/ids.js';
import crypto from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import type { Config } from '../platform/config.js';
import { AppError, badRequest, conflict, notFound, unauthenticated } from '../platform/errors.js';
import * as store from './identity.store.js';
import type { AgencyRow, UserRow } from './identity.store.js';
import { appendAudit, type AuditActor } from './audit.service.js';
import { canActOn, grantableRoles, type Actor } from './access-policy.js';
import { checkPassword, dummyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { generateSecret, otpauthUrl, verifyTotp } from './totp.js';
import { ROLES, type AgencyKind, type AgencyLevel, type Role } from './roles.js';

export type IdentityDeps = { handle: Db; config: Config; now?: () => Date };
export type RequestContext = { ip?: string; userAgent?: string; requestId?: string };

/** CJIS 5.5.3: lock after 5 consecutive failed attempts within 15 minutes, until an administrator unlocks. */
export const MAX_FAILED_ATTEMPTS = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;
/** A half-finished login (password right, code pending) lasts this long. */
const PENDING_LOGIN_MS = 5 * 60_000;

const nowOf = (deps: IdentityDeps) => (deps.now ? deps.now() : new Date());
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');

// ── agencies and the agency tree ────────────────────────────────────────────

export type Agency = AgencyRow;

/** Agencies below `rootId` (inclusive), from one read of the (small) agency table. */
export function subtreeOf(agencies: AgencyRow[], rootId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const a of agencies) if (a.parentId) children.set(a.parentId, [...(children.get(a.parentId) ?? []), a.id]);
  const out = new Set<string>([rootId]);
  const stack = [rootId];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      if (out.has(c)) continue;
      out.add(c);
      stack.push(c);
    }
  }
  return out;
}

export function ancestorsOf(agencies: AgencyRow[], id: string): string[] {
  const byId = new Map(agencies.map((a) => [a.id, a]));
  const out: string[] = [];
  let cur = byId.get(id);
  while (cur && !out.includes(cur.id)) {
    out.push(cur.id);
    cur = cur.parentId ? byId.get(cur.parentId) : undefined;
  }
  return out;
}

/**
 * The agency table is small and read on every request (authentication, routing to a
 * centre). It is cached per database handle; a write through this module clears the
 * cache at once, and the short lifetime bounds how long another server instance on
 * the same PostgreSQL database can lag behind a new agency.
 */
const AGENCY_CACHE_MS = 5_000;
const agencyCache = new WeakMap<Db, { at: number; rows: Promise<AgencyRow[]> }>();

export function listAgencies(deps: Pick<IdentityDeps, 'handle'>): Promise<AgencyRow[]> {
  const hit = agencyCache.get(deps.handle);
  const now = Date.now();
  if (hit && now - hit.at < AGENCY_CACHE_MS) return hit.rows;
  const rows = store.listAgencies(deps.handle.db);
  agencyCache.set(deps.handle, { at: now, rows });
  rows.catch(() => agencyCache.delete(deps.handle));
  return rows;
}

function forgetAgencies(handle: Db): void {
  agencyCache.delete(handle);
}

export async function getAgency(deps: IdentityDeps, id: string): Promise<AgencyRow | undefined> {
  return store.getAgency(deps.handle.db, id);
}

export type NewAgency = {
  code: string;
  name: string;
  level: AgencyLevel;
  kind: AgencyKind;
  stateCode?: string | null;
  municipalityCode?: string | null;
  parentId?: string | null;
};

/** Jurisdiction rules: a state agency names its state; a municipal one its municipality (and so its state). */
export type JurisdictionCheck = {
  stateExists: (code: string) => Promise<boolean>;
  municipalityState: (code: string) => Promise<string | undefined>;
};

async function validateAgency(deps: IdentityDeps, a: NewAgency, geo: JurisdictionCheck): Promise<NewAgency> {
  const out = { ...a, stateCode: a.stateCode ?? null, municipalityCode: a.municipalityCode ?? null, parentId: a.parentId ?? null };
  if (out.level === 'federal' && (out.stateCode || out.municipalityCode)) {
    throw badRequest('jurisdiction', 'error.jurisdiction', 'stateCode', { detail: 'federal ≠ estado/municipio' });
  }
  if (out.level === 'state' && (!out.stateCode || out.municipalityCode)) {
    throw badRequest('jurisdiction', 'error.jurisdiction', 'stateCode', { detail: 'estado requerido' });
  }
  if (out.level === 'municipal') {
    if (!out.municipalityCode)
      throw badRequest('jurisdiction', 'error.jurisdiction', 'municipalityCode', { detail: 'municipio requerido' });
    const st = await geo.municipalityState(out.municipalityCode);
    if (!st) throw badRequest('jurisdiction', 'error.jurisdiction', 'municipalityCode', { detail: out.municipalityCode });
    if (out.stateCode && out.stateCode !== st)
      throw badRequest('jurisdiction', 'error.jurisdiction', 'stateCode', { detail: `${out.stateCode} ≠ ${st}` });
    out.stateCode = st;
  }
  if (out.stateCode && !(await geo.stateExists(out.stateCode))) {
    throw badRequest('jurisdiction', 'error.jurisdiction', 'stateCode', { detail: out.stateCode });
  }
  if (out.parentId) {
    const parent = await store.getAgency(deps.handle.db, out.parentId);
    if (!parent) throw badRequest('agency_parent', 'error.agency_parent', 'parentId');
    const rank = { federal: 0, state: 1, municipal: 2 } as const;
    // A municipal police belongs to its state; a state body to a federal one or its own state's.
    if (rank[parent.level] > rank[out.level]) throw badRequest('agency_parent', 'error.agency_parent', 'parentId');
    if (parent.level !== 'federal' && parent.stateCode !== out.stateCode)
      throw badRequest('agency_parent', 'error.agency_parent', 'parentId');
  }
  return out;
}

export async function createAgency(
  deps: IdentityDeps,
  actor: Actor | AuditActor,
  input: NewAgency,
  geo: JurisdictionCheck,
  ctx: RequestContext = {},
): Promise<AgencyRow> {
  const a = await validateAgency(deps, input, geo);
  if ('roles' in actor) {
    // An agency administrator creates agencies only below their own.
    if (!a.parentId || !canActOn(actor, 'agency.write', a.parentId)) {
      if (!actor.roles.includes('system_admin')) throw badRequest('agency_parent', 'error.agency_parent', 'parentId');
    }
  }
  if (await store.getAgencyByCode(deps.handle.db, a.code)) throw conflict('conflict', 'error.conflict_agency_code', 'code');
  const row: AgencyRow = {
    id: newId(),
    code: a.code,
    name: a.name,
    level: a.level,
    kind: a.kind,
    stateCode: a.stateCode ?? null,
    municipalityCode: a.municipalityCode ?? null,
    parentId: a.parentId ?? null,
    createdAt: nowOf(deps).toISOString(),
    disabledAt: null,
  };
  await deps.handle.db.transaction().execute(async (trx) => {
    await store.insertAgency(trx, row);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'agency.create', targetType: 'agency', targetId: row.id, details: { code: row.code }, ...ctx },
      trx,
    );
    forgetAgencies(deps.handle);
  });
  forgetAgencies(deps.handle);
  return row;
}

// ── users ───────────────────────────────────────────────────────────────────

export type UserView = Omit<UserRow, 'passwordHash' | 'mfaSecret' | 'mfaLastStep' | 'isDemo'> & {
  roles: Role[];
  isDemo: boolean;
  mfaEnrolled: boolean;
  locked: boolean;
  disabled: boolean;
};

export function userView(u: UserRow, roles: Role[]): UserView {
  const { passwordHash: _h, mfaSecret: _s, mfaLastStep: _l, ...rest } = u;
  return { ...rest, roles, isDemo: u.isDemo === 1, mfaEnrolled: !!u.mfaEnrolledAt, locked: !!u.lockedAt, disabled: !!u.disabledAt };
}

export async function listUsers(deps: IdentityDeps, agencyIds?: string[]): Promise<UserView[]> {
  const users = await store.listUsers(deps.handle.db, agencyIds);
  const roles = await store.getRolesFor(
    deps.handle.db,
    users.map((u) => u.id),
  );
  return users.map((u) => userView(u, roles.get(u.id) ?? []));
}

export async function getUserView(deps: IdentityDeps, id: string): Promise<UserView | undefined> {
  const u = await store.getUser(deps.handle.db, id);
  return u ? userView(u, await store.getRoles(deps.handle.db, id)) : undefined;
}

export type NewUser = {
  agencyId: string;
  username: string;
  fullName: string;
  email?: string | null;
  password: string;
  roles: Role[];
  language?: 'es' | 'en';
  isDemo?: boolean;
  mfaSecret?: string;
};

export function assertPassword(password: string, username: string, field = 'password'): void {
  const problem = checkPassword(password, username);
  if (problem) throw badRequest(`password_${problem}`, `error.password.${problem}`, field);
}

function assertGrantable(actor: Actor | AuditActor, roles: Role[]): void {
  if (!('roles' in actor)) return;
  const allowed = grantableRoles(actor, ROLES);
  const bad = roles.find((r) => !allowed.includes(r));
  if (bad) throw new AppError(403, 'role_not_grantable', 'error.role_not_grantable', { role: bad }, 'roles');
}

export async function createUser(
  deps: IdentityDeps,
  actor: Actor | AuditActor,
  input: NewUser,
  ctx: RequestContext = {},
): Promise<UserView> {
  const username = input.username.toLowerCase();
  assertPassword(input.password, username);
  assertGrantable(actor, input.roles);
  const agency = await store.getAgency(deps.handle.db, input.agencyId);
  if (!agency || ('roles' in actor && !canActOn(actor, 'user.write', agency.id))) {
    throw badRequest('agency_not_found', 'error.not_found', 'agencyId');
  }
  if (await store.getUserByUsername(deps.handle.db, username)) throw conflict('conflict', 'error.conflict_username', 'username');
  const now = nowOf(deps).toISOString();
  const row: UserRow = {
    id: newId(),
    agencyId: agency.id,
    username,
    fullName: input.fullName,
    email: input.email ?? null,
    passwordHash: await hashPassword(input.password),
    passwordChangedAt: now,
    mfaSecret: input.mfaSecret ?? null,
    mfaEnrolledAt: input.mfaSecret ? now : null,
    mfaLastStep: null,
    isDemo: input.isDemo ? 1 : 0,
    lockedAt: null,
    disabledAt: null,
    language: input.language ?? 'es',
    createdAt: now,
  };
  const roles = [...new Set(input.roles)];
  await deps.handle.db.transaction().execute(async (trx) => {
    await store.insertUser(trx, row);
    await store.setRoles(trx, row.id, roles);
    await appendAudit(
      deps.handle,
      actor,
      { action: 'user.create', targetType: 'user', targetId: row.id, details: { username, roles, agencyId: agency.id }, ...ctx },
      trx,
    );
  });
  return userView(row, roles);
}

export type UserAdminAction =
  | { kind: 'set_roles'; roles: Role[] }
  | { kind: 'unlock' }
  | { kind: 'reset_mfa' }
  | { kind: 'disable' }
  | { kind: 'enable' }
  | { kind: 'set_password'; password: string }
  | { kind: 'update'; fullName?: string; email?: string | null };

/**
 * An administrator's action on an account. Disabling, resetting MFA or setting a
 * password ends the user's sessions at once (CJIS: revoke access without delay).
 */
export async function administerUser(
  deps: IdentityDeps,
  actor: Actor | AuditActor,
  userId: string,
  action: UserAdminAction,
  ctx: RequestContext = {},
): Promise<UserView> {
  const db = deps.handle.db;
  const user = await store.getUser(db, userId);
  if (!user || ('roles' in actor && !canActOn(actor, 'user.write', user.agencyId))) throw notFound();
  if ('userId' in actor && actor.userId === userId && (action.kind === 'disable' || action.kind === 'set_roles')) {
    throw new AppError(403, 'self_action', 'error.self_action');
  }
  const patch: Partial<UserRow> = {};
  let endSessions = false;
  let details: Record<string, unknown> = {};
  switch (action.kind) {
    case 'set_roles':
      assertGrantable(actor, action.roles);
      details = { roles: action.roles };
      break;
    case 'unlock':
      patch.lockedAt = null;
      break;
    case 'reset_mfa':
      patch.mfaSecret = null;
      patch.mfaEnrolledAt = null;
      patch.mfaLastStep = null;
      endSessions = true;
      break;
    case 'disable':
      patch.disabledAt = nowOf(deps).toISOString();
      endSessions = true;
      break;
    case 'enable':
      patch.disabledAt = null;
      break;
    case 'set_password':
      assertPassword(action.password, user.username);
      patch.passwordHash = await hashPassword(action.password);
      patch.passwordChangedAt = nowOf(deps).toISOString();
      endSessions = true;
      break;
    case 'update':
      if (action.fullName !== undefined) patch.fullName = action.fullName;
      if (action.email !== undefined) patch.email = action.email;
      details = { fields: Object.keys(patch) };
      break;
  }
  await db.transaction().execute(async (trx) => {
    if (action.kind === 'set_roles') await store.setRoles(trx, userId, [...new Set(action.roles)]);
    if (Object.keys(patch).length) await store.updateUser(trx, userId, patch);
    if (action.kind === 'unlock') await store.clearFailures(trx, userId);
    if (endSessions) await store.deleteUserSessions(trx, userId);
    await appendAudit(deps.handle, actor, { action: `user.${action.kind}`, targetType: 'user', targetId: userId, details, ...ctx }, trx);
  });
  return (await getUserView(deps, userId))!;
}

// ── login, MFA and sessions ─────────────────────────────────────────────────

export type LoginStep = { stage: 'mfa' | 'enroll'; token: string; csrfToken: string };

async function recordFailure(deps: IdentityDeps, user: UserRow, action: string, ctx: RequestContext): Promise<boolean> {
  const db = deps.handle.db;
  const now = nowOf(deps);
  await store.insertLoginAttempt(db, { id: newId(), userId: user.id, at: now.toISOString(), ok: 0, ip: ctx.ip ?? null });
  const failures = await store.recentFailures(db, user.id, new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString());
  const actor = { userId: user.id, username: user.username, agencyId: user.agencyId };
  await appendAudit(deps.handle, actor, {
    action,
    outcome: 'failed',
    targetType: 'user',
    targetId: user.id,
    details: { failures },
    ...ctx,
  });
  if (failures >= MAX_FAILED_ATTEMPTS && !user.lockedAt) {
    await store.updateUser(db, user.id, { lockedAt: now.toISOString() });
    await store.deleteUserSessions(db, user.id);
    await appendAudit(deps.handle, actor, { action: 'auth.lock', targetType: 'user', targetId: user.id, details: { failures }, ...ctx });
    return true;
  }
  return false;
}

/** First factor. Unknown users cost the same time and get the same answer as a wrong password. */
export async function login(deps: IdentityDeps, username: string, password: string, ctx: RequestContext = {}): Promise<LoginStep> {
  const db = deps.handle.db;
  const user = await store.getUserByUsername(db, username.trim().toLowerCase());
  if (!user) {
    await verifyPassword(password, await dummyPasswordHash());
    await appendAudit(
      deps.handle,
      { system: `unknown:${username.slice(0, 64)}` },
      { action: 'auth.login', outcome: 'failed', details: { reason: 'unknown_user' }, ...ctx },
    );
    throw new AppError(401, 'invalid_credentials', 'error.invalid_credentials', {}, 'password');
  }
  const actor = { userId: user.id, username: user.username, agencyId: user.agencyId };
  if (user.disabledAt) {
    await appendAudit(deps.handle, actor, { action: 'auth.login', outcome: 'denied', details: { reason: 'disabled' }, ...ctx });
    throw new AppError(403, 'account_disabled', 'error.account_disabled');
  }
  if (user.lockedAt) {
    await appendAudit(deps.handle, actor, { action: 'auth.login', outcome: 'denied', details: { reason: 'locked' }, ...ctx });
    throw new AppError(423, 'account_locked', 'error.account_locked');
  }
  if (!(await verifyPassword(password, user.passwordHash))) {
    const locked = await recordFailure(deps, user, 'auth.login', ctx);
    if (locked) throw new AppError(423, 'account_locked', 'error.account_locked');
    throw new AppError(401, 'invalid_credentials', 'error.invalid_credentials', {}, 'password');
  }
  const now = nowOf(deps);
  const token = newToken();
  const stage = user.mfaSecret ? 'mfa' : 'enroll';
  const csrfToken = newToken();
  await store.insertSession(db, {
    id: sha256(token),
    userId: user.id,
    stage,
    csrfToken,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + PENDING_LOGIN_MS).toISOString(),
    pendingSecret: stage === 'enroll' ? generateSecret() : null,
    ip: ctx.ip ?? null,
    userAgent: ctx.userAgent?.slice(0, 400) ?? null,
  });
  await appendAudit(deps.handle, actor, { action: 'auth.password_ok', targetType: 'user', targetId: user.id, ...ctx });
  return { stage, token, csrfToken };
}

async function pendingSession(deps: IdentityDeps, token: string) {
  const db = deps.handle.db;
  const session = await store.getSession(db, sha256(token));
  if (!session || session.stage === 'full') throw new AppError(401, 'mfa_stage', 'error.mfa_stage');
  if (new Date(session.expiresAt).getTime() < nowOf(deps).getTime()) {
    await store.deleteSession(db, session.id);
    throw unauthenticated(true);
  }
  const user = await store.getUser(db, session.userId);
  if (!user || user.disabledAt || user.lockedAt) {
    await store.deleteSession(db, session.id);
    throw new AppError(423, 'account_locked', user?.disabledAt ? 'error.account_disabled' : 'error.account_locked');
  }
  return { session, user };
}

/** What the enrolment screen shows: the otpauth URL (as QR) and the secret to type by hand. */
export async function enrollment(deps: IdentityDeps, token: string): Promise<{ otpauthUrl: string; secret: string; username: string }> {
  const { session, user } = await pendingSession(deps, token);
  if (session.stage !== 'enroll' || !session.pendingSecret) throw new AppError(409, 'mfa_stage', 'error.mfa_stage');
  return { otpauthUrl: otpauthUrl(session.pendingSecret, user.username), secret: session.pendingSecret, username: user.username };
}

/** Second factor (or first enrolment): turns the pending login into a full session under the same token. */
export async function completeMfa(
  deps: IdentityDeps,
  token: string,
  code: string,
  ctx: RequestContext = {},
): Promise<{ userId: string; csrfToken: string; token: string }> {
  const db = deps.handle.db;
  const { session, user } = await pendingSession(deps, token);
  const secret = session.stage === 'enroll' ? session.pendingSecret : user.mfaSecret;
  const now = nowOf(deps);
  const step = secret ? verifyTotp(secret, code.trim(), now.getTime(), user.mfaLastStep) : null;
  if (step === null) {
    const locked = await recordFailure(deps, user, 'auth.mfa', ctx);
    if (locked) throw new AppError(423, 'account_locked', 'error.account_locked');
    throw new AppError(401, 'mfa_invalid', 'error.mfa_invalid', {}, 'code');
  }
  const csrfToken = newToken();
  const fullToken = newToken();
  await db.transaction().execute(async (trx) => {
    const patch: Partial<UserRow> = { mfaLastStep: step };
    if (session.stage === 'enroll') Object.assign(patch, { mfaSecret: secret, mfaEnrolledAt: now.toISOString() });
    await store.updateUser(trx, user.id, patch);
    // Rotate the session id on privilege change (OWASP session fixation).
    await store.deleteSession(trx, session.id);
    await store.insertSession(trx, {
      ...session,
      id: sha256(fullToken),
      stage: 'full',
      csrfToken,
      pendingSecret: null,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + deps.config.sessionAbsoluteMs).toISOString(),
    });
    await store.insertLoginAttempt(trx, { id: newId(), userId: user.id, at: now.toISOString(), ok: 1, ip: ctx.ip ?? null });
    await appendAudit(
      deps.handle,
      { userId: user.id, username: user.username, agencyId: user.agencyId },
      { action: session.stage === 'enroll' ? 'auth.mfa_enrolled' : 'auth.login', targetType: 'user', targetId: user.id, ...ctx },
      trx,
    );
  });
  return { userId: user.id, csrfToken, token: fullToken };
}

export type Authenticated = { actor: Actor; user: UserRow; csrfToken: string; sessionId: string; expiresAt: string };

/**
 * Resolves a session cookie to an actor, enforcing the idle and absolute limits
 * and re-reading the account so that a disabled or locked user is out at once.
 */
export async function authenticate(deps: IdentityDeps, token: string | undefined): Promise<Authenticated> {
  if (!token) throw unauthenticated();
  const db = deps.handle.db;
  const found = await store.getSessionWithUser(db, deps.handle.kind, sha256(token));
  if (!found) throw unauthenticated(true);
  const { session, user, roles } = found;
  if (session.stage !== 'full') throw new AppError(401, 'mfa_stage', 'error.mfa_stage');
  const now = nowOf(deps).getTime();
  if (new Date(session.expiresAt).getTime() <= now || new Date(session.lastSeenAt).getTime() + deps.config.sessionIdleMs <= now) {
    await store.deleteSession(db, session.id);
    throw unauthenticated(true);
  }
  if (!user || user.disabledAt || user.lockedAt) {
    await store.deleteSession(db, session.id);
    throw unauthenticated(true);
  }
  const agencies = await listAgencies(deps);
  const agency = agencies.find((a) => a.id === user.agencyId);
  if (!agency || agency.disabledAt) throw unauthenticated(true);
  // Writing last_seen on every request would turn reads into writes; a minute's resolution is plenty for a 30-minute limit.
  if (now - new Date(session.lastSeenAt).getTime() > 60_000) await store.touchSession(db, session.id, new Date(now).toISOString());
  return {
    actor: {
      userId: user.id,
      username: user.username,
      agencyId: agency.id,
      agencyLevel: agency.level,
      agencyKind: agency.kind,
      stateCode: agency.stateCode,
      municipalityCode: agency.municipalityCode,
      roles,
      subtree: subtreeOf(
        agencies.filter((a) => !a.disabledAt),
        agency.id,
      ),
      ancestors: ancestorsOf(agencies, agency.id),
    },
    user,
    csrfToken: session.csrfToken,
    sessionId: session.id,
    expiresAt: session.expiresAt,
  };
}

export async function logout(deps: IdentityDeps, token: string | undefined, ctx: RequestContext = {}): Promise<void> {
  if (!token) return;
  const session = await store.getSession(deps.handle.db, sha256(token));
  if (!session) return;
  await store.deleteSession(deps.handle.db, session.id);
  const user = await store.getUser(deps.handle.db, session.userId);
  if (user)
    await appendAudit(
      deps.handle,
      { userId: user.id, username: user.username, agencyId: user.agencyId },
      { action: 'auth.logout', ...ctx },
    );
}

export async function logoutEverywhere(deps: IdentityDeps, actor: Actor, ctx: RequestContext = {}): Promise<void> {
  await deps.handle.db.transaction().execute(async (trx) => {
    await store.deleteUserSessions(trx, actor.userId);
    await appendAudit(deps.handle, actor, { action: 'auth.logout_all', targetType: 'user', targetId: actor.userId, ...ctx }, trx);
  });
}

export async function changeOwnPassword(
  deps: IdentityDeps,
  actor: Actor,
  current: string,
  next: string,
  ctx: RequestContext = {},
): Promise<void> {
  const user = await store.getUser(deps.handle.db, actor.userId);
  if (!user || !(await verifyPassword(current, user.passwordHash))) {
    throw new AppError(400, 'invalid_credentials', 'error.invalid_credentials', {}, 'currentPassword');
  }
  assertPassword(next, user.username, 'newPassword');
  const passwordHash = await hashPassword(next);
  await deps.handle.db.transaction().execute(async (trx) => {
    await store.updateUser(trx, user.id, { passwordHash, passwordChangedAt: nowOf(deps).toISOString() });
    await appendAudit(deps.handle, actor, { action: 'user.change_password', targetType: 'user', targetId: user.id, ...ctx }, trx);
  });
}

/**
 * Re-authentication for an act that carries the user's signature (an IPH, an amendment):
 * the signed-in user's password, checked like a login, so that a wrong one counts toward
 * the lockout (CJIS 5.5.3). Answers 400, not 401, so that a mistyped password does not
 * end the session. Returns the name the signature records. Call it outside any transaction.
 */
export async function confirmPassword(
  deps: IdentityDeps,
  actor: Actor,
  password: string,
  ctx: RequestContext = {},
): Promise<{ fullName: string }> {
  const user = await store.getUser(deps.handle.db, actor.userId);
  if (!user || user.disabledAt || user.lockedAt) throw unauthenticated(true);
  if (!(await verifyPassword(password, user.passwordHash))) {
    const locked = await recordFailure(deps, user, 'auth.signature', ctx);
    if (locked) throw new AppError(423, 'account_locked', 'error.account_locked');
    throw new AppError(400, 'signature_password', 'error.signature_password', {}, 'password');
  }
  return { fullName: user.fullName };
}

export async function setLanguage(deps: IdentityDeps, actor: Actor, language: 'es' | 'en', ctx: RequestContext = {}): Promise<void> {
  await deps.handle.db.transaction().execute(async (trx) => {
    await store.updateUser(trx, actor.userId, { language });
    await appendAudit(
      deps.handle,
      actor,
      { action: 'user.set_language', targetType: 'user', targetId: actor.userId, details: { language }, ...ctx },
      trx,
    );
  });
}

/** For the demo CLI only: the TOTP secret of an account flagged as demo. */
export async function demoSecret(deps: IdentityDeps, username: string): Promise<string | undefined> {
  const u = await store.getUserByUsername(deps.handle.db, username.toLowerCase());
  return u && u.isDemo === 1 && u.mfaSecret ? u.mfaSecret : undefined;
}

export async function userCount(deps: IdentityDeps): Promise<number> {
  return store.countUsers(deps.handle.db);
}

export async function findAgencyByCode(deps: IdentityDeps, code: string): Promise<AgencyRow | undefined> {
  return store.getAgencyByCode(deps.handle.db, code);
}
