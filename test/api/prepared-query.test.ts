/**
 * Queries compiled once (src/platform/db/prepared.ts), on SQLite and PostgreSQL: the same rows as the
 * query built anew (camel-cased), new values on every call, inside a transaction too, and a refusal
 * when an argument would become part of the SQL rather than a bound value. On PostgreSQL they run as
 * named prepared statements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { prepared } from '../../src/platform/db/prepared.js';
import { dialects } from '../support/dialects.js';

const byKind = prepared((q, kind: string, after: number) =>
  q.selectFrom('dispatchEvent').selectAll().where('kind', '=', kind).where('seq', '>', after).orderBy('seq').limit(50),
);

describe.each(dialects())('prepared queries on $name', (dialect) => {
  let handle: Db;
  beforeAll(async () => {
    handle = await dialect.open();
    await migrateToLatest(handle);
    for (let seq = 1; seq <= 6; seq++)
      await sql`insert into dispatch_event (seq, at, kind, centre_id, state_code, municipality_code, agency_ids, payload)
        values (${seq}, ${'2026-11-29T00:00:00.000Z'}, ${seq % 2 ? 'incident' : 'unit'}, ${null}, ${'09'}, ${null}, ${'[]'}, ${`{"n":${seq}}`})`.execute(
        handle.db,
      );
  });
  afterAll(async () => handle?.close());

  it('answers what the query built anew answers, with new values each call', async () => {
    const fresh = (kind: string, after: number) =>
      handle.db
        .selectFrom('dispatchEvent')
        .selectAll()
        .where('kind', '=', kind)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(50)
        .execute();
    for (const [kind, after] of [
      ['incident', 0],
      ['unit', 2],
      ['incident', 5],
      ['none', 0],
    ] as const) {
      const rows = await byKind(handle.db, kind, after);
      expect(rows).toEqual(await fresh(kind, after));
    }
    const [first] = await byKind(handle.db, 'unit', 0);
    expect(first).toMatchObject({ seq: 2, kind: 'unit', stateCode: '09', agencyIds: '[]' });
  });

  it('runs inside a transaction and sees its uncommitted rows', async () => {
    await handle.write(async (q) => {
      await sql`insert into dispatch_event (seq, at, kind, centre_id, state_code, municipality_code, agency_ids, payload)
        values (${7}, ${'2026-11-29T00:00:00.000Z'}, ${'unit'}, ${null}, ${'09'}, ${null}, ${'[]'}, ${'{}'})`.execute(q);
      expect((await byKind(q, 'unit', 6)).map((r) => Number(r.seq))).toEqual([7]);
    });
  });

  it('inserts rows, one plan per set of defined fields', async () => {
    const insert = prepared((q, row: { seq: number; at: string; kind: string; stateCode?: string; agencyIds: string; payload: string }) =>
      q.insertInto('dispatchEvent').values({ centreId: null, municipalityCode: null, ...row, stateCode: row.stateCode ?? null }),
    );
    await insert(handle.db, { seq: 20, at: '2026-11-29T01:00:00.000Z', kind: 'row', stateCode: '14', agencyIds: '[]', payload: '{}' });
    await insert(handle.db, {
      seq: 21,
      at: '2026-11-29T01:00:01.000Z',
      kind: 'row',
      stateCode: undefined,
      agencyIds: '["a"]',
      payload: '{"x":1}',
    });
    const rows = await byKind(handle.db, 'row', 0);
    expect(rows.map((r) => [Number(r.seq), r.stateCode, r.agencyIds, r.payload])).toEqual([
      [20, '14', '[]', '{}'],
      [21, null, '["a"]', '{"x":1}'],
    ]);
  });

  it('refuses a query where an argument is not a bound value', async () => {
    const bad = prepared((q, column: string) => q.selectFrom('dispatchEvent').select(sql.ref(column).as('x')));
    await expect(bad(handle.db, 'kind')).rejects.toThrow(/bound parameter/);
  });
});

describe.each(dialects().filter((d) => d.name === 'postgres'))('prepared queries as named statements on $name', (dialect) => {
  let handle: Db;
  beforeAll(async () => {
    handle = await dialect.open();
    await migrateToLatest(handle);
    await sql`insert into dispatch_event (seq, at, kind, centre_id, state_code, municipality_code, agency_ids, payload)
      values (${1}, ${'2026-11-29T00:00:00.000Z'}, ${'incident'}, ${null}, ${'09'}, ${null}, ${'[]'}, ${'{}'})`.execute(handle.db);
  });
  afterAll(async () => handle?.close());

  it('runs as a statement PostgreSQL keeps prepared on the connection', async () => {
    // One connection throughout: prepared statements belong to a session.
    await handle.db.connection().execute(async (conn) => {
      for (let i = 0; i < 3; i++) expect((await byKind(conn, 'incident', 0)).length).toBe(1);
      const kept = await sql<{ name: string; statement: string; calls: string }>`
        select name, statement from pg_prepared_statements where name like 'oc5_%'`.execute(conn);
      const mine = kept.rows.filter((r) => r.statement.includes('"dispatch_event"') && r.statement.includes('"kind" = $1'));
      expect(mine).toHaveLength(1);
      // A query built anew is not named: its text differs from call to call in general.
      await conn.selectFrom('dispatchEvent').select('seq').where('seq', '=', 1).execute();
      const after = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(conn);
      expect(after.rows[0]!.n).toBe(kept.rows.length);
    });
  });
});
