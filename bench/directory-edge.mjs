// The practitioner directory at the edge, at 10k and 100k practitioners: each synthetic
// directory (`practice-fhir generate`, seed 2026) is loaded into its own local D1 through
// `scripts/d1-import.sh` (wrangler d1 execute --local --persist-to), then autocannon on
// loopback against `wrangler dev` serving it, for the issue's three searches. The floor is
// the same searches (the worker's very SQL and flow: compile, statements, rows, Bundle) timed
// directly on SQLite by `cargo bench --bench directory` on the very same D1 database files.
//
//   node bench/directory-edge.mjs [--sizes 10000,100000] [--record] [--reload] [--load-only]
//
// Loaded databases are kept under target/bench/d1-<size> and reused (same migrations and
// generator) unless --reload; the load time measured when they were made is reported.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startWorker, toolEnv, ROOT } from '../tests/node/lib/server.mjs';
import { token } from '../tests/node/lib/token.mjs';
import { record } from './record.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const sizes = opt('--sizes', '10000,100000').split(',').map(Number);
const env = toolEnv();
const wrangler = join(ROOT, 'node_modules/.bin/wrangler');
const BENCH = join(ROOT, 'target/bench');
mkdirSync(BENCH, { recursive: true });

const QUERIES = [
  { label: 'Practitioner, family + specialty', path: '/Practitioner', query: 'family=smith&specialty=0003A' },
  { label: 'PractitionerRole near 10 km, by distance, _include', path: '/PractitionerRole', query: 'near=51.516:-0.160:10:km&_sort=distance&_include=practitioner:location' },
  { label: 'Practitioner, postcode prefix', path: '/Practitioner', query: 'address-postalcode=W1H' },
];

// What a loaded database depends on: the migrations, the generator and the index rows.
const fingerprint = createHash('sha256');
for (const f of readdirSync(join(ROOT, 'migrations')).sort()) fingerprint.update(readFileSync(join(ROOT, 'migrations', f)));
for (const f of ['tools/src/synth.rs', 'src/directory/index.rs', 'src/directory/normalise.rs']) fingerprint.update(readFileSync(join(ROOT, f)));
const schema = fingerprint.digest('hex').slice(0, 16);

execFileSync('cargo', ['build', '--quiet', '--profile', 'tools', '-p', 'practice-fhir-tools', '--bin', 'practice-fhir'], { cwd: ROOT, env, stdio: 'inherit' });
const pf = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'tools/practice-fhir');

/** Loads (or reuses) the local D1 for `n` practitioners; returns { persist, sqlite, loadSeconds, resources }. */
function database(n) {
  const persist = join(BENCH, `d1-${n}`);
  const marker = join(persist, 'loaded.json');
  if (!args.includes('--reload') && existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.schema === schema) return { persist, ...m };
  }
  rmSync(persist, { recursive: true, force: true });
  const data = join(BENCH, `directory-${n}.ndjson`);
  execFileSync(pf, ['generate', '--practitioners', String(n), '--seed', '2026', '--out', data], { env, stdio: 'inherit' });
  execFileSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { cwd: ROOT, env, stdio: 'pipe' });
  const started = Date.now();
  execFileSync(join(ROOT, 'scripts/d1-import.sh'), ['--batch', '10000', '--out', join(BENCH, `sql-${n}`), '--now', '2026-01-01T00:00:00Z', data, '--persist-to', persist],
    { cwd: ROOT, env: { ...env, PRACTICE_FHIR_BIN: pf }, stdio: 'inherit' });
  const loadSeconds = (Date.now() - started) / 1000;
  const d1 = join(persist, 'v3/d1/miniflare-D1DatabaseObject');
  const sqlite = join(d1, readdirSync(d1).find((f) => f.endsWith('.sqlite')));
  const count = JSON.parse(execFileSync(wrangler, ['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--json', '--command',
    'SELECT (SELECT COUNT(*) FROM practitioner) + (SELECT COUNT(*) FROM location) + (SELECT COUNT(*) FROM practitioner_role) + (SELECT COUNT(*) FROM schedule) AS n'],
  { cwd: ROOT, env, encoding: 'utf8' }))[0].results[0].n;
  const m = { schema, sqlite, loadSeconds, resources: count };
  writeFileSync(marker, JSON.stringify(m));
  rmSync(join(BENCH, `sql-${n}`), { recursive: true, force: true });
  return { persist, ...m };
}

if (args.includes('--load-only')) {
  for (const n of sizes) console.log(n, database(n));
  process.exit(0);
}

const headers = { authorization: `Bearer ${token({ ttl: 7200, scope: 'practitioner.read' })}` };
const edge = {};
const loads = {};
const baseline = {};
for (const n of sizes) {
  const db = database(n);
  loads[n] = db;
  const server = await startWorker({ persist: db.persist });
  try {
    // What any request costs under wrangler dev without D1 or a token: the floor of the edge.
    const base = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await (await fetch(`${server.origin}/metadata`)).arrayBuffer();
      base.push(performance.now() - t);
    }
    base.sort((a, b) => a - b);
    baseline[n] = base[150];
    for (const q of QUERIES) {
      const url = `${server.origin}${q.path}?${q.query}`;
      const check = await fetch(url, { headers });
      const body = await check.json();
      if (check.status !== 200) throw new Error(`${q.label}: ${check.status} ${JSON.stringify(body)}`);
      const maxCount = body.meta.tag.find((t) => t.code === 'maxCount').display;
      await autocannon({ url, headers, connections: 1, duration: 3 }); // warm-up
      // Latency: autocannon's histogram has 1 ms steps, so p50/p99 come from 300 sequential
      // requests timed here; autocannon gives req/s.
      const times = [];
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${q.label}: ${res.status}`);
      }
      times.sort((a, b) => a - b);
      const one = await autocannon({ url, headers, connections: 1, duration: 10 });
      const ten = await autocannon({ url, headers, connections: 10, duration: 10 });
      for (const r of [one, ten]) if (r.non2xx || r.errors) throw new Error(`${q.label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      edge[`${n} ${q.query}`] = {
        p50: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)],
        ac50: one.latency.p50, ac99: one.latency.p99, rps1: one.requests.average, rps10: ten.requests.average, maxCount,
      };
      console.log(n, q.label, edge[`${n} ${q.query}`]);
    }
  } finally {
    await server.stop();
  }
}

// The floor: the same searches on the same SQLite files, natively (read only).
const out = execFileSync('cargo', ['bench', '-p', 'practice-fhir', '--bench', 'directory'], {
  cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...env, DIRECTORY_BENCH_SIZES: sizes.join(','), DIRECTORY_BENCH_ITERATIONS: '200', DIRECTORY_BENCH_DBS: sizes.map((n) => `${n}=${loads[n].sqlite}`).join(',') },
});
const floor = {};
for (const line of out.split('\n')) {
  const m = /^RESULT (\d+) (\S+) ([\d.]+) ([\d.]+)/.exec(line);
  if (m) floor[`${m[1]} ${m[2]}`] = { p50: Number(m[3]), p99: Number(m[4]) };
}

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const rows = [];
for (const q of QUERIES) {
  for (const n of sizes) {
    const e = edge[`${n} ${q.query}`];
    const s = floor[`${n} ${q.query}`];
    if (!e || !s) throw new Error(`missing result for ${n} ${q.query}`);
    rows.push(`| ${q.label} | ${n / 1000}k | ${e.maxCount} | ${f1(e.p50)} | ${f1(e.p99)} | ${f1(e.rps1)} / ${f1(e.rps10)} | ${f2(s.p50)} | ${f2(s.p99)} | ${f1(e.p50 / s.p50)}x |`);
  }
}
const growth = [];
if (sizes.length === 2) {
  const [a, b] = sizes;
  for (const q of QUERIES) {
    const ea = edge[`${a} ${q.query}`].p50, eb = edge[`${b} ${q.query}`].p50;
    const sa = floor[`${a} ${q.query}`].p50, sb = floor[`${b} ${q.query}`].p50;
    growth.push(`| ${q.label} | ${f2(eb / ea)}x | ${f2(sb / sa)}x |`);
  }
}
const table = [
  `autocannon on 127.0.0.1 against \`wrangler dev\` (workerd, local D1) serving a local D1 loaded with the synthetic directory (seed 2026) through \`scripts/d1-import.sh\`; edge p50/p99 of 300 sequential requests (after a 3 s autocannon warm-up; autocannon's own histogram has 1 ms steps), req/s from autocannon with 1 and 10 connections for 10 s each. SQLite = the same search (the worker's statements and flow, Bundle included) run natively by \`cargo bench --bench directory\` on the very same D1 database file, 200 runs. Queries: \`${QUERIES.map((q) => `${q.path}?${q.query}`).join('`, `')}\`. Targets: edge p50 at most 3x SQLite, 10k→100k growth at most 1.5x.`,
  '',
  '| search | size | maxCount | edge p50 ms | edge p99 ms | edge req/s (1 / 10 conn.) | SQLite p50 ms | SQLite p99 ms | edge p50 / SQLite p50 |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  ...(growth.length ? ['', `| search | edge p50 growth ${sizes[0] / 1000}k→${sizes[1] / 1000}k | SQLite p50 growth |`, '| --- | ---: | ---: |', ...growth] : []),
  '',
  `For scale, a request that touches neither D1 nor the token check (\`GET /metadata\`) takes ${sizes.map((n) => `${f2(baseline[n])} ms`).join(' / ')} p50 under the same \`wrangler dev\`.`,
  '',
  `Loading through \`wrangler d1 execute --local\` (files of 10,000 resources): ${sizes.map((n) => `${n / 1000}k = ${loads[n].resources.toLocaleString('en-GB')} resources in ${f1(loads[n].loadSeconds)} s`).join('; ')}.`,
].join('\n');
console.log(table);
if (args.includes('--record')) record('directory-edge', table);
