// The page's slice bookkeeping (www/slices.js, www/api.js) under node:test, no browser: a
// fake edge answers the payor list, per-payor slices, deltas since a time with tombstones,
// 304s and D1 bookmarks as the contracts API does; the book is the npm package's Node build
// (pkg/, scripts/build-pkg.sh), and every fee is compared with the whole-site book's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './lib/server.mjs';
import { ApiError, ApiSession, submitPrice } from '../../www/api.js';
import { SiteSlices } from '../../www/slices.js';

const { ContractBook } = createRequire(import.meta.url)(join(ROOT, 'pkg/node/practice_fhir.cjs'));
const DEMO = readFileSync(join(ROOT, 'data/demo-site.json'), 'utf8');
const SITE = 'HCDEMO1';
const PAGE = 4; // the fake lists payors 4 a page, whatever `count` asks, so paging is followed

const keyOf = (p) => ({ contract: p.contract, service: p.service, ...(p.procedure ? { procedure: p.procedure } : {}),
  ...(p.location ? { location: p.location } : {}), ...(p.practitioner ? { practitioner: p.practitioner } : {}) });
const sameKey = (a, b) => JSON.stringify(keyOf(a)) === JSON.stringify(keyOf(b));

/** A fake contracts edge over one site's snapshot; `slices: false` acts as an API from before slices. */
function fakeEdge({ slices = true, refuseSlices = 0 } = {}) {
  const site = JSON.parse(DEMO);
  let clock = Date.parse('2026-12-01T09:00:00.000Z');
  const now = () => new Date((clock += 1000)).toISOString();
  let version = 1;
  let bookmark = 0;
  const removed = [];
  const requests = [];
  const covered = (payors) => (p) => payors.includes(p);

  function slice(payors, since) {
    const inSlice = covered(payors);
    const contracts = site.payors.filter((c) => inSlice(c.payor));
    const ids = [...contracts, ...site.selfPay].map((c) => c.id);
    const sets = contracts.map((c) => c.multiProcSet);
    const newer = (x) => !since || (x.lastUpdated ?? '') > since;
    return {
      site: site.site,
      practitioners: site.practitioners,
      payors: contracts,
      selfPay: site.selfPay,
      prices: site.prices.filter((p) => ids.includes(p.contract) && newer(p)),
      multiProcSets: since ? [] : site.multiProcSets.filter((s) => sets.includes(s.id) || inSlice(s.payor)),
      tariffs: since ? [] : site.tariffs.filter((t) => inSlice(t.payor)),
      ...(since ? { removed: removed.filter((r) => r.at > since && ids.includes(r.key.contract)) } : {}),
      slice: { payors, lastUpdated: now(), since: since ? `gt${since}` : null },
    };
  }

  const reply = (status, body, headers = {}) => new Response(status === 304 ? null : typeof body === 'string' ? body : JSON.stringify(body),
    { status, headers: { 'x-d1-bookmark': `b${(bookmark += 1)}`, ...headers } });

  async function fetch(url, init = {}) {
    const u = new URL(url, 'http://edge.test');
    const headers = init.headers ?? {};
    requests.push({ path: u.pathname, query: Object.fromEntries(u.searchParams), headers, method: init.method ?? 'GET' });
    if (headers.authorization !== 'Bearer t0k') return reply(401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', diagnostics: 'Bad token.' }] });
    if (u.pathname === `/contract/site/${SITE}`) {
      const page = Number(u.searchParams.get('page') ?? 1);
      const entries = site.payors.slice((page - 1) * PAGE, page * PAGE).map((c) => ({ resource: {
        resourceType: 'Contract', id: c.id, authority: [{ id: 'payor', reference: `${c.type === 'C' ? 'Person' : 'Organization'}/${c.payor}`, ...(c.display ? { display: c.display } : {}) }] } }));
      return reply(200, { resourceType: 'Bundle', meta: { tag: [{ code: 'count', display: String(PAGE) }, { code: 'page', display: String(page) },
        { code: 'maxCount', display: String(site.payors.length) }] }, type: 'collection', total: entries.length, entry: entries });
    }
    if (u.pathname === `/contract/site/${SITE}/$snapshot`) {
      const payor = u.searchParams.get('payor');
      const etag = `W/"${payor ?? 'site'}-${version}"`;
      if (payor && slices) {
        if (refuseSlices) {
          refuseSlices -= 1;
          return reply(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', diagnostics: "Unknown parameter 'payor'." }] });
        }
        if (headers['if-none-match'] === etag) return reply(304, null, { etag });
        const since = u.searchParams.get('_lastUpdated')?.replace(/^gt/, '');
        const payors = [...new Set([...payor.split(','), 'slf', 'na'])].sort();
        return reply(200, slice(payors, since), { etag });
      }
      if (headers['if-none-match'] === etag && slices) return reply(304, null, { etag });
      return reply(200, site, { etag });
    }
    if (u.pathname === '/contract/$contract-price' && init.method === 'POST') {
      return reply(200, { resourceType: 'OperationOutcome', issue: [{ severity: 'information', diagnostics: 'Saved.' }] });
    }
    return reply(404, { resourceType: 'OperationOutcome', issue: [] });
  }

  return {
    fetch,
    requests,
    site,
    /** Sets a price as a write through the API would (stamped now, site version moved). */
    setPrice(price) {
      const i = site.prices.findIndex((p) => sameKey(p, price));
      const stamped = { ...price, lastUpdated: now() };
      if (i >= 0) site.prices[i] = stamped;
      else site.prices.push(stamped);
      version += 1;
    },
    /** Deletes a price, leaving a tombstone. */
    deletePrice(key) {
      site.prices = site.prices.filter((p) => !sameKey(p, key));
      removed.push({ kind: 'price', key: keyOf(key), at: now() });
      version += 1;
    },
  };
}

const SERVICES = ['ISC/C0000010', 'ISC/C0000020', 'ISC/E0002620'];
const PROCEDURES = ['', 'CCSD/W3712', 'CCSD/W4210,CCSD/T2000', 'CCSD/H2002,CCSD/W8200,CCSD/J1830'];
const fee = (book, q) => {
  try {
    return book.calculateFeeJson(q);
  } catch (e) {
    return JSON.stringify(e.outcome);
  }
};
/** Every fee of `payors` over a grid of visits: `book`'s answers, and the whole site's. */
function pricesAsWhole(book, site, payors) {
  const whole = ContractBook.fromSnapshot(JSON.stringify(site));
  let n = 0;
  try {
    for (const payor of payors) {
      for (const service of SERVICES) {
        for (const procedures of PROCEDURES) {
          for (const extra of ['', '&location=HP002166', '&practitioner=SP046728', '&location=HP002694']) {
            const q = `site=${SITE}&payor=${payor}&service-type=${service}${procedures ? `&procedure-code=${procedures}` : ''}${extra}&breakdown=true`;
            assert.equal(fee(book, q), fee(whole, q), q);
            n += 1;
          }
        }
      }
    }
  } finally {
    whole.free();
  }
  return n;
}
const slicesOf = (edge) => new SiteSlices(new ApiSession('t0k', { fetch: edge.fetch }), SITE, ContractBook);
const snapshotRequests = (edge) => edge.requests.filter((r) => r.path.endsWith('/$snapshot'));

test('the payor list is read page by page until maxCount', async () => {
  const edge = fakeEdge();
  const slices = slicesOf(edge);
  const payors = await slices.loadPayors();
  assert.deepEqual(payors.map((p) => [p.type, p.payor, p.display, p.contract]), [
    ['I', 'bup', 'BUPA', '0000090001'], ['I', 'axa', 'AXA Health', '0000090002'], ['I', 'avi', 'Aviva', '0000090003'],
    ['I', 'slh', 'Vitality', '0000090004'], ['I', 'slf', 'Self-Pay', '0000090005'], ['I', 'na', 'All Others', '0000090006']]);
  assert.deepEqual(edge.requests.map((r) => r.query), [{ count: '100' }, { count: '100', page: '2' }]);
  slices.free();
});

test('two payors\' slices in one book price both as the whole site does; the fallbacks come along', async () => {
  const edge = fakeEdge();
  const slices = slicesOf(edge);
  assert.equal(slices.has('bup'), false);
  assert.equal(await slices.load('bup'), true);
  assert.deepEqual(snapshotRequests(edge).map((r) => r.query), [{ payor: 'bup' }]);
  assert.equal(slices.has('slf') && slices.has('na'), true, 'the slice carried slf and na');
  assert.equal(slices.has('axa'), false);
  assert.equal(await slices.load('slf'), false, 'no request for a payor the book already holds');
  // Two changes of payor before the first answer: one request.
  const [a, b] = await Promise.all([slices.load('axa'), slices.load('axa')]);
  assert.deepEqual([a, b], [true, true]);
  assert.deepEqual(snapshotRequests(edge).map((r) => r.query.payor), ['bup', 'axa']);
  assert.deepEqual(slices.loaded(), ['bup', 'axa']);
  assert.equal(slices.version('axa'), 'axa-1');
  const held = slices.book.toSnapshot();
  assert.deepEqual(held.payors.map((p) => p.payor), ['bup', 'slf', 'na', 'axa']);
  assert.equal(held.prices.length, edge.site.prices.filter((p) => !['0000090003', '0000090004'].includes(p.contract)).length);
  assert.equal(pricesAsWhole(slices.book, edge.site, ['bup', 'axa', 'slf', 'na']), 4 * 3 * 4 * 4);
  slices.free();
});

test('after a write the slice is refreshed in place: only what changed, If-None-Match, the write\'s bookmark; then 304', async () => {
  const edge = fakeEdge();
  const session = new ApiSession('t0k', { fetch: edge.fetch });
  const slices = new SiteSlices(session, SITE, ContractBook);
  await slices.load('bup');
  const [first] = snapshotRequests(edge);
  const { lastUpdated } = slices.tags.get('bup');
  assert.match(lastUpdated, /^2026-12-01T09:00:\d\d\.000Z$/);
  // A write (the page's $contract-price), then another payor's write the bup slice does not cover.
  const saved = await submitPrice(session, '/contract/$contract-price', '{}');
  assert.equal(saved.verdict, 'accepted');
  const bookmark = session.bookmark;
  edge.setPrice({ contract: '0000090001', service: 'ISC/C0000010', procedure: 'CCSD/W3712', net: '1850.00' });
  edge.deletePrice({ contract: '0000090001', service: 'ISC/C0000010', procedure: 'CCSD/W4210', location: 'HP002166' });
  edge.setPrice({ contract: '0000090005', service: 'ISC/C0000010', procedure: 'CCSD/T2000', net: '999.00' }); // slf, in bup's slice
  edge.setPrice({ contract: '0000090002', service: 'ISC/C0000010', procedure: 'CCSD/T2000', net: '1.00' }); // axa, not
  assert.equal(await slices.refresh('bup'), true);
  const delta = snapshotRequests(edge).at(-1);
  assert.deepEqual(delta.query, { payor: 'bup', _lastUpdated: `gt${lastUpdated}` });
  assert.equal(delta.headers['if-none-match'], 'W/"bup-1"');
  assert.equal(delta.headers['x-d1-bookmark'], bookmark, 'the read carries the write\'s bookmark');
  assert.equal(first.headers['x-d1-bookmark'], undefined, 'nothing to send before the first answer');
  assert.equal(slices.version('bup'), 'bup-5');
  const q = `site=${SITE}&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/W4210&location=HP002166`;
  assert.equal(slices.book.feeTotal(`site=${SITE}&payor=bup&service-type=ISC/C0000010&procedure-code=CCSD/W3712`), '1850.00');
  assert.equal(slices.book.feeTotal(q), slices.book.feeTotal(q.replace('&location=HP002166', '')), 'the removed location price is gone');
  assert.equal(pricesAsWhole(slices.book, edge.site, ['bup', 'slf', 'na']), 3 * 3 * 4 * 4);
  // Nothing changed since: 304, nothing merged, the book as it was.
  const before = slices.book.toSnapshotJson();
  assert.equal(await slices.refresh('bup'), false);
  assert.equal(snapshotRequests(edge).at(-1).headers['if-none-match'], 'W/"bup-5"');
  assert.equal(slices.book.toSnapshotJson(), before);
  slices.free();
});

test('an API without slices: a 4xx to ?payor= reads the whole site, and refreshes read it whole', async () => {
  const edge = fakeEdge({ refuseSlices: 1 });
  const slices = slicesOf(edge);
  assert.equal(await slices.load('bup'), true);
  assert.deepEqual(snapshotRequests(edge).map((r) => r.query), [{ payor: 'bup' }, {}]);
  assert.equal(slices.whole, true);
  assert.equal(slices.has('avi'), true, 'every payor is in the whole site');
  assert.equal(await slices.load('avi'), false);
  assert.equal(slices.version('avi'), 'site-1');
  assert.equal(pricesAsWhole(slices.book, edge.site, ['bup', 'avi', 'slh', 'na']), 4 * 3 * 4 * 4);
  edge.setPrice({ contract: '0000090003', service: 'ISC/C0000010', procedure: 'CCSD/W3712', net: '1234.00' });
  assert.equal(await slices.refresh('avi'), true);
  assert.deepEqual(snapshotRequests(edge).at(-1).query, {});
  assert.equal(snapshotRequests(edge).at(-1).headers['if-none-match'], 'W/"site-1"');
  assert.equal(slices.book.feeTotal(`site=${SITE}&payor=avi&service-type=ISC/C0000010&procedure-code=CCSD/W3712`), '1234.00');
  assert.equal(await slices.refresh('avi'), false, 'unchanged: 304');
  slices.free();
});

test('an API that ignores ?payor= and answers the whole site is used whole', async () => {
  const edge = fakeEdge({ slices: false });
  const slices = slicesOf(edge);
  await slices.load('axa');
  assert.equal(snapshotRequests(edge).length, 1);
  assert.equal(slices.whole, true);
  assert.deepEqual(slices.loaded(), []);
  assert.equal(pricesAsWhole(slices.book, edge.site, ['axa', 'slh']), 2 * 3 * 4 * 4);
  slices.free();
});

test('a refused token is said plainly and does not fall back to the whole site', async () => {
  const edge = fakeEdge();
  const slices = new SiteSlices(new ApiSession('wrong', { fetch: edge.fetch }), SITE, ContractBook);
  await assert.rejects(slices.load('bup'), (err) => err instanceof ApiError && err.status === 401
    && err.message === 'The API did not accept the access token: Bad token. Check it and sign in again.');
  assert.equal(snapshotRequests(edge).length, 1);
  assert.equal(slices.has('bup'), false);
  assert.throws(() => new ApiSession(''), /Enter an access token/);
  slices.free();
});

test('a slice the package refuses throws its outcome and leaves the book as it was', async () => {
  const edge = fakeEdge();
  const slices = slicesOf(edge);
  await slices.load('bup');
  const before = slices.book.toSnapshotJson();
  // The edge serves another site's slice by mistake.
  edge.site.site = 'HCOTHER';
  await assert.rejects(slices.load('axa'), (err) => err.outcome?.issue?.[0]?.diagnostics === "The slice is of site 'HCOTHER', not 'HCDEMO1'.");
  assert.equal(slices.has('axa'), false);
  assert.equal(slices.book.toSnapshotJson(), before);
  slices.free();
});
