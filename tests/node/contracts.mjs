// End-to-end tests of the contracts API against the running worker: every seed 001 request
// sample replayed through the discovery document, every error code, the auth matrix,
// concurrent writes, the audit log, and fee parity with the npm package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { auth } from './lib/token.mjs';
import { fixture, assertGolden } from './lib/golden.mjs';
import { assertOutcome, FHIR_JSON } from './lib/fhir.mjs';
import { ROOT } from './lib/server.mjs';
import { record, recorded, validateAll } from './lib/openapi.mjs';

const ADMIN = auth();

async function discovery(origin) {
  return (await fetch(`${origin}/contract/.well-known/api-configuration`)).json();
}

async function send(url, { method = 'GET', body, headers = ADMIN } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  await record(method, res);
  return res;
}

async function json(res, status = 200) {
  const text = await res.text();
  assert.equal(res.status, status, `${res.url}: ${text.slice(0, 400)}`);
  assert.equal(res.headers.get('content-type'), FHIR_JSON);
  return JSON.parse(text);
}

export function contractTests(server) {
  const origin = () => server().origin;

  test('every seed 001 request sample, found through discovery, answers as the documents show', async () => {
    const doc = await discovery(origin());
    const gets = JSON.parse(readFileSync(join(ROOT, 'tests/golden/001_get_samples.json'), 'utf8'));
    const byKey = (key) => gets.filter((g) => g.key === key);
    const getSample = async (g) => {
      const base = doc[g.key];
      const url = g.key === 'get_payors_list_endpoint' ? `${base}/${g.site}` : `${base}?${g.query}`;
      assertGolden(await json(await send(url)), fixture(g.response_fixture), `${g.key} ${g.query}`);
    };
    const post = async (key, req, resp) => {
      assertGolden(await json(await send(doc[key], { method: 'POST', body: fixture(req) })), fixture(resp), key);
    };
    const del = async (key, path, resp) => {
      assertGolden(await json(await send(`${doc[key]}${path}`, { method: 'DELETE' })), fixture(resp), key);
    };
    // In the documents' order.
    for (const g of byKey('get_effective_prices_endpoint')) await getSample(g);
    assertGolden(await json(await send(doc.get_contract_type_list)), fixture('001_02_get_contract_type_list_response.json'), 'contract types');
    const subtypes = await json(await send(doc.get_contract_subtype_list));
    const sample = fixture('001_03_get_contract_subtype_list_response.json');
    // SPEC-NOTES: PRICING has three sub types; the documents' sample shows the first.
    assert.deepEqual(subtypes.expansion.contains[0], sample.expansion.contains[0]);
    assert.deepEqual(subtypes.expansion.contains.map((c) => c.code), ['FEE_SCHEDULE', 'PRACTITIONER_BESPOKE_CONTRACT', 'SELF_PAY']);
    for (const g of byKey('get_payors_list_endpoint')) await getSample(g);
    await post('add_payor_endpoint', '001_05_add_payor_endpoint_request.json', '001_06_add_payor_endpoint_response.json');
    await del('delete_payor_endpoint', '/HC00HAA?payerId=Organization/slf&payerType=I&providerGroup=0000038225', '001_07_delete_payor_endpoint_response.json');
    await post('add_contact_as_payor_endpoint', '001_08_add_contact_as_payor_endpoint_request.json', '001_09_add_contact_as_payor_endpoint_response.json');
    await del('delete_contact_as_payor_endpoint', '/HC00HAA?payorId=Person/John&payorType=C&providerGroup=0000041155', '001_10_delete_contact_as_payor_endpoint_response.json');
    await post('set_contract_service_endpoint', '001_11_set_contract_service_endpoint_request.json', '001_12_set_contract_service_endpoint_response.json');
    await del('delete_contract_service_endpoint', '/HC00JXI?indStdCode=C0000010&indStdCodeScheme=ISC', '001_13_delete_contract_service_endpoint_response.json');
    await post('set_contract_service_withprocedure_endpoint', '001_14_set_contract_service_withprocedure_endpoint_request.json', '001_15_set_contract_service_withprocedure_endpoint_response.json');
    await del('delete_contract_service_withprocedure_endpoint', '/HC00JXI?indStdCode=C0000010&indStdCodeScheme=ISC&procedureCode=PETSC&procedureScheme=9BUPP', '001_16_delete_contract_service_withprocedure_endpoint_response.json');
    await post('set_contract_price_endpoint', '001_17_set_contract_price_endpoint_request.json', '001_18_set_contract_price_endpoint_response.json');
    await post('set_contract_price_withlocation_endpoint', '001_19_set_contract_price_withlocation_endpoint_request.json', '001_20_set_contract_price_withlocation_endpoint_response.json');
    await post('set_contract_price_withpractitionerbespoke_endpoint', '001_21_set_contract_price_withpractitionerbespoke_endpoint_request.json', '001_22_set_contract_price_withpractitionerbespoke_endpoint_response.json');
    await del('delete_contract_price_endpoint', '/HC00JXI?indStdCode=C0000010&indStdCodeScheme=ISC&procedureCode=PETSC&procedureScheme=9BUPP', '001_23_delete_contract_price_endpoint_response.json');
    for (const key of ['calculate_service_fee_endpoint', 'calculate_service_fee_withprocedure_endpoint',
      'get_price_validation_for_service_endpoint', 'get_price_validation_for_procedure_endpoint',
      'get_multi_proc_endpoint', 'get_multi_proc_set_endpoint']) {
      for (const g of byKey(key)) await getSample(g);
    }
  });

  test('the fee with procedures is 290.00 written with two decimals', async () => {
    const doc = await discovery(origin());
    const res = await send(`${doc.calculate_service_fee_withprocedure_endpoint}?service-type=ISC/C0000010&payor-type=I&provider-type=S&payor=bup&procedure-code=CCSD/A3000,9BUPP/AA207&location=HP002694&site=HC00HM4`);
    const text = await res.text();
    assert.match(text, /"value":290\.00/);
  });

  test('each documents error code with its HTTP status and a diagnostic naming the field', async () => {
    const doc = await discovery(origin());
    const fee = doc.calculate_service_fee_endpoint;
    let body = await assertOutcome(await send(`${fee}?site=HC00JXI&payor=slf`), 400, 'MSG_MISSING_MANDATORY_PARAM');
    assert.match(body.issue[0].diagnostics, /service-type/);
    body = await assertOutcome(await send(`${fee}?site=HC00JXI&payor=&service-type=ISC/E0002620`), 400, 'MSG_PARAM_EMPTY');
    assert.match(body.issue[0].diagnostics, /payor/);
    body = await assertOutcome(await send(`${fee}?site=HC00JXI&payor=slf&service-type=ISC/E0002620&bogus=1`), 400, 'MSG_PARAM_INVALID');
    assert.match(body.issue[0].diagnostics, /bogus/);
    // Prefer: handling=lenient ignores the unknown parameter.
    const lenient = await send(`${fee}?site=HC00JXI&payor=slf&practitioner=SP046728&location=HP002166&service-type=ISC/E0002620&bogus=1`,
      { headers: { ...ADMIN, prefer: 'handling=lenient' } });
    assert.equal(lenient.status, 200);
    body = await assertOutcome(await send(`${fee}?site=HC00JXI&payor=slf&service-type=ISC/NOPE1`), 422, 'MSG_REFERENCE_ID_NOT_FOUND');
    assert.match(body.issue[0].diagnostics, /NOPE1/);
    body = await assertOutcome(await send(`${doc.get_price_validation_for_service_endpoint}?site=HC00JXI&payorId=slh&codeType=S&code=P0003630&fee=12.345`), 400, 'MSG_INVALID_FORMAT');
    assert.match(body.issue[0].diagnostics, /fee/);
    await assertOutcome(await send(doc.set_contract_price_endpoint, { method: 'POST', body: '{"resourceType": "Contract",' }), 400, 'MSG_CANT_PARSE_CONTENT');
    const negative = fixture('001_17_set_contract_price_endpoint_request.json');
    negative.term[0].asset[0].valuedItem[2].net.value = -5;
    body = await assertOutcome(await send(doc.set_contract_price_endpoint, { method: 'POST', body: negative }), 400, 'MSG_INVALID_FORMAT');
    assert.match(body.issue[0].diagnostics, /net/);
    // Editing a non-editable multi-procedure set is not allowed.
    const set = await json(await send(`${doc.get_multi_proc_set_endpoint}?siteId=HC00JXI&providerGroup=0000011460`));
    delete set.meta;
    await assertOutcome(await send(doc.get_multi_proc_set_endpoint, { method: 'PUT', body: set }), 400, 'MSG_OP_NOT_ALLOWED');
    // A stale If-Match is a version conflict.
    await assertOutcome(await send(doc.set_contract_price_endpoint, {
      method: 'POST', body: fixture('001_17_set_contract_price_endpoint_request.json'), headers: { ...ADMIN, 'if-match': 'W/"999999"' },
    }), 412, 'MSG_VERSION_CONFLICT');
    // Bodies over 1 MiB are refused.
    await assertOutcome(await send(doc.set_contract_price_endpoint, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 10) }), 413, 'MSG_PAYLOAD_TOO_LARGE');
  });

  test('auth matrix: no token, malformed, bad signature, expired, wrong scope, other site, admin', async () => {
    const doc = await discovery(origin());
    const url = `${doc.get_multi_proc_endpoint}?site=HC00JXI`;
    await assertOutcome(await send(url, { headers: {} }), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await send(url, { headers: { authorization: 'Bearer not.a.jwt!' } }), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await send(url, { headers: auth({ rogue: true }) }), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await send(url, { headers: auth({ ttl: -3600 }) }), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await send(url, { headers: auth({ nbf: Math.floor(Date.now() / 1000) + 3600 }) }), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await send(url, { headers: auth({ aud: 'someone-else' }) }), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await send(url, { headers: auth({ scope: 'practitioner.read' }) }), 403, 'MSG_FORBIDDEN');
    await assertOutcome(await send(url, { headers: auth({ sites: ['HC00HM4'] }) }), 403, 'MSG_FORBIDDEN');
    assert.equal((await send(url, { headers: auth({ sites: ['HC00JXI'], scope: 'contract.read' }) })).status, 200);
    assert.equal((await send(url)).status, 200); // admin
    // read scope cannot write
    await assertOutcome(await send(doc.set_contract_price_endpoint, {
      method: 'POST', body: fixture('001_17_set_contract_price_endpoint_request.json'), headers: auth({ scope: 'contract.read' }),
    }), 403, 'MSG_FORBIDDEN');
    // another site's token cannot delete by guessing the provider group
    await assertOutcome(await send(`${doc.delete_payor_endpoint}/HC00JXI?payorId=Organization/slh&payorType=I`, {
      method: 'DELETE', headers: auth({ sites: ['HC00HM4'] }),
    }), 403, 'MSG_FORBIDDEN');
    // tariffs are an administrator's
    await assertOutcome(await send(doc.get_price_validation_for_service_endpoint, {
      method: 'PUT', body: fixture('001_26_get_price_validation_for_service_endpoint_response.json'), headers: auth({ sites: ['HC00JXI'] }),
    }), 403, 'MSG_FORBIDDEN');
    // discovery and metadata stay public
    assert.equal((await fetch(`${origin()}/metadata`)).status, 200);
  });

  test('100 concurrent $contract-price writes: none lost, none half-applied, all audited', async () => {
    const doc = await discovery(origin());
    const site = 'HC0CONC';
    const sites = [site];
    const headers = auth({ sites, sub: 'concurrency' });
    // A payor to write under.
    await json(await send(doc.add_payor_endpoint, {
      method: 'POST', headers,
      body: { resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], authority: [{ id: 'payor', reference: 'Organization/bup', display: 'Bupa' }] },
    }));
    const asset = (code, value) => ({
      type: [{ coding: [{ code: 'PriceGroupAssignment' }] }],
      context: [{ reference: { reference: 'Payor/I-bup', display: 'Payor' } }],
      valuedItem: [
        { entityCodeableConcept: { coding: [{ system: 'ISC', code, display: code }] } },
        { net: { value } },
      ],
    });
    const writes = Array.from({ length: 100 }, (_, i) => send(doc.set_contract_price_endpoint, {
      method: 'POST', headers,
      // two assets per request: both must land, or neither
      body: { resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], term: [{ asset: [asset(`S${i}A`, i + 1), asset(`S${i}B`, i + 1000)] }] },
    }));
    const results = await Promise.all(writes);
    for (const r of results) assert.equal(r.status, 200, await r.text());
    const prices = await json(await send(`${doc.get_effective_prices_endpoint}?site=${site}&payor=bup&count=100&page=1`, { headers }));
    const tag = Object.fromEntries(prices.meta.tag.map((t) => [t.code, t.display]));
    assert.equal(tag.maxCount, '200');
    const audit = await json(await send(`${origin()}/contract/audit?site=${site}&count=1`, { headers }));
    const atag = Object.fromEntries(audit.meta.tag.map((t) => [t.code, t.display]));
    assert.equal(atag.maxCount, '101'); // the payor and 100 price writes
    assert.equal(audit.entry[0].resource.agent[0].who.identifier.value, 'concurrency');
  });

  test('an administrator can replace a whole site book; nobody else can', async () => {
    const snapshot = { site: 'HC0SNAP', payors: [{ id: '0000070001', payor: 'bup', type: 'I' }],
      prices: [{ contract: '0000070001', service: 'ISC/C0000010', net: '123.45' }] };
    const url = `${origin()}/contract/site/HC0SNAP/$snapshot`;
    await assertOutcome(await send(url, { method: 'PUT', body: snapshot, headers: auth({ sites: ['HC0SNAP'] }) }), 403, 'MSG_FORBIDDEN');
    await assertOutcome(await send(`${origin()}/contract/site/OTHER/$snapshot`, { method: 'PUT', body: snapshot }), 422, 'MSG_PARAM_INVALID');
    const stored = await send(url, { method: 'PUT', body: snapshot });
    assert.equal(stored.status, 200);
    assert.deepEqual(await stored.json(), { site: 'HC0SNAP', prices: 1, version: 1 });
    const doc = await discovery(origin());
    const fee = await json(await send(`${doc.calculate_service_fee_endpoint}?site=HC0SNAP&payor=bup&service-type=ISC/C0000010`));
    assert.equal(fee.term[0].asset[0].valuedItem[0].net.value, 123.45);
  });

  test('an administrator loads a payor tariff; every site with that payor judges fees by it at once', async () => {
    const doc = await discovery(origin());
    const tariff = fixture('001_26_get_price_validation_for_service_endpoint_response.json');
    const ext = tariff.term[0].asset[0].extension;
    ext.find((e) => e.url.endsWith('/maximumPrice')).valueString = '2000.00';
    tariff.term[0].asset[0].valuedItem[0].entityCodeableConcept.coding[0].code = 'P0009999';
    const put = await send(doc.get_price_validation_for_service_endpoint, { method: 'PUT', body: tariff });
    assert.equal(put.status, 200, await put.clone().text());
    const verdict = await json(await send(`${doc.get_price_validation_for_service_endpoint}?site=HC00JXI&payorId=slh&codeType=S&code=P0009999&fee=1500`));
    const got = Object.fromEntries(verdict.term[0].asset[0].extension.map((e) => [e.url.split('/').pop(), e.valueString]));
    assert.equal(got.maximumPrice, '2000.00');
    assert.equal(got.verdict, 'accepted-with-warning');
  });

  test('the audit log of a site is readable by that site only', async () => {
    const res = await send(`${origin()}/contract/audit?site=HC00JXI`, { headers: auth({ sites: ['HC00JXI'], scope: 'contract.read' }) });
    const audit = await json(res);
    assert.ok(audit.entry.length > 0, 'the replay wrote to HC00JXI');
    const detail = audit.entry[0].resource.entity[0].detail.map((d) => d.type);
    assert.deepEqual(detail, ['contractIds', 'version', 'before', 'after']);
    await assertOutcome(await send(`${origin()}/contract/audit?site=HC00JXI`, { headers: auth({ sites: ['HC00HM4'] }) }), 403, 'MSG_FORBIDDEN');
  });

  test('$calculate-fee at the edge equals calculateFee of the npm package on 500 generated cases', async () => {
    const require = createRequire(import.meta.url);
    const pf = require(join(ROOT, 'pkg/node/practice_fhir.cjs'));
    const headers = auth();
    const snapshot = await (await send(`${origin()}/contract/site/HC00HM4/$snapshot`, { headers })).text();
    const book = pf.ContractBook.fromSnapshot(snapshot);
    const doc = await discovery(origin());
    // deterministic generator (mulberry32)
    let seed = 20261123;
    const rand = () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    const pick = (xs) => xs[Math.floor(rand() * xs.length)];
    const procs = ['CCSD/A3000', '9BUPP/AA207', 'CCSD/W3712', 'CCSD/NOPE'];
    let same = 0;
    for (let i = 0; i < 500; i++) {
      const n = Math.floor(rand() * 4);
      const chosen = Array.from({ length: n }, () => pick(procs));
      const q = new URLSearchParams({ site: 'HC00HM4', payor: pick(['bup', 'slf', 'na', 'zzz']), 'service-type': pick(['ISC/C0000010', 'ISC/E0002620']) });
      if (chosen.length) q.set('procedure-code', chosen.join(','));
      if (rand() < 0.5) q.set('location', pick(['HP002694', 'HP000001']));
      const edge = await send(`${doc.calculate_service_fee_endpoint}?${q}`, { headers });
      const edgeBody = await edge.json();
      let local;
      try { local = book.calculateFee(q.toString()); } catch (e) { local = e.outcome; }
      assert.deepEqual(edgeBody, local, `case ${i}: ${q}`);
      same++;
    }
    assert.equal(same, 500);
  });

  test('per-payor slices: ETag and 304, only what changed since, merged in place by the npm package', async () => {
    const require = createRequire(import.meta.url);
    const pf = require(join(ROOT, 'pkg/node/practice_fhir.cjs'));
    const doc = await discovery(origin());
    // A copy of the demo clinic (the page tests use the original as it was seeded).
    const site = 'HC0SLIC';
    const demo = await (await send(`${origin()}/contract/site/HCDEMO1/$snapshot`)).json();
    demo.site = site;
    assert.equal((await send(`${origin()}/contract/site/${site}/$snapshot`, { method: 'PUT', body: demo })).status, 200);
    const headers = auth({ sites: [site] });
    const url = `${origin()}/contract/site/${site}/$snapshot?payor=bup`;
    const first = await send(url, { headers });
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag');
    assert.match(etag, /^W\/"[0-9a-f]{16}"$/);
    const slice = await first.json();
    assert.deepEqual(slice.slice.payors, ['bup', 'na', 'slf']);
    assert.deepEqual(slice.payors.map((p) => p.payor).sort(), ['bup', 'na', 'slf']);
    const bup = slice.payors.find((p) => p.payor === 'bup').id;
    const owners = new Set([...slice.payors.map((p) => p.id), ...(slice.selfPay ?? []).map((s) => s.id)]);
    assert.ok(slice.prices.length > 0 && slice.prices.every((p) => owners.has(p.contract)), 'only the slice payors\' prices');
    const whole = await (await send(`${origin()}/contract/site/${site}/$snapshot`, { headers })).json();
    assert.ok(whole.prices.length > slice.prices.length, 'a slice is smaller than the site');
    // Unchanged: 304 with the same tag, no body.
    const again = await send(url, { headers: { ...headers, 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    // A write to another payor leaves bup's slice as it was.
    const post = (payor, code, value) => send(doc.set_contract_price_endpoint, {
      method: 'POST', headers,
      body: { resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], term: [{ asset: [{
        context: [{ reference: { reference: `Payor/I-${payor}` } }],
        valuedItem: [{ entityCodeableConcept: { coding: [{ system: 'ISC', code: 'C0000010' }] } },
          { entityCodeableConcept: { coding: [{ system: 'https://ref.api.healthcode.co.uk/procedure', code, display: 'CCSD' }] } },
          { net: { value } }] }] }] },
    });
    assert.equal((await post('axa', 'SLICE1', 10)).status, 200);
    assert.equal((await send(url, { headers: { ...headers, 'if-none-match': etag } })).status, 304);
    // A write and a delete under bup: the tag moves, and the delta since the slice holds both.
    const write = await post('bup', 'SLICE2', 123.45);
    assert.equal(write.status, 200);
    const bookmark = write.headers.get('x-d1-bookmark');
    const gone = slice.prices.find((p) => p.contract === bup && p.procedure);
    const [gs, gc] = gone.procedure.split('/');
    const [ss, sc] = gone.service.split('/');
    const del = await send(`${doc.delete_contract_price_endpoint}/${site}?indStdCode=${sc}&indStdCodeScheme=${ss}&procedureCode=${gc}&procedureScheme=${gs}&payorId=bup`, { method: 'DELETE', headers });
    assert.equal(del.status, 200);
    const changed = await send(url, { headers: { ...headers, 'if-none-match': etag, ...(bookmark ? { 'x-d1-bookmark': bookmark } : {}) } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    const since = slice.slice.lastUpdated;
    const delta = await (await send(`${url}&_lastUpdated=gt${since}`, { headers })).json();
    assert.deepEqual(delta.prices.map((p) => p.procedure), ['CCSD/SLICE2']);
    assert.ok(delta.removed.some((r) => r.kind === 'price' && r.key.procedure === gone.procedure), JSON.stringify(delta.removed));
    // The npm package: the first slice merged with the delta is the fresh slice.
    const book = pf.ContractBook.fromSnapshot(JSON.stringify(slice));
    book.mergeSlice(JSON.stringify(delta));
    const fresh = pf.ContractBook.fromSnapshot(await changed.text());
    const fee = (b, code) => { try { return b.feeTotal(`site=${site}&payor=bup&service-type=ISC/C0000010&procedure-code=${code}`); } catch (e) { return e.outcome.issue[0].code; } };
    for (const code of ['CCSD/SLICE2', gone.procedure]) assert.equal(fee(book, code), fee(fresh, code), code);
    assert.equal(fee(book, 'CCSD/SLICE2'), '123.45');
    // Slices of two payors merge into one book that prices both.
    const axa = await (await send(`${origin()}/contract/site/${site}/$snapshot?payor=axa`, { headers })).text();
    book.mergeSlice(axa);
    assert.equal(fee(book, 'CCSD/SLICE1'), fee(pf.ContractBook.fromSnapshot(axa), 'CCSD/SLICE1'));
    await assertOutcome(await send(`${url}&_lastUpdated=yesterday`, { headers }), 400, 'MSG_INVALID_FORMAT');
    await assertOutcome(await send(`${origin()}/contract/site/${site}/$snapshot?payor=zzz`, { headers }), 422, 'MSG_REFERENCE_ID_NOT_FOUND');
    await assertOutcome(await send(`${origin()}/contract/site/${site}/$snapshot?colour=red`, { headers }), 400, 'MSG_PARAM_INVALID');
  });

  test('x-d1-bookmark: every D1 response carries the session bookmark, and a read that sends it back sees the write', async () => {
    const doc = await discovery(origin());
    const site = 'HC0BOOK';
    const headers = auth({ sites: [site] });
    const added = await send(doc.add_payor_endpoint, { method: 'POST', headers,
      body: { resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], authority: [{ reference: 'Organization/bup', display: 'Bupa' }] } });
    assert.equal(added.status, 200);
    const bookmark = added.headers.get('x-d1-bookmark');
    assert.ok(bookmark, 'a write answers with its bookmark');
    const read = await send(`${origin()}/contract/site/${site}`, { headers: { ...headers, 'x-d1-bookmark': bookmark } });
    const list = await json(read);
    assert.ok(list.entry.some((e) => e.resource.authority[0].reference === 'Organization/bup'));
    assert.ok(read.headers.get('x-d1-bookmark'), 'the read answers with a bookmark too');
    // A malformed bookmark is ignored, not an error.
    assert.equal((await send(`${origin()}/contract/site/${site}`, { headers: { ...headers, 'x-d1-bookmark': 'x'.repeat(400) } })).status, 200);
  });

  test('a site gives its own payor contract a multi-procedure set; the payor default stays not editable', async () => {
    const doc = await discovery(origin());
    const site = 'HC0OWNS';
    const headers = auth({ sites: [site] });
    const added = await json(await send(doc.add_payor_endpoint, { method: 'POST', headers,
      body: { resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], authority: [{ reference: 'Organization/axa', display: 'AXA' }] } }));
    const group = added.id;
    const asset = (code, value) => ({ context: [{ reference: { reference: 'Payor/I-axa' } }], valuedItem: [
      { entityCodeableConcept: { coding: [{ system: 'ISC', code: 'C0000010' }] } },
      { entityCodeableConcept: { coding: [{ system: 'https://ref.api.healthcode.co.uk/procedure', code, display: 'CCSD' }] } },
      { net: { value } }] });
    assert.equal((await send(doc.set_contract_price_endpoint, { method: 'POST', headers,
      body: { resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], term: [{ asset: [asset('A1', 100), asset('A2', 80)] }] } })).status, 200);
    const fee = async () => (await json(await send(`${doc.calculate_service_fee_endpoint}?site=${site}&payor=axa&service-type=ISC/C0000010&procedure-code=CCSD/A1,CCSD/A2`, { headers }))).term[0].asset[0].valuedItem[0].net.value;
    assert.equal(await fee(), 180); // no set: every procedure at 100%
    const set = fixture('001_29_get_multi_proc_set_endpoint_response.json');
    set.id = group;
    set.subject = [{ reference: `Site/${site}` }];
    const rec = (g, n, p, v) => ({ url: 'https://contracts.api.healthcode.co.uk/contract/extension/multiProcedureRecord', extension: [
      ['calcGroup', g], ['procNumber', n], ['percentage', p], ...(v ? [['valueOf', v]] : [])].map(([k, x]) => ({ url: `https://contracts.api.healthcode.co.uk/contract/extension/${k}`, valueString: x })) });
    set.extension = [rec('02', '1', '100', 'HIGHEST'), rec('02', '2', '50', 'HIGHEST2')];
    const put = await send(doc.get_multi_proc_set_endpoint, { method: 'PUT', headers, body: set });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(await fee(), 140);
    const list = await json(await send(`${doc.get_multi_proc_endpoint}?site=${site}`, { headers }));
    assert.ok(JSON.stringify(list).includes(group));
    const got = await json(await send(`${doc.get_multi_proc_set_endpoint}?siteId=${site}&providerGroup=${group}`, { headers }));
    assert.equal(got.id, group);
    // Editable now: a second PUT replaces the records.
    set.extension = [rec('02', '1', '100', 'HIGHEST'), rec('02', '2', '25', 'HIGHEST2')];
    assert.equal((await send(doc.get_multi_proc_set_endpoint, { method: 'PUT', headers, body: set })).status, 200);
    assert.equal(await fee(), 120);
    // An unknown provider group is not found; a payor's default set is not editable.
    set.id = '0000000404';
    await assertOutcome(await send(doc.get_multi_proc_set_endpoint, { method: 'PUT', headers, body: set }), 422, 'MSG_REFERENCE_ID_NOT_FOUND');
  });

  test('the payor list filters by _lastUpdated; seeded prices carry lastUpdated', async () => {
    const doc = await discovery(origin());
    const all = await json(await send(`${doc.get_payors_list_endpoint}/HC00HM4`));
    const none = await json(await send(`${doc.get_payors_list_endpoint}/HC00HM4?_lastUpdated=gt2999-01-01`));
    assert.ok(all.entry.length >= 2);
    assert.equal(none.entry.length, 0);
    assert.equal(none.meta.tag.find((t) => t.code === 'maxCount').display, '0');
    const recent = await json(await send(`${doc.get_effective_prices_endpoint}?site=HC00HM4&payor=bup&_lastUpdated=gt2020-01-01`));
    assert.ok(recent.entry.length > 0, 'seeded prices have a lastUpdated');
  });

  test('a 20,000-price site built through $contract-price (100 assets a request) prices as an independent reference', async () => {
    const doc = await discovery(origin());
    const site = 'HC020K1';
    const headers = auth({ sites: [site], sub: 'bulk' });
    for (const payor of ['bup', 'axa']) {
      assert.equal((await send(doc.add_payor_endpoint, { method: 'POST', headers,
        body: { resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], authority: [{ reference: `Organization/${payor}` }] } })).status, 200);
    }
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const reference = new Map();
    const bodies = [];
    for (let r = 0; r < 200; r++) {
      const assets = [];
      for (let a = 0; a < 100; a++) {
        const i = r * 100 + a;
        const payor = i % 2 ? 'axa' : 'bup';
        const code = `P${String(Math.floor(i / 2)).padStart(5, '0')}`;
        const pence = 1000 + Math.floor(rand() * 500000);
        reference.set(`${payor}|${code}`, pence);
        assets.push({ context: [{ reference: { reference: `Payor/I-${payor}` } }], valuedItem: [
          { entityCodeableConcept: { coding: [{ system: 'ISC', code: 'C0000010' }] } },
          { entityCodeableConcept: { coding: [{ system: 'https://ref.api.healthcode.co.uk/procedure', code, display: 'CCSD' }] } },
          { net: { value: pence / 100 } }] });
      }
      bodies.push({ resourceType: 'Contract', subject: [{ reference: `Site/${site}` }], term: [{ asset: assets }] });
    }
    // Four writers at a time.
    for (let i = 0; i < bodies.length; i += 4) {
      const rs = await Promise.all(bodies.slice(i, i + 4).map((body) => send(doc.set_contract_price_endpoint, { method: 'POST', headers, body })));
      for (const r of rs) assert.equal(r.status, 200, await r.text());
    }
    const count = await json(await send(`${doc.get_effective_prices_endpoint}?site=${site}&payor=bup&count=1`, { headers }));
    assert.equal(count.meta.tag.find((t) => t.code === 'maxCount').display, '10000');
    const money = (p) => (p / 100).toFixed(2);
    for (let k = 0; k < 100; k++) {
      const payor = k % 2 ? 'axa' : 'bup';
      const a = `P${String(Math.floor(rand() * 10000)).padStart(5, '0')}`;
      const b = `P${String(Math.floor(rand() * 10000)).padStart(5, '0')}`;
      const res = await send(`${doc.calculate_service_fee_endpoint}?site=${site}&payor=${payor}&service-type=ISC/C0000010&procedure-code=CCSD/${a},CCSD/${b}`, { headers });
      const text = await res.text();
      // No multi-procedure set: each procedure counts at 100%.
      const expected = money(reference.get(`${payor}|${a}`) + reference.get(`${payor}|${b}`));
      assert.match(text, new RegExp(`"net":\\{"value":${expected}\\}`), `${payor} ${a} ${b}: ${text.slice(0, 300)}`);
    }
  });

  test('every response above matches the OpenAPI 3.1 document served at /openapi.json', async () => {
    const res = await fetch(`${origin()}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.servers[0].url, origin());
    const { checked, problems } = validateAll(doc);
    assert.deepEqual(problems, []);
    assert.ok(checked > 500, `checked ${checked} of ${recorded.length} responses`);
  });
}
