// `make deploy DRY_RUN=1` offline (no Cloudflare account): the configuration it generates,
// the commands it would run, a real `wrangler deploy --dry-run` bundle, wrangler.toml left
// untouched; and the config writer behind the real deploy, idempotent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
