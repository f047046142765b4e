// The npm package where developers build: `npm pack` pkg/, install the tarball by name into
// a fresh project (as a user would), and run one small booking-form app, the same in each,
// through Vite (production build, then headless Chromium), webpack 5 (production build, then
// Chromium), Node ESM, Node CommonJS, and a Cloudflare Worker bundled by esbuild and run
// under miniflare (workerd). The bundlers come pinned from the repo's devDependencies.
// Every app prices the visit with both entries (`practice-fhir`, `practice-fhir/fees`)
// and checks a GMC number; each must print exactly the same answer.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, readdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { launchChromium } from './lib/browser.mjs';
import { ROOT, toolEnv } from './lib/server.mjs';

const SEEDS = JSON.parse(readFileSync(join(ROOT, 'data/seed-contracts.json'), 'utf8'));
const SNAPSHOT = SEEDS.find((b) => b.site === 'HC00HM4');
// The visit: 290.00 with the BUPA multi-procedure rules.
const VISIT = { site: 'HC00HM4', payor: 'bup', payorType: 'I', providerType: 'S', serviceType: 'ISC/C0000010',
  procedureCodes: ['CCSD/A3000', '9BUPP/AA207'], location: 'HP002694', breakdown: true };
const GMC = 'https://fhir.hl7.org.uk/Id/gmc-number';

// The app's body, shared by every consumer: `full` and `fees` are the two entries' exports.
const APP = `
  const snapshot = ${JSON.stringify(SNAPSHOT)};
  const visit = ${JSON.stringify(VISIT)};
  export function run(full, fees) {
    const book = full.ContractBook.fromSnapshot(snapshot);
    const fee = book.calculateFee(visit);
    const feesBook = fees.ContractBook.fromSnapshot(JSON.stringify(snapshot));
    let typeError;
    try { book.calculateFee(42); } catch (e) { typeError = e instanceof TypeError && e.message; }
    let code;
    try { feesBook.feeTotal({ ...visit, payor: '' }); } catch (e) { code = e.outcome.issue[0].details.coding[0].code; }
    return {
      net: fee.term[0].asset[0].valuedItem[0].net.value,
      total: feesBook.feeTotal(visit),
      gmcBad: full.checkIdentifier('${GMC}', '1234567').issue.map((i) => i.diagnostics.split(':')[0]),
      gmcGood: full.checkIdentifier('${GMC}', 'C2134567').issue[0].severity,
      feesHasValidator: typeof fees.validateResource,
      typeError,
      code,
    };
  }
`;
const EXPECTED = {
  net: 290,
  total: '290.00',
  gmcBad: ['prac-gmc'],
  gmcGood: 'information',
  feesHasValidator: 'undefined',
  typeError: 'calculateFee: request must be a request object or a query string (got number)',
  code: 'MSG_PARAM_EMPTY',
};

let app;
let browser;
const env = toolEnv();
before(async () => {
  app = mkdtempSync(join(tmpdir(), 'pf-consumers-'));
  execFileSync('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', app, '--silent'], { env, stdio: 'pipe' });
  const tarball = readdirSync(app).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'booking-form', private: true, type: 'module' }));
  execFileSync('npm', ['install', `./${tarball}`, '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: app, env, stdio: 'pipe' });
  writeFileSync(join(app, 'app.mjs'), APP);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(app, { recursive: true, force: true });
});

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
/** Serves `dir` statically, opens it in Chromium, and returns what the app put in window.result
 *  (or, with `read`, what that function of the page answers once it is truthy). */
async function inChromium(dir, read = () => window.result || window.failure) {
  const server = createServer((req, res) => {
    const path = join(dir, new URL(req.url, 'http://x').pathname.replace(/\/$/, '/index.html'));
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(read, null, { timeout: 30_000 });
    const { result, failure } = await page.evaluate(() => ({ result: window.result, failure: window.failure }));
    if (result === undefined && failure === undefined) {
      assert.deepEqual(errors, []);
      // Awaited here: a bare `return` would let `finally` close the page while the
      // evaluate is still in flight (the "page has been closed" failure CI saw).
      return await page.evaluate(read);
    }
    assert.equal(failure, undefined, failure);
    assert.deepEqual(errors, []);
    return result;
  } finally {
    await page.close();
    await new Promise((r) => server.close(r));
  }
}

// The browser entry: init both wasm modules, then the shared app.
const BROWSER_MAIN = `
  import init, * as full from 'practice-fhir';
  import initFees, * as fees from 'practice-fhir/fees';
  import { run } from '../app.mjs';
  Promise.all([init(), initFees()])
    .then(() => { window.result = run(full, fees); })
    .catch((e) => { window.failure = String(e && e.stack || e); });
`;

test('Vite production build runs in headless Chromium', async () => {
  const dir = join(app, 'vite');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>booking</title><script type="module" src="./main.js"></script>');
  writeFileSync(join(dir, 'main.js'), BROWSER_MAIN);
  const { build } = await import(join(ROOT, 'node_modules/vite/dist/node/index.js'));
  await build({ root: dir, logLevel: 'warn', configFile: false, build: { outDir: join(dir, 'dist'), target: 'es2022' } });
  const assets = readdirSync(join(dir, 'dist/assets'));
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `both entries' wasm emitted: ${assets}`);
  assert.deepEqual(await inChromium(join(dir, 'dist')), EXPECTED);
});

test('the booking-form example (examples/booking-form) builds with Vite and shows the fee and the GMC verdict', async () => {
  const dir = join(app, 'example');
  cpSync(join(ROOT, 'examples/booking-form'), dir, { recursive: true });
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(SNAPSHOT));
  const { build } = await import(join(ROOT, 'node_modules/vite/dist/node/index.js'));
  await build({ root: dir, logLevel: 'warn', configFile: false, build: { outDir: join(dir, 'dist'), target: 'es2022' } });
  const shown = await inChromium(join(dir, 'dist'), () => document.getElementById('fee').value
    && [document.getElementById('fee').value, document.getElementById('gmc-verdict').value]);
  assert.deepEqual(shown, ['£290.00', 'well formed']);
});

test('webpack 5 production build runs in headless Chromium', async () => {
  const dir = join(app, 'webpack');
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.js'), BROWSER_MAIN);
  const webpack = (await import(join(ROOT, 'node_modules/webpack/lib/index.js'))).default;
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', context: dir, entry: './main.js', target: 'web',
    output: { path: join(dir, 'dist'), filename: 'main.js', publicPath: '' },
    resolve: { modules: [join(app, 'node_modules')] },
  }, (err, s) => (err ? reject(err) : resolve(s))));
  assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
  writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><title>booking</title><script src="./main.js"></script>');
  assert.deepEqual(await inChromium(join(dir, 'dist')), EXPECTED);
});

test('Node ESM imports both entries by name', () => {
  writeFileSync(join(app, 'esm.mjs'), `
    import * as full from 'practice-fhir';
    import * as fees from 'practice-fhir/fees';
    import { run } from './app.mjs';
    console.log(JSON.stringify(run(full, fees)));
  `);
  const out = execFileSync(process.execPath, ['esm.mjs'], { cwd: app, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), EXPECTED);
});

test('Node CommonJS requires both entries by name', async () => {
  // The shared app as CommonJS too: the consumer here has no ESM at all.
  writeFileSync(join(app, 'app.cjs'), APP.replace('export function run', 'module.exports.run = function run'));
  writeFileSync(join(app, 'cjs.cjs'), `
    const full = require('practice-fhir');
    const fees = require('practice-fhir/fees');
    const { run } = require('./app.cjs');
    console.log(JSON.stringify(run(full, fees)));
  `);
  const out = execFileSync(process.execPath, ['cjs.cjs'], { cwd: app, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), EXPECTED);
});

test('a Cloudflare Worker bundled by esbuild runs under miniflare (workerd)', async () => {
  const dir = join(app, 'worker');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.js'), `
    import * as full from 'practice-fhir';
    import * as fees from 'practice-fhir/fees';
    import { run } from '../app.mjs';
    export default { async fetch() { return Response.json(run(full, fees)); } };
  `);
  // As wrangler bundles: the workerd/worker/browser conditions, the wasm kept as a module.
  const esbuild = join(ROOT, 'node_modules/@esbuild/linux-x64/bin/esbuild');
  execFileSync(esbuild, ['index.js', '--bundle', '--format=esm', '--platform=neutral', '--conditions=workerd,worker,browser',
    '--main-fields=module,main', '--loader:.wasm=copy', '--asset-names=[name]', '--outdir=dist', '--log-level=warning'],
  { cwd: dir, env, stdio: 'pipe' });
  const { Miniflare } = await import(join(ROOT, 'node_modules/miniflare/dist/src/index.js'));
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, 'dist/index.js'),
    modulesRoot: join(dir, 'dist'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-08-01',
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    assert.deepEqual(await res.json(), EXPECTED);
  } finally {
    await mf.dispose();
  }
});
