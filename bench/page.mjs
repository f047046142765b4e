// The fee-preview page's response to an input change, in headless Chromium against
// `wrangler dev`, on the 5,000-price site of the fees benchmark (target/bench/site-5000.json,
// written by `cargo bench --bench fees`). The page marks each change (performance marks):
// compute = the npm package pricing the visit and judging the proposed fee (the typed API:
// request objects in, objects out),
// render = updating the DOM and SVG, to-frame = from the change to the animation frame that
// paints it. Baseline in the same run: a change that does nothing, to the next frame.
// --record writes the table into docs/benchmarks.md.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { launchChromium } from '../tests/node/lib/browser.mjs';
import { startWorker, toolEnv } from '../tests/node/lib/server.mjs';
import { token } from '../tests/node/lib/token.mjs';
import { record } from './record.mjs';

const CHANGES = 200;
if (!existsSync('target/bench/site-5000.json')) {
  execFileSync('cargo', ['bench', '-p', 'practice-fhir', '--bench', 'fees', '--', '--noplot', 'load 5000'], { env: toolEnv(), stdio: 'inherit' });
}
const snapshot = JSON.parse(readFileSync('target/bench/site-5000.json', 'utf8'));
snapshot.site = 'HCBENCH';
// BUPA tariffs for the procedures of the service the bench prices, so the fee check judges.
snapshot.tariffs = Array.from({ length: 51 }, (_, p) => ({
  payor: 'bup', codeType: p < 50 ? 'P' : 'S', code: p < 50 ? `A${String(p).padStart(4, '0')}` : 'C0000007', display: `Item ${p}`,
  warningMessage: 'Above the range.', rejectMessage: 'Above the maximum.',
  lowPrice: '100.00', medianPrice: '300.00', highPrice: '500.00', maximumPrice: '1000.00',
}));
const server = await startWorker();
const admin = { authorization: `Bearer ${token({ ttl: 3600 })}` };
const put = await fetch(`${server.origin}/contract/site/HCBENCH/$snapshot`, { method: 'PUT', headers: admin, body: JSON.stringify(snapshot) });
if (put.status !== 200) throw new Error(`loading the bench site: ${put.status} ${await put.text()}`);

const browser = await launchChromium();
let table;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const siteToken = token({ sites: ['HCBENCH'], scope: 'contract.read', ttl: 3600 });
  await page.goto(`${server.origin}/#site=HCBENCH&token=${siteToken}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  const loaded = await page.textContent('#load-status');
  const isolated = await page.evaluate(() => crossOriginIsolated);
  if (!/^Loaded 5000 prices/.test(loaded)) throw new Error(`the page did not load the bench site: ${loaded} ${await page.textContent('#load-error')}`);
  await page.selectOption('#payor', 'I-bup');
  await page.selectOption('#service', 'ISC/C0000007');
  await page.selectOption('#location', 'HP002694'); // every procedure has a price here
  await page.locator('#procedure-list input').first().check();
  await page.selectOption('#p-item', { index: 1 }); // a procedure, judged on its tariff

  const result = await page.evaluate(async (changes) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const boxes = [...document.querySelectorAll('#procedure-list input')];
    const fee = document.getElementById('p-fee');
    // Baseline: a change that does nothing, to the next animation frame.
    for (let i = 0; i < changes; i += 1) {
      performance.mark('noop:start');
      requestAnimationFrame(() => performance.measure('noop:to-frame', 'noop:start'));
      await frame();
    }
    performance.clearMeasures('fee:compute');
    performance.clearMeasures('fee:render');
    performance.clearMeasures('fee:to-frame');
    // Changes a person makes: procedures on and off (keeping two to four chosen), and typing a fee.
    for (let i = 0; i < changes; i += 1) {
      if (i % 2 === 0) {
        const box = boxes[(i * 7) % boxes.length];
        const chosen = boxes.filter((b) => b.checked).length;
        if (!box.checked && chosen >= 4) boxes.find((b) => b.checked).checked = false;
        box.checked = !box.checked || chosen <= 2;
        box.dispatchEvent(new Event('change', { bubbles: true }));
      } else {
        fee.value = `${100 + i}.${String(i % 100).padStart(2, '0')}`;
        fee.dispatchEvent(new Event('input', { bubbles: true }));
      }
      await frame();
    }
    const ms = (name) => performance.getEntriesByName(name).map((e) => e.duration);
    return { compute: ms('fee:compute'), render: ms('fee:render'), toFrame: ms('fee:to-frame'), noop: ms('noop:to-frame'), fee: document.getElementById('fee').textContent };
  }, CHANGES);

  const q = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))];
  };
  const f = (x) => x.toFixed(3);
  const browserVersion = browser.version();
  const noop = q(result.noop, 0.5);
  table = [
    `Site with 5,000 prices (100 services × 50 procedures, payor bup, multi-procedure rules); ${CHANGES} changes (procedure toggles and typed fees; ${result.compute.length} recomputations), headless Chromium ${browserVersion}, page served by \`wrangler dev\`${isolated ? ' cross-origin isolated (5 µs timer resolution)' : ' (timers at 100 µs resolution)'}. Baseline: the same ${CHANGES} steps with no work, mark to next animation frame. Last fee shown: ${result.fee}.`,
    '',
    '| measure (performance marks) | median ms | p95 ms | vs baseline frame |',
    '| --- | ---: | ---: | ---: |',
    `| compute: price the visit + judge the fee (wasm, typed API: objects in/out) | ${f(q(result.compute, 0.5))} | ${f(q(result.compute, 0.95))} | ${(q(result.compute, 0.5) / noop).toFixed(3)}x |`,
    `| render: table, legend, two SVGs | ${f(q(result.render, 0.5))} | ${f(q(result.render, 0.95))} | ${(q(result.render, 0.5) / noop).toFixed(3)}x |`,
    `| change → the frame that paints it | ${f(q(result.toFrame, 0.5))} | ${f(q(result.toFrame, 0.95))} | ${(q(result.toFrame, 0.5) / noop).toFixed(2)}x |`,
    `| baseline: no-op change → next frame | ${f(noop)} | ${f(q(result.noop, 0.95))} | 1.00x |`,
    '',
    `Target: under 1 ms of compute (median ${f(q(result.compute, 0.5))} ms: ${q(result.compute, 0.5) < 1 ? 'met' : 'NOT met'}) and one animation frame to screen (median change-to-frame ${(q(result.toFrame, 0.5) / noop).toFixed(2)}x the no-op frame: ${q(result.toFrame, 0.5) <= noop * 1.5 ? 'met' : 'NOT met'}).`,
  ].join('\n');
} finally {
  await browser.close();
  await server.stop();
}
console.log(table);
if (process.argv.includes('--record')) record('page', table);
