// `make deploy DRY_RUN=1` offline (no Cloudflare account): the configuration it generates,
// the commands it would run, a real `wrangler deploy --dry-run` bundle, wrangler.toml left
// untouched; and the config writer behind the real deploy, idempotent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, toolEnv } from './lib/server.mjs';
import { read, write } from '../../scripts/deploy-config.mjs';

const toml = () => readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');

test('make deploy DRY_RUN=1 ENV=production (NO_BUILD=1: the build step ran before): generated config, planned commands, a dry-run bundle, nothing changed', () => {
  const before = toml();
  const out = execFileSync('make', ['--no-print-directory', 'deploy', 'DRY_RUN=1', 'ENV=production', 'NO_BUILD=1'], {
    cwd: ROOT,
    env: {
      ...toolEnv(),
      OIDC_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0',
      ALLOWED_ORIGINS: 'https://clinic.example',
      SCOPE_CLAIM: 'scp',
      CLOUDFLARE_API_TOKEN: '',
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 170_000,
  });
  const lines = out.split('\n').filter((l) => l.startsWith('[deploy production]'));
  assert.deepEqual(lines.filter((l) => !l.includes('  migration ') && !l.includes('bundle in')), [
    "[deploy production] would run: wrangler d1 list --json (find 'practice-fhir-production'), else: wrangler d1 create practice-fhir-production",
    '[deploy production] would write its database_id into [[env.production.d1_databases]] of wrangler.toml',
    "[deploy production] would run: wrangler kv namespace list (find 'practice-fhir-production-KV'), else: wrangler kv namespace create practice-fhir-production-KV",
    '[deploy production] would write its id into [[env.production.kv_namespaces]] of wrangler.toml',
    '[deploy production] config OIDC_ISSUER=https://login.microsoftonline.com/tenant-id/v2.0',
    '[deploy production] config ALLOWED_ORIGINS=https://clinic.example',
    '[deploy production] config SCOPE_CLAIM=scp',
    '[deploy production] the configuration it would deploy (changes to wrangler.toml):',
    '[deploy production] would run: wrangler d1 migrations apply DB --env production --remote',
    '[deploy production] would run: wrangler deploy --env production',
    '[deploy production] would run: GET <worker URL>/.well-known/api-configuration and <worker URL>/metadata (smoke test)',
    '[deploy production] dry run complete: nothing was created or deployed',
  ]);
  assert.match(out, /\+OIDC_ISSUER = "https:\/\/login\.microsoftonline\.com\/tenant-id\/v2\.0"/);
  assert.match(out, /\+ALLOWED_ORIGINS = "https:\/\/clinic\.example"/);
  assert.match(out, /--dry-run: exiting now\./);
  const migrations = readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).sort();
  assert.deepEqual(lines.filter((l) => l.includes('  migration ')), migrations.map((m) => `[deploy production]   migration ${m}`));
  // wrangler's dry run bundled the entry and the wasm.
  const bundle = join(ROOT, 'target/deploy/production');
  assert.ok(existsSync(join(bundle, 'entry.js')), 'bundle entry');
  const wasm = execFileSync('find', [bundle, '-name', '*.wasm'], { encoding: 'utf8' }).trim().split('\n')[0];
  assert.ok(statSync(wasm).size > 500_000, `wasm ${wasm}`);
  assert.equal(toml(), before, 'wrangler.toml untouched by a dry run');
  assert.equal(existsSync(join(ROOT, 'wrangler.dry-run.toml')), false, 'the dry-run copy is removed');
});

test('deploy refuses an unknown environment', () => {
  const r = spawnSync(join(ROOT, 'scripts/deploy.sh'), ['--dry-run', '--env', 'prod'], { cwd: ROOT, env: toolEnv(), encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), "deploy: ENV must be staging or production (got 'prod')");
});

test('the config writer sets ids and vars of one environment, idempotently, and keeps the rest', () => {
  const text = toml();
  const change = { d1Id: '11111111-2222-3333-4444-555555555555', kvId: 'a'.repeat(32), vars: { OIDC_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'api://clinic' } };
  const once = write(text, 'staging', change);
  assert.equal(write(once, 'staging', change), once, 'idempotent');
  assert.deepEqual(read(once, 'staging'), {
    d1Name: 'practice-fhir-staging', d1Id: change.d1Id, kvId: change.kvId, found: true,
    vars: { ENVIRONMENT: 'staging', JWT_ISSUER: '', JWT_AUDIENCE: 'api://clinic', OIDC_ISSUER: 'https://idp.example' },
  });
  assert.deepEqual(read(once, 'production'), read(text, 'production'), 'production untouched');
  assert.equal(once.split('\n').length, text.split('\n').length + 1, 'one line added (OIDC_ISSUER)');
  assert.throws(() => write(text, 'qa', change), /no \[env\.qa\] section/);
});

// The real path, which no account here can run: a copy of the scripts with a fake `wrangler`
// first on PATH (it answers as wrangler 4 does and records every call), a D1 database that
// does not exist yet and a KV namespace that does, and the smoke test against a local stand-in
// for the deployed worker (DEPLOY_URL). A second deploy finds both ids in wrangler.toml.
test('deploy (not a dry run) against a fake wrangler: finds or creates D1 and KV once, writes their ids, migrates, deploys, smoke-tests', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, cpSync, chmodSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createServer } = await import('node:http');
  const { execFile } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'pf-deploy-'));
  const calls = join(dir, 'calls.log');
  try {
    for (const f of ['scripts/deploy.sh', 'scripts/deploy-config.mjs', 'scripts/env.sh', 'wrangler.toml']) {
      cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    }
    cpSync(join(ROOT, 'migrations'), join(dir, 'migrations'), { recursive: true });
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/wrangler'), `#!${process.execPath}
const args = process.argv.slice(2).join(' ');
require('fs').appendFileSync(${JSON.stringify(calls)}, args + '\\n');
if (args === 'd1 list --json') console.log(JSON.stringify([{ name: 'another-db', uuid: '99999999-9999-9999-9999-999999999999' }]));
else if (args.startsWith('d1 create ')) console.log('✅ Successfully created DB\\n[[d1_databases]]\\ndatabase_id = "11111111-2222-3333-4444-555555555555"');
else if (args === 'kv namespace list') console.log(JSON.stringify([{ id: 'abcdef0123456789abcdef0123456789', title: 'practice-fhir-staging-KV' }]));
else if (args.startsWith('deploy ')) console.log('Uploaded practice-fhir-staging');
`);
    chmodSync(join(dir, 'bin/wrangler'), 0o755);
    const worker = createServer((req, res) => {
      const url = `http://127.0.0.1:${worker.address().port}`;
      const body = req.url === '/metadata'
        ? { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', rest: [{ security: { cors: false } }] }
        : { search_practitioner_endpoint: `${url}/Practitioner` };
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'smoke' }).end(JSON.stringify(body));
    });
    await new Promise((r) => worker.listen(0, '127.0.0.1', r));
    const deploy = () => new Promise((resolve, reject) => execFile('bash', [join(dir, 'scripts/deploy.sh'), '--env', 'staging'], {
      cwd: dir,
      env: { PATH: `${join(dir, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, DEPLOY_URL: `http://127.0.0.1:${worker.address().port}` },
      encoding: 'utf8',
      timeout: 60_000,
    }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout))));
    try {
      const first = await deploy();
      const said = first.split('\n').filter((l) => l.startsWith('[deploy staging]'));
      assert.deepEqual(said.filter((l) => /D1|KV|creating|smoke|deployed/.test(l)), [
        '[deploy staging] creating D1 database practice-fhir-staging',
        '[deploy staging] D1 practice-fhir-staging: 11111111-2222-3333-4444-555555555555 (in wrangler.toml)',
        '[deploy staging] KV practice-fhir-staging-KV: abcdef0123456789abcdef0123456789 (in wrangler.toml)',
        `[deploy staging] smoke test on http://127.0.0.1:${worker.address().port}`,
        `[deploy staging] deployed practice-fhir-staging to http://127.0.0.1:${worker.address().port}`,
      ]);
      assert.match(first, /discovery ok, \/metadata ok \(FHIR 4\.0\.1, cors false\), x-request-id smoke/);
      assert.deepEqual(read(readFileSync(join(dir, 'wrangler.toml'), 'utf8'), 'staging').d1Id, '11111111-2222-3333-4444-555555555555');
      assert.deepEqual(read(readFileSync(join(dir, 'wrangler.toml'), 'utf8'), 'staging').kvId, 'abcdef0123456789abcdef0123456789');
      const second = await deploy();
      assert.match(second, /D1 practice-fhir-staging: 11111111-2222-3333-4444-555555555555 \(already in wrangler\.toml\)/);
      assert.match(second, /KV practice-fhir-staging-KV: abcdef0123456789abcdef0123456789 \(already in wrangler\.toml\)/);
      const log = readFileSync(calls, 'utf8').trim().split('\n');
      assert.deepEqual(log.filter((c) => / (list|create)\b/.test(c)), ['d1 list --json', 'd1 create practice-fhir-staging', 'kv namespace list'],
        'listed and created once, the first time only');
      assert.equal(log.filter((c) => c.startsWith('d1 migrations apply DB --env staging --remote')).length, 2);
      assert.equal(log.filter((c) => c.startsWith('deploy --env staging')).length, 2);
    } finally {
      await new Promise((r) => worker.close(r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
