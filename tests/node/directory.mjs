// End-to-end tests of the practitioner directory against the running worker: the seed 000
// samples found through discovery, search errors, near with _include, paging through every
// page by link.next, validated and versioned writes, photos, auth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auth } from './lib/token.mjs';
import { fixture } from './lib/golden.mjs';
import { assertOutcome, FHIR_JSON } from './lib/fhir.mjs';

const READ = auth({ scope: 'practitioner.read' });
const WRITE = auth({ scope: 'practitioner.read practitioner.write' });

async function get(url, headers = READ) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  assert.equal(res.status, 200, `${url}: ${text.slice(0, 300)}`);
  assert.equal(res.headers.get('content-type'), FHIR_JSON);
  return JSON.parse(text);
}

const tags = (bundle) => Object.fromEntries(bundle.meta.tag.map((t) => [t.code, t.display]));
const withoutMeta = (r) => { const { meta, ...rest } = r; return rest; };

export function directoryTests(server) {
  const origin = () => server().origin;
  const doc = async () => (await fetch(`${origin()}/.well-known/api-configuration`)).json();

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
    assert.deepEqual(withoutMeta(bundle.entry[0].resource), sample.entry[0].resource);
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
    assert.deepEqual(got, [...sample.entry].sort(byId));
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

  test('search errors carry the documents codes and name the parameter', async () => {
    const { search_practitioner_endpoint: p, search_practitionerrole_endpoint: r } = await doc();
    let body = await assertOutcome(await fetch(`${p}?gender=bogus`, { headers: READ }), 400, 'MSG_INVALID_FORMAT');
    assert.match(body.issue[0].diagnostics, /gender/);
    body = await assertOutcome(await fetch(`${p}?gender=`, { headers: READ }), 400, 'MSG_PARAM_EMPTY');
    assert.match(body.issue[0].diagnostics, /gender/);
    body = await assertOutcome(await fetch(`${p}?colour=blue`, { headers: READ }), 422, 'MSG_PARAM_INVALID');
    assert.match(body.issue[0].diagnostics, /colour/);
    assert.equal((await fetch(`${p}?colour=blue`, { headers: { ...READ, prefer: 'handling=lenient' } })).status, 200);
    await assertOutcome(await fetch(`${r}?_sort=distance`, { headers: READ }), 400, 'MSG_MISSING_MANDATORY_PARAM');
    await assertOutcome(await fetch(`${r}?near=95:0:10:km`, { headers: READ }), 400, 'MSG_INVALID_FORMAT');
    await assertOutcome(await fetch(`${p}?is-onlinebooking-available=maybe`, { headers: READ }), 400, 'MSG_INVALID_FORMAT');
    await assertOutcome(await fetch(p), 401, 'MSG_AUTH_REQUIRED');
    await assertOutcome(await fetch(p, { headers: auth({ scope: 'contract.read' }) }), 403, 'MSG_FORBIDDEN');
  });

  test('writes: validated by the UK Core rules, versioned, If-Match, delete', async () => {
    const base = `${origin()}/Practitioner`;
    const practitioner = {
      resourceType: 'Practitioner',
      identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: 'C1234567' }],
      name: [{ use: 'official', family: 'Quellingsworth', given: ['Ada'] }],
      gender: 'female',
    };
    await assertOutcome(await fetch(base, { method: 'POST', headers: READ, body: JSON.stringify(practitioner) }), 403, 'MSG_FORBIDDEN');
    const created = await fetch(base, { method: 'POST', headers: { ...WRITE, 'content-type': 'application/fhir+json' }, body: JSON.stringify(practitioner) });
    assert.equal(created.status, 201);
    const stored = await created.json();
    assert.equal(stored.meta.versionId, '1');
    assert.equal(created.headers.get('etag'), 'W/"1"');
    const url = `${base}/${stored.id}`;
    assert.deepEqual(await get(url), stored);
    const found = await get(`${base}?family=quellingsworth`);
    assert.deepEqual(found.entry.map((e) => e.resource.id), [stored.id]);
    // an invalid update is refused with 422 and the OperationOutcome naming the element
    const invalid = await fetch(url, { method: 'PUT', headers: WRITE, body: JSON.stringify({ ...stored, gender: 'bogus' }) });
    assert.equal(invalid.status, 422);
    const outcome = await invalid.json();
    assert.ok(outcome.issue.some((i) => i.expression.includes('Practitioner.gender')), JSON.stringify(outcome));
    // a warning (GMC format) does not block the write
    const updated = await fetch(url, { method: 'PUT', headers: { ...WRITE, 'if-match': 'W/"1"' },
      body: JSON.stringify({ ...stored, identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: '1234567' }] }) });
    assert.equal(updated.status, 200);
    assert.equal((await updated.json()).meta.versionId, '2');
    await assertOutcome(await fetch(url, { method: 'PUT', headers: { ...WRITE, 'if-match': 'W/"1"' }, body: JSON.stringify(stored) }), 412, 'MSG_VERSION_CONFLICT');
    await assertOutcome(await fetch(base, { method: 'POST', headers: WRITE, body: '{"resourceType":' }), 400, 'MSG_CANT_PARSE_CONTENT');
    const deleted = await fetch(url, { method: 'DELETE', headers: WRITE });
    assert.equal(deleted.status, 200);
    await assertOutcome(await fetch(url, { headers: READ }), 404, 'MSG_NOT_FOUND');
    assert.deepEqual((await get(`${base}?family=quellingsworth`)).entry ?? [], []);
  });

  test('photos: PNG/JPEG by magic bytes, at most 1 MiB, returned as the documents Parameters', async () => {
    const { get_practitionerphoto_endpoint: url } = await doc();
    await assertOutcome(await fetch(`${url}/SP09000`, { headers: READ }), 422, 'MSG_REFERENCE_ID_NOT_FOUND');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await assertOutcome(await fetch(`${url}/SP09000`, { method: 'PUT', headers: WRITE, body: Buffer.from('GIF89a') }), 400, 'MSG_INVALID_FORMAT');
    await assertOutcome(await fetch(`${url}/NOPE000`, { method: 'PUT', headers: WRITE, body: png }), 422, 'MSG_REFERENCE_ID_NOT_FOUND');
    await assertOutcome(await fetch(`${url}/SP09000`, { method: 'PUT', headers: WRITE, body: Buffer.alloc(1024 * 1024 + 1, 0xff) }), 413, 'MSG_PAYLOAD_TOO_LARGE');
    assert.equal((await fetch(`${url}/SP09000`, { method: 'PUT', headers: WRITE, body: png })).status, 200);
    const photo = await get(`${url}/SP09000`);
    assert.deepEqual(photo, { resourceType: 'Parameters', parameter: [{ name: 'photo', valueAttachment: {
      contentType: 'image/png', data: png.toString('base64'), size: png.length, title: 'Warren_Clinton.png' } }] });
  });
}
