import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * What a transaction has learned and may rely on until it ends. The one use is the head of an
 * append-only chain (the audit log, the board's event log): appends are serialized by a lock that
 * the transaction holds from its first append to its commit (SQLite's single writer, a PostgreSQL
 * advisory lock), so the head it wrote last is still the head at its next append, and reading it
 * again would only cost a statement (on PostgreSQL, two round trips: the lock and the read). State
 * is kept per transaction — a Kysely `Transaction`, or the connection of one group commit — so it
 * can never outlive the lock that makes it true; outside a transaction there is none.
 */
const states = new WeakMap<object, Map<string, unknown>>();
const groupConnections = new WeakSet<object>();

export function transactionState(q: Q): Map<string, unknown> | undefined {
  if (!q.isTransaction && !groupConnections.has(q)) return undefined;
  let state = states.get(q);
  if (!state) states.set(q, (state = new Map()));
  return state;
}

/** The group-commit writer's connection runs one transaction at a time (platform/db/database.ts). */
export function markGroupConnection(q: Q): void {
  groupConnections.add(q);
}

/**
 * Rolling back to a savepoint undoes the appends made after it, and on PostgreSQL releases the
 * locks taken after it: what the transaction knew at the savepoint is what it may know again.
 */
export function saveTransactionState(q: Q): Map<string, unknown> {
  return new Map(transactionState(q));
}
export function restoreTransactionState(q: Q, saved: Map<string, unknown>): void {
  states.set(q, saved);
}
