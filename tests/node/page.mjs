// The fee-preview page in headless Chromium (Debian's, driven by playwright-core).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export function pageTests(origin) {
  let browser;
  // playwright gives every launch a fresh, empty user-data-dir of its own.
  before(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
  });

  test('the page loads the npm package in the browser and shows its version', async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin()}/`);
    await page.waitForSelector('#version:not(:empty)', { timeout: 20_000 });
    assert.match(await page.textContent('#version'), /^\d+\.\d+\.\d+$/);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
