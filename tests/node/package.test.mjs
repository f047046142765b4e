// The npm package as a user gets it: `npm pack` pkg/, install the tarball into a fresh
// project, import it from Node ESM, and type-check a TypeScript consumer with tsc.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, toolEnv } from './lib/server.mjs';

let app;
before(() => {
  app = mkdtempSync(join(tmpdir(), 'pf-consumer-'));
  const env = toolEnv();
  execFileSync('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', app, '--silent'], { env, stdio: 'pipe' });
  const tarball = readdirSync(app).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', `./${tarball}`, '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: app, env, stdio: 'pipe' });
});
after(() => rmSync(app, { recursive: true, force: true }));

function runNode(code) {
  writeFileSync(join(app, 'app.mjs'), code);
  return execFileSync(process.execPath, ['app.mjs'], { cwd: app, encoding: 'utf8' });
}

test('Node ESM consumer imports the package by name', () => {
  const out = runNode(`
    import { version } from 'practice-fhir';
    console.log(JSON.stringify({ version: version() }));
  `);
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules/practice-fhir/package.json'), 'utf8'));
  assert.deepEqual(JSON.parse(out), { version: pkg.version });
});

test('parseResource normalises, validateResource returns an OperationOutcome, errors carry the outcome', () => {
  const out = runNode(`
    import { parseResource, validateResource } from 'practice-fhir';
    const normalised = parseResource('{ "resourceType": "Practitioner", "name": [ { "use": "official", "family": "Clinton" } ] }');
    const outcome = validateResource('{"resourceType":"Practitioner","name":[],"gender":"bogus"}');
    let thrown;
    try { parseResource('{"resourceType":"Practitioner","active":"yes"}'); } catch (e) { thrown = { isError: e instanceof Error, code: e.outcome.issue[0].details.coding[0].code, expression: e.outcome.issue[0].expression }; }
    console.log(JSON.stringify({ normalised, codes: outcome.issue.map((i) => [i.severity, i.details.coding[0].code, i.expression[0]]), thrown }));
  `);
  const got = JSON.parse(out);
  assert.deepEqual(got.normalised, { resourceType: 'Practitioner', name: [{ use: 'official', family: 'Clinton' }] });
  assert.ok(got.codes.some(([s, c, e]) => s === 'error' && e === 'Practitioner.gender'), JSON.stringify(got.codes));
  assert.deepEqual(got.thrown, { isError: true, code: 'MSG_CANT_PARSE_CONTENT', expression: ['Practitioner.active'] });
});

test('ContractBook.empty + mergeSlice: slices of two payors price as one book; a bad slice throws with the outcome', () => {
  const out = runNode(`
    import { ContractBook } from 'practice-fhir';
    const payors = [{ id: '1', payor: 'bup', type: 'I' }, { id: '2', payor: 'axa', type: 'I' }, { id: '3', payor: 'na', type: 'I' }];
    const prices = [
      { contract: '1', service: 'ISC/C0000010', net: '100.00' },
      { contract: '2', service: 'ISC/C0000010', net: '200.00' },
      { contract: '3', service: 'ISC/E0002620', net: '50.00' },
    ];
    const slice = (payor) => JSON.stringify({ site: 'S1', payors: payors.filter((p) => [payor, 'na'].includes(p.payor)),
      prices: prices.filter((p) => ['3', payors.find((c) => c.payor === payor).id].includes(p.contract)),
      slice: { payors: [payor, 'na', 'slf'].sort(), lastUpdated: '2026-12-01T09:00:00Z', since: null } });
    const book = ContractBook.empty('S1');
    book.mergeSlice(slice('bup'));
    book.mergeSlice(slice('axa'));
    const whole = ContractBook.fromSnapshot(JSON.stringify({ site: 'S1', payors, prices }));
    const q = (payor, service) => \`site=S1&payor=\${payor}&service-type=\${service}\`;
    const fees = ['bup', 'axa'].flatMap((p) => ['ISC/C0000010', 'ISC/E0002620'].map((s) => [book.feeTotal(q(p, s)), whole.feeTotal(q(p, s))]));
    let thrown;
    try { book.mergeSlice('{"site":"S2"}'); } catch (e) { thrown = { isError: e instanceof Error, code: e.outcome.issue[0].details.coding[0].code }; }
    console.log(JSON.stringify({ fees, thrown }));
  `);
  assert.deepEqual(JSON.parse(out), {
    fees: [['100.00', '100.00'], ['50.00', '50.00'], ['200.00', '200.00'], ['50.00', '50.00']],
    thrown: { isError: true, code: 'MSG_PARAM_INVALID' },
  });
});

test('the typed API: request objects in, objects out; wrong types are TypeErrors; the Json fast paths answer text', () => {
  const out = runNode(`
    import { ContractBook, parseResource, parseResourceJson, validateResource, checkIdentifier } from 'practice-fhir';
    const book = ContractBook.fromSnapshot({ site: 'S1', payors: [{ id: '1', payor: 'bup', type: 'I' }],
      prices: [{ contract: '1', service: 'ISC/C0000010', procedure: 'CCSD/A3000', net: '232.50' }] });
    const req = { site: 'S1', payor: 'bup', serviceType: 'ISC/C0000010', procedureCodes: ['CCSD/A3000'] };
    const fee = book.calculateFee(req);
    const asQuery = book.calculateFeeJson('site=S1&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/A3000');
    let verdict;
    try { book.validatePrice({ site: 'S1', payor: 'bup', codeType: 'P', code: 'CCSD/A3000', fee: 300 }); } catch (e) { verdict = e.outcome.issue[0].diagnostics; }
    const types = [
      () => book.calculateFee(7), () => book.feeTotal({ payor: ['bup', 1] }), () => validateResource(undefined),
      () => parseResource(true), () => parseResourceJson({}), () => ContractBook.fromSnapshot(12), () => checkIdentifier(null, 'x'),
    ].map((f) => { try { f(); return 'no throw'; } catch (e) { return [e.constructor.name, e.message]; } });
    const fromObject = validateResource({ resourceType: 'Practitioner', name: [{ use: 'official', family: 'X' }], gender: 'bogus' });
    let domain;
    try { book.calculateFee({ ...req, colour: 'red' }); } catch (e) { domain = [e.constructor.name, e.outcome.issue[0].details.coding[0].code, e.outcome.issue[0].diagnostics]; }
    console.log(JSON.stringify({ net: fee.term[0].asset[0].valuedItem[0].net.value, same: JSON.stringify(fee) === JSON.stringify(JSON.parse(asQuery)), text: asQuery.includes('"value":232.50'),
      total: book.feeTotal(req), verdict, types,
      fromObject: fromObject.issue.map((i) => i.expression[0]), domain,
      gmc: checkIdentifier('https://fhir.hl7.org.uk/Id/gmc-number', 'G123').issue[0].diagnostics }));
  `);
  assert.deepEqual(JSON.parse(out), {
    net: 232.5,
    same: true,
    text: true,
    total: '232.50',
    verdict: "Procedure 'A3000' has no tariff for payor 'bup'.",
    types: [
      ['TypeError', 'calculateFee: request must be a request object or a query string (got number)'],
      ['TypeError', 'feeTotal: request.payor must be an array of strings (got number)'],
      ['TypeError', 'validateResource: resource must be a JSON string or an object (got undefined)'],
      ['TypeError', 'parseResource: resource must be a JSON string or an object (got boolean)'],
      ['TypeError', 'parseResourceJson: json must be a JSON string (got object)'],
      ['TypeError', 'fromSnapshot: snapshot must be a JSON string or an object (got number)'],
      ['TypeError', 'checkIdentifier: system must be a string (got null)'],
    ],
    fromObject: ['Practitioner.gender'],
    domain: ['Error', 'MSG_PARAM_INVALID', "Unknown parameter 'colour'."],
    gmc: "prac-gmc: GMC must be of the format CNNNNNNN (Practitioner.identifier[0].value is 'G123').",
  });
});

test('TypeScript declarations type-check a consumer (tsc --noEmit)', () => {
  writeFileSync(join(app, 'consumer.ts'), readFileSync(join(ROOT, 'tests/node/consumer.ts'), 'utf8'));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], skipLibCheck: false, types: [] },
    files: ['consumer.ts'],
  }));
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
});

test('npm publish --dry-run is clean and packs every file the exports map names', () => {
  const env = toolEnv();
  const run = spawnSync('npm', ['publish', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(ROOT, 'pkg'), env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  // Only the note that a real publish needs a login (this machine has none) may remain.
  const warnings = run.stderr.split('\n').filter((l) => /^npm (warn|error)/i.test(l) && !/requires you to be logged in/.test(l));
  assert.deepEqual(warnings, []);
  const report = JSON.parse(run.stdout);
  const packed = new Set((report.files ?? report['practice-fhir'].files).map((f) => f.path));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'pkg/package.json'), 'utf8'));
  const targets = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e).flatMap((c) => Object.values(c))));
  const missing = targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !packed.has(t));
  assert.deepEqual(missing, []);
  assert.ok(packed.has('README.md'));
});

test('the API reference generates from the .d.ts doc comments (scripts/api-docs.sh, typedoc, warnings are errors)', () => {
  const out = mkdtempSync(join(tmpdir(), 'pf-api-docs-'));
  try {
    execFileSync(join(ROOT, 'scripts/api-docs.sh'), [out], { cwd: ROOT, env: toolEnv(), stdio: 'pipe' });
    const book = readFileSync(join(out, 'classes/practice_fhir.ContractBook.html'), 'utf8');
    assert.match(book, /calculateFee/);
    assert.match(book, /the edge returns/);
    assert.ok(readdirSync(join(out, 'classes')).includes('fees_practice_fhir_fees.ContractBook.html'));
    assert.ok(readdirSync(join(out, 'interfaces')).some((f) => f.includes('CalculateFeeRequest')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

// Issue 13's size target for the fees entry, as installed: a booking page that only prices
// visits loads at most 100 KB of gzipped wasm. (The whole package's 150 KB target is not met
// yet; docs/benchmarks.md has its size and where the rest is.)
test('the practice-fhir/fees wasm, as installed, is at most 100 KB gzip', async () => {
  const { gzipSync } = await import('node:zlib');
  const wasm = readFileSync(join(app, 'node_modules/practice-fhir/fees/practice_fhir_fees_bg.wasm'));
  const gzip = gzipSync(wasm, { level: 9 }).length;
  assert.ok(gzip <= 100_000, `practice-fhir/fees wasm is ${gzip} bytes gzip`);
});
