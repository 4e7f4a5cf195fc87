import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Platform } from '../../src/app.js';
import { createPlatform } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';
import { dialects, testConfig } from '../support/dialects.js';
import { as, login, nextCode } from '../support/platform.js';
import { WEB_ROOT, browserAvailable, launchBrowser } from '../support/browser.js';

const run = browserAvailable();
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe.runIf(run)('IPH, indicio y cadena de custodia en Chromium', () => {
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

  async function phone(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('mfa-code').fill(await nextCode(p, username));
    await page.getByTestId('header-user').waitFor();
    return page;
  }

  it('fills an IPH from a 911 incident on a phone, signs it, amends it, adds evidence with a photo and a custody transfer, and prints', async () => {
    // ── a 911 incident at the Zócalo with P-CUH-1 (crew: `policia`) on scene, through the API ──
    const [operador, despacho] = [await login(p, 'operador'), await login(p, 'despacho')];
    const inc = await as(p, operador)(
      'POST',
      '/api/dispatch/incidents',
      { typeCode: '30101', location: { lat: 19.4326, lon: -99.1332, address: 'Plaza de la Constitución s/n' } },
      { 'idempotency-key': crypto.randomUUID() },
    );
    const folio = inc.json().folio as string;
    const unit = ((await as(p, despacho)('GET', '/api/dispatch/units')).json().units as { id: string; callSign: string }[]).find(
      (u) => u.callSign === 'P-CUH-1',
    )!;
    expect((await as(p, despacho)('POST', `/api/dispatch/incidents/${inc.json().id}/assign`, { unitIds: [unit.id] })).statusCode).toBe(200);
    await as(p, despacho)('POST', `/api/dispatch/units/${unit.id}/status`, { status: 'on_scene' });

    // ── the officer starts the IPH from the field view ──
    const page = await phone('policia');
    await page.getByTestId('nav-field').click();
    await page.locator(`[data-testid="field-assignment"][data-folio="${folio}"]`).waitFor();
    await page.getByTestId('iph-from-incident').click();
    await page.locator('[data-testid="iph-page"][data-status="draft"]').waitFor();
    expect(await page.getByTestId('iph-folio').textContent()).toMatch(/^IPH-SSC-CDMX-\d{4}-\d{6}$/);
    // Prefilled from the incident: responder and unit, the 911 folio, the place.
    expect(await page.getByTestId('iph-responder-unit').inputValue()).toBe('P-CUH-1');
    await page.locator('[data-testid="iph-section-knowledge"] summary').click();
    expect(await page.getByTestId('iph-knowledge-emergencyFolio').inputValue()).toBe(folio);
    await page.locator('[data-testid="iph-section-place"] summary').click();
    expect(await page.getByTestId('iph-place-municipality').inputValue()).toBe('Cuauhtémoc');

    await page.getByTestId('iph-crime-code').fill('1.2.1');
    await page.getByTestId('iph-save-classification').click();
    await page.locator('[data-testid="iph-page"][data-version="2"]').waitFor();
    await page.locator('[data-testid="iph-section-narrative"] summary').click();
    await page
      .getByTestId('iph-narrative-text')
      .fill('A las 10:05 horas se observó a una persona sustraer un teléfono celular a una transeúnte.');
    await page.getByTestId('iph-save-narrative').click();
    await page.locator('[data-testid="iph-section-narrative"] .badge--ok').waitFor();
    await page.locator('[data-testid="iph-section-annexE"] summary').click();
    await page.getByTestId('iph-annexE-interviews-add').click();
    await page.getByTestId('iph-annexE-interviews-0-givenNames').fill('María');
    await page.getByTestId('iph-annexE-interviews-0-account').fill('Me arrebató el celular y corrió hacia 5 de Mayo.');
    await page.getByTestId('iph-save-annexE').click();
    await page.locator('[data-testid="iph-section-annexE"] .badge--ok').waitFor();

    // ── signature: a wrong password is refused in the dialog, the right one signs ──
    await page.getByTestId('iph-sign').click();
    await page.getByTestId('iph-sign-dialog-password').fill('no-es-mi-contraseña');
    await page.getByTestId('iph-sign-dialog-ok').click();
    expect(await page.getByTestId('iph-sign-dialog-error').textContent()).toMatch(/contraseña no es correcta/);
    await page.getByTestId('iph-sign-dialog-password').fill(DEMO_PASSWORD);
    await page.getByTestId('iph-sign-dialog-ok').click();
    await page.locator('[data-testid="iph-page"][data-status="signed"]').waitFor();
    const hash = await page.getByTestId('iph-hash').getAttribute('data-hash');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    await page.getByTestId('iph-verify').click();
    await page.locator('[data-testid="iph-verify-result"][data-intact="true"]').waitFor();

    // ── a signed amendment keeps the original ──
    await page.getByTestId('iph-amend-section').selectOption('narrative');
    await page.getByTestId('iph-amend-field').selectOption('text');
    await page
      .getByTestId('iph-amend-value')
      .fill('A las 10:15 horas se observó a una persona sustraer un teléfono celular a una transeúnte.');
    await page.getByTestId('iph-amend-reason').fill('Hora mal capturada.');
    await page.getByTestId('iph-amend-submit').click();
    await page.getByTestId('iph-amend-dialog-password').fill(DEMO_PASSWORD);
    await page.getByTestId('iph-amend-dialog-ok').click();
    await page.locator('[data-testid="iph-amendment-row"][data-seq="1"]').waitFor();
    expect(await page.getByTestId('iph-view-narrative-text').textContent()).toContain('10:15');
    const iphUrl = page.url();

    // ── evidence linked to the IPH, a photo, a custody transfer to the prosecutor's office ──
    await page.getByTestId('iph-add-evidence').click();
    await page.getByTestId('evidence-new').waitFor();
    await page.getByTestId('evidence-kind').selectOption('electronic_device');
    await page.getByTestId('evidence-description').fill('Teléfono celular color negro, pantalla estrellada.');
    expect(Number(await page.getByTestId('evidence-place-lat').inputValue())).toBeCloseTo(19.4326, 3);
    await page.getByTestId('evidence-seal').fill('EMB-0001');
    await page.getByTestId('evidence-save').click();
    await page.getByTestId('evidence-page').waitFor();
    const evFolio = await page.getByTestId('evidence-folio').textContent();
    expect(evFolio).toMatch(/^IND-SSC-CDMX-\d{4}-\d{6}$/);
    await page.getByTestId('evidence-photo-input').setInputFiles({ name: 'celular.png', mimeType: 'image/png', buffer: PNG });
    await page.locator(`[data-testid="evidence-photo"][data-sha256="${crypto.createHash('sha256').update(PNG).digest('hex')}"]`).waitFor();
    const head = await page.getByTestId('custody-head').getAttribute('data-hash');
    expect(head).toBe(await page.getByTestId('evidence-registration-hash').getAttribute('data-hash'));
    await page.getByTestId('transfer-to-name').fill('Lic. Rosa Delgado');
    await page.getByTestId('transfer-to-agencyId').selectOption({ label: 'Fiscalía General de Justicia de la Ciudad de México' });
    await page.getByTestId('transfer-place').fill('Coordinación Territorial CUH-1');
    await page.getByTestId('transfer-condition').fill('Embalaje íntegro, sello EMB-0001.');
    await page.getByTestId('transfer-submit').click();
    await page.locator('[data-testid="custody-row"][data-seq="1"]').waitFor();
    expect(await page.getByTestId('evidence-custodian').textContent()).toMatch(/Rosa Delgado.*Fiscalía/);
    await page.getByTestId('evidence-verify').click();
    await page.locator('[data-testid="evidence-verify-result"][data-intact="true"]').waitFor();
    expect(await page.getByTestId('evidence-photo-check').getAttribute('data-ok')).toBe('true');

    // ── printable forms: the document only, without the app around it ──
    const evidenceUrl = page.url();
    await page.goto(`${evidenceUrl}/imprimir`);
    await page.locator('[data-testid="print-custody"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="print-custody"] tbody tr').count()).toBe(1);
    await page
      .getByTestId('print-verification')
      .getByText(/Íntegra/)
      .waitFor();
    await page.goto(`${iphUrl}/imprimir`);
    await page.getByTestId('iph-print-doc').waitFor();
    expect(await page.getByTestId('print-folio').textContent()).toMatch(/^IPH-SSC-CDMX/);
    expect(await page.getByTestId('print-narrative').textContent()).toContain('10:05'); // the original as signed…
    expect(await page.getByTestId('print-amendments').textContent()).toContain('10:15'); // …and its amendment
    expect(await page.getByTestId('print-signature').textContent()).toContain(hash!);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.app-header').isVisible()).toBe(false);
    expect(await page.getByTestId('print-now').isVisible()).toBe(false);
    expect(await page.getByTestId('print-folio').isVisible()).toBe(true);
    await page.context().close();
  });
});
