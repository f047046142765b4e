// The route table seen from outside: every route answers 405 with its `Allow` for the
// methods it does not serve, HEAD answers like GET without a body, and no protected route
// checks a parameter or a body before the token (401 before 400).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auth } from './lib/token.mjs';
import { assertOutcome } from './lib/fhir.mjs';

const P = '/contract/PRICING';
// One sample path per route, with the route's methods in `Allow` order.
export const ROUTES = [
  ['/.well-known/api-configuration', 'GET, HEAD'],
  ['/contract/.well-known/api-configuration', 'GET, HEAD'],
  ['/openapi.json', 'GET, HEAD'],
  ['/metadata', 'GET, HEAD'],
  ['/__panic', 'GET, HEAD'],
  ['/Practitioner', 'GET, HEAD, POST'],
  ['/PractitionerRole', 'GET, HEAD, POST'],
  ['/Location', 'POST'],
  ['/Schedule', 'POST'],
  ['/Practitioner/p1', 'GET, HEAD, PUT, DELETE'],
  ['/PractitionerRole/r1', 'GET, HEAD, PUT, DELETE'],
  ['/Location/l1', 'GET, HEAD, PUT, DELETE'],
  ['/Schedule/s1', 'GET, HEAD, PUT, DELETE'],
  ['/Practitioner/$photo/p1', 'GET, HEAD, PUT'],
  [`${P}/$effective-prices`, 'GET, HEAD'],
  ['/contract/site/s1', 'GET, HEAD'],
  ['/contract/site/s1/$snapshot', 'GET, HEAD, PUT'],
  ['/contract', 'POST'],
  ['/contract/audit', 'GET, HEAD'],
  ['/contract/s1', 'DELETE'],
  [`${P}/$contract-price`, 'POST'],
  [`${P}/$contract-price/s1`, 'DELETE'],
  ['/contract/$calculate-fee', 'GET, HEAD'],
  [`${P}/$validation`, 'GET, HEAD, PUT'],
  [`${P}/$multi-proc`, 'GET, HEAD'],
  [`${P}/$multi-proc-set`, 'GET, HEAD, PUT'],
  ['/valueset/contract-type', 'GET, HEAD'],
  ['/valueset/contract-subtype/PRICING', 'GET, HEAD'],
];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

// GET requests whose HEAD must answer the same status and headers, with an empty body.
const GETS = [
  ['/.well-known/api-configuration', {}],
  ['/metadata', {}],
  ['/openapi.json', {}],
  ['/Practitioner?_count=1', auth()],
  ['/Practitioner', {}],
  ['/Practitioner/does-not-exist', auth()],
  [`${P}/$effective-prices?site=nope`, auth()],
  [`${P}/$multi-proc?site=`, auth()],
  ['/valueset/contract-type', {}],
];

// Protected routes requested with wrong parameters or a wrong body and no token: 401.
const BAD = '{"resourceType":';
const PROTECTED = [
  ['GET', '/Practitioner?bogus=1&gender='],
  ['GET', '/PractitionerRole?bogus=1'],
  ['POST', '/Practitioner', BAD],
  ['POST', '/Location', BAD],
  ['GET', '/Practitioner/bad$id?bogus=1'],
  ['PUT', '/Practitioner/p1', BAD],
  ['DELETE', '/Schedule/s1?bogus=1'],
  ['GET', '/Practitioner/$photo/p1?bogus=1'],
  ['PUT', '/Practitioner/$photo/p1', BAD],
  ['GET', `${P}/$effective-prices?site=`],
  ['GET', `${P}/%24effective-prices?bogus=1`],
  ['GET', '/contract/site/s1?bogus=1&page=x'],
  ['GET', '/contract/site/s1/$snapshot?bogus=1'],
  ['PUT', '/contract/site/s1/$snapshot', BAD],
  ['POST', '/contract', BAD],
  ['GET', '/contract/audit?site='],
  ['DELETE', '/contract/s1?bogus=1'],
  ['POST', `${P}/$contract-price`, BAD],
  ['DELETE', `${P}/$contract-price/s1?bogus=1`],
  ['GET', '/contract/$calculate-fee?site='],
  ['GET', `${P}/$validation?site=`],
  ['PUT', `${P}/$validation`, BAD],
  ['GET', `${P}/$multi-proc?site=`],
  ['GET', `${P}/$multi-proc-set?site=`],
  ['PUT', `${P}/$multi-proc-set`, BAD],
];

export function routeTests(server) {
  const origin = () => server().origin;

  for (const [path, allow] of ROUTES) {
    test(`${path}: every other method is 405 with Allow: ${allow}`, async () => {
      const allowed = allow.split(', ');
      for (const method of METHODS.filter((m) => !allowed.includes(m))) {
        const res = await fetch(origin() + path, { method });
        if (method === 'HEAD') {
          assert.equal(res.status, 405, `${method} ${path}`);
        } else {
          await assertOutcome(res, 405, 'MSG_METHOD_NOT_ALLOWED');
        }
        assert.equal(res.headers.get('allow'), allow, `Allow of ${method} ${path}`);
      }
    });
  }

  test('an encoded $ (%24) finds the same route', async () => {
    const res = await fetch(`${origin()}${P}/%24multi-proc`, { method: 'DELETE' });
    await assertOutcome(res, 405, 'MSG_METHOD_NOT_ALLOWED');
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  test('/contract/audit is its own route: DELETE and PUT are 405, not a payor delete', async () => {
    for (const method of ['DELETE', 'PUT']) {
      const res = await fetch(`${origin()}/contract/audit?payorId=bup&payorType=insurer`, { method, headers: auth() });
      await assertOutcome(res, 405, 'MSG_METHOD_NOT_ALLOWED');
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
    }
    const res = await fetch(`${origin()}/contract/site/s1/$snapshot`, { method: 'POST', headers: auth() });
    await assertOutcome(res, 405, 'MSG_METHOD_NOT_ALLOWED');
    assert.equal(res.headers.get('allow'), 'GET, HEAD, PUT');
  });

  test('paths that are no route are 404 whatever the method', async () => {
    for (const path of [`${P}/$nothing`, '/Practitioner/p1/extra', '/Patient', '/valueset/other']) {
      for (const method of ['GET', 'DELETE', 'OPTIONS']) {
        await assertOutcome(await fetch(origin() + path, { method }), 404, 'MSG_NOT_FOUND');
      }
    }
  });

  for (const [path, headers] of GETS) {
    test(`HEAD ${path} answers like GET, without a body`, async () => {
      const get = await fetch(origin() + path, { headers });
      await get.arrayBuffer();
      const head = await fetch(origin() + path, { method: 'HEAD', headers });
      assert.equal(head.status, get.status);
      for (const name of ['content-type', 'etag', 'www-authenticate', 'allow']) {
        assert.equal(head.headers.get(name), get.headers.get(name), `${name} of HEAD ${path}`);
      }
      assert.equal((await head.arrayBuffer()).byteLength, 0);
    });
  }

  test('no protected route answers 400 before 401', async () => {
    for (const [method, path, body] of PROTECTED) {
      const res = await fetch(origin() + path, {
        method, body, headers: body ? { 'content-type': 'application/fhir+json' } : {},
      });
      const text = await res.text();
      assert.equal(res.status, 401, `${method} ${path}: ${text.slice(0, 300)}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.equal(JSON.parse(text).issue[0].details.coding[0].code, 'MSG_AUTH_REQUIRED');
    }
  });

  test('public routes need no token', async () => {
    for (const path of ['/metadata', '/openapi.json', '/valueset/contract-type', '/valueset/contract-subtype/PRICING']) {
      assert.equal((await fetch(origin() + path)).status, 200, path);
    }
  });
}
