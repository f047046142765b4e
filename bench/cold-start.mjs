// Cold start of the edge worker against the platform's 1-second startup limit (issue 14).
//   1. The bundle `wrangler deploy --dry-run` produces: raw and gzip sizes.
//   2. The wasm alone in V8 (Node): WebAssembly.compile, median of 5 (and a baseline build's,
//      COLD_START_BASELINE=<dir>). `wrangler check startup` would profile workerd's startup
//      but hangs offline in this wrangler, so it is not used.
//   3. `wrangler dev` restarted 3 times: time from "Ready" to the first /metadata response,
//      the first authenticated request, and a warm /metadata for comparison.
// Usage: node bench/cold-start.mjs [--record]
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { withoutBuild } from '../scripts/deploy-config.mjs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, startWorker, toolEnv } from '../tests/node/lib/server.mjs';
import { token } from '../tests/node/lib/token.mjs';
import { record } from './record.mjs';

const RECORD = process.argv.includes('--record');
const env = toolEnv();
const wrangler = join(ROOT, 'node_modules/.bin/wrangler');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;

// 1. The bundle.
const out = join(ROOT, 'target/cold-start/bundle');
rmSync(out, { recursive: true, force: true });
// worker/build/ as scripts/bench.sh just built it: a config copy without [build].
const noBuild = join(ROOT, 'wrangler.cold-start.toml');
writeFileSync(noBuild, withoutBuild(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')));
process.on('exit', () => rmSync(noBuild, { force: true }));
execFileSync(wrangler, ['deploy', '--dry-run', '--config', noBuild, '--outdir', out], { cwd: ROOT, env, stdio: 'pipe' });
const files = readdirSync(out, { recursive: true }).map((f) => join(out, f)).filter((f) => statSync(f).isFile() && !f.endsWith('.map'));
const raw = files.reduce((s, f) => s + statSync(f).size, 0);
const gz = files.reduce((s, f) => s + gzipSync(readFileSync(f), { level: 9 }).length, 0);
const wasmFile = files.find((f) => f.endsWith('.wasm'));
console.log(`bundle: ${files.length} files, ${mib(raw)} raw, ${kib(gz)} gzip (wasm ${mib(statSync(wasmFile).size)})`);

// 2. The wasm alone in Node's V8.
const bytes = readFileSync(wasmFile);
const compiles = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await WebAssembly.compile(bytes);
  compiles.push(performance.now() - t0);
}
console.log(`V8 (Node ${process.version}): compile ${ms(median(compiles))}`);

// The baseline of the same run: another build's wasm (COLD_START_BASELINE=<dir with
// index_bg.wasm>, e.g. main's worker/build), compiled the same way.
let baseline = null;
if (process.env.COLD_START_BASELINE) {
  const b = readFileSync(join(process.env.COLD_START_BASELINE, 'index_bg.wasm'));
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await WebAssembly.compile(b);
    times.push(performance.now() - t0);
  }
  baseline = { size: b.length, compile: median(times) };
  console.log(`baseline wasm ${mib(b.length)}: compile ${ms(baseline.compile)}`);
}

// 3. wrangler dev restarts: the first requests of a fresh isolate.
const runs = [];
const tok = token({ scope: 'practitioner.read' });
for (let i = 0; i < 3; i++) {
  const server = await startWorker({ seed: false, build: false });
  try {
    const t1 = performance.now();
    const auth = await fetch(`${server.origin}/Practitioner?_count=1`, { headers: { authorization: `Bearer ${tok}` } });
    await auth.arrayBuffer();
    const t2 = performance.now();
    const warm = [];
    for (let j = 0; j < 5; j++) {
      const w0 = performance.now();
      await (await fetch(`${server.origin}/metadata`)).arrayBuffer();
      warm.push(performance.now() - w0);
    }
    if (auth.status !== 200 || server.readyToServed == null) throw new Error(`status ${auth.status}`);
    runs.push({ readyToFirst: server.readyToServed, auth: t2 - t1, warm: median(warm) });
  } finally {
    await server.stop();
  }
}
const col = (k) => median(runs.map((r) => r[k]));
console.log(`wrangler dev restarts (${runs.length}): ready→first /metadata answered ${ms(col('readyToFirst'))}, first token request ${ms(col('auth'))}, warm /metadata ${ms(col('warm'))}`);

const table = [
  '| Measure | Value | Against the 1 s startup limit |',
  '|---|---|---|',
  `| Bundle (\`wrangler deploy --dry-run\`: entry + wasm) | ${mib(raw)} raw, ${kib(gz)} gzip | size limits: 3 MiB gzip (free), 10 MiB (paid) |`,
  `| wasm compile in V8 (Node ${process.version}, median of 5) | ${ms(median(compiles))} | |`,
  ...(baseline ? [`| baseline wasm (${process.env.COLD_START_BASELINE}, ${mib(baseline.size)}): compile in V8, same run | ${ms(baseline.compile)} | |`] : []),
  `| \`wrangler dev\` restart: "Ready" printed → first \`/metadata\` answered: script parse, wasm compile + instantiation, the first request (median of ${runs.length}) | ${ms(col('readyToFirst'))} | ${((col('readyToFirst') / 1000) * 100).toFixed(0)} % of the limit, as an upper bound |`,
  `| then the first token-verified request (WebCrypto key import) | ${ms(col('auth'))} | |`,
  `| warm \`/metadata\` (median of 5) | ${ms(col('warm'))} | |`,
].join('\n');
console.log(table);
if (RECORD) record('cold-start', table);
