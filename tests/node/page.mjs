// The fee-preview page in headless Chromium (Debian's, driven by playwright-core) against the
// worker under `wrangler dev`, seeded as `make dev` seeds it (the demo site HCDEMO1 included).
// The page prices in the browser with the npm package; these tests read what a person sees
// and compare it with the API's own answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './lib/browser.mjs';
import { token } from './lib/token.mjs';
import { ROOT } from './lib/server.mjs';

const ARTIFACTS = join(ROOT, 'target/test-artifacts');
const DEMO = JSON.parse(readFileSync(join(ROOT, 'data/demo-site.json'), 'utf8'));
const GBP = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
const gbp = (n) => GBP.format(n.toFixed(2));
const siteToken = (extra = {}) => token({ sites: ['HCDEMO1'], scope: 'contract.read contract.write', ttl: 900, ...extra });

export function pageTests(origin) {
  let browser;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  async function open({ width = 1280, height = 900, hash = '' } = {}) {
    const page = await browser.newPage({ viewport: { width, height } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
    await page.goto(`${origin()}/${hash}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return { page, errors };
  }

  async function signIn(page, site = 'HCDEMO1', tok = siteToken()) {
    await page.fill('#site', site);
    await page.fill('#token', tok);
    await page.click('#load');
    await page.waitForFunction(() => document.querySelector('#load-status').textContent.startsWith('Loaded')
      || document.querySelector('#load-error').textContent !== '');
  }

  // A payor chosen for the first time loads its slice; the visit section is aria-busy meanwhile.
  const sliceLoaded = (page) => page.waitForFunction(() => !document.querySelector('#visit').hasAttribute('aria-busy'));

  async function chooseVisit(page, { payor, service, procedures = [], location = '', practitioner = '' }) {
    await page.selectOption('#payor', payor);
    await sliceLoaded(page);
    await page.selectOption('#service', service);
    for (const box of await page.$$('#procedure-list input')) {
      const want = procedures.includes(await box.getAttribute('value'));
      if ((await box.isChecked()) !== want) await box.setChecked(want);
    }
    await page.selectOption('#location', location);
    await page.selectOption('#practitioner', practitioner);
  }

  const rows = (page) => page.$$eval('#breakdown tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.firstChild?.textContent ?? '')));

  async function api(path) {
    const res = await fetch(`${origin()}${path}`, { headers: { authorization: `Bearer ${siteToken()}` } });
    return { status: res.status, body: await res.json() };
  }

  test('the page imports the npm package by name and shows its version', async () => {
    const { page, errors } = await open();
    assert.match(await page.textContent('#version'), /^v\d+\.\d+\.\d+$/);
    assert.equal(await page.$eval('#visit-fields', (f) => f.disabled), true, 'nothing to choose before contracts are loaded');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('payor, service and three procedures: fee, breakdown, stacked bar and a tariff warning', async () => {
    const { page, errors } = await open();
    await signIn(page);
    // The payor list, and BUPA's slice: its prices, the slf and na fallbacks, the self-pay list.
    assert.match(await page.textContent('#load-status'), /^Loaded 82 prices and 6 payors of site HCDEMO1 \(from the API: the prices for BUPA, version [^\s)]+\)\.$/);
    await chooseVisit(page, { payor: 'I-bup', service: 'ISC/C0000010', procedures: ['CCSD/W3712', 'CCSD/W4210', 'CCSD/T2000'] });
    // BUPA's set: 100% of the highest, 50% of the second, 25% of the others.
    assert.equal(await page.textContent('#fee'), '£2,980.00');
    assert.equal(await page.textContent('#fee-summary'), '3 procedures under multi-procedure set 0000011460.');
    assert.deepEqual(await rows(page), [
      ['CCSD/W4210', '£1,900.00', 'BUPA fee schedule', '1', '100%', '£1,900.00'],
      ['CCSD/W3712', '£1,800.00', 'BUPA fee schedule', '2', '50%', '£900.00'],
      ['CCSD/T2000', '£720.00', 'BUPA fee schedule', '3', '25%', '£180.00'],
    ]);
    assert.equal(await page.$$eval('#stack rect', (r) => r.length), 3);
    assert.deepEqual(await page.$$eval('#stack-legend li', (li) => li.map((l) => l.textContent)),
      ['CCSD/W4210: £1,900.00 (64%)', 'CCSD/W3712: £900.00 (30%)', 'CCSD/T2000: £180.00 (6%)']);
    // The same visit priced by the API.
    const q = 'site=HCDEMO1&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/W3712,CCSD/W4210,CCSD/T2000';
    const { body } = await api(`/contract/$calculate-fee?${q}`);
    assert.equal(gbp(body.term[0].asset[0].valuedItem[0].net.value), '£2,980.00');
    // The second location has its own BUPA prices.
    await page.selectOption('#location', 'HP002166');
    assert.equal(await page.textContent('#fee'), '£3,278.00');
    assert.equal((await rows(page))[0][2], 'BUPA fee schedule at HP002166');
    await page.selectOption('#location', '');

    // Propose a price for the knee replacement: prefilled with today's price, judged on BUPA's tariff.
    await page.selectOption('#p-item', 'P|CCSD/W4210');
    assert.equal(await page.inputValue('#p-fee'), '1900.00');
    assert.equal(await page.textContent('#verdict'), 'accepted');
    await page.fill('#p-fee', '2500');
    assert.equal(await page.textContent('#verdict'), 'accepted with a warning');
    assert.match(await page.textContent('#verdict-message'), /above the range BUPA has set out/);
    assert.equal(await page.getAttribute('#scale .marker', 'class'), 'marker marker-warn');
    assert.deepEqual(await page.$$eval('#scale .tick-label', (t) => t.map((x) => x.textContent)),
      ['low £1,520.00', 'median £1,900.00', 'high £2,375.00', 'maximum £3,800.00']);
    await page.fill('#p-fee', '3800.01');
    assert.equal(await page.textContent('#verdict'), 'rejected');
    assert.equal(await page.textContent('#verdict-message'), 'The fee exceeds BUPA\'s maximum of £3800.00.');
    assert.equal(await page.getAttribute('#scale .marker', 'class'), 'marker marker-reject');
    await page.fill('#p-fee', '12.3.4');
    assert.equal(await page.textContent('#verdict'), '—');
    assert.match(await page.textContent('#verdict-message'), /is not a fee/);
    assert.equal(await page.isDisabled('#submit'), true);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the preview equals the API\'s $calculate-fee on 60 generated visits', async () => {
    const { page, errors } = await open();
    await signIn(page);
    let seed = 20261123;
    const rnd = (n) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const services = [...new Set(DEMO.prices.map((p) => p.service))].sort();
    const locations = ['', 'HP002694', 'HP002166'];
    // The page offers the locations of the slices it loaded; one that no price of the payor's
    // slice names prices as site-wide, so the visit names none.
    const sliceContracts = (payor) => [...DEMO.payors.filter((c) => [payor, 'slf', 'na'].includes(c.payor)), ...DEMO.selfPay].map((c) => c.id);
    const sliceLocation = (payor, at) => (DEMO.prices.some((p) => p.location === at && sliceContracts(payor).includes(p.contract)) ? at : '');
    const practitioners = ['', ...DEMO.practitioners];
    let priced = 0;
    for (let i = 0; i < 60; i += 1) {
      const payor = DEMO.payors[rnd(DEMO.payors.length)].payor;
      const service = services[rnd(services.length)];
      const pool = [...new Set(DEMO.prices.filter((p) => p.service === service && p.procedure).map((p) => p.procedure))].sort();
      const procedures = [];
      for (let k = rnd(Math.min(5, pool.length + 1)); k > 0; k -= 1) {
        const p = pool[rnd(pool.length)];
        if (!procedures.includes(p)) procedures.push(p);
      }
      const visit = { payor: `I-${payor}`, service, procedures, location: sliceLocation(payor, locations[rnd(3)]), practitioner: practitioners[rnd(practitioners.length)] };
      await chooseVisit(page, visit);
      const q = new URLSearchParams(Object.entries({ site: 'HCDEMO1', payor, 'payor-type': 'I', 'service-type': service,
        'procedure-code': procedures.join(','), location: visit.location, practitioner: visit.practitioner, breakdown: 'true' })
        .filter(([, v]) => v));
      const { status, body } = await api(`/contract/$calculate-fee?${q}`);
      const label = `case ${i}: ${q}`;
      if (status !== 200) {
        assert.equal(await page.textContent('#fee'), '—', label);
        assert.equal(await page.textContent('#fee-error'), body.issue.map((x) => x.diagnostics).join(' '), label);
        continue;
      }
      priced += 1;
      const [total, ...lines] = body.term[0].asset;
      assert.equal(await page.textContent('#fee'), gbp(total.valuedItem[0].net.value), label);
      const expected = lines.map((l) => {
        const c = l.valuedItem.find((x) => x.entityCodeableConcept)?.entityCodeableConcept.coding[0];
        const m = l.valuedItem.find((x) => x.unitPrice);
        return [c ? `${c.display}/${c.code}` : service, gbp(m.unitPrice.value), l.context[0].reference.reference, gbp(m.net.value)];
      });
      const shown = await page.$$eval('#breakdown tbody tr', (trs) => trs.map((tr) => [
        tr.children[0].firstChild.textContent, tr.children[1].textContent,
        `Contract/${tr.children[2].querySelector('small').textContent.replace('contract ', '')}`, tr.children[5].textContent]));
      assert.deepEqual(shown, expected, label);
    }
    assert.ok(priced >= 40, `only ${priced} of 60 generated visits had a price`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('keyboard alone: sign in, choose a procedure, propose a price', async () => {
    const { page, errors } = await open();
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.value || document.activeElement?.tagName);
    const tabTo = async (id, max = 40) => {
      for (let i = 0; i < max; i += 1) {
        if (await focused() === id) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached #${id} (at ${await focused()})`);
    };
    await tabTo('token');
    await page.keyboard.type(siteToken());
    await page.keyboard.press('Enter'); // submits the sign-in form
    await page.waitForFunction(() => document.querySelector('#load-status').textContent.startsWith('Loaded'));
    assert.equal(await focused(), 'visit', 'focus moves to the visit once loaded');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'payor');
    await tabTo('procedure-filter');
    await page.keyboard.type('hip');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'CCSD/W3712');
    await page.keyboard.press('Space');
    assert.equal(await page.textContent('#fee'), '£1,800.00');
    await tabTo('p-item');
    await page.keyboard.press('ArrowDown'); // the hip replacement, not the service alone
    assert.equal(await page.inputValue('#p-item'), 'P|CCSD/W3712');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'p-fee');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1850.00');
    assert.equal(await page.textContent('#verdict'), 'accepted');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#server-answer').textContent.startsWith('The API saved'));
    assert.equal(await page.textContent('#server-answer'), 'The API saved £1,850.00.');
    assert.equal(await page.textContent('#disagree'), '');
    // The page reloaded the site's contracts: the new price is in the preview.
    await page.waitForFunction(() => document.querySelector('#fee').textContent === '£1,850.00');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('submitting: the API judges as the preview did; a disagreement is said plainly', async () => {
    const { page, errors } = await open();
    await signIn(page);
    await chooseVisit(page, { payor: 'I-axa', service: 'ISC/C0000010', procedures: ['CCSD/W8200'] });
    await page.selectOption('#p-item', 'P|CCSD/W8200');
    // AXA's range for W8200 (base 646.00): high 807.50, maximum 1,292.00.
    await page.fill('#p-fee', '900.00');
    assert.equal(await page.textContent('#verdict'), 'accepted with a warning');
    await page.click('#submit');
    await page.waitForFunction(() => /^The API (saved|refused)/.test(document.querySelector('#server-answer').textContent));
    assert.match(await page.textContent('#server-answer'), /^The API saved £900\.00, with a warning: Your fee is above the range AXA Health has set out/);
    assert.equal(await page.textContent('#disagree'), '');
    await page.fill('#p-fee', '1300.00');
    assert.equal(await page.textContent('#verdict'), 'rejected');
    assert.equal(await page.isDisabled('#submit'), false, 'a rejected price can still be sent, to see the API refuse it');
    await page.click('#submit');
    await page.waitForFunction(() => /^The API refused/.test(document.querySelector('#server-answer').textContent));
    assert.equal(await page.textContent('#server-answer'), 'The API refused £1,300.00: The fee exceeds AXA Health\'s maximum of £1292.00.'); // the tariff's own words
    assert.equal(await page.textContent('#disagree'), '');
    // If the API ever disagreed, the page would say so.
    await page.route('**/$contract-price', (route) => route.fulfill({
      status: 422, contentType: 'application/fhir+json',
      body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { coding: [{ code: 'MSG_PARAM_INVALID' }] }, diagnostics: 'Refused by a test double.' }] }),
    }));
    await page.fill('#p-fee', '700.00');
    await page.click('#submit');
    await page.waitForFunction(() => document.querySelector('#disagree').textContent !== '');
    assert.equal(await page.textContent('#disagree'), 'The API disagrees with the preview: the preview said “accepted”, the API said “rejected”. This should never happen; please report it.');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('slices: a payor\'s prices load when it is first chosen; a saved price refreshes only what changed, through the write\'s bookmark', async () => {
    const { page, errors } = await open();
    const calls = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/contract/site/')) calls.push({ url, headers: r.headers() });
    });
    const snapshots = () => calls.filter((c) => c.url.pathname.endsWith('/$snapshot')).map((c) => c.url.search);
    await signIn(page);
    assert.equal(calls[0].url.pathname + calls[0].url.search, '/contract/site/HCDEMO1?count=100');
    assert.deepEqual(snapshots(), ['?payor=bup']);
    await chooseVisit(page, { payor: 'I-avi', service: 'ISC/C0000020', procedures: ['CCSD/M4210'] });
    assert.deepEqual(snapshots(), ['?payor=bup', '?payor=avi']);
    // Aviva's 26 prices join BUPA's slice (the fallbacks and the self-pay list come with each).
    assert.match(await page.textContent('#load-status'), /^Loaded 108 prices and 6 payors of site HCDEMO1 \(from the API: the prices for BUPA, Aviva, version [^\s)]+\)\.$/);
    // Self-Pay came with BUPA's slice, Aviva's is loaded: no more requests.
    await page.selectOption('#payor', 'I-slf');
    await page.selectOption('#payor', 'I-avi');
    await sliceLoaded(page);
    assert.equal(snapshots().length, 2);
    await page.selectOption('#p-item', 'P|CCSD/M4210');
    await page.fill('#p-fee', '777.00');
    assert.equal(await page.textContent('#verdict'), 'accepted');
    await page.click('#submit');
    await page.waitForFunction(() => document.querySelector('#fee').textContent === '£777.00');
    const delta = calls.at(-1);
    assert.equal(delta.url.pathname, '/contract/site/HCDEMO1/$snapshot');
    assert.equal(delta.url.searchParams.get('payor'), 'avi');
    assert.match(delta.url.searchParams.get('_lastUpdated'), /^gt\d{4}-\d\d-\d\dT/);
    assert.match(delta.headers['if-none-match'] ?? '', /^W\/"/);
    assert.ok(delta.headers['x-d1-bookmark'], 'the refresh reads through the write\'s bookmark');
    assert.match(await page.textContent('#load-status'), /\(from the API: the prices for BUPA, Aviva, version [^\s)]+, after your change\)\.$/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('an API without slices (a 4xx to ?payor=) is read whole', async () => {
    const { page, errors } = await open();
    await page.route((url) => url.pathname.endsWith('/$snapshot') && url.searchParams.has('payor'), (route) => route.fulfill({
      status: 400, contentType: 'application/fhir+json',
      body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: "Unknown parameter 'payor'." }] }),
    }));
    await signIn(page);
    assert.match(await page.textContent('#load-status'), /^Loaded \d+ prices and 6 payors of site HCDEMO1 \(from the API, the whole site, version [^\s)]+\)\.$/);
    await chooseVisit(page, { payor: 'I-axa', service: 'ISC/C0000010', procedures: ['CCSD/W8200'] });
    const { body } = await api('/contract/$calculate-fee?site=HCDEMO1&payor=axa&service-type=ISC/C0000010&procedure-code=CCSD/W8200');
    assert.equal(await page.textContent('#fee'), gbp(body.term[0].asset[0].valuedItem[0].net.value));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('loading and error states say what happened and what to do', async () => {
    const { page, errors } = await open();
    // No token
    await signIn(page, 'HCDEMO1', '');
    assert.match(await page.textContent('#load-error'), /Enter an access token/);
    // Expired token
    await signIn(page, 'HCDEMO1', siteToken({ ttl: -120, nbf: Math.floor(Date.now() / 1000) - 600 }));
    assert.equal(await page.textContent('#load-error'), 'Your access token has expired. Get a new one (make token) and sign in again.');
    // A token that is not ours
    await signIn(page, 'HCDEMO1', siteToken({ rogue: true }));
    assert.match(await page.textContent('#load-error'), /^The API did not accept the access token/);
    // A site the token does not cover
    await signIn(page, 'HC00JXI');
    assert.match(await page.textContent('#load-error'), /^This token may not load the contracts of site HC00JXI/);
    // A site with no contracts
    await signIn(page, 'HCNOPE99', token({ sites: ['HCNOPE99'], scope: 'contract.read' }));
    assert.equal(await page.textContent('#load-error'), 'Site HCNOPE99 has no contracts here (no payors, no prices). Check the site ID.');
    // The API down
    await page.route('**/contract/site/**', (route) => route.abort('connectionrefused'));
    await signIn(page);
    assert.match(await page.textContent('#load-error'), /^Cannot reach the API at http:\/\/127\.0\.0\.1:\d+ to load the contracts of site HCDEMO1\. Is it running \(make dev\)\?/);
    await page.unroute('**/contract/site/**');
    // A crash behind the API
    await page.route('**/contract/site/**', (route) => route.fulfill({ status: 502, body: 'Bad Gateway' }));
    await signIn(page);
    assert.match(await page.textContent('#load-error'), /^The API failed to load the contracts of site HCDEMO1 \(502\)/);
    assert.equal(await page.$eval('#visit-fields', (f) => f.disabled), true, 'still nothing to choose, and no blank page');
    await page.unroute('**/contract/site/**');
    // The offline demo data needs no token and cannot submit.
    await page.fill('#site', 'HCDEMO1');
    await page.click('#demo');
    await page.waitForFunction(() => document.querySelector('#load-status').textContent.startsWith('Loaded'));
    assert.equal(await page.textContent('#load-error'), '');
    assert.match(await page.textContent('#load-status'), /demo data, offline/);
    assert.equal(await page.isDisabled('#submit'), true);
    assert.equal(await page.textContent('#submit-hint'), 'Sign in and load the site from the API to submit prices.');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('make dev\'s link signs in from the URL fragment; screenshots at desktop and phone widths', async () => {
    for (const [name, width, height] of [['desktop', 1280, 900], ['phone', 390, 844]]) {
      const { page, errors } = await open({ width, height, hash: `#token=${siteToken()}` });
      await page.waitForFunction(() => document.querySelector('#load-status').textContent.startsWith('Loaded'));
      assert.equal(await page.evaluate(() => location.hash), '', 'the token leaves the address bar');
      await chooseVisit(page, { payor: 'I-bup', service: 'ISC/C0000010', procedures: ['CCSD/W4210', 'CCSD/T2000', 'CCSD/H2002'] });
      await page.selectOption('#p-item', 'P|CCSD/W4210');
      await page.fill('#p-fee', '2500.00');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
      await page.screenshot({ path: join(ARTIFACTS, `page-${name}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      await page.close();
    }
  });
}
