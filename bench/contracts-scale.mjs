// Contracts at hospital scale, at the edge: sites of 5,000, 20,000 and 100,000 prices
// (30 payors × n procedures, plus location and bespoke overrides and bup's tariffs), each
// loaded into its own local D1 with the price import (`practice-fhir prices import --sql`,
// then `wrangler d1 execute --file`), then measured against `wrangler dev` serving it:
//
//   - $contract-price p50 (one asset) on the big site and on an empty site in the same run;
//   - one writer's throughput against ten concurrent writers' (different prices);
//   - $calculate-fee p50 (two procedures, a location), $effective-prices first page p50;
//   - bup's slice: bytes, gzip bytes, and the npm package's load time (fromSnapshot).
//
//   node bench/contracts-scale.mjs [--sizes 5000,20000,100000] [--record]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startWorker, toolEnv, ROOT } from '../tests/node/lib/server.mjs';
import { token } from '../tests/node/lib/token.mjs';
import { record } from './record.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const sizes = opt('--sizes', '5000,20000,100000').split(',').map(Number);
const env = toolEnv();
const wrangler = join(ROOT, 'node_modules/.bin/wrangler');
const BENCH = join(ROOT, 'target/bench/contracts');
mkdirSync(BENCH, { recursive: true });
const pkg = createRequire(import.meta.url)(join(ROOT, 'pkg/node/practice_fhir.cjs'));

execFileSync('cargo', ['build', '--quiet', '--profile', 'tools', '-p', 'practice-fhir-tools', '--bin', 'practice-fhir'], { cwd: ROOT, env, stdio: 'inherit' });
const pf = join(ROOT, 'target/tools/practice-fhir');
const SITE = 'HCBIG01';
const PAYORS = 30;
const payorId = (p) => (p === 0 ? 'bup' : p === 1 ? 'na' : p === 2 ? 'slf' : `ins${String(p).padStart(2, '0')}`);
const code = (i) => `X${String(i).padStart(5, '0')}`;

/** The site's contracts without prices (payor contracts, practitioners, bup's tariffs) and
 *  the fee schedule CSV a practice manager would load: `perPayor` procedures per payor. */
function hospital(total) {
  const perPayor = Math.max(1, Math.floor((total * 100) / 103 / PAYORS));
  const payors = [];
  const tariffs = [];
  const lines = ['payor,service,procedure,location,practitioner,price,isESTV'];
  for (let p = 0; p < PAYORS; p++) {
    payors.push({ id: String(100000 + p).padStart(10, '0'), payor: payorId(p), type: 'I' });
    for (let i = 0; i < perPayor; i++) {
      const pence = 10000 + ((i * 7919 + p * 104729) % 500000);
      const price = (pence / 100).toFixed(2);
      lines.push(`${payorId(p)},ISC/C0000010,CCSD/${code(i)},,,${price},N`);
      if (i % 50 === 7) lines.push(`${payorId(p)},ISC/C0000010,CCSD/${code(i)},HP000001,,${price},N`);
      else if (i % 100 === 3) lines.push(`${payorId(p)},ISC/C0000010,CCSD/${code(i)},,SP000001,${price},Y`);
      if (p === 0) tariffs.push({ payor: 'bup', codeType: 'P', code: code(i), highPrice: '4000.00', maximumPrice: '6000.00' });
    }
  }
  return { perPayor, prices: lines.length - 1, csv: `${lines.join('\n')}\n`, snapshot: { site: SITE, practitioners: ['SP000001', 'SP000002'], payors, tariffs } };
}

function d1(persist, ...more) {
  return execFileSync(wrangler, ['d1', ...more, '--local', '--persist-to', persist], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh local D1 holding the hospital; returns { persist, importSeconds, prices }. */
function load(n) {
  const persist = join(BENCH, `d1-${n}`);
  rmSync(persist, { recursive: true, force: true });
  const h = hospital(n);
  const base = join(BENCH, `site-${n}.json`);
  const csv = join(BENCH, `prices-${n}.csv`);
  writeFileSync(base, JSON.stringify(h.snapshot));
  writeFileSync(csv, h.csv);
  d1(persist, 'migrations', 'apply', 'DB');
  const baseSql = join(BENCH, `site-${n}.sql`);
  writeFileSync(baseSql, execFileSync(pf, ['contracts-sql', base], { encoding: 'utf8', maxBuffer: 1 << 30 }));
  d1(persist, 'execute', 'DB', '--file', baseSql);
  // The measured part: validate the CSV against the site, write the SQL, run it.
  const out = join(BENCH, `import-${n}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  execFileSync(pf, ['prices', 'import', csv, '--site', SITE, '--current', base, '--sql', join(out, 'prices.sql'), '--progress', 'none'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const f of readdirSync(out).filter((x) => x.endsWith('.sql')).sort()) d1(persist, 'execute', 'DB', '--file', join(out, f));
  const importSeconds = (performance.now() - started) / 1000;
  const stored = JSON.parse(d1(persist, 'execute', 'DB', '--json', '--command', `SELECT count(*) AS n FROM contract_price WHERE site = '${SITE}'`))[0].results[0].n;
  if (stored !== h.prices) throw new Error(`imported ${stored} of ${h.prices} prices`);
  return { persist, importSeconds, prices: stored, perPayor: h.perPayor };
}

const p50 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
async function timed(n, f) {
  const t = [];
  for (let i = 0; i < n; i++) { const s = performance.now(); await f(i); t.push(performance.now() - s); }
  return t;
}

const headers = { authorization: `Bearer ${token({ ttl: 7200, sites: ['*'] })}`, 'content-type': 'application/fhir+json' };
const priceBody = (site, payor, proc, value) => JSON.stringify({ resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], term: [{ asset: [{
  context: [{ reference: { reference: `Payor/I-${payor}` } }],
  valuedItem: [{ entityCodeableConcept: { coding: [{ system: 'ISC', code: 'C0000010' }] } },
    { entityCodeableConcept: { coding: [{ system: 'https://ref.api.healthcode.co.uk/procedure', code: proc, display: 'CCSD' }] } },
    { net: { value } }] }] }] });

async function ok(res) {
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.url}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

const results = {};
for (const n of sizes) {
  const db = load(n);
  console.log(`${n}: imported ${db.prices} prices in ${db.importSeconds.toFixed(1)} s`);
  const server = await startWorker({ persist: db.persist });
  try {
    const o = server.origin;
    const post = (site, payor, proc, value) => fetch(`${o}/contract/PRICING/$contract-price`, { method: 'POST', headers, body: priceBody(site, payor, proc, value) }).then(ok);
    // An empty site in the same run: one payor, no prices.
    await ok(await fetch(`${o}/contract`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Contract', subject: [{ reference: 'Site/HCEMPTY' }], authority: [{ reference: 'Organization/bup' }] }) }));
    for (let i = 0; i < 20; i++) await post('HCEMPTY', 'bup', code(90000 + i), 100 + i); // warm-up
    const writeEmpty = await timed(100, (i) => post('HCEMPTY', 'bup', code(i), 100 + (i % 50)));
    const writeBig = await timed(100, (i) => post(SITE, 'ins05', code((i * 37) % db.perPayor), 100 + (i % 50)));
    // One writer against ten, for the same number of writes to different prices.
    const total = 200;
    let s = performance.now();
    for (let i = 0; i < total; i++) await post(SITE, 'ins06', code(i % db.perPayor), 200 + (i % 7));
    const oneRate = total / ((performance.now() - s) / 1000);
    s = performance.now();
    await Promise.all(Array.from({ length: 10 }, async (_, w) => {
      for (let i = 0; i < total / 10; i++) await post(SITE, `ins${String(10 + w).padStart(2, '0')}`, code(i % db.perPayor), 300 + (i % 7));
    }));
    const tenRate = total / ((performance.now() - s) / 1000);
    const fee = await timed(300, (i) => fetch(`${o}/contract/$calculate-fee?site=${SITE}&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/${code(i % db.perPayor)},CCSD/${code((i * 31 + 5) % db.perPayor)}&location=HP000001`, { headers }).then(ok));
    const eff = await timed(300, () => fetch(`${o}/contract/PRICING/$effective-prices?site=${SITE}&payor=bup&count=10&page=1`, { headers }).then(ok));
    let sliceText = '';
    const slice = await timed(10, async () => { sliceText = await fetch(`${o}/contract/site/${SITE}/$snapshot?payor=bup`, { headers }).then(ok); });
    const gz = gzipSync(sliceText).length;
    const npm = await timed(10, () => { pkg.ContractBook.fromSnapshot(sliceText).free?.(); });
    results[n] = {
      prices: db.prices, importSeconds: db.importSeconds,
      writeEmpty: p50(writeEmpty), writeBig: p50(writeBig), oneRate, tenRate,
      fee: p50(fee), eff: p50(eff), slice: p50(slice), sliceBytes: sliceText.length, sliceGzip: gz, npm: p50(npm),
    };
    console.log(n, results[n]);
  } finally {
    await server.stop();
  }
}

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const kb = (b) => `${(b / 1024).toFixed(0)} KB`;
const first = results[sizes[0]];
const rows = sizes.map((n) => {
  const r = results[n];
  return `| ${r.prices} | ${f1(r.importSeconds)} s | ${f1(r.writeEmpty)} | ${f1(r.writeBig)} (${f2(r.writeBig / r.writeEmpty)}x) | ${f1(r.oneRate)} / ${f1(r.tenRate)} (${f2(r.tenRate / r.oneRate)}x) | ${f1(r.fee)} (${f2(r.fee / first.fee)}x) | ${f1(r.eff)} (${f2(r.eff / first.eff)}x) | ${kb(r.sliceBytes)} / ${kb(r.sliceGzip)} | ${f1(r.slice)} | ${f1(r.npm)} |`;
});
const table = [
  '| prices | import (CSV → local D1) | $contract-price p50, empty site (ms) | p50 on this site (ms, vs empty) | writes/s: 1 writer / 10 writers | $calculate-fee p50 (ms, vs smallest) | $effective-prices page 1 p50 (ms, vs smallest) | bup slice raw / gzip | slice fetch p50 (ms) | npm fromSnapshot p50 (ms) |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
].join('\n');
console.log(table);
if (args.includes('--record')) record('contracts-scale', table);
