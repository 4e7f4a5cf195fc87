import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';
import { dialects } from '../support/dialects.js';

// The group-commit writer (platform/db/database.ts) shares one transaction between writes
// that arrive together; each must still succeed or fail on its own.
describe.each(dialects())('group-commit writer on $name', (dialect) => {
  let handle: Db;
  beforeAll(async () => {
    handle = await dialect.open();
    await sql`create table gc_probe (id integer primary key, label varchar(20) not null)`.execute(handle.db);
  });
  afterAll(async () => handle?.close());

  const count = async () => Number((await sql<{ n: number }>`select count(*) as n from gc_probe`.execute(handle.db)).rows[0]!.n);
  const insert = (id: number) => handle.write((q) => sql`insert into gc_probe (id, label) values (${id}, ${'w' + id})`.execute(q));

  it('commits writes issued together, and rolls back only the one that fails', async () => {
    const results = await Promise.allSettled([
      insert(1),
      insert(2),
      // A duplicate key fails inside its savepoint; its neighbours in the group are unaffected.
      insert(1),
      handle.write(async (q) => {
        await sql`insert into gc_probe (id, label) values (${4}, ${'partial'})`.execute(q);
        throw new Error('business rule');
      }),
      insert(5),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[3] as PromiseRejectedResult).reason.message).toBe('business rule');
    const ids = (await sql<{ id: number }>`select id from gc_probe order by id`.execute(handle.db)).rows.map((r) => Number(r.id));
    // Write 4 inserted a row before failing: its savepoint took the row back with it.
    expect(ids).toEqual([1, 2, 5]);
  });

  it('answers a write only once it is committed and visible to every reader', async () => {
    const before = await count();
    const visible: boolean[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        insert(100 + i).then(async () => {
          const row = await sql`select id from gc_probe where id = ${100 + i}`.execute(handle.db);
          visible.push(row.rows.length === 1);
        }),
      ),
    );
    expect(visible).toHaveLength(100);
    expect(visible.every(Boolean)).toBe(true);
    expect(await count()).toBe(before + 100);
  });

  it('a lone write that fails leaves nothing behind and the writer keeps working', async () => {
    await expect(
      handle.write(async (q) => {
        await sql`insert into gc_probe (id, label) values (${900}, ${'lone'})`.execute(q);
        throw new Error('lone failure');
      }),
    ).rejects.toThrow('lone failure');
    await insert(901);
    const ids = (await sql<{ id: number }>`select id from gc_probe where id >= 900`.execute(handle.db)).rows.map((r) => Number(r.id));
    expect(ids).toEqual([901]);
  });
});
