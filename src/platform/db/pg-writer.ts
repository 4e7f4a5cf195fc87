import pg from 'pg';
import { statementNames, writeBehindStatements } from './prepared.js';

/**
 * The PostgreSQL connection of the group-commit writer (platform/db/database.ts), as a pool of one
 * for Kysely. The writer runs the dispatch writes one group at a time, and each statement it waited
 * for was a round trip: an incident creation waited for seven (docs/benchmarks.md). On this
 * connection, which node-postgres runs in pipeline mode (each statement is sent at once, answers
 * come back in order), the statements declared `writeBehind` (platform/db/prepared.ts) are sent
 * without waiting: the write goes on, and the next statement it does wait for — a read, or the
 * writer's savepoint step at the end of the write — is sent right behind them and answered after
 * them. Their outcome is known then: if one failed, that statement's caller gets its error (the
 * transaction is aborted from it on) and `isWriteBehindFailure` tells the writer that the write,
 * not the group, failed. A rollback makes their outcome moot.
 */
export function writerPool(config: pg.ClientConfig): pg.Pool {
  let current: { client: pg.Client; handle: pg.PoolClient } | undefined;
  let broken = false;
  let pending: Promise<unknown>[] = [];

  const send = (client: pg.Client, text: string, values?: unknown[]) => {
    // Named like the pool's statements: parsed and planned once on this connection too.
    const name = values ? statementNames.get(text) : undefined;
    return client.query(name ? { name, text, values } : { text, values });
  };

  const open = async () => {
    const client = new pg.Client({ ...config, pipeline: true } as pg.ClientConfig);
    // A dropped connection fails the group that was using it; the next group opens a new one.
    client.on('error', () => {
      broken = true;
    });
    await client.connect();
    broken = false;
    pending = [];
    // node-postgres writes each statement to the socket on its own, one system call each (a third of
    // the server's time, docs/benchmarks.md). Held until the end of the current turn, the statements
    // a write sends in a row leave together; nothing is delayed past the moment the writer would
    // wait for an answer anyway.
    const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
    let corked = false;
    const uncork = () => {
      corked = false;
      stream?.uncork?.();
    };
    const query = (text: string, values?: unknown[]) => {
      if (!corked && stream?.cork) {
        corked = true;
        stream.cork();
        process.nextTick(uncork);
      }
      if (writeBehindStatements.has(text)) {
        const sent = send(client, text, values);
        sent.catch(() => undefined);
        pending.push(sent);
        return Promise.resolve({ command: null, rowCount: null, rows: [] });
      }
      const answer = send(client, text, values);
      if (!pending.length) return answer;
      const before = pending;
      pending = [];
      return settle(before, answer, /^\s*rollback/i.test(text));
    };
    const close = () => {
      if (current?.client === client) current = undefined;
      void client.end().catch(() => undefined);
    };
    const handle = {
      query,
      release: (discard?: unknown) => {
        if (discard || broken) close();
      },
    } as unknown as pg.PoolClient;
    current = { client, handle };
    return handle;
  };

  return {
    connect: async () => (current && !broken ? current.handle : open()),
    end: async () => {
      const c = current;
      current = undefined;
      if (c) await c.client.end().catch(() => undefined);
    },
  } as unknown as pg.Pool;
}

const failures = new WeakSet<object>();

/** The error came from a write-behind statement: the write that sent it failed, not its group. */
export const isWriteBehindFailure = (error: unknown): boolean => typeof error === 'object' && error !== null && failures.has(error);

async function settle<T>(before: Promise<unknown>[], answer: Promise<T>, moot: boolean): Promise<T> {
  for (const sent of before) {
    try {
      await sent;
    } catch (error) {
      if (moot) continue;
      // Aborted by the failure above, the answer only says so; the failure itself is the news.
      answer.catch(() => undefined);
      if (typeof error === 'object' && error !== null) failures.add(error);
      throw error;
    }
  }
  return answer;
}
