import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const YEAR_2015 = path.resolve(root, 'src/records/data/incidents/cdmx-ssp-delitos-2015.csv');

describe('importación desde la línea de comandos (SQLite)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-crime-cli-'));
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '', DEMO: 'false' };
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env, maxBuffer: 1 << 24 });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a file over 2 GB before reading it (a sparse file: nothing is written)', async () => {
    const big = path.join(dataDir, 'enorme.csv');
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, 2 ** 31 + 1);
    fs.closeSync(fd);
    const r = await cli('records', 'import', big);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/2147483649 bytes; el máximo es 2 GB/);
    fs.rmSync(big);
  });

  it('survives being killed mid-import: --resume continues from the committed position and ends with the same totals', async () => {
    // First run, killed (SIGKILL: nothing flushed, no handler runs) once a fifth of the file is committed.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'records', 'import', YEAR_2015, '--state', '09'], {
      cwd: root,
      env,
    });
    let err = '';
    const jobId = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString('utf8');
        const id = /Importación ([0-9a-f-]{36})/.exec(err)?.[1];
        const pct = [...err.matchAll(/^\s*([\d.]+) %/gm)].map((m) => Number(m[1]));
        if (id && pct.some((p) => p >= 20)) {
          child.kill('SIGKILL');
          resolve(id);
        }
      });
      child.once('exit', () => reject(new Error(`the import ended before it could be killed:\n${err}`)));
    });
    await new Promise((r) => child.once('close', r));
    const read = async () => {
      const handle = openDatabase({ dataDir });
      try {
        const job = await handle.db.selectFrom('crimeImportJob').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
        const records = await handle.db
          .selectFrom('crimeRecord')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('sourceRef', '=', jobId)
          .executeTakeFirstOrThrow();
        const rejections = await handle.db
          .selectFrom('crimeImportRejection')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('jobId', '=', jobId)
          .executeTakeFirstOrThrow();
        return { job, records: Number(records.n), rejections: Number(rejections.n) };
      } finally {
        await handle.close();
      }
    };
    const killed = await read();
    expect(killed.job.status).toBe('running'); // as the killed process left it; nothing else runs it
    expect(Number(killed.job.bytesCommitted)).toBeGreaterThan(0);
    expect(Number(killed.job.bytesCommitted)).toBeLessThan(fs.statSync(YEAR_2015).size);
    expect(killed.records).toBe(Number(killed.job.rowsAccepted));

    const resumed = await cli('records', 'import', YEAR_2015, '--resume', jobId);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/Reanudando la importación .* desde el byte/);
    expect(resumed.out).toMatch(/TERMINADA/);
    expect(resumed.out).toMatch(/filas leídas\s+32,416/);
    const after = await read();
    expect(after.job).toMatchObject({ status: 'completed' });
    expect([after.job.rowsRead, after.job.rowsAccepted, after.job.rowsDuplicate, after.job.rowsRejected].map(Number)).toEqual([
      32_416, 32_353, 0, 63,
    ]);
    expect([after.records, after.rejections]).toEqual([32_353, 63]);

    const csv = await cli('records', 'rejections', jobId);
    expect(csv.out.trim().split('\n')).toHaveLength(64);
    expect(csv.out.split('\n')[1]).toMatch(/^588,587,outside_declared_state,lat,/);
  });
});
