import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Platform } from '../../src/app.js';
import { createPlatform } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';
import { dialects, testConfig } from '../support/dialects.js';
import { nextCode } from '../support/platform.js';
import { WEB_ROOT, browserAvailable, launchBrowser } from '../support/browser.js';

const run = browserAvailable();

describe.runIf(run)('indicadores delictivos en Chromium', () => {
  let p: Platform;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const handle = await dialects()[0].open();
    p = await createPlatform(testConfig(), { logger: false, handle, webRoot: WEB_ROOT, timers: false });
    base = (await p.app.listen({ port: 0, host: '127.0.0.1' })).replace('0.0.0.0', '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  async function logIn(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('mfa-code').fill(await nextCode(p, username));
    await page.getByTestId('header-user').waitFor();
    return page;
  }

  /** The comparison table's cells of one area, as shown. */
  const rowText = (page: Page, code: string) => page.locator(`[data-testid="ind-change-row"][data-code="${code}"]`).innerText();
  const drawn = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-drawn'));

  it('draws the charts, the map and the comparison table for a chosen crime and periods; the link reproduces the view', async () => {
    const page = await logIn('analista');
    await page.getByTestId('area-indicators').click();
    await page.getByTestId('indicators-view').waitFor();
    await page.getByTestId('ind-crime').selectOption('homicidio_doloso');
    await page.getByTestId('ind-source').selectOption('sesnsp-cnsp38');
    await page.getByTestId('ind-population').selectOption('conapo-2010');
    await page.getByTestId('ind-a-from').fill('2015-01');
    await page.getByTestId('ind-a-to').fill('2015-12');
    await page.getByTestId('ind-b-from').fill('2017-01');
    await page.getByTestId('ind-b-to').fill('2017-12');
    await page.getByTestId('ind-area').selectOption('09');
    await page.getByTestId('ind-compare').selectOption('inegi-homicides:homicidio');

    // The period-comparison table: national 16,909 → 25,316 (+49.7 %); Mexico City 854 → 1,085 (+27.0 %).
    await page.locator('[data-testid="ind-change-row"][data-code="00"]', { hasText: '25,316' }).waitFor({ timeout: 30_000 });
    expect(await rowText(page, '00')).toMatch(/Nacional\s+16,909\s+25,316\s+\+49\.7 %/);
    expect(await rowText(page, '09')).toMatch(/Ciudad de México\s+854\s+1,085\s+\+27\.0 %/);
    expect(await page.getByTestId('ind-change-row').count()).toBe(33);
    expect(await page.getByTestId('ind-summary-count').innerText()).toBe('1,085');
    // Provenance of every figure.
    expect(await page.getByTestId('ind-provenance-release').innerText()).toMatch(/2018-07 \(cubre 1997-01 a 2017-12\)/);
    expect(await page.getByTestId('ind-provenance-population').innerText()).toMatch(/CONAPO, proyecciones base 2010/);

    // The charts: 36 months and their moving average, 3 years of two sources (INEGI ends in 2016), 32 bars, 32 states painted.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="ind-series-chart"]')?.getAttribute('data-drawn')) > 0);
    expect(await drawn(page, 'ind-series-chart')).toBe(36 + 36);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="ind-compare-chart"]')?.getAttribute('data-drawn')) > 0);
    expect(await drawn(page, 'ind-compare-chart')).toBe(3 + 2);
    expect(await page.getByTestId('ind-compare-table').innerText()).toMatch(/2017\s+1,085 \(12\.3\)\s+Sin datos/);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="ind-ranking-chart"]')?.getAttribute('data-drawn')) > 0);
    expect(await drawn(page, 'ind-ranking-chart')).toBe(32);
    await page.locator('[data-testid="ind-map"][data-ready="true"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('ind-map').getAttribute('data-painted')).toBe('32');
    for (const id of ['ind-series-chart', 'ind-ranking-chart']) {
      const box = (await page.getByTestId(id).locator('canvas').first().boundingBox())!;
      expect(box.width).toBeGreaterThan(300);
    }

    // Exports: a PNG of the chart, the CSV of the table with the view's parameters.
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ind-png-series').click()]);
    expect(png.suggestedFilename()).toBe('serie-homicidio_doloso-09.png');
    const bytes = await (await png.createReadStream()).toArray();
    expect(Buffer.concat(bytes).subarray(1, 4).toString()).toBe('PNG');
    const csvHref = (await page.getByTestId('ind-csv-change').getAttribute('href'))!;
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), csvHref);
    expect(csv.split('\n')[1]).toMatch(/^00,Nacional,2015,2017,16909,25316,49\.7191,/);

    // The view lives in the URL: the same link in a new tab shows the same table.
    const url = page.url();
    expect(url).toMatch(
      /\/indicadores\?crime=homicidio_doloso&source=sesnsp-cnsp38&population=conapo-2010&level=state&area=09&a=2015-01\.\.2015-12&b=2017-01\.\.2017-12&compare=inegi-homicides%3Ahomicidio/,
    );
    const again = await page.context().newPage();
    await again.goto(url);
    await again.locator('[data-testid="ind-change-row"][data-code="09"]', { hasText: '1,085' }).waitFor({ timeout: 30_000 });
    expect(await again.getByTestId('ind-compare').inputValue()).toBe('inegi-homicides:homicidio');
    await page.context().close();
  });

  it('shows the public page without login, in Spanish and English', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const apiCalls: string[] = [];
    page.on('request', (r) => r.url().includes('/api/') && apiCalls.push(new URL(r.url()).pathname));
    await page.goto(
      `${base}/publico/indicadores?crime=homicidio&source=inegi-homicides&population=conapo-2010&a=2015-01..2015-12&b=2016-01..2016-12`,
    );
    await page.getByTestId('public-indicators').waitFor();
    await page.locator('[data-testid="ind-change-row"][data-code="00"]', { hasText: '24,559' }).waitFor({ timeout: 30_000 });
    expect(await rowText(page, '00')).toMatch(/Nacional\s+20,762\s+24,559\s+\+18\.3 %/);
    expect(await page.getByTestId('login-username').count()).toBe(0);
    await page.locator('[data-testid="ind-map"][data-ready="true"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('ind-map').getAttribute('data-painted')).toBe('32');
    expect(await page.getByTestId('ind-provenance').innerText()).toMatch(/renglón nacional del INEGI/);
    // Only the public API, never a route that needs a session.
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls.filter((u) => !u.startsWith('/api/public/'))).toEqual([]);
    await page.getByTestId('lang-en').click();
    await page.getByRole('heading', { name: /Crime indicators · public view/ }).waitFor();
    expect(await rowText(page, '00')).toMatch(/National\s+20,762\s+24,559/);
    await context.close();
  });
});
