// schemathesis 4.32.5 (PyPI, pinned in scripts/setup.sh's .venv) against the worker's own
// /openapi.json: every check on, fixed seed, bounded examples (schemathesis.toml, where each
// switched-off finding has its reason). The worker runs under wrangler dev with the seeded
// local D1; the token has every scope and site (scripts/mint-token.mjs). One test per API
// operation from schemathesis's JUnit report, plus the run as a whole.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startWorker } from './lib/server.mjs';

const ST = join(ROOT, '.venv/bin/st');
let server;
let dir;
let run;

function schemathesis(origin, token, junit) {
  return new Promise((resolve, reject) => {
    const child = spawn(ST, ['--no-color', '--config-file', join(ROOT, 'schemathesis.toml'), 'run', `${origin}/openapi.json`,
      '--report', 'junit', '--report-junit-path', junit], {
      cwd: ROOT, env: { ...process.env, PF_TOKEN: token, PYTHONHASHSEED: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** The JUnit report's test cases: { name, failures: [text] }. */
function junitCases(xml) {
  const cases = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = /name="([^"]*)"/.exec(m[1])?.[1] ?? '?';
    const failures = [...(m[3] ?? '').matchAll(/<(failure|error)\b[^>]*?(?:message="([^"]*)")?[^>]*>/g)].map((f) => f[2] ?? f[1]);
    cases.push({ name: name.replaceAll('&amp;', '&').replaceAll('&quot;', '"'), failures });
  }
  return cases;
}

before(async () => {
  assert.ok(existsSync(ST), `${ST} missing: run scripts/setup.sh`);
  dir = mkdtempSync(join(tmpdir(), 'pf-st-'));
  // PF_E2E_ORIGIN: test a worker already running (seeded) instead of starting one.
  server = process.env.PF_E2E_ORIGIN ? { origin: process.env.PF_E2E_ORIGIN } : await startWorker();
  const token = execFileSync(process.execPath, ['scripts/mint-token.mjs', '--sub', 'schemathesis', '--ttl', '900'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const junit = join(dir, 'junit.xml');
  const started = Date.now();
  const { code, output } = await schemathesis(server.origin, token, junit);
  run = { code, output, seconds: (Date.now() - started) / 1000, cases: existsSync(junit) ? junitCases(readFileSync(junit, 'utf8')) : [] };
  // The summary lines, for the log (the number of generated cases and failures).
  const summary = output.split('\n').filter((l) => /generated|passed|failures|Seed:|Selected|Tested/.test(l));
  console.log(`schemathesis: ${run.cases.length} operations in ${run.seconds.toFixed(0)} s\n${summary.join('\n')}`);
});
after(async () => {
  await server?.stop?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('schemathesis: every operation of /openapi.json passes every check (switched-off findings are in schemathesis.toml with reasons)', async (t) => {
  assert.ok(run.cases.length >= 39, `the JUnit report names ${run.cases.length} operations:\n${run.output.slice(-3000)}`);
  for (const c of run.cases) {
    await t.test(`schemathesis: ${c.name}`, () => {
      assert.deepEqual(c.failures, [], `${c.name}:\n${run.output.split('\n').filter((l) => l.includes(c.name.split(' ').pop())).slice(0, 20).join('\n')}`);
    });
  }
  assert.equal(run.code, 0, run.output.slice(-6000));
  assert.match(run.output, /[1-9][0-9]* generated/);
});
