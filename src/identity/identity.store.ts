import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { prepared } from '../platform/db/prepared.js';
import type { DatabaseKind } from '../platform/db/database.js';
import type { AgencyKind, AgencyLevel, Role } from './roles.js';

export interface IdentityTables {
  agency: {
    id: string;
    code: string;
    name: string;
    level: AgencyLevel;
    kind: AgencyKind;
    stateCode: string | null;
    municipalityCode: string | null;
    parentId: string | null;
    createdAt: string;
    disabledAt: string | null;
  };
  appUser: {
    id: string;
    agencyId: string;
    username: string;
    fullName: string;
    email: string | null;
    passwordHash: string;
    passwordChangedAt: string;
    mfaSecret: string | null;
    mfaEnrolledAt: string | null;
    mfaLastStep: number | null;
    isDemo: number;
    lockedAt: string | null;
    disabledAt: string | null;
    language: string;
    createdAt: string;
  };
  userRole: { userId: string; role: Role };
  userSession: {
    id: string;
    userId: string;
    stage: 'mfa' | 'enroll' | 'full';
    csrfToken: string;
    createdAt: string;
    lastSeenAt: string;
    expiresAt: string;
    pendingSecret: string | null;
    ip: string | null;
    userAgent: string | null;
  };
  loginAttempt: { id: string; userId: string; at: string; ok: number; ip: string | null };
  auditLog: {
    seq: number;
    at: string;
    actorUserId: string | null;
    actorUsername: string | null;
    actorAgencyId: string | null;
    action: string;
    outcome: 'ok' | 'denied' | 'failed';
    targetType: string | null;
    targetId: string | null;
    ip: string | null;
    requestId: string | null;
    details: string | null;
    prevHash: string;
    hash: string;
  };
}

export type AgencyRow = IdentityTables['agency'];
export type UserRow = IdentityTables['appUser'];
export type SessionRow = IdentityTables['userSession'];
export type AuditRow = IdentityTables['auditLog'];
type Q = Kysely<Database> | Transaction<Database>;

// ── agencies ────────────────────────────────────────────────────────────────
export const insertAgency = (db: Q, row: AgencyRow) => db.insertInto('agency').values(row).execute();
export const getAgency = (db: Q, id: string) => db.selectFrom('agency').selectAll().where('id', '=', id).executeTakeFirst();
export const getAgencyByCode = (db: Q, code: string) => db.selectFrom('agency').selectAll().where('code', '=', code).executeTakeFirst();
export const listAgencies = (db: Q) => db.selectFrom('agency').selectAll().orderBy('level').orderBy('name').execute();
export const updateAgency = (db: Q, id: string, patch: Partial<AgencyRow>) =>
  db.updateTable('agency').set(patch).where('id', '=', id).execute();

// ── users ───────────────────────────────────────────────────────────────────
export const insertUser = (db: Q, row: UserRow) => db.insertInto('appUser').values(row).execute();
// Every authenticated request reads its session, user and roles: compiled once (platform/db/prepared.ts).
const userById = prepared((db, id: string) => db.selectFrom('appUser').selectAll().where('id', '=', id));
export const getUser = async (db: Q, id: string): Promise<UserRow | undefined> => (await userById(db, id))[0];
export const getUserByUsername = (db: Q, username: string) =>
  db.selectFrom('appUser').selectAll().where('username', '=', username).executeTakeFirst();
export const listUsers = (db: Q, agencyIds?: string[]) => {
  let q = db.selectFrom('appUser').selectAll().orderBy('username');
  if (agencyIds) q = q.where('agencyId', 'in', agencyIds.length ? agencyIds : ['']);
  return q.execute();
};
export const updateUser = (db: Q, id: string, patch: Partial<UserRow>) =>
  db.updateTable('appUser').set(patch).where('id', '=', id).execute();
export const countUsers = async (db: Q) =>
  Number(
    (
      await db
        .selectFrom('appUser')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const rolesOf = prepared((db, userId: string) => db.selectFrom('userRole').select('role').where('userId', '=', userId).orderBy('role'));
export const getRoles = async (db: Q, userId: string): Promise<Role[]> => (await rolesOf(db, userId)).map((r) => r.role);
export const getRolesFor = async (db: Q, userIds: string[]): Promise<Map<string, Role[]>> => {
  const out = new Map<string, Role[]>();
  if (!userIds.length) return out;
  const rows = await db.selectFrom('userRole').selectAll().where('userId', 'in', userIds).orderBy('role').execute();
  for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.role]);
  return out;
};
export async function setRoles(db: Q, userId: string, roles: Role[]): Promise<void> {
  await db.deleteFrom('userRole').where('userId', '=', userId).execute();
  if (roles.length)
    await db
      .insertInto('userRole')
      .values(roles.map((role) => ({ userId, role })))
      .execute();
}

// ── sessions ────────────────────────────────────────────────────────────────
export const insertSession = (db: Q, row: SessionRow) => db.insertInto('userSession').values(row).execute();
const sessionById = prepared((db, id: string) => db.selectFrom('userSession').selectAll().where('id', '=', id));
export const getSession = async (db: Q, id: string): Promise<SessionRow | undefined> => (await sessionById(db, id))[0];
/**
 * A session with its user and the user's roles, in one query: every authenticated request needs all
 * three, and on PostgreSQL each query is a round trip and a socket write (docs/benchmarks.md). The user
 * is left-joined so that a session whose user is gone is still found (and then deleted).
 */
const sessionWithUser = (db: Q) =>
  db
    .selectFrom('userSession')
    .leftJoin('appUser', 'appUser.id', 'userSession.userId')
    .leftJoin('userRole', 'userRole.userId', 'userSession.userId')
    .selectAll('appUser')
    .select([
      'userSession.id as sessionId',
      'userSession.userId as sessionUserId',
      'userSession.stage',
      'userSession.csrfToken',
      'userSession.createdAt as sessionCreatedAt',
      'userSession.lastSeenAt',
      'userSession.expiresAt',
      'userSession.pendingSecret',
      'userSession.ip',
      'userSession.userAgent',
      'userRole.role',
    ]);
const sessionUserRoles = prepared((db, id: string) => sessionWithUser(db).where('userSession.id', '=', id).orderBy('userRole.role'));
// PostgreSQL takes a set of ids as one array parameter.
const sessionsUserRoles = prepared((db, ids: string[]) =>
  sessionWithUser(db)
    .where('userSession.id', '=', sql<string>`any(${ids})`)
    .orderBy('userRole.role'),
);
type SessionUserRow = Awaited<ReturnType<typeof sessionUserRoles>>[number];
export type SessionWithUser = { session: SessionRow; user: UserRow | undefined; roles: Role[] };

function toSessionWithUser(rows: SessionUserRow[]): SessionWithUser | undefined {
  if (!rows[0]) return undefined;
  // The session's columns come aliased (they share names with the user's); what remains is the user.
  const {
    sessionId: id,
    sessionUserId: userId,
    sessionCreatedAt: createdAt,
    stage,
    csrfToken,
    lastSeenAt,
    expiresAt,
    pendingSecret,
    ip,
    userAgent,
    role: _,
    ...user
  } = rows[0];
  const session: SessionRow = { id, userId, createdAt, stage, csrfToken, lastSeenAt, expiresAt, pendingSecret, ip, userAgent };
  return { session, user: user.id === null ? undefined : (user as UserRow), roles: rows.flatMap((x) => (x.role ? [x.role] : [])) };
}

type Waiter = { resolve: (found: SessionWithUser | undefined) => void; reject: (error: unknown) => void };
const waiting = new WeakMap<object, Map<string, Waiter[]>>();

/**
 * A session with its user and roles. On PostgreSQL the requests that arrive in the same turn of the event
 * loop — under load, several at a time — are looked up together in one query: a round trip, and a wake-up
 * of a database backend, for all of them instead of one each (docs/benchmarks.md). Never inside a
 * transaction, whose end would not wait for the next turn.
 */
export function getSessionWithUser(db: Q, kind: DatabaseKind, id: string): Promise<SessionWithUser | undefined> {
  if (kind !== 'postgres' || db.isTransaction) return sessionUserRoles(db, id).then(toSessionWithUser);
  let batch = waiting.get(db);
  if (!batch) {
    const ids = new Map<string, Waiter[]>();
    waiting.set(db, (batch = ids));
    setImmediate(() => {
      waiting.delete(db);
      void readSessions(db, ids);
    });
  }
  const ids = batch;
  return new Promise((resolve, reject) => {
    const list = ids.get(id);
    if (list) list.push({ resolve, reject });
    else ids.set(id, [{ resolve, reject }]);
  });
}

async function readSessions(db: Q, ids: Map<string, Waiter[]>): Promise<void> {
  try {
    const rows = await sessionsUserRoles(db, [...ids.keys()]);
    const bySession = new Map<string, SessionUserRow[]>();
    for (const row of rows) {
      const list = bySession.get(row.sessionId);
      if (list) list.push(row);
      else bySession.set(row.sessionId, [row]);
    }
    // Each request gets rows of its own: two requests of one session may share a batch.
    for (const [id, waiters] of ids) for (const w of waiters) w.resolve(toSessionWithUser(bySession.get(id) ?? []));
  } catch (error) {
    for (const waiters of ids.values()) for (const w of waiters) w.reject(error);
  }
}
export const touchSession = (db: Q, id: string, at: string) =>
  db.updateTable('userSession').set({ lastSeenAt: at }).where('id', '=', id).execute();
export const deleteSession = (db: Q, id: string) => db.deleteFrom('userSession').where('id', '=', id).execute();
export const deleteUserSessions = (db: Q, userId: string) => db.deleteFrom('userSession').where('userId', '=', userId).execute();
export const countUserSessions = async (db: Q, userId: string) =>
  Number(
    (
      await db
        .selectFrom('userSession')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('userId', '=', userId)
        .where('stage', '=', 'full')
        .executeTakeFirstOrThrow()
    ).n,
  );

// ── login attempts ──────────────────────────────────────────────────────────
export const insertLoginAttempt = (db: Q, row: IdentityTables['loginAttempt']) => db.insertInto('loginAttempt').values(row).execute();
/** Failures since `since` that are not followed by a success (a success resets the count). */
export async function recentFailures(db: Q, userId: string, since: string): Promise<number> {
  const rows = await db
    .selectFrom('loginAttempt')
    .select(['ok', 'at'])
    .where('userId', '=', userId)
    .where('at', '>=', since)
    .orderBy('at', 'desc')
    .execute();
  let n = 0;
  for (const r of rows) {
    if (r.ok) break;
    n++;
  }
  return n;
}
export const clearFailures = (db: Q, userId: string) =>
  db.deleteFrom('loginAttempt').where('userId', '=', userId).where('ok', '=', 0).execute();

// ── audit log ───────────────────────────────────────────────────────────────
const lastAuditEntry = prepared((db) => db.selectFrom('auditLog').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1));
export const lastAudit = async (db: Q) => (await lastAuditEntry(db))[0];
/** PostgreSQL: the lock that serializes appends to the chain, held to the end of the transaction. Write-behind: it
 *  travels with the head's read that follows it. */
export const lockAuditChain = prepared((db) => db.selectNoFrom(sql<number>`pg_advisory_xact_lock(482901)`.as('locked')), {
  writeBehind: true,
});
// Write-behind: the PostgreSQL writer does not wait for it (platform/db/prepared.ts).
const auditInsert = prepared((db, row: AuditRow) => db.insertInto('auditLog').values(row), { writeBehind: true });
export const insertAudit = (db: Q, row: AuditRow) => auditInsert(db, row);

export type AuditFilter = {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  outcome?: string;
  targetId?: string;
  agencyIds?: string[];
  beforeSeq?: number;
  limit: number;
};
export function searchAudit(db: Q, f: AuditFilter) {
  let q = db.selectFrom('auditLog').selectAll().orderBy('seq', 'desc').limit(f.limit);
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<=', f.to);
  if (f.actor) q = q.where('actorUsername', '=', f.actor);
  if (f.action) q = q.where('action', 'like', `${f.action}%`);
  if (f.outcome) q = q.where('outcome', '=', f.outcome as AuditRow['outcome']);
  if (f.targetId) q = q.where('targetId', '=', f.targetId);
  if (f.agencyIds) q = q.where('actorAgencyId', 'in', f.agencyIds.length ? f.agencyIds : ['']);
  if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
  return q.execute();
}
/** Streams the whole log in order, in pages, for verification and export. */
export async function* auditPages(db: Q, pageSize = 2000): AsyncGenerator<AuditRow[]> {
  let after = -1;
  for (;;) {
    const page = await db.selectFrom('auditLog').selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    if (!page.length) return;
    yield page;
    after = Number(page[page.length - 1].seq);
  }
}
