// The edge overhead: autocannon against `wrangler dev` on loopback (real workerd, local D1
// and KV) for $calculate-fee (3 procedures, multi-procedure rules) and $effective-prices on a
// site with 5,000 prices, next to the same operation as a plain native core call (criterion,
// same machine, same run). Also the worker bundle size from `wrangler deploy --dry-run`.
// --record writes the table into docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import autocannon from 'autocannon';
import { startWorker, toolEnv, ROOT } from '../tests/node/lib/server.mjs';
import { token } from '../tests/node/lib/token.mjs';
import { record } from './record.mjs';

const env = toolEnv();
// Native baselines (criterion also writes the 5,000-price site this bench loads).
const out = execFileSync('cargo', ['bench', '-p', 'practice-fhir', '--bench', 'fees', '--', '--noplot', 'calculate_fee|effective_prices'],
  { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
const unit = { ns: 1e-9, µs: 1e-6, us: 1e-6, ms: 1e-3 };
const native = {};
let name = null;
for (const line of out.split('\n')) {
  if (/^[a-z]/i.test(line) && !line.startsWith('Benchmarking')) name = line.split(/\s+time:/)[0].trim();
  const t = /time:\s+\[[\d.]+ \S+ ([\d.]+) (ns|µs|us|ms)/.exec(line);
  if (t && name) native[name] = Number(t[1]) * unit[t[2]];
}
const nat = (k) => native[Object.keys(native).find((n) => n.includes(k))];

// The same site, stored under its own id in a fresh local D1.
const snapshot = JSON.parse(readFileSync(join('target/bench/site-5000.json')));
snapshot.site = 'HCBENCH';
mkdirSync('target/bench', { recursive: true });
const server = await startWorker();
// Through the API (a 0.5 MB statement is too long for `wrangler d1 execute --file`).
const put = await fetch(`${server.origin}/contract/site/HCBENCH/$snapshot`, {
  method: 'PUT', headers: { authorization: `Bearer ${token({ ttl: 3600 })}` }, body: JSON.stringify(snapshot),
});
if (put.status !== 200) throw new Error(`loading the bench site: ${put.status} ${await put.text()}`);
const query = readFileSync('target/bench/fee-query.txt', 'utf8').trim().replace('site=HC00HM4', 'site=HCBENCH');
const headers = { authorization: `Bearer ${token({ ttl: 3600 })}` };
const targets = [
  ['$calculate-fee, 3 procedures', `${server.origin}/contract/$calculate-fee?${query}`, nat('calculate_fee')],
  ['$effective-prices, 5,000-price site, page of 10', `${server.origin}/contract/PRICING/$effective-prices?site=HCBENCH&payor=bup&count=10&page=1`, nat('effective_prices')],
];
const rows = [];
for (const [label, url, nativeSeconds] of targets) {
  const check = await fetch(url, { headers });
  if (check.status !== 200) throw new Error(`${label}: ${check.status} ${await check.text()}`);
  await autocannon({ url, headers, connections: 10, duration: 3 }); // warm-up
  const r = await autocannon({ url, headers, connections: 10, duration: 10 });
  if (r.non2xx) throw new Error(`${label}: ${r.non2xx} non-2xx answers`);
  const p50 = r.latency.p50 / 1000;
  rows.push(`| ${label} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${(nativeSeconds * 1e6).toFixed(1)} µs | ${(p50 / nativeSeconds).toFixed(0)}x |`);
}
await server.stop();

// Bundle size, offline.
const dry = execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', 'target/worker-dist'], { env, encoding: 'utf8' });
const size = /Total Upload:\s*([\d.]+ KiB)\s*\/\s*gzip:\s*([\d.]+ KiB)/.exec(dry);
const table = [
  'autocannon, 10 connections, 10 s after a 3 s warm-up, against `wrangler dev` on 127.0.0.1 (workerd + local D1/KV, KV book cache warm); native = criterion median of the same core call (query string in, JSON out) on the same site, same run.',
  '',
  '| operation | edge req/s | edge p50 ms | edge p99 ms | native core call | edge p50 / native |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
  `Worker bundle (\`wrangler deploy --dry-run\`): ${size ? `${size[1]} raw / ${size[2]} gzip` : 'size not reported'} (target at most 600 KB gzip).`,
].join('\n');
console.log(table);
if (process.argv.includes('--record')) record('edge', table);

function join(...parts) { return parts.join('/').replace(/\/+/g, '/'); }
