import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app.js';
import { totp } from '../../src/identity/totp.js';
import { testConfig } from '../support/dialects.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

describe('la línea de comandos (SQLite)', () => {
  let p: Platform;
  let env: NodeJS.ProcessEnv;
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };

  beforeAll(async () => {
    const config = testConfig();
    env = { ...process.env, DATA_DIR: config.dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' };
    p = await createPlatform(config, { logger: false, webRoot: '/nonexistent' });
    await p.app.close();
  });
  afterAll(async () => p?.close());

  it('prints the current TOTP code of a demo account, and refuses other accounts', async () => {
    const secret = p.demoAccounts.find((a) => a.username === 'admin')!.totpSecret;
    const r = await cli('demo', 'code', 'admin');
    expect(r.code).toBe(0);
    const now = Date.now();
    expect([totp(secret, now - 30_000), totp(secret, now), totp(secret, now + 30_000)]).toContain(r.out.trim());
    await cli(
      'agency',
      'create',
      '--code',
      'PM-ZAP',
      '--name',
      'Comisaría de Zapopan',
      '--level',
      'municipal',
      '--kind',
      'police',
      '--municipality',
      '14120',
      '--parent',
      'SSE-JAL',
    );
    const created = await cli(
      'user',
      'create',
      '--agency',
      'PM-ZAP',
      '--username',
      'j.perez',
      '--name',
      'Juan Pérez',
      '--roles',
      'field_officer',
      '--password',
      'una frase de paso larga',
    );
    expect(created.code, created.err).toBe(0);
    const refused = await cli('demo', 'code', 'j.perez');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/no es una cuenta demo/);
  });

  it('reports a bad value with the field at fault and writes nothing', async () => {
    const r = await cli(
      'agency',
      'create',
      '--code',
      'PM-X',
      '--name',
      'Policía X',
      '--level',
      'municipal',
      '--kind',
      'police',
      '--municipality',
      '99999',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/jurisdicción no es válida.*\(municipalityCode\)/);
    expect((await cli('agency', 'list')).out).not.toMatch(/PM-X/);
    const weak = await cli(
      'user',
      'create',
      '--agency',
      'PM-ZAP',
      '--username',
      'debil',
      '--name',
      'Débil',
      '--roles',
      'analyst',
      '--password',
      'password1234',
    );
    expect(weak.err).toMatch(/demasiado común/);
  });

  it('verifies the audit chain and names the tampered entry', async () => {
    const ok = await cli('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Bitácora íntegra: \d+ entradas/);
    await p.handle.db.updateTable('auditLog').set({ action: 'user.create-falso' }).where('seq', '=', 3).execute();
    const bad = await cli('audit', 'verify');
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/la entrada 3 fue modificada/);
  });
});
