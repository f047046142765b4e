// The npm package as a user gets it: `npm pack` pkg/, install the tarball into a fresh
// project, import it from Node ESM, and type-check a TypeScript consumer with tsc.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
  assert.equal(got.normalised, '{"resourceType":"Practitioner","name":[{"use":"official","family":"Clinton"}]}');
  assert.ok(got.codes.some(([s, c, e]) => s === 'error' && e === 'Practitioner.gender'), JSON.stringify(got.codes));
  assert.deepEqual(got.thrown, { isError: true, code: 'MSG_CANT_PARSE_CONTENT', expression: ['Practitioner.active'] });
});

test('TypeScript declarations type-check a consumer (tsc --noEmit)', () => {
  writeFileSync(join(app, 'consumer.ts'), readFileSync(join(ROOT, 'tests/node/consumer.ts'), 'utf8'));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], skipLibCheck: false, types: [] },
    files: ['consumer.ts'],
  }));
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
});
