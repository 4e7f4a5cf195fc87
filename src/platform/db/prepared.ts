import { CompiledQuery, type Compilable, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/** A value no caller passes: marks where each argument (or field of a row argument) lands among the parameters. */
const MARK = '\u0000oc5-arg:';

const pluginIds = new WeakMap<object, number>();
let nextPluginId = 0;
const pluginKey = (plugins: readonly object[]) => {
  let key = '';
  for (const p of plugins) {
    let id = pluginIds.get(p);
    if (id === undefined) pluginIds.set(p, (id = nextPluginId++));
    key += `${id}:`;
  }
  return `${key}#`;
};

/**
 * The SQL of every compiled plan, with a name PostgreSQL can keep it prepared under. The set is
 * bounded (one entry per query shape in the code), and a name never changes meaning: it is given
 * once per text. Used by the PostgreSQL pool (platform/db/database.ts) so that the hottest
 * statements are parsed and planned once per connection instead of on every call.
 */
export const statementNames = new Map<string, string>();

/**
 * The SQL of the plans declared `writeBehind`: statements whose result no caller reads and whose
 * failure fails the whole write (an insert into the incident, audit or event tables). The PostgreSQL
 * group-commit writer sends them without waiting for their answer and learns their outcome with the
 * next statement it does wait for (platform/db/postgres.ts); elsewhere they run as any other.
 */
export const writeBehindStatements = new Set<string>();

type Slot = { arg: number; key?: string } | null;
type Plan = { sql: string; values: readonly unknown[]; slots: Slot[] };

const isRow = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
/** A row's columns as Kysely sees them: an undefined field is left out of an insert. */
const columnsOf = (row: Record<string, unknown>) => Object.keys(row).filter((k) => row[k] !== undefined);

/**
 * A query of one fixed shape, compiled once per database handle and set of plugins, and then run
 * with new values. Kysely otherwise builds, freezes, transforms (camel case) and compiles the query tree
 * on every call — about a sixth of the server's CPU for a 911 incident (docs/benchmarks.md). Arguments
 * are values, or rows (plain objects, e.g. for `values(row)`), whose set of defined fields picks the
 * plan. Only for queries whose SQL never depends on the values: each value must reach the SQL as one
 * bound parameter, which the first call of each shape checks. Results still pass through the plugins.
 * `writeBehind` declares a statement whose result is never read (see `writeBehindStatements`): its
 * promise then resolves with no rows, and a failure may surface at the write's next statement.
 */
export function prepared<A extends unknown[], R>(build: (q: Q, ...args: A) => Compilable<R>, options: { writeBehind?: boolean } = {}) {
  const plans = new WeakMap<object, Map<string, Plan>>();
  return async (q: Q, ...args: A): Promise<R[]> => {
    // The SQL depends on the dialect (its adapter, one per database handle, shared by its
    // transactions and connections) and the plugins, not on the connection: a plan compiled for
    // one group commit serves the next.
    const executor = q.getExecutor();
    const shape = pluginKey(executor.plugins) + args.map((a) => (isRow(a) ? columnsOf(a).join(',') : '')).join('|');
    let perQ = plans.get(executor.adapter);
    if (!perQ) plans.set(executor.adapter, (perQ = new Map()));
    let plan = perQ.get(shape);
    if (!plan) {
      plan = compile(build, q, args, perQ, shape);
      if (options.writeBehind) writeBehindStatements.add(plan.sql);
    }
    const { sql, values, slots } = plan;
    const parameters = slots.map((s, i) =>
      s === null ? values[i] : s.key === undefined ? args[s.arg] : (args[s.arg] as Record<string, unknown>)[s.key],
    );
    return (await q.executeQuery<R>(CompiledQuery.raw(sql, parameters))).rows;
  };
}

function compile<A extends unknown[], R>(
  build: (q: Q, ...args: A) => Compilable<R>,
  q: Q,
  args: A,
  perQ: Map<string, Plan>,
  shape: string,
): Plan {
  const expected = new Set<string>();
  const marks = args.map((a, i) => {
    if (!isRow(a)) {
      expected.add(`${i}`);
      return `${MARK}${i}`;
    }
    return Object.fromEntries(
      columnsOf(a).map((k) => {
        expected.add(`${i}.${k}`);
        return [k, `${MARK}${i}.${k}`];
      }),
    );
  }) as A;
  const compiled = build(q, ...marks).compile();
  const seen: string[] = [];
  const slots: Slot[] = compiled.parameters.map((v) => {
    if (typeof v !== 'string' || !v.startsWith(MARK)) return null;
    const ref = v.slice(MARK.length);
    seen.push(ref);
    const dot = ref.indexOf('.');
    return dot < 0 ? { arg: Number(ref) } : { arg: Number(ref.slice(0, dot)), key: ref.slice(dot + 1) };
  });
  if (seen.length !== expected.size || !seen.every((r) => expected.has(r)) || new Set(seen).size !== seen.length)
    throw new Error(`prepared query: every argument must be one bound parameter (${compiled.sql})`);
  const plan = { sql: compiled.sql, values: compiled.parameters, slots };
  if (!statementNames.has(plan.sql)) statementNames.set(plan.sql, `oc5_${statementNames.size + 1}`);
  perQ.set(shape, plan);
  return plan;
}
