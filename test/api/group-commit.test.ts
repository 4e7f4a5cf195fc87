import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { appendAudit, verifyAudit } from '../../src/identity/audit.service.js';
import { appendEvent, nextFolioNumber } from '../../src/dispatch/dispatch.store.js';
import { prepared } from '../../src/platform/db/prepared.js';
import { dialects } from '../support/dialects.js';

// The group-commit writer (platform/db/database.ts) shares one transaction between writes
// that arrive together; each must still succeed or fail on its own.
describe.each(dialects())('group-commit writer on $name', (dialect) => {
  let handle: Db;
  beforeAll(async () => {
    handle = await dialect.open();
    await migrateToLatest(handle);
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

  it('a failing last write of a group is rolled back alone, and the rest commit', async () => {
    const results = await Promise.allSettled([
      insert(950),
      handle.write(async (q) => {
        await sql`insert into gc_probe (id, label) values (${951}, ${'last'})`.execute(q);
        throw new Error('last fails');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const ids = (await sql<{ id: number }>`select id from gc_probe where id >= 950`.execute(handle.db)).rows.map((r) => Number(r.id));
    expect(ids).toEqual([950]);
  });

  // A transaction remembers the head of the audit chain and of the board's event log after its first
  // append (platform/db/transaction-state.ts). A write rolled back to its savepoint takes its appends
  // with it, so what was remembered must go back too, or the next write would leave a gap or a fork.
  it('keeps the audit chain and the event log whole when writes of a group fail after appending', async () => {
    const actor = { system: 'group-commit-test' };
    const event = (n: number) => ({
      at: new Date().toISOString(),
      kind: 'probe',
      centreId: null,
      stateCode: null,
      municipalityCode: null,
      agencyIds: '[]',
      payload: JSON.stringify({ n }),
    });
    const append = (n: number, fail: boolean) =>
      handle.write(async (q) => {
        await appendAudit(handle, actor, { action: 'probe.append', details: { n } }, q);
        await appendAudit(handle, actor, { action: 'probe.append.second', details: { n } }, q);
        const seq = await appendEvent(q, handle.kind, event(n));
        if (fail) throw new Error(`write ${n} fails`);
        return seq;
      });
    const results = await Promise.allSettled([
      append(1, false),
      append(2, true),
      append(3, false),
      append(4, true),
      append(5, false),
      append(6, true),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const seqs = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value);
    const first = seqs[0]!;
    expect(seqs).toEqual([first, first + 1, first + 2]);
    // A lone write after the group starts from the committed head, not from anything remembered.
    expect(await append(7, false)).toBe(first + 3);

    const verdict = await verifyAudit(handle);
    expect(verdict.ok).toBe(true);
    const audited = (
      await sql<{ details: string }>`select details from audit_log where action like 'probe.append%' order by seq`.execute(handle.db)
    ).rows.map((r) => JSON.parse(r.details).n);
    expect(audited).toEqual([1, 1, 3, 3, 5, 5, 7, 7]);
    const events = (
      await sql<{ seq: number; payload: string }>`select seq, payload from dispatch_event where kind = 'probe' order by seq`.execute(
        handle.db,
      )
    ).rows;
    expect(events.map((e) => Number(e.seq))).toEqual([first, first + 1, first + 2, first + 3]);
    expect(events.map((e) => JSON.parse(e.payload).n)).toEqual([1, 3, 5, 7]);
  });

  // Write-behind statements (platform/db/prepared.ts): on PostgreSQL the writer does not wait for them
  // (platform/db/postgres.ts), so their failure is learnt later — it must still fail their own write only.
  const probeInsert = prepared((q, row: { id: number; label: string }) => q.insertInto('gcProbe' as never).values(row as never), {
    writeBehind: true,
  });
  const writeBehind = (id: number, label = 'wb') => handle.write((q) => probeInsert(q, { id, label }));
  const idsFrom = async (from: number) =>
    (await sql<{ id: number }>`select id from gc_probe where id >= ${from} order by id`.execute(handle.db)).rows.map((r) => Number(r.id));

  it('fails the write whose write-behind statement fails, first, middle or last in its group, and no other', async () => {
    const results = await Promise.allSettled([
      writeBehind(1000),
      writeBehind(1000, 'dup'),
      writeBehind(1002),
      handle.write(async (q) => {
        await probeInsert(q, { id: 1003, label: 'then' });
        await probeInsert(q, { id: 1002, label: 'dup' });
      }),
      writeBehind(1004),
      writeBehind(1004, 'dup last'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    for (const i of [1, 3, 5]) expect(String((results[i] as PromiseRejectedResult).reason)).toMatch(/unique|duplicate/i);
    // The fourth write's first row went back with its savepoint.
    expect(await idsFrom(1000)).toEqual([1000, 1002, 1004]);
    // Alone in its group, and the writer goes on afterwards.
    await expect(writeBehind(1000, 'alone')).rejects.toThrow(/unique|duplicate/i);
    await writeBehind(1005);
    expect(await idsFrom(1000)).toEqual([1000, 1002, 1004, 1005]);
  });

  it('reports a failed write-behind statement to the read that follows it, not as an aborted transaction', async () => {
    await writeBehind(1100);
    const [read] = await Promise.allSettled([
      handle.write(async (q) => {
        await probeInsert(q, { id: 1100, label: 'dup' });
        return sql`select count(*) as n from gc_probe`.execute(q);
      }),
      writeBehind(1101),
    ]);
    expect(read.status).toBe('rejected');
    expect(String((read as PromiseRejectedResult).reason)).toMatch(/unique|duplicate/i);
    expect(await idsFrom(1100)).toEqual([1100, 1101]);
  });

  // On PostgreSQL the writer does not wait between the writes of a group (platform/db/database.ts): a failure is
  // learnt at a later statement, and the writes sent after the failed one, refused by the database, run again.
  it('finds the failed write when a later write of its group fails on its own, and keeps the writes between', async () => {
    const results = await Promise.allSettled([
      writeBehind(2000),
      writeBehind(2000, 'dup'),
      writeBehind(2002),
      handle.write(async (q) => {
        await probeInsert(q, { id: 2003, label: 'partial' });
        throw new Error('business rule');
      }),
      writeBehind(2004),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : String(r.reason)))).toEqual([
      'ok',
      expect.stringMatching(/unique|duplicate/i),
      'ok',
      'Error: business rule',
      'ok',
    ]);
    expect(await idsFrom(2000)).toEqual([2000, 2002, 2004]);
  });

  it('runs again, once, the writes sent after a failed one, with what they return', async () => {
    const runs = new Map<number, number>();
    const readThenInsert = (id: number) =>
      handle.write(async (q) => {
        runs.set(id, (runs.get(id) ?? 0) + 1); // only to observe the re-run: a real write has no such effect
        const [before] = (await sql<{ n: number }>`select count(*) as n from gc_probe where id >= 2100`.execute(q)).rows;
        await probeInsert(q, { id, label: 'after' });
        return Number(before!.n);
      });
    const results = await Promise.allSettled([writeBehind(2100), writeBehind(2100, 'dup'), readThenInsert(2101), readThenInsert(2102)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'))).toEqual([[], 'failed', 1, 2]);
    // On PostgreSQL the third write's read was refused (the second's insert had failed): it ran again, after
    // the rollback. SQLite answers each statement as it runs, so the second write failed at once.
    expect(runs.get(2101)).toBe(handle.kind === 'postgres' ? 2 : 1);
    expect(runs.get(2102)).toBe(1);
    expect(await idsFrom(2100)).toEqual([2100, 2101, 2102]);
  });

  // After its first folio a group knows the next without reading it; a write rolled back gives its number back.
  it('numbers folios without gaps across a group whose writes fail after taking one', async () => {
    const take = (fail: boolean) =>
      handle.write(async (q) => {
        const n = await nextFolioNumber(q, 'gc-centre', 2031);
        if (fail) throw new Error(`folio ${n} not used`);
        return n;
      });
    const results = await Promise.allSettled([take(false), take(true), take(false), take(false), take(true)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'))).toEqual([1, 'failed', 2, 3, 'failed']);
    expect(await take(false)).toBe(4);
    const [counter] = (await sql<{ last: number }>`select last from folio_counter where centre_id = 'gc-centre'`.execute(handle.db)).rows;
    expect(Number(counter!.last)).toBe(4);
  });
});

// Each write of a group keeps a savepoint; SQLite's copy of the pages it changes went to a temporary
// file on every group until temporary storage was kept in memory (docs/benchmarks.md).
describe.each(dialects().filter((d) => d.name === 'sqlite'))('temporary storage on $name', (dialect) => {
  it('is kept in memory, and again once migrations (which use files) are done', async () => {
    const handle = await dialect.open();
    try {
      const mode = async () => Number(Object.values((await sql<Record<string, number>>`pragma temp_store`.execute(handle.db)).rows[0]!)[0]);
      expect(await mode()).toBe(2);
      await migrateToLatest(handle);
      expect(await mode()).toBe(2);
    } finally {
      await handle.close();
    }
  });
});

// The PostgreSQL writer keeps one connection of its own (platform/db/postgres.ts): losing it — a restart, a
// failover, an administrator ending the backend — fails the writes in flight and must not stop the next ones.
describe.each(dialects().filter((d) => d.name === 'postgres'))('the writer connection on $name', (dialect) => {
  let handle: Db;
  beforeAll(async () => {
    handle = await dialect.open();
    await migrateToLatest(handle);
    await sql`create table gc_lost (id integer primary key)`.execute(handle.db);
  });
  afterAll(async () => handle?.close());

  it('opens a new connection after its own is terminated, and commits what it acknowledges', async () => {
    const insert = (id: number) => handle.write((q) => sql`insert into gc_lost (id) values (${id})`.execute(q));
    await insert(1);
    const ended = await sql<{ ok: boolean }>`
      select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = 'openc5-writer'`.execute(handle.db);
    expect(ended.rows.map((r) => r.ok)).toEqual([true]);
    const acknowledged: number[] = [];
    for (let id = 2; id <= 6; id++) {
      await insert(id).then(
        () => acknowledged.push(id),
        () => undefined,
      );
    }
    // At most the first write after the loss fails; every acknowledged one is there.
    expect(acknowledged.length).toBeGreaterThanOrEqual(4);
    const ids = (await sql<{ id: number }>`select id from gc_lost order by id`.execute(handle.db)).rows.map((r) => Number(r.id));
    expect(ids).toEqual([1, ...acknowledged]);
  });
});
