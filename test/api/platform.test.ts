import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/app.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { dialects, testConfig } from '../support/dialects.js';

for (const dialect of dialects()) {
  describe(`arranque y almacenamiento (${dialect.name})`, () => {
    it('a second start reuses the data and loads nothing twice', async () => {
      const handle = await dialect.open();
      const config = testConfig();
      const first = await createPlatform(config, { logger: false, handle, webRoot: '/nonexistent' });
      expect(first.catalogueLoaded).toBe(true);
      expect(first.demoAccounts.length).toBe(14);
      const count = async () =>
        Number(
          (
            await handle.db
              .selectFrom('appUser')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const users = await count();
      await first.app.close();
      const second = await createPlatform(config, { logger: false, handle, webRoot: '/nonexistent' });
      expect(second.catalogueLoaded).toBe(false);
      expect(second.demoAccounts).toEqual([]);
      expect(await count()).toBe(users);
      await second.app.close();
      await handle.close();
    });
  });
}

describe('SQLite durability', () => {
  it('runs in WAL mode with synchronous=FULL and foreign keys on', async () => {
    const config = testConfig();
    const handle = openDatabase({ dataDir: config.dataDir });
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(handle.db);
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db);
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(handle.db);
    expect(journal.rows[0]).toEqual({ journalMode: 'wal' });
    expect(sync.rows[0]).toEqual({ synchronous: 2 });
    expect(fk.rows[0]).toEqual({ foreignKeys: 1 });
    await handle.close();
  });
});
