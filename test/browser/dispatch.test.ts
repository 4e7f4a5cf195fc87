import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { Platform } from '../../src/app.js';
import { createPlatform } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';
import { dialects, testConfig } from '../support/dialects.js';
import { nextCode } from '../support/platform.js';
import { WEB_ROOT, browserAvailable, launchBrowser } from '../support/browser.js';

const run = browserAvailable();

/** The Zócalo of Mexico City (Centro, Cuauhtémoc). */
const ZOCALO: [number, number] = [-99.1332, 19.4326];

describe.runIf(run)('911 y despacho en Chromium', () => {
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

  async function logIn(username: string, opts: BrowserContextOptions = { viewport: { width: 1440, height: 900 } }): Promise<Page> {
    const context = await browser.newContext(opts);
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('mfa-code').fill(await nextCode(p, username));
    await page.getByTestId('header-user').waitFor();
    return page;
  }

  it('takes a call, dispatches the unit, follows it from the field view live and closes the incident', async () => {
    // ── the call taker: a call, a type picked by typing, the Zócalo clicked on the map ──
    const operator = await logIn('operador');
    await operator.getByTestId('area-dispatch').click();
    await operator.getByTestId('console').waitFor();
    await operator.waitForFunction(
      () => {
        const map = window.__oc5map;
        return !!map && map.loaded() && !!map.getLayer('dispatch-incidents-circle');
      },
      undefined,
      { timeout: 60_000 },
    );
    await operator.keyboard.press('F2');
    await operator.getByTestId('intake-ani').fill('55 1234 5678');
    await operator.getByTestId('intake-caller').fill('Ana Torres');
    await operator.getByTestId('intake-ani').press('Enter');
    await operator.locator('[data-testid="intake-call-status"][data-state="registered"]').waitFor();

    await operator.getByTestId('intake-type').fill('robo veh');
    const firstType = operator.getByTestId('intake-type-option').first();
    await firstType.waitFor();
    const code = await firstType.getAttribute('data-code');
    expect(await firstType.textContent()).toMatch(/Robo de vehículo/);
    await operator.getByTestId('intake-type').press('Enter');
    expect(await operator.getByTestId('intake-type-chosen').getAttribute('data-code')).toBe(code);

    await operator.evaluate((center) => window.__oc5map!.jumpTo({ center, zoom: 15 }), ZOCALO);
    await operator.waitForFunction(() => window.__oc5map!.loaded(), undefined, { timeout: 30_000 });
    const box = (await operator.getByTestId('map').boundingBox())!;
    const pt = await operator.evaluate((c) => window.__oc5map!.project(c), ZOCALO);
    await operator.mouse.click(box.x + pt.x, box.y + pt.y);
    const place = operator.locator('[data-testid="intake-place"][data-status="ok"]');
    await place.waitFor({ timeout: 20_000 });
    expect(await place.textContent()).toMatch(/Cuauhtémoc.*Centro/);
    await operator.getByTestId('intake-address').fill('Plaza de la Constitución, frente a Catedral');
    await operator.getByTestId('intake-note').fill('Dos sujetos armados se llevaron un sedán gris hacia 5 de Mayo.');
    await operator.keyboard.press('Control+Enter');
    const folioLink = operator.getByTestId('intake-folio');
    await folioLink.waitFor();
    const folio = (await folioLink.textContent())!.trim();
    expect(folio).toMatch(/^CDMX-\d{4}-\d{6}$/);
    await operator.locator(`[data-testid="incident-row"][data-folio="${folio}"]`).waitFor();

    // ── the dispatcher: opens it, sees the recommended units, assigns P-CUH-1 (crewed by `policia`) ──
    const dispatcher = await logIn('despacho');
    await dispatcher.goto(`${base}/despacho`);
    await dispatcher.locator('[data-testid="conn-status"][data-state="live"]').waitFor({ timeout: 20_000 });
    await dispatcher.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const row = dispatcher.locator(`[data-testid="incident-row"][data-folio="${folio}"]`);
    await row.click();
    await dispatcher.locator(`[data-testid="incident-detail"] [data-testid="detail-folio"]`, { hasText: folio }).waitFor();
    await dispatcher.locator('[data-testid="recommendations"][data-loading="false"]').waitFor();
    const ranked = await dispatcher.getByTestId('rec-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.callsign));
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked).toContain('P-CUH-1');
    for (const box of await dispatcher.getByTestId('rec-check').all()) if (await box.isChecked()) await box.uncheck();
    await dispatcher.locator('[data-testid="rec-row"][data-callsign="P-CUH-1"]').getByTestId('rec-check').check();
    await dispatcher.getByTestId('rec-assign').click();
    await dispatcher.locator('[data-testid="detail-unit"][data-callsign="P-CUH-1"]').waitFor();
    await dispatcher.locator(`[data-testid="incident-row"][data-folio="${folio}"][data-status="dispatched"]`).waitFor();

    // ── the officer on a phone: acknowledges, en route, on scene ──
    const officer = await logIn('policia', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await officer.getByTestId('nav-field').click();
    await officer.locator(`[data-testid="field-assignment"][data-folio="${folio}"]`).waitFor();
    expect(await officer.getByTestId('field-address').textContent()).toContain('Plaza de la Constitución');
    expect(await officer.getByTestId('field-notes').textContent()).toContain('sedán gris');
    // Only the transitions a dispatched unit may take are offered.
    expect(await officer.getByTestId('field-status-out_of_service').count()).toBe(0);
    await officer.getByTestId('field-ack').click();
    await officer.getByTestId('field-acked').waitFor();
    await officer.getByTestId('field-status-en_route').click();
    await officer.locator('[data-testid="field-unit-status"][data-status="en_route"]').waitFor();

    // The dispatcher's board follows without a reload.
    await dispatcher.locator(`[data-testid="incident-row"][data-folio="${folio}"][data-status="en_route"]`).waitFor({ timeout: 15_000 });
    await officer.getByTestId('field-status-on_scene').click();
    await officer.locator('[data-testid="field-unit-status"][data-status="on_scene"]').waitFor();
    await dispatcher.locator(`[data-testid="incident-row"][data-folio="${folio}"][data-status="on_scene"]`).waitFor({ timeout: 15_000 });
    await dispatcher.locator('[data-testid="detail-status"][data-status="on_scene"]').waitFor();
    expect(await dispatcher.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await dispatcher.locator('[data-testid="timeline-entry"][data-kind="unit_status"]').first().waitFor();

    // ── the dispatcher closes it with a closure code: it leaves the open list ──
    await dispatcher.getByTestId('detail-close-incident').click();
    await dispatcher.getByTestId('detail-closure').selectOption('ATENDIDO');
    await dispatcher.getByTestId('detail-reason').fill('Vehículo recuperado, sin lesionados.');
    await dispatcher.getByTestId('close-dialog-ok').click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    await dispatcher.locator('[data-testid="detail-status"][data-status="closed"]').waitFor();
    // The unit is released: the officer's phone shows it available.
    await officer.locator('[data-testid="field-unit-status"][data-status="available"]').waitFor({ timeout: 15_000 });

    const stored = await p.handle.db
      .selectFrom('incident')
      .select(['status', 'closureCode'])
      .where('folio', '=', folio)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'closed', closureCode: 'ATENDIDO' });

    // ── the supervisor sees it in today's metrics, with a chart ──
    const supervisor = await logIn('supervisor');
    await supervisor.goto(`${base}/metricas`);
    await supervisor.getByTestId('metrics-incidents').waitFor();
    expect(Number(await supervisor.getByTestId('metrics-incidents').textContent())).toBeGreaterThanOrEqual(1);
    await supervisor.locator('[data-testid="metrics-chart"] canvas').waitFor();
    expect(await supervisor.getByTestId('metrics-row').count()).toBeGreaterThan(0);

    for (const page of [operator, dispatcher, officer, supervisor]) await page.context().close();
  });

  it('offers a second call at the same place to be linked to the open incident, in English, and links it', async () => {
    const page = await logIn('operador');
    await page.goto(`${base}/despacho`);
    await page.getByTestId('lang-en').click();
    const call = async (ani: string) => {
      await page.getByTestId('intake-ani').fill(ani);
      await page.getByTestId('intake-type').fill('30102');
      await page.getByTestId('intake-type-option').first().waitFor();
      await page.getByTestId('intake-type').press('Enter');
      await page.getByTestId('intake-lat').fill('19.4290, -99.1420');
      await page.locator('[data-testid="intake-place"][data-status="ok"]').waitFor();
      await page.getByTestId('intake-create').click();
    };
    await call('5511112222');
    const folio = (await page.getByTestId('intake-folio').textContent())!.trim();
    expect(folio).toMatch(/^CDMX-\d{4}-\d{6}$/);

    await page.getByTestId('intake-new').click();
    await call('5533334444');
    await page.getByTestId('intake-duplicates').waitFor();
    expect(await page.getByTestId('intake-link').first().textContent()).toContain(folio);
    // The open incident's type in the console's language, not the catalogue's Spanish.
    expect(await page.getByTestId('intake-duplicate-type').first().textContent()).toBe('Suspicious or dangerous object');
    await page.getByTestId('intake-link').first().click();
    await page.getByTestId('intake-done').waitFor();
    expect(await page.getByTestId('intake-done').textContent()).toContain(folio);
    expect(await page.getByTestId('intake-folio').textContent()).toBe(folio);
    // The language is remembered for the user: back to Spanish for the tests that follow.
    await page.getByTestId('lang-es').click();
    await page.getByTestId('intake-new').filter({ hasText: 'Nueva llamada' }).waitFor();
    await page.context().close();
  });

  it('keeps the form filled and shows the server message when the place belongs to another state', async () => {
    const page = await logIn('operador');
    await page.goto(`${base}/despacho`);
    await page.getByTestId('intake-ani').fill('3312345678');
    await page.getByTestId('intake-type').fill('301');
    await page.getByTestId('intake-type-option').first().waitFor();
    await page.getByTestId('intake-type').press('ArrowDown');
    await page.getByTestId('intake-type').press('Enter');
    // Guadalajara, typed as "lat, lon" in the latitude box.
    await page.getByTestId('intake-lat').fill('20.6767, -103.3475');
    await page.locator('[data-testid="intake-place"][data-status="ok"]').waitFor();
    await page.getByTestId('intake-create').click();
    const error = page.getByTestId('intake-location-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Jalisco/);
    expect(await page.getByTestId('intake-lon').inputValue()).toBe('-103.3475');
    expect(await page.getByTestId('intake-type-chosen').getAttribute('data-code')).toMatch(/^301\d\d$/);
    // The call was registered; it can be closed as improper instead.
    await page.getByTestId('intake-improper').click();
    await page.getByTestId('improper-filter').fill('broma');
    await page.getByTestId('improper-option').first().waitFor();
    await page.getByTestId('improper-ok').click();
    await page.getByText('Llamada cerrada como improcedente.').waitFor();
    await page.context().close();
  });

  it('lets a supervisor set the centre’s dispatch targets, with the wrong field pointed out', async () => {
    const page = await logIn('supervisor');
    await page.getByTestId('area-dispatchSettings').click();
    await page.getByTestId('settings-page').waitFor();
    await page.getByTestId('settings-roadFactor').fill('9');
    await page.getByTestId('settings-dispatchTargetSeconds.MEDIA').fill('90');
    await page.getByTestId('settings-save').click();
    // The server's message, under the field it names; the other box keeps what was typed.
    await page.locator('#settings-road-error').waitFor();
    expect(await page.locator('#settings-road-error').textContent()).toMatch(/roadFactor/);
    expect(await page.getByTestId('settings-dispatchTargetSeconds.MEDIA').inputValue()).toBe('90');
    await page.getByTestId('settings-roadFactor').fill('1,5');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    const stored = await p.handle.db.selectFrom('dispatchSettings').selectAll().executeTakeFirstOrThrow();
    expect(stored.roadFactor).toBe(1.5);
    expect(JSON.parse(stored.dispatchTargetSeconds)).toEqual({ MEDIA: 90 });
    await page.context().close();
  });
});
