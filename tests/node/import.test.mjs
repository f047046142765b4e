// The directory import (`scripts/d1-import.sh` → `practice-fhir import` → `wrangler d1
// execute`): rejected resources are reported with their reasons and the rest is loaded into a
// local D1; `--remote --dry-run` prints the remote command lines; a file wrangler cannot run
// leaves nothing of itself behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, toolEnv } from './lib/server.mjs';

const env = toolEnv();
const wrangler = join(ROOT, 'node_modules/.bin/wrangler');
let dir;
let persist;

const practitioner = (id, extra = {}) => ({
  resourceType: 'Practitioner', id, name: [{ use: 'official', family: `Importer${id}`, given: ['Ida'] }], gender: 'female', ...extra,
});
const lines = [
  practitioner('IMP1'),
  practitioner('IMP2'),
  { resourceType: 'Location', id: 'IMPL1', name: 'Import Clinic', position: { latitude: 51.5, longitude: -0.1 } },
  { resourceType: 'PractitionerRole', id: 'IMPR1', practitioner: { reference: 'Practitioner/IMP1' }, location: [{ reference: 'Location/IMPL1' }] },
  practitioner('IMPBAD', { gender: 'bogus' }),
  { resourceType: 'Patient', id: 'NOPE' },
].map((r) => JSON.stringify(r));
lines.splice(3, 0, '{"resourceType": "Practitioner", "id": "broken"'); // not JSON

function sql(query) {
  const out = execFileSync(wrangler, ['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--json', '--command', query], { cwd: ROOT, env, encoding: 'utf8' });
  return JSON.parse(out)[0].results;
}

function importScript(args) {
  return spawnSync(join(ROOT, 'scripts/d1-import.sh'), args, { cwd: ROOT, env, encoding: 'utf8' });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pf-import-'));
  persist = join(dir, 'd1');
  writeFileSync(join(dir, 'mixed.ndjson'), `${lines.join('\n')}\n`);
  execFileSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { cwd: ROOT, env, stdio: 'pipe' });
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

test('--remote --dry-run writes the files and prints the remote wrangler command for each', () => {
  const out = join(dir, 'dry');
  const r = importScript(['--remote', '--dry-run', '--batch', '2', '--out', out, join(dir, 'mixed.ndjson')]);
  assert.equal(r.status, 0, r.stderr);
  const files = readdirSync(out).filter((f) => f.endsWith('.sql')).sort();
  assert.deepEqual(files, ['mixed.0001.sql', 'mixed.0002.sql']);
  assert.deepEqual(r.stdout.trim().split('\n'), files.map((f) => `wrangler d1 execute DB --remote --file ${out}/${f} --yes`));
  assert.match(r.stderr, /dry run, 2 file\(s\)/);
});

test('the local import loads the valid resources and reports each rejected one with its reason', () => {
  const out = join(dir, 'local');
  const r = importScript(['--out', out, '--now', '2026-01-01T00:00:00Z', join(dir, 'mixed.ndjson'), '--persist-to', persist]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /accepted\s+2 Practitioner/);
  assert.match(r.stderr, /rejected\s+3/);
  const rejects = readFileSync(join(out, 'mixed.rejects.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rejects.map((x) => x.at), ['line 4', 'line 6', 'line 7']);
  assert.match(rejects[0].reason, /^not JSON/);
  assert.match(rejects[1].reason, /^MSG_\w+: .*gender/);
  assert.match(rejects[2].reason, /Patient.*not stored/);
  const ids = sql("SELECT id FROM practitioner WHERE id LIKE 'IMP%' ORDER BY id").map((x) => x.id);
  assert.deepEqual(ids, ['IMP1', 'IMP2']);
  assert.deepEqual(sql("SELECT role_id, practitioner_id, location_id FROM role_ix WHERE role_id = 'IMPR1'"),
    [{ role_id: 'IMPR1', practitioner_id: 'IMP1', location_id: 'IMPL1' }]);
  // Imported resources carry meta.lastUpdated (from --now) like the API's writes.
  assert.equal(JSON.parse(sql("SELECT json FROM practitioner WHERE id = 'IMP1'")[0].json).meta.lastUpdated, '2026-01-01T00:00:00Z');
  // Re-running is safe: rows are replaced, not duplicated.
  const names = sql("SELECT COUNT(*) AS n FROM practitioner_name WHERE practitioner_id = 'IMP1'");
  assert.ok(names[0].n > 0);
  assert.equal(importScript(['--out', out, '--now', '2026-01-01T00:00:00Z', join(dir, 'mixed.ndjson'), '--persist-to', persist]).status, 0);
  assert.deepEqual(sql("SELECT COUNT(*) AS n FROM practitioner_name WHERE practitioner_id = 'IMP1'"), names);
  assert.deepEqual(sql("SELECT COUNT(*) AS n FROM practitioner WHERE id LIKE 'IMP%'"), [{ n: 2 }]);
});

test('a file that fails part-way leaves none of its resources behind', () => {
  const file = join(dir, 'partial.ndjson');
  writeFileSync(file, `${JSON.stringify(practitioner('ATOM1'))}\n${JSON.stringify(practitioner('ATOM2'))}\n`);
  const out = join(dir, 'partial');
  assert.equal(importScript(['--dry-run', '--out', out, file]).status, 0);
  // A statement D1 refuses after both practitioners' rows.
  appendFileSync(join(out, 'partial.0001.sql'), 'INSERT INTO no_such_table VALUES (1);\n');
  const r = spawnSync(wrangler, ['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--file', join(out, 'partial.0001.sql'), '--yes'], { cwd: ROOT, env, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.deepEqual(sql("SELECT COUNT(*) AS n FROM practitioner WHERE id LIKE 'ATOM%'"), [{ n: 0 }]);
  assert.deepEqual(sql("SELECT COUNT(*) AS n FROM practitioner_name WHERE practitioner_id LIKE 'ATOM%'"), [{ n: 0 }]);
});
