/**
 * The supervisor timers run every few seconds for the life of the server. Their reads must stay
 * index lookups as the incident and alert tables grow to a year of a state's 911 traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { dialects } from '../support/dialects.js';

describe.each(dialects().filter((d) => d.name === 'sqlite'))('supervisor timer reads on $name', (dialect) => {
  let handle: Db;
  beforeAll(async () => {
    handle = await dialect.open();
    await migrateToLatest(handle);
  });
  afterAll(async () => handle?.close());

  const plan = async (query: string) =>
    (await sql<{ detail: string }>`${sql.raw(`explain query plan ${query}`)}`.execute(handle.db)).rows.map((r) => r.detail).join('; ');

  it('finds pending incidents past a time through an index, not a scan of every incident', async () => {
    const p = await plan("select id from incident where status = 'pending' and created_at <= '2026-11-29T00:00:00.000Z'");
    expect(p).toMatch(/SEARCH incident USING INDEX incident_status_created/);
  });

  it("finds an incident's open alert through an index", async () => {
    const p = await plan(
      "select * from dispatch_alert where kind = 'pending_overdue' and acknowledged_at is null and incident_id = 'x' and unit_id is null",
    );
    expect(p).toMatch(/SEARCH dispatch_alert USING INDEX dispatch_alert_incident/);
  });
});
