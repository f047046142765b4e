// End-to-end tests against the built worker under `wrangler dev` (real workerd, local D1/KV),
// and the fee-preview page it serves, driven in headless Chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker } from './lib/server.mjs';
import { assertOutcome } from './lib/fhir.mjs';
import { pageTests } from './page.mjs';
import { contractTests } from './contracts.mjs';
import { directoryTests } from './directory.mjs';
import { routeTests } from './routes.mjs';

let server;
before(async () => { server = await startWorker({ vars: { PANIC_TEST_ROUTE: '1' } }); });
after(async () => { await server?.stop(); });

const PM_KEYS = ['search_practitioner_endpoint', 'get_practitionerphoto_endpoint', 'search_practitionerrole_endpoint'];
const CONTRACT_KEYS = [
  'get_effective_prices_endpoint', 'get_contract_type_list', 'get_contract_subtype_list',
  'get_payors_list_endpoint', 'add_payor_endpoint', 'delete_payor_endpoint',
  'add_contact_as_payor_endpoint', 'delete_contact_as_payor_endpoint',
  'set_contract_service_endpoint', 'delete_contract_service_endpoint',
  'set_contract_service_withprocedure_endpoint', 'delete_contract_service_withprocedure_endpoint',
  'set_contract_price_endpoint', 'set_contract_price_withlocation_endpoint',
  'set_contract_price_withpractitionerbespoke_endpoint', 'delete_contract_price_endpoint',
  'calculate_service_fee_endpoint', 'calculate_service_fee_withprocedure_endpoint',
  'get_price_validation_for_service_endpoint', 'get_price_validation_for_procedure_endpoint',
  'get_multi_proc_endpoint', 'get_multi_proc_set_endpoint',
];

describe('discovery', () => {
  for (const path of ['/.well-known/api-configuration', '/contract/.well-known/api-configuration']) {
    test(`${path} names every key with an absolute URL from the request origin`, async () => {
      const res = await fetch(server.origin + path);
      assert.equal(res.status, 200);
      const doc = await res.json();
      assert.equal(CONTRACT_KEYS.length, 22);
      for (const key of [...PM_KEYS, ...CONTRACT_KEYS]) {
        assert.ok(typeof doc[key] === 'string', `key ${key}`);
        assert.ok(doc[key].startsWith(server.origin + '/'), `${key} = ${doc[key]}`);
      }
      assert.equal(doc.get_effective_prices_endpoint, `${server.origin}/contract/PRICING/$effective-prices`);
      assert.equal(doc.search_practitioner_endpoint, `${server.origin}/Practitioner`);
    });
  }

  test('discovery needs no token', async () => {
    const res = await fetch(`${server.origin}/.well-known/api-configuration`);
    assert.equal(res.status, 200);
  });

  test('/metadata is a CapabilityStatement', async () => {
    const res = await fetch(`${server.origin}/metadata`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/fhir+json; charset=utf-8');
    const cs = await res.json();
    assert.equal(cs.resourceType, 'CapabilityStatement');
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.equal(cs.implementation.url, server.origin);
  });
});

describe('errors', () => {
  test('unknown route is a 404 OperationOutcome naming the path', async () => {
    const body = await assertOutcome(await fetch(`${server.origin}/nope/nothing`), 404, 'MSG_NOT_FOUND');
    assert.match(body.issue[0].diagnostics, /\/nope\/nothing/);
  });

  test('a panic still answers a 500 OperationOutcome, and the next request is served', async () => {
    const body = await assertOutcome(await fetch(`${server.origin}/__panic`), 500, 'MSG_INTERNAL_ERROR');
    assert.doesNotMatch(JSON.stringify(body), /deliberate|panic|\.rs/);
    assert.equal((await fetch(`${server.origin}/metadata`)).status, 200);
  });

  test('wrong method on a known route is 405 with Allow', async () => {
    const res = await fetch(`${server.origin}/metadata`, { method: 'DELETE' });
    await assertOutcome(res, 405, 'MSG_METHOD_NOT_ALLOWED');
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

describe('routes', () => routeTests(() => server));

describe('contracts', () => contractTests(() => server));

describe('directory', () => directoryTests(() => server));

describe('page', () => pageTests(() => server.origin));
