import pg from 'pg';
import { statementNames, writeBehindStatements } from './prepared.js';

/**
 * The pool as Kysely sees it, whose clients run the compiled queries (platform/db/prepared.ts) as
 * named prepared statements: PostgreSQL then parses and plans each once per connection, where an
 * unnamed statement is parsed and planned on every call (measured in docs/benchmarks.md). Other
 * queries pass through unchanged.
 */
export function namingPool(pool: pg.Pool): pg.Pool {
  const named = new WeakSet<pg.PoolClient>();
  const connect = async () => {
    const client = await pool.connect();
    if (!named.has(client)) {
      named.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((text: unknown, values?: unknown, callback?: unknown) =>
        typeof text === 'string' && Array.isArray(values) && statementNames.has(text)
          ? send(client, text, values)
          : query(text, values, callback)) as typeof client.query;
    }
    return client;
  };
  return { connect, end: () => pool.end() } as unknown as pg.Pool;
}

/**
 * Runs a statement, under its name when it is one of the compiled plans (platform/db/prepared.ts): the
 * server then parses and plans it once per connection. The query is built from the text and named
 * afterwards, because node-postgres copies a query given as an object, descriptor by descriptor, on
 * every call (4 % of the server's time in a profile of 911 incident creations on PostgreSQL).
 */
function send(client: pg.ClientBase, text: string, values?: unknown[]): Promise<pg.QueryResult> {
  const name = values ? statementNames.get(text) : undefined;
  if (!name) return client.query(text, values);
  const query = new pg.Query(text, values) as pg.Query & { name?: string; callback?: (err: Error | null, res: pg.QueryResult) => void };
  query.name = name;
  return new Promise((resolve, reject) => {
    query.callback = (err, res) => (err ? reject(err) : resolve(res));
    client.query(query);
  });
}

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
export type WriterPool = {
  pool: pg.Pool;
  /** The position in its group of the write now sending statements (see `writeBehindTag`). */
  tag: (position: number | undefined) => void;
};

export function writerPool(config: pg.ClientConfig): WriterPool {
  let current: { client: pg.Client; handle: pg.PoolClient } | undefined;
  let broken = false;
  let pending: { sent: Promise<unknown>; tag: number | undefined }[] = [];
  let tag: number | undefined;

  const open = async () => {
    const client = new pg.Client({ ...config, pipeline: true } as pg.ClientConfig);
    // A dropped connection fails the group that was using it; the next group opens a new one.
    client.on('error', () => {
      broken = true;
    });
    await client.connect();
    broken = false;
    pending = [];
    // node-postgres writes each statement to the socket on its own, one system call each. Held until the
    // end of the current turn, the statements a write sends in a row leave together; nothing is delayed past
    // the moment the writer would wait for an answer anyway.
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
      // A rollback makes the outcome of what was sent before it moot.
      if (/^\s*rollback/i.test(text)) pending = [];
      if (writeBehindStatements.has(text)) {
        const sent = send(client, text, values);
        sent.catch(() => undefined);
        pending.push({ sent, tag });
        return Promise.resolve({ command: null, rowCount: null, rows: [] });
      }
      const answer = send(client, text, values);
      if (!pending.length) return answer;
      const before = pending;
      pending = [];
      return settle(before, answer);
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

  const pool = {
    connect: async () => (current && !broken ? current.handle : open()),
    end: async () => {
      const c = current;
      current = undefined;
      if (c) await c.client.end().catch(() => undefined);
    },
  } as unknown as pg.Pool;
  return { pool, tag: (position) => void (tag = position) };
}

/**
 * Failures of write-behind statements, with the position in its group of the write that sent each
 * (set by the group-commit writer through `tag`): the write that failed, when the
 * failure shows at a later write's statement.
 */
const writeBehindFailures = new WeakMap<object, number | undefined>();
/** The error came from a write-behind statement: the write that sent it failed, not its group. */
export const isWriteBehindFailure = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && writeBehindFailures.has(error);
/** The position in its group of the write whose write-behind statement failed (undefined: the group's own). */
export const writeBehindTag = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null ? writeBehindFailures.get(error) : undefined;
const markWriteBehindFailure = (error: unknown, tag: number | undefined): void => {
  if (typeof error === 'object' && error !== null) writeBehindFailures.set(error, tag);
};

async function settle<T>(before: { sent: Promise<unknown>; tag: number | undefined }[], answer: Promise<T>): Promise<T> {
  for (const { sent, tag } of before) {
    try {
      await sent;
    } catch (error) {
      // Aborted by the failure above, the answer only says so; the failure itself is the news.
      answer.catch(() => undefined);
      markWriteBehindFailure(error, tag);
      throw error;
    }
  }
  return answer;
}
