// The fee-preview page in headless Chromium (Debian's, driven by playwright-core): the npm
// package prices every keystroke in the browser, from demo data or from the API's snapshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { token } from './lib/token.mjs';

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

  async function open() {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin()}/`);
    await page.waitForSelector('#version:not(:empty)', { timeout: 20_000 });
    return { page, errors };
  }

  test('the page loads the npm package and shows its version', async () => {
    const { page, errors } = await open();
    assert.match(await page.textContent('#version'), /^\d+\.\d+\.\d+$/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('demo contracts: the seed fee of 290.00 with its breakdown, updated on every keystroke', async () => {
    const { page, errors } = await open();
    await page.click('#demo');
    await page.waitForFunction(() => document.querySelector('#fee').textContent !== '—');
    assert.equal(await page.textContent('#fee'), '£290.00');
    const rows = await page.$$eval('#breakdown tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[4]]), [['CCSD/A3000', '232.00', '290.00'], ['9BUPP/AA207', '150.00', '0.00']]);
    // one procedure: group 01 (100% of the highest)
    await page.fill('#procedures', 'CCSD/A3000');
    assert.equal(await page.textContent('#fee'), '£232.00');
    // an unknown procedure names itself
    await page.fill('#procedures', 'CCSD/ZZZ99');
    assert.equal(await page.textContent('#fee'), '—');
    assert.match(await page.textContent('#fee-error'), /ZZZ99/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('contracts loaded from the API with a token; price check warns and rejects', async () => {
    const { page, errors } = await open();
    await page.fill('#site', 'HC00JXI');
    await page.click('summary');
    await page.fill('#token', token({ sites: ['HC00JXI'], scope: 'contract.read' }));
    await page.click('#fetch');
    await page.waitForFunction(() => /HC00JXI/.test(document.querySelector('#loaded').textContent));
    await page.fill('#payor', 'slf');
    await page.fill('#service', 'ISC/E0002620');
    await page.fill('#procedures', '');
    await page.fill('#location', 'HP002166');
    await page.fill('#practitioner', 'SP046728');
    assert.equal(await page.textContent('#fee'), '£80.00');
    await page.fill('#v-fee', '600.00');
    assert.equal(await page.textContent('#verdict'), 'accepted-with-warning');
    assert.match(await page.textContent('#verdict-message'), /above the fee range/);
    await page.fill('#v-fee', '1200.00');
    assert.equal(await page.textContent('#verdict'), 'rejected');
    assert.equal(await page.textContent('#verdict-message'), 'Price exceeded maximum limit.');
    await page.fill('#v-fee', '250.00');
    assert.equal(await page.textContent('#verdict'), 'accepted');
    assert.deepEqual(errors, []);
    await page.close();
  });
}
