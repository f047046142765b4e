// Headless Chromium (Debian's /usr/bin/chromium, installed by scripts/setup.sh) as every
// browser test and the page benchmark launch it: no sandbox (containers), no GPU, and none
// of the background traffic (QUIC, component updates, sync) that an offline machine only
// waits on. Playwright gives every launch a fresh, empty user-data-dir of its own.
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
