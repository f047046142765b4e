// Issue 14 end to end, against the built worker under `wrangler dev`: OpenID Connect issuers
// (stub issuers on loopback that rotate their keys, go down, or serve bad documents), CORS
// (plain fetch and headless Chromium with pages on a second loopback origin), request ids,
// the JSON log line, and a 500 whose diagnostics carry the request id.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { launchChromium } from './lib/browser.mjs';
import { startWorker } from './lib/server.mjs';
import { assertOutcome } from './lib/fhir.mjs';
import { token as devToken } from './lib/token.mjs';

const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const rsa = (kid) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg: 'RS256', privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
};
const ec = (kid) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg: 'ES256', privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
};

/** A token of `iss` signed with `key` (its kid in the header). */
function mint(iss, key, { kid = key.kid, scope = 'practitioner.read', sub = 'oidc-user', ...extra } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: key.alg, typ: 'JWT', kid })}.${b64({
    iss, sub, aud: 'practice-fhir', iat: now, nbf: now - 5, exp: now + 600, scope, sites: ['*'], ...extra,
  })}`;
  const sig = key.alg === 'RS256'
    ? createSign('RSA-SHA256').update(input).sign(key.privateKey)
    : createSign('SHA256').update(input).sign({ key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** A stub OpenID Connect provider on loopback: issuers under path prefixes, fetches counted. */
function stubIssuer(routes) {
  const counts = {};
  const server = createServer((req, res) => {
    counts[req.url] = (counts[req.url] ?? 0) + 1;
    const route = routes(`http://127.0.0.1:${server.address().port}`)[req.url];
    if (!route) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    res.end(typeof route === 'function' ? route() : route);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${server.address().port}`;
    resolve({ base, counts, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) });
  }));
}

const keyA = rsa('a1');
const keyB = rsa('b1');
const keyC = rsa('c1');
const keyE = ec('e1');
let current = [keyA];
let good; // rotates: `current` is what it publishes
let other; // a second issuer (EC keys) and the bad documents
let pages; // the pages Chromium loads, on a second loopback origin
let server;

const discovery = (base, path, jwks = `${base}${path}/jwks`) => JSON.stringify({ issuer: `${base}${path}`, jwks_uri: jwks });
const SEARCH = '/Practitioner?_count=1';

before(async () => {
  good = await stubIssuer((base) => {
    return {
      '/good/.well-known/openid-configuration': discovery(base, '/good'),
      '/good/jwks': () => JSON.stringify({ keys: current.map((k) => k.jwk) }),
    };
  });
  other = await stubIssuer((base) => {
    return {
      '/other/.well-known/openid-configuration': discovery(base, '/other'),
      '/other/jwks': JSON.stringify({ keys: [keyE.jwk] }),
      '/bad-discovery/.well-known/openid-configuration': '<html>login</html>',
      '/bad-jwks/.well-known/openid-configuration': discovery(base, '/bad-jwks'),
      '/bad-jwks/jwks': 'not json',
      '/wrong-kty/.well-known/openid-configuration': discovery(base, '/wrong-kty'),
      '/wrong-kty/jwks': JSON.stringify({ keys: [{ ...keyE.jwk, kid: 'a1' }] }),
      '/wrong-issuer/.well-known/openid-configuration': discovery(base, '/someone-else', `${base}/other/jwks`),
      '/http-jwks/.well-known/openid-configuration': JSON.stringify({ issuer: `${base}/http-jwks`, jwks_uri: 'http://keys.example/jwks' }),
    };
  });
  pages = await new Promise((resolve) => {
    const srv = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>clinic app</title><p>booking</p>');
    });
    srv.listen(0, '127.0.0.1', () => resolve({ port: srv.address().port, close: () => new Promise((r) => srv.close(r)) }));
  });
  const issuers = ['/good', '/bad-discovery', '/bad-jwks', '/wrong-kty', '/wrong-issuer', '/http-jwks']
    .map((p) => (p === '/good' ? good.base : other.base) + p);
  server = await startWorker({
    seed: false,
    build: false, // scripts/test.sh built worker/build/ already

    vars: {
      PANIC_TEST_ROUTE: '1',
      // A broken static key set: tokens of the dev issuer meet a deployment error (the 500 test).
      JWKS: 'not-json',
      OIDC_ISSUER: [...issuers, `${other.base}/other`, 'http://issuer.example'].join(' '),
      OIDC_REFETCH_SECONDS: '2',
      OIDC_CACHE_MIN_SECONDS: '1',
      OIDC_CACHE_MAX_SECONDS: '6',
      ALLOWED_ORIGINS: `http://127.0.0.1:${pages.port} https://clinic.example`,
    },
  });
});

after(async () => {
  await server?.stop();
  await Promise.all([good?.close(), other?.close(), pages?.close()]);
});

/** Waits (up to 5 s) until wrangler's output shows `re`: workerd's console reaches it late. */
async function logged(re) {
  for (let i = 0; i < 50 && !re.test(server.log()); i++) await new Promise((r) => setTimeout(r, 100));
}
const otherToken = (opts) => mint(`${other.base}/other`, keyE, opts);
const search = (tok, headers = {}) => fetch(server.origin + SEARCH, { headers: { authorization: `Bearer ${tok}`, ...headers } });
const jwksFetches = () => good.counts['/good/jwks'] ?? 0;
async function refused(res, diagnostics) {
  const body = await assertOutcome(res, 401, 'MSG_AUTH_REQUIRED');
  assert.equal(body.issue[0].diagnostics, diagnostics);
}

describe('OpenID Connect issuers', () => {
  test('keys come from the discovery document, are cached, rotate, and keep verifying with the issuer down', async () => {
    const iss = `${good.base}/good`;
    assert.equal((await search(mint(iss, keyA))).status, 200);
    assert.equal(jwksFetches(), 1);
    assert.equal(good.counts['/good/.well-known/openid-configuration'], 1);
    assert.equal((await search(mint(iss, keyA))).status, 200);
    assert.equal((await search(mint(iss, keyA, { sub: 'second' }))).status, 200);
    assert.equal(jwksFetches(), 1, 'cached: no refetch for a known kid');

    current = [keyB]; // the provider rotates
    assert.equal((await search(mint(iss, keyB))).status, 200);
    assert.equal(jwksFetches(), 2, 'an unknown kid refetched once');
    await refused(await search(mint(iss, keyC)), 'Authorization: the token was not signed by a known key.');
    await refused(await search(mint(iss, keyC)), 'Authorization: the token was not signed by a known key.');
    assert.equal(jwksFetches(), 2, 'no second refetch within the interval');
    await refused(await search(mint(iss, keyA)), 'Authorization: the token was not signed by a known key.');
    // A key of the set signing a token under another kid is a bad signature.
    await refused(await search(mint(iss, keyA, { kid: 'b1' })), 'Authorization: the token signature is not valid.');

    // The issuer goes down; once the keys are stale (6 s) they are refetched, which fails,
    // and the keys held keep verifying.
    await good.close();
    await new Promise((r) => setTimeout(r, 6500));
    assert.equal((await search(mint(iss, keyB))).status, 200);
    assert.equal((await search(mint(iss, keyB))).status, 200);
    assert.equal(jwksFetches(), 2);
    await logged(/"fetch_failed"/);
    assert.match(server.log(), /"fetch_failed":"Authorization: the discovery document of issuer 'http:\/\/127\.0\.0\.1:\d+\/good' could not be fetched \(unreachable\)\."/);
  });

  test('another issuer with EC keys; an issuer that is not configured is refused without a fetch', async () => {
    const before = other.counts['/other/jwks'] ?? 0;
    assert.equal((await search(mint(`${other.base}/other`, keyE))).status, 200);
    assert.equal(other.counts['/other/jwks'], before + 1);
    await refused(await search(mint(`${other.base}/unknown`, keyE)), 'Authorization: the token issuer is not accepted.');
    assert.equal(other.counts['/unknown/.well-known/openid-configuration'], undefined);
  });

  test('bad documents and issuer URLs are clear 401s, never a 500', async () => {
    const cases = [
      ['/bad-discovery', keyA, "the discovery document of issuer '{iss}' is not JSON."],
      ['/bad-jwks', keyA, "the key set of issuer '{iss}' is not JSON."],
      ['/wrong-kty', keyA, 'the key the token names is not of the type its algorithm needs.'],
      ['/wrong-issuer', keyE, "the discovery document of issuer '{iss}' names another issuer."],
      ['/http-jwks', keyA, "the discovery document of issuer '{iss}' has an unusable jwks_uri: 'http://keys.example/jwks' is not https."],
    ];
    for (const [path, key, why] of cases) {
      const iss = other.base + path;
      await refused(await search(mint(iss, key)), `Authorization: ${why.replace('{iss}', iss)}`);
    }
    await refused(await search(mint('http://issuer.example', keyA)),
      "Authorization: the token issuer is not accepted: OIDC_ISSUER: 'http://issuer.example' is not https.");
    await refused(await search(mint(`${other.base}/other`, { ...keyE, alg: 'HS256' })),
      'Authorization: the token algorithm must be RS256 or ES256.');
  });
});

describe('request ids and log lines', () => {
  test('a well-formed client id is echoed, anything else replaced by a new one', async () => {
    const mine = await fetch(`${server.origin}/metadata`, { headers: { 'x-request-id': 'client-42.a_b:c' } });
    assert.equal(mine.headers.get('x-request-id'), 'client-42.a_b:c');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const hostile of ['x'.repeat(129), 'has space', '<script>', 'a/b']) {
      const res = await fetch(`${server.origin}/metadata`, { headers: { 'x-request-id': hostile } });
      assert.match(res.headers.get('x-request-id'), uuid, hostile);
    }
    assert.match((await fetch(`${server.origin}/nowhere`)).headers.get('x-request-id'), uuid);
  });

  test('one JSON line per request: id, method, route template, status, duration, site, hashed sub', async () => {
    const tok = otherToken({ sub: 'dr-jones', scope: 'contract.read' });
    const res = await fetch(`${server.origin}/contract/site/HCLOG01`, { headers: { authorization: `Bearer ${tok}`, 'x-request-id': 'log-test-1' } });
    await res.arrayBuffer();
    await logged(/"id":"log-test-1"/);
    const lines = server.log().split('\n').filter((l) => l.includes('"id":"log-test-1"'));
    assert.equal(lines.length, 1, server.log().slice(-2000));
    const line = JSON.parse(lines[0].slice(lines[0].indexOf('{')));
    const sub = createHash('sha256').update('dr-jones').digest('hex').slice(0, 16);
    assert.deepEqual({ ...line, ms: typeof line.ms }, {
      id: 'log-test-1', method: 'GET', route: '/contract/site/{site}', status: res.status, ms: 'number', site: 'HCLOG01', sub,
    });
    const all = server.log();
    assert.ok(!all.includes(tok) && !all.includes(tok.split('.')[1]), 'no token in the log');
    assert.ok(!all.includes('dr-jones'), 'no raw sub in the log');
  });

  test('a 500 logs the id with the error and the diagnostics carry it', async () => {
    // The static key set is broken (JWKS=not-json): a deployment error, the detail only logged.
    const res = await search(devToken(), { 'x-request-id': 'broken-1' });
    const body = await assertOutcome(res, 500, 'MSG_INTERNAL_ERROR');
    assert.equal(res.headers.get('x-request-id'), 'broken-1');
    assert.equal(body.issue[0].diagnostics, 'The request could not be processed. (request id broken-1)');
    // The panic safety net (worker/entry.mjs) does the same.
    const boom = await fetch(`${server.origin}/__panic`, { headers: { 'x-request-id': 'panic-2' } });
    const panicBody = await assertOutcome(boom, 500, 'MSG_INTERNAL_ERROR');
    assert.equal(boom.headers.get('x-request-id'), 'panic-2');
    assert.equal(panicBody.issue[0].diagnostics, 'The request could not be processed. (request id panic-2)');
    await logged(/"id":"broken-1"/);
    await logged(/"id":"panic-2"/);
    const lineOf = (id) => {
      const line = server.log().split('\n').find((l) => l.includes(`"id":"${id}"`) && l.includes('"status":500'));
      assert.ok(line, server.log().slice(-2000));
      return JSON.parse(line.slice(line.indexOf('{'), line.lastIndexOf('}') + 1));
    };
    assert.deepEqual({ ...lineOf('broken-1'), ms: 0 }, {
      id: 'broken-1', method: 'GET', route: '/Practitioner', status: 500, ms: 0, site: null, sub: null,
      error: "the static key set is unusable: Authorization: the key set of issuer 'JWKS' is not JSON.",
    });
    assert.equal(lineOf('panic-2').error, 'unhandled error in the Rust worker: panic in the Rust worker');
  });
});

describe('CORS', () => {
  const allowed = () => `http://127.0.0.1:${pages.port}`;

  test('preflight from an allowed origin is 204 with the CORS headers', async () => {
    const res = await fetch(`${server.origin}/contract/site/HC00JXI/$snapshot`, {
      method: 'OPTIONS',
      headers: { origin: 'https://clinic.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, if-match' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://clinic.example');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, HEAD, PUT');
    assert.equal(res.headers.get('access-control-allow-headers'),
      'authorization, content-type, if-match, if-none-match, prefer, x-d1-bookmark, x-request-id');
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.match(res.headers.get('vary'), /Origin/);
    assert.ok(res.headers.get('x-request-id'));
  });

  test('no CORS for other origins, hostile origins, or OPTIONS without a preflight', async () => {
    for (const origin of ['https://evil.example', `https://${'a'.repeat(300)}.example`, 'null']) {
      const pre = await fetch(`${server.origin}/metadata`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
      await assertOutcome(pre, 405, 'MSG_METHOD_NOT_ALLOWED');
      assert.equal(pre.headers.get('allow'), 'GET, HEAD');
      assert.equal(pre.headers.get('access-control-allow-origin'), null);
      const get = await fetch(`${server.origin}/metadata`, { headers: { origin } });
      assert.equal(get.status, 200);
      assert.deepEqual([...get.headers.keys()].filter((h) => h.startsWith('access-control-')), []);
    }
    const plain = await fetch(`${server.origin}/metadata`, { method: 'OPTIONS' });
    await assertOutcome(plain, 405, 'MSG_METHOD_NOT_ALLOWED');
  });

  test('actual responses to an allowed origin expose ETag, Location, the bookmark and the id; /metadata says cors', async () => {
    const res = await fetch(`${server.origin}/metadata`, { headers: { origin: 'https://clinic.example' } });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://clinic.example');
    assert.equal(res.headers.get('access-control-expose-headers'), 'etag, location, x-d1-bookmark, x-request-id');
    assert.equal(res.headers.get('vary'), 'Origin');
    assert.equal((await res.json()).rest[0].security.cors, true);
  });

  test('headless Chromium: a page on an allowed origin calls the API with a token; a disallowed origin is refused', async () => {
    const browser = await launchChromium();
    try {
      const call = async (pageOrigin) => {
        const page = await browser.newPage();
        await page.goto(`${pageOrigin}/app`);
        const result = await page.evaluate(async ({ api, tok }) => {
          try {
            const res = await fetch(`${api}/Practitioner?_count=1`, {
              headers: { authorization: `Bearer ${tok}`, 'x-request-id': 'browser-1', prefer: 'handling=lenient' },
            });
            return { status: res.status, id: res.headers.get('x-request-id'), type: (await res.json()).resourceType };
          } catch (e) {
            return { error: `${e.name}: ${e.message}` };
          }
        }, { api: server.origin, tok: otherToken() });
        await page.close();
        return result;
      };
      assert.deepEqual(await call(allowed()), { status: 200, id: 'browser-1', type: 'Bundle' });
      // Same page server, another origin (localhost is not 127.0.0.1): the browser refuses.
      assert.deepEqual(await call(`http://localhost:${pages.port}`), { error: 'TypeError: Failed to fetch' });
    } finally {
      await browser.close();
    }
  });
});

describe('claim names (SCOPE_CLAIM, SITES_CLAIM) as a provider writes them', () => {
  let named;
  before(async () => {
    named = await startWorker({
      seed: false,
      build: false,
      vars: {
        OIDC_ISSUER: `${other.base}/other`,
        SCOPE_CLAIM: 'scp',
        SITES_CLAIM: 'https://clinic.example/sites',
      },
    });
  });
  after(async () => { await named?.stop(); });

  const call = (path, claims) => fetch(named.origin + path, {
    headers: { authorization: `Bearer ${otherToken({ scope: undefined, sites: undefined, ...claims })}` },
  });

  test('scopes from an scp array, sites from a namespaced claim', async () => {
    assert.equal((await call(SEARCH, { scp: ['practitioner.read'] })).status, 200);
    const noScope = await assertOutcome(await call(SEARCH, { scope: 'practitioner.read', scp: ['contract.read'] }), 403, 'MSG_FORBIDDEN');
    assert.equal(noScope.issue[0].diagnostics, "The token lacks the scope 'practitioner.read'.");
    const site = await assertOutcome(
      await call('/contract/site/HCOTHER', { scp: 'contract.read', 'https://clinic.example/sites': ['HCMINE'], sites: ['*'] }),
      403, 'MSG_FORBIDDEN');
    assert.equal(site.issue[0].diagnostics, "The token does not grant access to site 'HCOTHER'.");
    const mine = await call('/contract/site/HCMINE', { scp: 'contract.read', 'https://clinic.example/sites': 'HCMINE HCOTHER' });
    assert.notEqual(mine.status, 403);
    assert.notEqual(mine.status, 401);
  });
});
