// Fee calculation natively (criterion) and in wasm under Node, in one run, on the same
// 5,000-price site and the same 3-procedure query with multi-procedure rules; plus loading
// that site's snapshot. The wasm rows show the typed API (a request object in, an object
// out) next to the string calls (the query string in, JSON text out), and the
// `practice-fhir/fees` entry next to the whole package. Prints a markdown table (ratios
// wasm/native) and each entry's wasm size; --record writes it into docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { record } from './record.mjs';

const require = createRequire(import.meta.url);

// Native: criterion prints "time: [low estimate high]" per bench.
const out = execFileSync('cargo', ['bench', '-p', 'practice-fhir', '--bench', 'fees', '--', '--noplot'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const unit = { ps: 1e-12, ns: 1e-9, µs: 1e-6, us: 1e-6, ms: 1e-3, s: 1 };
const native = {};
let current = null;
// criterion prints the bench name on its own line when it is long, then "time: [low est high]".
for (const line of out.split('\n')) {
  if (/^[a-z]/i.test(line)) current = line.split(/\s+time:/)[0].trim();
  const time = /time:\s+\[[\d.]+ \S+ ([\d.]+) (ps|ns|µs|us|ms|s) /.exec(line);
  if (time && current) native[current] = Number(time[1]) * unit[time[2]];
}
const snapshot = readFileSync('target/bench/site-5000.json', 'utf8');
const query = readFileSync('target/bench/fee-query.txt', 'utf8').trim();
const pf = require('../pkg/node/practice_fhir.cjs');
const fees = require('../pkg/fees/node/practice_fhir_fees.cjs');
// The same request as an object: the query parameters under the typed API's names.
const NAMES = { 'payor-type': 'payorType', 'provider-type': 'providerType', 'service-type': 'serviceType', 'procedure-code': 'procedureCodes' };
const request = Object.fromEntries([...new URLSearchParams(query)].map(([k, v]) => (k === 'procedure-code' ? [NAMES[k], v.split(',')] : [NAMES[k] ?? k, v])));

function perOp(fn, minMs = 400) {
  for (let i = 0; i < 1000; i++) fn(); // warm-up
  const samples = [];
  for (let round = 0; round < 7; round++) {
    let n = 0;
    const t0 = performance.now();
    let t;
    do { for (let i = 0; i < 200; i++) fn(); n += 200; t = performance.now(); } while (t - t0 < minMs / 7);
    samples.push((t - t0) / 1000 / n);
  }
  samples.sort((a, b) => a - b);
  return samples[3];
}
const book = pf.ContractBook.fromSnapshot(snapshot);
const feesBook = fees.ContractBook.fromSnapshot(snapshot);
const expected = book.feeTotal(query);
for (const got of [book.feeTotal(request), feesBook.feeTotal(request)]) {
  if (got !== expected) throw new Error(`the request object priced ${got}, the query ${expected}`);
}
const wasm = {
  feeTotal: perOp(() => book.feeTotal(query)),
  feeTotalObject: perOp(() => book.feeTotal(request)),
  feeTotalFees: perOp(() => feesBook.feeTotal(request)),
  calculateFee: perOp(() => book.calculateFeeJson(query)),
  calculateFeeObject: perOp(() => book.calculateFee(request)),
  calculateFeeFees: perOp(() => feesBook.calculateFee(request)),
  load: perOp(() => pf.ContractBook.fromSnapshot(snapshot).free(), 3000),
  jsonParse: perOp(() => JSON.parse(snapshot), 3000),
};
const find = (k) => native[Object.keys(native).find((n) => n.includes(k))];
const rate = (s) => `${(1 / s / 1e6).toFixed(2)} M/s`;
const us = (s) => `${(s * 1e6).toFixed(2)} µs`;
const ms = (s) => `${(s * 1e3).toFixed(2)} ms`;
const rows = [
  ['fee, 3 procedures, hot path (`fee_total`, request prepared)', find('fee-3-procedures/fee_total') ?? find('fee_total'), null],
  ['fee, 3 procedures, query string in, "290.00"-style string out (`feeTotal`)', find('fee_total (query in'), wasm.feeTotal],
  ['fee, 3 procedures, request object in, "290.00"-style string out (typed `feeTotal`)', find('fee_total (query in'), wasm.feeTotalObject],
  ['the same on the `practice-fhir/fees` entry', find('fee_total (query in'), wasm.feeTotalFees],
  ['fee, 3 procedures, query in, full Contract JSON text out (string call `calculateFeeJson`)', find('calculate_fee'), wasm.calculateFee],
  ['fee, 3 procedures, request object in, Contract object out (typed `calculateFee`)', find('calculate_fee'), wasm.calculateFeeObject],
  ['the same on the `practice-fhir/fees` entry', find('calculate_fee'), wasm.calculateFeeFees],
];
const size = (path) => {
  const bytes = readFileSync(path);
  return `${(bytes.length / 1024).toFixed(1)} KiB raw, ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)} KiB gzip`;
};
const table = [
  `Site with 5,000 prices; query \`${query}\` (fee ${expected}); Node ${process.version}; native = criterion median estimate, wasm = median of 7 timed rounds, same run.`,
  '',
  '| operation | native | wasm (Node) | wasm / native |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map(([label, n, w]) => `| ${label} | ${us(n)} (${rate(n)}) | ${w ? `${us(w)} (${rate(w)})` : '—'} | ${w ? `${(w / n).toFixed(2)}x` : '—'} |`),
  `| load snapshot, 5,000 prices (${(snapshot.length / 1e6).toFixed(2)} MB) | ${ms(find('load 5000'))} | ${ms(wasm.load)} | ${(wasm.load / find('load 5000')).toFixed(2)}x |`,
  `| baseline: parse the same snapshot (serde_json::Value / V8 JSON.parse) | ${ms(find('parse as serde_json'))} | ${ms(wasm.jsonParse)} | — |`,
  '',
  `wasm per entry: \`practice-fhir\` ${size('pkg/practice_fhir_bg.wasm')}; \`practice-fhir/fees\` ${size('pkg/fees/practice_fhir_fees_bg.wasm')}.`,
].join('\n');
console.log(table);
if (process.argv.includes('--record')) record('npm-fees', table);
