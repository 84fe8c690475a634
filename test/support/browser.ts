/**
 * Shared launcher for the real-browser tests. Chromium comes from Debian's `chromium`
 * package; playwright-core drives it without downloading a browser of its own.
 * A missing Chromium is a test failure, never a skip: a browser test that did not run proves nothing.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CORSGATE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) ` +
        'or set CORSGATE_CHROMIUM. Browser tests fail rather than skip when it is missing.',
    );
  }
  // playwright-core gives every launch a fresh, empty profile directory of its own.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
