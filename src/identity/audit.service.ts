import crypto from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import { transactionState } from '../platform/db/transaction-state.js';
import * as store from './identity.store.js';
import type { AuditRow, AuditFilter } from './identity.store.js';
import type { Actor } from './access-policy.js';

/** Who did something, as written into the audit log. */
export type AuditActor = Pick<Actor, 'userId' | 'username' | 'agencyId'> | { system: string };

export type AuditEntry = {
  action: string;
  outcome?: AuditRow['outcome'];
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string;
  requestId?: string;
};

const GENESIS = '0'.repeat(64);
const AUDIT_HEAD = 'audit.head';
type ChainHead = { seq: number; hash: string };

/** The hash covers every column but itself, in a fixed order, chained to the previous row. */
export function auditHash(row: Omit<AuditRow, 'hash'>): string {
  const body = JSON.stringify([
    row.seq,
    row.at,
    row.actorUserId,
    row.actorUsername,
    row.actorAgencyId,
    row.action,
    row.outcome,
    row.targetType,
    row.targetId,
    row.ip,
    row.requestId,
    row.details,
  ]);
  return crypto.createHash('sha256').update(row.prevHash).update('\n').update(body).digest('hex');
}

async function readHead(handle: Db, q: Parameters<typeof store.insertAudit>[0]): Promise<ChainHead> {
  if (handle.kind === 'postgres') await store.lockAuditChain(q);
  const row = await store.lastAudit(q);
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS };
}

/**
 * Takes the chain's lock and reads its head for a transaction that will append, unless it already
 * has: a write that makes other reads first can make this one beside them (on the group-commit
 * writer's connection, one round trip for all) instead of after them.
 */
export async function prepareAuditChain(handle: Db, q: Parameters<typeof store.insertAudit>[0]): Promise<void> {
  const state = transactionState(q);
  if (state && !state.has(AUDIT_HEAD)) state.set(AUDIT_HEAD, await readHead(handle, q));
}

/**
 * Appends an entry. Appends are serialized (an advisory lock in PostgreSQL, the
 * single writer in SQLite) so that the chain has no forks; pass the transaction of
 * the write being audited so that both commit or neither does.
 */
export async function appendAudit(
  handle: Db,
  actor: AuditActor | null,
  entry: AuditEntry,
  trx?: Parameters<typeof store.insertAudit>[0],
): Promise<void> {
  const run = async (q: Parameters<typeof store.insertAudit>[0]) => {
    const state = transactionState(q);
    const last = (state?.get(AUDIT_HEAD) as ChainHead | undefined) ?? (await readHead(handle, q));
    const base = {
      seq: last.seq + 1,
      at: new Date().toISOString(),
      actorUserId: actor && 'userId' in actor ? actor.userId : null,
      actorUsername: actor ? ('userId' in actor ? actor.username : actor.system) : null,
      actorAgencyId: actor && 'userId' in actor ? actor.agencyId : null,
      action: entry.action,
      outcome: entry.outcome ?? 'ok',
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: entry.ip ?? null,
      requestId: entry.requestId ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
      prevHash: last.hash,
    };
    const hash = auditHash(base);
    await store.insertAudit(q, { ...base, hash });
    // This transaction now holds the chain's lock until it ends: its next append needs no read.
    state?.set(AUDIT_HEAD, { seq: base.seq, hash });
  };
  if (trx) await run(trx);
  else await handle.db.transaction().execute(run);
}

export type AuditVerification =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; seq: number; problem: 'modified' | 'missing' | 'chain_broken' };

/**
 * Walks the whole chain. A modified row fails its own hash; a deleted row leaves a
 * gap in `seq` and a `prevHash` that no longer matches. Truncating the newest rows
 * cannot be seen from the chain alone: compare `headHash` with one recorded
 * elsewhere (it is written to the application log at every start).
 */
export async function verifyAudit(handle: Db): Promise<AuditVerification> {
  let prev = GENESIS;
  let expectedSeq = 1;
  let n = 0;
  for await (const page of store.auditPages(handle.db)) {
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { ok: false, entries: n, seq: expectedSeq, problem: 'missing' };
      if (row.prevHash !== prev) return { ok: false, entries: n, seq, problem: 'chain_broken' };
      const { hash, ...rest } = row;
      if (auditHash({ ...rest, seq, details: row.details }) !== hash) {
        return { ok: false, entries: n, seq, problem: 'modified' };
      }
      prev = hash;
      expectedSeq++;
      n++;
    }
  }
  return { ok: true, entries: n, headHash: prev };
}

export type AuditView = Omit<AuditRow, 'prevHash' | 'hash' | 'details'> & { details: Record<string, unknown> | null };

function view(row: AuditRow): AuditView {
  const { prevHash: _p, hash: _h, ...rest } = row;
  return { ...rest, seq: Number(row.seq), details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null };
}

export async function searchAuditLog(handle: Db, filter: AuditFilter): Promise<AuditView[]> {
  return (await store.searchAudit(handle.db, filter)).map(view);
}

const CSV_COLUMNS = [
  'seq',
  'at',
  'actorUsername',
  'actorAgencyId',
  'action',
  'outcome',
  'targetType',
  'targetId',
  'ip',
  'requestId',
  'details',
] as const;
const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Quote always; neutralize spreadsheet formulas (CSV injection) with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
};

/** CSV export of a search, newest first, in pages so a large log never sits whole in memory. */
export async function* exportAuditCsv(handle: Db, filter: Omit<AuditFilter, 'limit' | 'beforeSeq'>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\n`;
  let before: number | undefined;
  for (;;) {
    const page = await store.searchAudit(handle.db, { ...filter, limit: 1000, beforeSeq: before });
    if (!page.length) return;
    yield page.map((r) => CSV_COLUMNS.map((c) => csvCell(view(r)[c])).join(',')).join('\n') + '\n';
    before = Number(page[page.length - 1].seq);
  }
}
