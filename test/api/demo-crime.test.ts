/**
 * The demo crime records of `npm start` (src/records/demo-crime.ts), on SQLite and PostgreSQL, with
 * two short files cut from the shipped ones: imported once, a file whose job did not complete is
 * imported again without creating anything twice, and an installation with its own records gets none.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { DEMO_FILES, loadDemoCrimeRecords } from '../../src/records/demo-crime.js';
import { streamCrimeRecords } from '../../src/records/crime.service.js';
import { listJobs, updateJob } from '../../src/records/import.store.js';
import { dialects } from '../support/dialects.js';
import { startPlatform } from '../support/platform.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc5-demo-crime-'));
/** The header and the first 300 rows of 2014 and of 2015, under the shipped files' names. */
const files = DEMO_FILES.slice(1).map((file) => {
  const out = path.join(dir, path.basename(file));
  fs.writeFileSync(out, fs.readFileSync(file, 'utf8').split('\n').slice(0, 301).join('\n') + '\n');
  return out;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function countAll(p: Platform): Promise<number> {
  let n = 0;
  let after: string | null = null;
  for (;;) {
    const page = await streamCrimeRecords(p.crime, after, 1000);
    if (!page.length) return n;
    n += page.length;
    after = page[page.length - 1].id;
  }
}

for (const dialect of dialects()) {
  describe(`registros delictivos demo (${dialect.name})`, () => {
    let p: Platform;
    beforeAll(async () => {
      p = await startPlatform(dialect);
    });
    afterAll(async () => p?.close());

    it('imports the files once, and again only a file whose import did not complete', async () => {
      const first = await loadDemoCrimeRecords(p.crime, files);
      const stored = await countAll(p);
      // A few rows of the real files fall outside Mexico City or lack a usable place and are rejected.
      expect(first).toBe(stored);
      expect(stored).toBeGreaterThan(550);
      expect(stored).toBeLessThanOrEqual(600);
      const jobs = (await listJobs(p.handle.db, undefined, 10)).filter((j) => j.createdByName === 'demo');
      expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
      expect(await loadDemoCrimeRecords(p.crime, files)).toBe(0);

      // A start cut short: the second file's job never completed.
      const second = jobs.find((j) => j.fileName === path.basename(files[1]))!;
      await updateJob(p.handle.db, second.id, { status: 'interrupted' });
      expect(await loadDemoCrimeRecords(p.crime, files)).toBe(0);
      expect(await countAll(p)).toBe(stored);
      const again = (await listJobs(p.handle.db, undefined, 10)).filter((j) => j.createdByName === 'demo');
      expect(again).toHaveLength(3);
      expect(again.find((j) => j.id !== second.id && j.fileName === second.fileName)).toMatchObject({
        status: 'completed',
        rowsAccepted: 0,
        rowsDuplicate: second.rowsAccepted,
      });
    });

    it('leaves an installation with its own crime records alone', async () => {
      const other = await startPlatform(dialect);
      try {
        const own = path.join(dir, 'propios.csv');
        fs.writeFileSync(own, fs.readFileSync(files[0], 'utf8').split('\n').slice(0, 11).join('\n') + '\n');
        // The installation's own import (not the demo's), then the demo loader finds records and stops.
        await loadDemoCrimeRecords(other.crime, [own]);
        const jobs = await listJobs(other.handle.db, undefined, 10);
        await updateJob(other.handle.db, jobs[0].id, { createdByName: 'Analista' });
        expect(await loadDemoCrimeRecords(other.crime, files)).toBe(0);
        expect(await countAll(other)).toBe(jobs[0].rowsAccepted);
      } finally {
        await other.close();
      }
    });
  });
}
