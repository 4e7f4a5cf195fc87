import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(
  Boolean,
) as string[];

export const chromiumPath = (): string | undefined => CANDIDATES.find((c) => fs.existsSync(c));
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/**
 * Whether browser tests can run here. Missing Chromium or a missing web build
 * skips them with a loud message, unless REQUIRE_BROWSER=1 (CI), where it fails.
 */
export function browserAvailable(): boolean {
  const missing = !chromiumPath()
    ? 'Chromium (apt-get install -y chromium)'
    : !fs.existsSync(path.join(WEB_ROOT, 'index.html'))
      ? 'the web build (npm run build:web)'
      : null;
  if (!missing) return true;
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but ${missing} is missing`);
  console.warn(`\n\n  ⚠⚠⚠  ${missing} missing: browser tests are SKIPPED.  ⚠⚠⚠\n\n`);
  return false;
}

/** Headless Chromium as root in a sandbox-less container, with no background traffic to the (closed) internet. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
