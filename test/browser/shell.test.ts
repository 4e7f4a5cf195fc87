import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Platform } from '../../src/app.js';
import { createPlatform } from '../../src/app.js';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';
import { dialects, testConfig } from '../support/dialects.js';
import { nextCode } from '../support/platform.js';
import { WEB_ROOT, browserAvailable, launchBrowser } from '../support/browser.js';

const run = browserAvailable();

describe.runIf(run)('la aplicación web en Chromium', () => {
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

  async function logIn(page: Page, username: string) {
    await page.goto(base);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    // The code field submits itself on the sixth digit.
    await page.getByTestId('mfa-code').fill(await nextCode(p, username));
    await page.getByTestId('header-user').waitFor();
  }

  /** Waits until the map instance exists, its style is loaded and the given layers have data. */
  async function waitForMap(page: Page, sources: string[]) {
    await page.waitForFunction(
      (ids) => {
        const map = window.__oc5map;
        return !!map && map.loaded() && ids.every((id) => map.querySourceFeatures(id).length > 0);
      },
      sources,
      { timeout: 60_000 },
    );
  }

  it('logs in with MFA in Spanish, shows a role-dependent home and the map of Mexico', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(base);
    expect(await page.getByTestId('login-submit').textContent()).toMatch(/Iniciar sesión|Entrar/);
    // A wrong code is refused with the server's Spanish message.
    await page.getByTestId('login-username').fill('analista');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('mfa-code').fill('000000');
    await page.getByText('El código de verificación no es correcto o ya se usó.').waitFor();
    await page.getByTestId('mfa-code').fill(await nextCode(p, 'analista'));
    await page.getByTestId('header-user').waitFor();
    expect(await page.getByTestId('header-user').textContent()).toContain('Elena Vargas');
    const areas = await page.getByTestId('area-list').textContent();
    expect(areas).toMatch(/Mapa delictivo/);
    expect(areas).not.toMatch(/Auditoría/);
    await waitForMap(page, ['estados']);
    const layers = await page.evaluate(() => {
      const map = window.__oc5map!;
      return ['estados-fill', 'municipios-line', 'alcaldias-line', 'colonias-line', 'cuadrantes-line'].filter((id) => !!map.getLayer(id));
    });
    expect(layers).toEqual(['estados-fill', 'municipios-line', 'alcaldias-line', 'colonias-line', 'cuadrantes-line']);
    await page.close();
  });

  it('switches to English in one click and remembers it', async () => {
    const page = await browser.newPage();
    await logIn(page, 'auditoria');
    await page.getByTestId('lang-en').click();
    await page.getByText('Sign out', { exact: true }).waitFor();
    await page.reload();
    await page.getByText('Sign out', { exact: true }).waitFor();
    expect(await page.getByTestId('area-list').textContent()).toMatch(/Audit/);
    await page.getByTestId('lang-es').click();
    await page.getByText('Cerrar sesión', { exact: true }).waitFor();
    await page.close();
  });

  it('locates a point by clicking it: the Zócalo is in Centro, Cuauhtémoc', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await logIn(page, 'operador');
    await waitForMap(page, ['estados']);
    const zocalo: [number, number] = [-99.1332, 19.4326];
    await page.evaluate((center) => {
      const map = window.__oc5map!;
      map.jumpTo({ center, zoom: 14 });
    }, zocalo);
    await waitForMap(page, ['estados', 'colonias']);
    const box = (await page.getByTestId('map').boundingBox())!;
    const pt = await page.evaluate((c) => window.__oc5map!.project(c), zocalo);
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    const panel = page.locator('[data-testid="locate-panel"][data-status="ok"]');
    await panel.waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('locate-state').textContent()).toContain('Ciudad de México');
    expect(await page.getByTestId('locate-municipality').textContent()).toContain('Cuauhtémoc');
    expect(await page.getByTestId('locate-colonia').textContent()).toMatch(/Centro/);
    expect(await page.getByTestId('locate-quadrant').textContent()).toMatch(/Sector/);
    // The colonia layer is drawn at this zoom and the quadrants can be switched off.
    const visible = (): Promise<string> => page.evaluate(() => String(window.__oc5map!.getLayoutProperty('cuadrantes-line', 'visibility')));
    const toggle = page.getByTestId('layer-toggle-cuadrantes');
    const before = await visible();
    await toggle.click();
    await page.waitForFunction((b: string) => String(window.__oc5map!.getLayoutProperty('cuadrantes-line', 'visibility')) !== b, before);
    expect(await visible()).not.toBe(before);
    await page.close();
  });

  it('lets an administrator create a user (with a field error first) and an auditor verify the audit log', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, 'admin');
    const areas = await page.getByTestId('area-list').textContent();
    expect(areas).toMatch(/Administración/);
    expect(areas).toMatch(/Auditoría/);
    await page.goto(`${base}/admin`);
    await page.getByTestId('user-new').click();
    const agencies = await page.getByTestId('user-agency').locator('option').allTextContents();
    const c5 = agencies.find((a) => a.includes('C5'))!;
    await page.getByTestId('user-agency').selectOption({ label: c5 });
    await page.getByTestId('user-username').fill('rosa.medina');
    await page.getByTestId('user-fullname').fill('Rosa Medina');
    await page.getByTestId('user-password').fill('corta');
    await page.getByTestId('user-roles-role-dispatcher').check();
    await page.getByTestId('user-submit').click();
    await page.getByText('La contraseña debe tener al menos 12 caracteres.').waitFor();
    await page.getByTestId('user-password').fill('una frase de paso bastante larga');
    await page.getByTestId('user-submit').click();
    await page.locator('[data-testid="user-row"]', { hasText: 'rosa.medina' }).waitFor();
    const created = await p.handle.db
      .selectFrom('appUser')
      .select(['username', 'fullName'])
      .where('username', '=', 'rosa.medina')
      .executeTakeFirst();
    expect(created).toEqual({ username: 'rosa.medina', fullName: 'Rosa Medina' });
    await page.close();

    const auditor = await browser.newPage();
    await logIn(auditor, 'auditoria');
    await auditor.goto(`${base}/audit`);
    await auditor.getByTestId('audit-row').first().waitFor();
    await auditor.getByTestId('audit-verify').click();
    const result = auditor.getByTestId('audit-verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    await auditor.close();
  });
});
