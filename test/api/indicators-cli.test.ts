import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app.js';
import { testConfig } from '../support/dialects.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const MONTHS = 'Enero,Febrero,Marzo,Abril,Mayo,Junio,Julio,Agosto,Septiembre,Octubre,Noviembre,Diciembre';

describe('la línea de comandos de indicadores (SQLite)', () => {
  let p: Platform;
  let env: NodeJS.ProcessEnv;
  let tmp: string;
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'indicators', ...args], { cwd: root, env });
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
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-ind-cli-'));
  });
  afterAll(async () => {
    await p?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints the change table of a state with its source, methodology, release and population', async () => {
    const r = await cli(
      'change',
      '--crime',
      'homicidio_doloso',
      '--source',
      'sesnsp-cnsp38',
      '--from',
      '2015',
      '--to',
      '2017',
      '--state',
      '09',
      '--population',
      'conapo-2010',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Metodología: CNSP/38 (metodología anterior) · unidad: carpetas de investigación · publicación 2018-07');
    expect(r.out).toContain('Población: CONAPO, proyecciones base 2010');
    // Mexico City: 854 (2015) → 1,085 (2017), +27.0 %; rates with CONAPO 2010: 9.64 → 12.31 per 100,000.
    expect(r.out).toMatch(/09 Ciudad de México\s+854\s+1,085\s+\+27\.0 %\s+9\.64\s+12\.31\s+\+27\.7 %/);
    expect(r.out).toMatch(/00 Nacional\s+16,909\s+25,316\s+\+49\.7 %/);
  });

  it('ranks states, and refuses a period of zero length naming it', async () => {
    const r = await cli(
      'rank',
      '--crime',
      'homicidio_doloso',
      '--source',
      'sesnsp-cnsp38',
      '--period',
      '2017',
      '--limit',
      '3',
      '--population',
      'conapo-2010',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^1\s+06 Colima\s+700\s+747,801\s+93\.61/m);
    expect(r.out.split('\n').filter((l) => /^\d+\s+\d{2} /.test(l))).toHaveLength(3);
    const bad = await cli('rank', '--crime', 'homicidio_doloso', '--source', 'sesnsp-cnsp38', '--period', '2017..2016');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/El periodo «2017\.\.2016» tiene duración cero.*\(period\)/);
  });

  it('imports a Latin-1 file in the publisher’s layout, once', async () => {
    const lines = [
      `Año,Clave_Ent,Entidad,Cve. Municipio,Municipio,Bien jurídico afectado,Tipo de delito,Subtipo de delito,Modalidad,${MONTHS}`,
    ];
    lines.push(
      `2023,16,Michoacán de Ocampo,16053,Morelia,La vida y la Integridad corporal,Homicidio,Homicidio doloso,Con arma de fuego,9,8,7,,,,,,,,,`,
    );
    lines.push(`2023,16,Michoacán de Ocampo,16053,Morelia,El patrimonio,Robo,Robo a negocio,Con violencia,1,1,1,,,,,,,,,`);
    const file = path.join(tmp, 'IDM_NM_mar23.csv');
    fs.writeFileSync(file, Buffer.from(lines.join('\r\n'), 'latin1'));
    const r = await cli('import', '--source', 'sesnsp-nm', '--release', '2023-04', file);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Publicación 2023-04 de sesnsp-nm: cargada (primera publicación de la fuente).');
    expect(r.out).toContain('Nivel municipality, 2023-01 a 2023-03, delitos: homicidio_doloso, homicidio_doloso_arma_fuego.');
    const again = await cli('import', '--source', 'sesnsp-nm', '--release', '2023-04', file);
    expect(again.out).toContain('sin cambios');
    fs.writeFileSync(file, Buffer.from(lines.join('\r\n').replace(',16053,', ',16999,'), 'latin1'));
    const bad = await cli('import', '--source', 'sesnsp-nm', '--release', '2023-05', file);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('Línea 2: el municipio con clave «16999» no existe en el catálogo del INEGI (Censo 2020). (Cve. Municipio)');
    const list = await cli('releases');
    expect(list.out.split('\n').filter((l) => l.startsWith('sesnsp-nm ') && l.includes('municipality'))).toHaveLength(1);
  });
});
