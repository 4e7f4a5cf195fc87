import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Platform } from '../../src/app.js';
import { createPlatform } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';
import { createImportJob, runImport } from '../../src/records/import.service.js';
import { CDMX_SSP_MAPPING } from '../../src/records/import-mapping.js';
import { dialects, testConfig } from '../support/dialects.js';
import { nextCode } from '../support/platform.js';
import { WEB_ROOT, browserAvailable, launchBrowser } from '../support/browser.js';

const run = browserAvailable();
const YEAR_2015 = path.resolve(import.meta.dirname, '../../src/records/data/incidents/cdmx-ssp-delitos-2015.csv');

/** The header and the first `n` rows of the real 2015 file, plus two rows that cannot be imported. */
function sample(n: number): Buffer {
  const lines = fs
    .readFileSync(YEAR_2015, 'utf8')
    .split('\n')
    .slice(0, n + 1);
  lines.push('999001,2015-12-31,23:10,ROBO A TRANSEUNTE C.V.,P-1.1.1,-99.1332,19.4326'); // swapped
  lines.push('999002,2015-12-31,23:15,"ROBO A TRANSEUNTE C.V.,P-1.1.1,19.4326,-99.1332'); // unbalanced quote
  return Buffer.from(lines.join('\n') + '\n');
}

describe.runIf(run)('importación de delitos en Chromium', () => {
  let p: Platform;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const handle = await dialects()[0].open();
    p = await createPlatform(testConfig(), { logger: false, handle, webRoot: WEB_ROOT });
    base = (await p.app.listen({ port: 0, host: '127.0.0.1' })).replace('0.0.0.0', '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  async function logIn(username: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(base);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('mfa-code').fill(await nextCode(p, username));
    await page.getByTestId('header-user').waitFor();
    return page;
  }

  it('imports a CSV from the page: the progress bar reaches 100 %, the rejected rows show with their lines and reasons, the records are listed', async () => {
    const page = await logIn('analista');
    await page.getByTestId('area-crimeImport').click();
    await page.getByTestId('import-page').waitFor();
    const data = sample(3000);
    await page.getByTestId('import-file').setInputFiles({ name: 'delitos-2015.csv', mimeType: 'text/csv', buffer: data });
    await page.getByTestId('import-mapping').selectOption('cdmx-ssp');
    await page.getByTestId('import-start').click();
    await page.locator('[data-testid="import-progress"][data-value="100"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="import-job"][data-status="completed"]').waitFor();
    expect(await page.getByTestId('import-rows-read').textContent()).toBe('3,002');
    const rejected = Number((await page.getByTestId('import-rows-rejected').textContent())!.replace(/,/g, ''));
    const accepted = Number((await page.getByTestId('import-rows-accepted').textContent())!.replace(/,/g, ''));
    expect(accepted + rejected).toBe(3002);
    const rows = page.getByTestId('import-rejection-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(rejected);
    const last = page.locator('[data-testid="import-rejection-row"][data-line="3003"]');
    expect(await last.getAttribute('data-reason')).toBe('unbalanced_quotes');
    const swapped = page.locator('[data-testid="import-rejection-row"][data-line="3002"]');
    expect(await swapped.textContent()).toMatch(/intercambiadas/);
    expect(await swapped.textContent()).toContain('999001,2015-12-31,23:10');
    expect(await page.getByTestId('import-rejections-csv').getAttribute('href')).toMatch(/rejections\.csv$/);

    // The records page lists what came in, filtered by classification.
    await page.getByTestId('nav-crime-records').click();
    await page.getByTestId('records-page').waitFor();
    await page.getByTestId('record-row').first().waitFor();
    await page.getByTestId('records-classification').selectOption('3.4');
    await page.getByTestId('records-from').fill('2015-01-01');
    await page.getByTestId('records-apply').click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="record-row"]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-code')!.startsWith('3.4'));
    });
    expect(await page.getByTestId('record-row').first().textContent()).toMatch(/Violación simple/);
    expect(await page.getByTestId('records-export').getAttribute('href')).toContain('classification=3.4');
    await page.close();
  });

  it('resumes an interrupted import from the page with the same file', async () => {
    const data = sample(2500);
    const agency = (await p.handle.db.selectFrom('agency').select('id').where('code', '=', 'C5-CDMX').executeTakeFirstOrThrow()).id;
    const job = await createImportJob(
      p.crime,
      { agencyId: agency, userId: null, name: 'prueba' },
      {
        fileName: 'cortado.csv',
        fileSize: data.length,
        mappingName: 'cdmx-ssp',
        mapping: { ...CDMX_SSP_MAPPING, dataset: 'browser-resume' },
      },
    );
    async function* cut() {
      yield data.subarray(0, Math.floor(data.length / 2));
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    const interrupted = await runImport(p.crime, job.id, cut(), { offset: 0 });
    expect(interrupted.status).toBe('interrupted');

    const page = await logIn('analista');
    await page.goto(`${base}/registros/importar`);
    const row = page.locator('[data-testid="import-job-row"][data-status="interrupted"]');
    await row.waitFor();
    const chooser = page.waitForEvent('filechooser');
    await row.getByTestId('import-resume').click();
    await (await chooser).setFiles({ name: 'cortado.csv', mimeType: 'text/csv', buffer: data });
    await page.locator('[data-testid="import-job"][data-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-progress').getAttribute('data-value')).toBe('100');
    expect(await page.getByTestId('import-rows-read').textContent()).toBe('2,502');
    await page.close();
  });
});
