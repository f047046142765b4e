// End-to-end tests of the practitioner directory against the running worker: the seed 000
// samples found through discovery, search errors, near with _include, paging through every
// page by link.next, validated and versioned writes, photos, auth.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { auth, token } from './lib/token.mjs';
import { fixture, assertGolden } from './lib/golden.mjs';
import { assertOutcome, FHIR_JSON } from './lib/fhir.mjs';
import { Client } from 'fhir-kit-client';
import { record, recorded, validateAll } from './lib/openapi.mjs';

const READ = auth({ scope: 'practitioner.read' });
const WRITE = auth({ scope: 'practitioner.read practitioner.write' });

// Every directory response is recorded and, at the end, validated against the OpenAPI document.
async function send(url, init = {}) {
  const res = await fetch(url, init);
  await record(init.method ?? 'GET', res);
  return res;
}

async function get(url, headers = READ) {
  const res = await send(url, { headers });
  const text = await res.text();
  assert.equal(res.status, 200, `${url}: ${text.slice(0, 300)}`);
  assert.equal(res.headers.get('content-type'), FHIR_JSON);
  return JSON.parse(text);
}

const tags = (bundle) => Object.fromEntries(bundle.meta.tag.map((t) => [t.code, t.display]));
const withoutMeta = (r) => { const { meta, ...rest } = r; return rest; };

export function directoryTests(server) {
  const origin = () => server().origin;
  const doc = async () => (await send(`${origin()}/.well-known/api-configuration`)).json();
  // Contracts tests record first; this suite validates only its own responses.
  let firstRecorded = 0;
  before(() => { firstRecorded = recorded.length; });

  test('seed 000 Practitioner search sample: the seed request finds the seed practitioner, in the seed Bundle shape', async () => {
    const { search_practitioner_endpoint: url } = await doc();
    // The documents' request says gender=male but its sample practitioner is female.
    const q = new URLSearchParams({
      page: '1', count: '1', gender: 'female', profession: '00U', specialty: '0003A', subspecialty: '0000L',
      'insurer-recognition-status': 'Y', 'insurer-provider-number': '984572186', insurer: 'nuh',
      'address-postalcode': 'W1H 3DA', family: 'Clinton', given: 'Warren', 'is-onlinebooking-available': 'false',
      'regulator-reference': '1234567',
    });
    const bundle = await get(`${url}?${q}`);
    const sample = fixture('000_01_search_practitioner_endpoint_response.json');
    assert.equal(bundle.resourceType, 'Bundle');
    assert.equal(bundle.type, sample.type);
    assert.equal(bundle.total, 1);
    assert.deepEqual(tags(bundle), { count: '1', page: '1', maxCount: '1' });
    // The sample as a subset of our answer; its Healthcode birthDate (dd.mm.yyyy) is imported
    // as the FHIR date it names (issue 12).
    const expected = structuredClone(sample.entry[0].resource);
    assert.equal(expected.birthDate, '09.05.1977');
    expected.birthDate = '1977-05-09';
    assertGolden(bundle.entry[0].resource, expected, 'seed 000 Practitioner');
    assert.ok(bundle.entry[0].resource.meta.lastUpdated, 'stored resources carry meta.lastUpdated');
    // UK Core parameters find it too
    for (const extra of ['identifier=', 'name=clint', 'address-postcode=w1h3da', 'family=CLINTON', 'insurer=bup,nuh']) {
      const [k, v] = extra.split('=');
      if (!v) continue;
      const b = await get(`${url}?${k}=${encodeURIComponent(v)}&given=warren&count=100`);
      assert.ok(b.entry.some((e) => e.resource.id === 'SP09000'), extra);
    }
  });

  test('seed 000 PractitionerRole sample: both roles of SP09000 at HP005000, as the documents show them', async () => {
    const { search_practitionerrole_endpoint: url } = await doc();
    const bundle = await get(`${url}?practitioner=SP09000&location=HP005000&specialty=0003A`);
    const sample = fixture('000_03_search_practitionerrole_endpoint_response.json');
    assert.deepEqual(tags(bundle), { count: '10', page: '1', maxCount: '2' });
    assert.equal(bundle.total, 2);
    const byId = (a, b) => a.resource.id.localeCompare(b.resource.id);
    const got = bundle.entry.map((e) => ({ resource: withoutMeta(e.resource), search: e.search })).sort(byId);
    assertGolden(got, [...sample.entry].sort(byId), 'seed 000 PractitionerRole entries');
    const young = await get(`${url}?ages-treated=C0&practitioner=SP09000`);
    assert.deepEqual(young.entry.map((e) => e.resource.id), ['201808281119493731SBH0094']);
  });

  test('near: 10 km around W1H, sorted by distance, with practitioner and location included once', async () => {
    const { search_practitionerrole_endpoint: url } = await doc();
    const bundle = await get(`${url}?near=51.516:-0.160:10:km&_sort=distance:asc&_include=practitioner:location&count=20`);
    const matches = bundle.entry.filter((e) => e.search.mode === 'match');
    const included = bundle.entry.filter((e) => e.search.mode === 'include');
    assert.ok(matches.length > 0);
    const distances = matches.map((e) => e.search.extension[0].valueDistance.value);
    assert.deepEqual([...distances].sort((a, b) => a - b), distances);
    assert.ok(distances.every((d) => d <= 10));
    assert.equal(bundle.total, matches.length);
    const keys = included.map((e) => `${e.resource.resourceType}/${e.resource.id}`);
    assert.equal(new Set(keys).size, keys.length, 'included once');
    assert.ok(keys.some((k) => k.startsWith('Location/')) && keys.some((k) => k.startsWith('Practitioner/')));
    const miles = await get(`${url}?near=51.516|-0.160|2|mi&count=100`);
    assert.ok(miles.entry.every((e) => e.search.extension[0].valueDistance.value <= 3.2187));
  });

  test('paging: following link.next visits every match once', async () => {
    const { search_practitioner_endpoint: url } = await doc();
    let next = `${url}?count=37`;
    const seen = new Set();
    let max;
    while (next) {
      const bundle = await get(next);
      max = Number(tags(bundle).maxCount);
      for (const e of bundle.entry) {
        assert.ok(!seen.has(e.resource.id), `overlap at ${e.resource.id}`);
        seen.add(e.resource.id);
      }
      next = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    assert.equal(seen.size, max);
    assert.ok(max > 100);
  });

  test('a stock FHIR client (fhir-kit-client) searches and follows link.next through every page', async () => {
    const client = new Client({ baseUrl: origin(), customHeaders: { Authorization: `Bearer ${token({ scope: 'practitioner.read' })}` } });
    // Walks every page of a search with the client's own paging; returns what it saw.
    const walk = async (resourceType, searchParams) => {
      let bundle = await client.search({ resourceType, searchParams });
      const seen = new Map();
      let pages = 0;
      let entries = 0;
      let maxCount;
      while (bundle) {
        pages++;
        assert.equal(bundle.resourceType, 'Bundle');
        maxCount = Number(tags(bundle).maxCount);
        const matches = (bundle.entry ?? []).filter((e) => e.search.mode === 'match');
        // As in the documents' samples, Bundle.total counts this page's matches.
        assert.equal(bundle.total, matches.length);
        entries += bundle.total;
        for (const e of matches) {
          assert.equal(e.resource.resourceType, resourceType);
          assert.ok(!seen.has(e.resource.id), `${resourceType}/${e.resource.id} seen twice (page ${pages})`);
          seen.set(e.resource.id, pages);
        }
        bundle = await client.nextPage({ bundle });
        assert.ok(pages < 1000, 'paging ends');
      }
      return { seen, pages, entries, maxCount };
    };
    const all = await walk('Practitioner', { _count: 25 });
    assert.ok(all.maxCount > 100, `maxCount ${all.maxCount}`);
    assert.equal(all.seen.size, all.maxCount);
    assert.equal(all.entries, all.maxCount);
    assert.equal(all.pages, Math.ceil(all.maxCount / 25));

    // Search parameters whose values need escaping in the link URLs (`:`, `|`, `,`).
    const female = await walk('Practitioner', { gender: 'female', insurer: 'bup,nuh', count: 7 });
    assert.ok(female.maxCount > 7);
    assert.equal(female.seen.size, female.maxCount);

    const near = await walk('PractitionerRole', {
      near: '51.516|-0.160|25|km', _sort: 'distance', _include: 'practitioner:location', _count: 30,
    });
    assert.ok(near.maxCount > 30, `maxCount ${near.maxCount}`);
    assert.equal(near.seen.size, near.maxCount);
    assert.equal(near.entries, near.maxCount);

    const roles = await walk('PractitionerRole', { _count: 100 });
    assert.ok(roles.maxCount > near.maxCount);
    assert.equal(roles.seen.size, roles.maxCount);
  });

  test('search errors carry the documents codes and name the parameter', async () => {
    const { search_practitioner_endpoint: p, search_practitionerrole_endpoint: r } = await doc();
    let body = await assertOutcome(await send(`${p}?gender=bogus`, { headers: READ }), 400, 'MSG_INVALID_FORMAT');
    assert.match(body.issue[0].diagnostics, /gender/);
    body = await assertOutcome(await send(`${p}?gender=`, { headers: READ }), 400, 'MSG_PARAM_EMPTY');
    assert.match(body.issue[0].diagnostics, /gender/);
    body = await assertOutcome(await send(`${p}?colour=blue`, { headers: READ }), 400, 'MSG_PARAM_INVALID');
    assert.match(body.issue[0].diagnostics, /colour/);
    assert.equal((await send(`${p}?colour=blue`, { headers: { ...READ, prefer: 'handling=lenient' } })).status, 200);
    await assertOutcome(await send(`${r}?_sort=distance`, { headers: READ }), 400, 'MSG_MISSING_MANDATORY_PARAM');
    await assertOutcome(await send(`${r}?near=95:0:10:km`, { headers: READ }), 400, 'MSG_INVALID_FORMAT');
    await assertOutcome(await send(`${p}?is-onlinebooking-available=maybe`, { headers: READ }), 400, 'MSG_INVALID_FORMAT');
    await assertOutcome(await send(p), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await send(p, { headers: auth({ scope: 'contract.read' }) }), 403, 'MSG_FORBIDDEN');
  });

  test('writes: validated by the UK Core rules, versioned, If-Match, delete', async () => {
    const base = `${origin()}/Practitioner`;
    const practitioner = {
      resourceType: 'Practitioner',
      identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: 'C1234567' }],
      name: [{ use: 'official', family: 'Quellingsworth', given: ['Ada'] }],
      gender: 'female',
    };
    await assertOutcome(await send(base, { method: 'POST', headers: READ, body: JSON.stringify(practitioner) }), 403, 'MSG_FORBIDDEN');
    const created = await send(base, { method: 'POST', headers: { ...WRITE, 'content-type': 'application/fhir+json' }, body: JSON.stringify(practitioner) });
    assert.equal(created.status, 201);
    const stored = await created.json();
    assert.equal(stored.meta.versionId, '1');
    assert.equal(created.headers.get('etag'), 'W/"1"');
    const url = `${base}/${stored.id}`;
    assert.deepEqual(await get(url), stored);
    const found = await get(`${base}?family=quellingsworth`);
    assert.deepEqual(found.entry.map((e) => e.resource.id), [stored.id]);
    // an invalid update is refused with 422 and the OperationOutcome naming the element
    const invalid = await send(url, { method: 'PUT', headers: WRITE, body: JSON.stringify({ ...stored, gender: 'bogus' }) });
    assert.equal(invalid.status, 422);
    const outcome = await invalid.json();
    assert.ok(outcome.issue.some((i) => i.expression.includes('Practitioner.gender')), JSON.stringify(outcome));
    // a warning (GMC format) does not block the write
    const updated = await send(url, { method: 'PUT', headers: { ...WRITE, 'if-match': 'W/"1"' },
      body: JSON.stringify({ ...stored, identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: '1234567' }] }) });
    assert.equal(updated.status, 200);
    assert.equal((await updated.json()).meta.versionId, '2');
    await assertOutcome(await send(url, { method: 'PUT', headers: { ...WRITE, 'if-match': 'W/"1"' }, body: JSON.stringify(stored) }), 412, 'MSG_VERSION_CONFLICT');
    await assertOutcome(await send(base, { method: 'POST', headers: WRITE, body: '{"resourceType":' }), 400, 'MSG_CANT_PARSE_CONTENT');
    const deleted = await send(url, { method: 'DELETE', headers: WRITE });
    assert.equal(deleted.status, 200);
    await assertOutcome(await send(url, { headers: READ }), 404, 'MSG_NOT_FOUND');
    assert.deepEqual((await get(`${base}?family=quellingsworth`)).entry ?? [], []);
  });

  test('photos: PNG/JPEG by magic bytes, at most 1 MiB, returned as the documents Parameters', async () => {
    const { get_practitionerphoto_endpoint: url } = await doc();
    await assertOutcome(await send(`${url}/SP09000`, { headers: READ }), 422, 'MSG_REFERENCE_ID_NOT_FOUND');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await assertOutcome(await send(`${url}/SP09000`, { method: 'PUT', headers: WRITE, body: Buffer.from('GIF89a') }), 400, 'MSG_INVALID_FORMAT');
    await assertOutcome(await send(`${url}/NOPE000`, { method: 'PUT', headers: WRITE, body: png }), 422, 'MSG_REFERENCE_ID_NOT_FOUND');
    await assertOutcome(await send(`${url}/SP09000`, { method: 'PUT', headers: WRITE, body: Buffer.alloc(1024 * 1024 + 1, 0xff) }), 413, 'MSG_PAYLOAD_TOO_LARGE');
    assert.equal((await send(`${url}/SP09000`, { method: 'PUT', headers: WRITE, body: png })).status, 200);
    const photo = await get(`${url}/SP09000`);
    assert.deepEqual(photo, { resourceType: 'Parameters', parameter: [{ name: 'photo', valueAttachment: {
      contentType: 'image/png', data: png.toString('base64'), size: png.length, title: 'Warren_Clinton.png' } }] });
  });

  test('every directory response above matches the OpenAPI 3.1 document served at /openapi.json', async () => {
    const doc = await (await fetch(`${origin()}/openapi.json`)).json();
    const { checked, problems } = validateAll(doc, { from: firstRecorded });
    assert.deepEqual(problems, []);
    assert.ok(checked > 40, `checked ${checked} of ${recorded.length - firstRecorded} responses`);
    const paths = new Set(recorded.slice(firstRecorded).map((r) => `${r.method} ${r.status}`));
    for (const want of ['get 200', 'post 201', 'put 200', 'put 412', 'put 422', 'delete 200', 'get 404', 'get 422', 'put 413']) {
      assert.ok(paths.has(want), `a ${want} response was checked`);
    }
  });
}
