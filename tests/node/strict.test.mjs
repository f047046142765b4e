// Every FHIR response type the worker serves, run through a strict FHIR R4 parser that
// nobody here wrote: fhir.resources (PyPI, pinned in scripts/setup.sh's .venv; its R4B
// classes accept R4 content), via tests/strict/check_r4.py. One test per response type.
// The discovery documents and the $snapshot bodies are plain JSON (application/json), not
// FHIR, so only their errors (OperationOutcome) are checked here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startWorker } from './lib/server.mjs';
import { auth } from './lib/token.mjs';

const PYTHON = join(ROOT, '.venv/bin/python');
const CHECKER = join(ROOT, 'tests/strict/check_r4.py');
const fixture = (name) => JSON.parse(readFileSync(join(ROOT, 'tests/fixtures', name), 'utf8'));
const FHIR = { 'content-type': 'application/fhir+json' };
const P = '/contract/PRICING';
const STRICT_P = { resourceType: 'Practitioner', name: [{ use: 'official', family: 'Strict', given: ['Ida'] }], gender: 'female', birthDate: '1980-02-03' };
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

// [label, status, path, init]: run in this order (writes before the reads that show them).
const CASES = [
  ['CapabilityStatement (/metadata)', 200, '/metadata'],
  ['Practitioner search: searchset Bundle', 200, '/Practitioner?family=Clinton&given=Warren'],
  ['Practitioner read', 200, '/Practitioner/SP09000'],
  ['PractitionerRole search with _include: searchset Bundle', 200, '/PractitionerRole?practitioner=SP09000&_include=PractitionerRole:practitioner&_include=PractitionerRole:location'],
  ['PractitionerRole search near, sorted by distance', 200, '/PractitionerRole?near=51.5203:-0.1566:10:km&_sort=distance&count=5'],
  ['Location read', 200, '/Location/HP005000'],
  ['Practitioner create (201)', 201, '/Practitioner', { method: 'POST', headers: FHIR, body: JSON.stringify(STRICT_P) }],
  ['Practitioner create by id (PUT, 201)', 201, '/Practitioner/STRICT1', { method: 'PUT', headers: FHIR, body: JSON.stringify({ ...STRICT_P, id: 'STRICT1' }) }],
  ['Practitioner update (PUT, 200)', 200, '/Practitioner/STRICT1', { method: 'PUT', headers: FHIR, body: JSON.stringify({ ...STRICT_P, id: 'STRICT1', gender: 'other' }) }],
  ['Practitioner update with Prefer: return=OperationOutcome', 200, '/Practitioner/STRICT1', { method: 'PUT', headers: { ...FHIR, prefer: 'return=OperationOutcome' }, body: JSON.stringify({ ...STRICT_P, id: 'STRICT1' }) }],
  ['412 stale If-Match: OperationOutcome', 412, '/Practitioner/STRICT1', { method: 'PUT', headers: { ...FHIR, 'if-match': 'W/"999"' }, body: JSON.stringify({ ...STRICT_P, id: 'STRICT1' }) }],
  ['Schedule create (201)', 201, '/Schedule', { method: 'POST', headers: FHIR, body: JSON.stringify({ resourceType: 'Schedule', id: 'STRICTS1', actor: [{ reference: 'Practitioner/STRICT1' }] }) }],
  ['Practitioner delete: OperationOutcome', 200, '/Practitioner/STRICT1', { method: 'DELETE' }],
  ['photo upload: Parameters', 200, '/Practitioner/$photo/SP09000', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG }],
  ['photo: Parameters with valueAttachment', 200, '/Practitioner/$photo/SP09000'],
  ['$effective-prices: Bundle of Contracts', 200, `${P}/$effective-prices?site=HC010EO&payor=slh&location=HP002193`],
  ['contract types: ValueSet', 200, '/valueset/contract-type'],
  ['contract sub types: ValueSet', 200, '/valueset/contract-subtype/PRICING'],
  ['payors list: Bundle of Contracts', 200, '/contract/site/HC00PYR'],
  ['add payor: Contract', 200, '/contract', { method: 'POST', headers: FHIR, body: JSON.stringify(fixture('001_05_add_payor_endpoint_request.json')) }],
  ['add contact as payor: Contract', 200, '/contract', { method: 'POST', headers: FHIR, body: JSON.stringify(fixture('001_08_add_contact_as_payor_endpoint_request.json')) }],
  ['delete payor: OperationOutcome', 200, '/contract/HC00HAA?payerId=Organization/slf&payerType=I&providerGroup=0000038225', { method: 'DELETE' }],
  ['$contract-price (service): Contract', 200, `${P}/$contract-price`, { method: 'POST', headers: FHIR, body: JSON.stringify(fixture('001_11_set_contract_service_endpoint_request.json')) }],
  ['$contract-price (bespoke price): Contract', 200, `${P}/$contract-price`, { method: 'POST', headers: FHIR, body: JSON.stringify(fixture('001_21_set_contract_price_withpractitionerbespoke_endpoint_request.json')) }],
  ['delete price: OperationOutcome', 200, `${P}/$contract-price/HC00JXI?indStdCode=C0000010&indStdCodeScheme=ISC&procedureCode=PETSC&procedureScheme=9BUPP`, { method: 'DELETE' }],
  ['$calculate-fee: Contract', 200, '/contract/$calculate-fee?payor=slf&practitioner=SP046728&payor-type=I&provider-type=S&location=HP002166&site=HC00JXI&service-type=ISC/E0002620'],
  ['$calculate-fee with procedures and breakdown: Contract', 200, '/contract/$calculate-fee?service-type=ISC/C0000010&payor-type=I&provider-type=S&payor=bup&procedure-code=CCSD/A3000,9BUPP/AA207&location=HP002694&site=HC00HM4&breakdown=true'],
  ['$validation (service) with a proposed fee: Contract', 200, `${P}/$validation?site=HC00JXI&payorId=slh&codeType=S&code=P0003630&fee=100`],
  ['$validation (procedure): Contract', 200, `${P}/$validation?site=HC00JXI&payorId=slh&code=W3712&codeType=P&practitioner=SP046728`],
  ['$validation PUT (tariffs): Contract', 200, `${P}/$validation`, { method: 'PUT', headers: FHIR, body: JSON.stringify(fixture('001_26_get_price_validation_for_service_endpoint_response.json')) }],
  ['$multi-proc: Contract', 200, `${P}/$multi-proc?site=HC00JXI`],
  ['$multi-proc-set: Contract', 200, `${P}/$multi-proc-set?siteId=HC00JXI&providerGroup=0000011460`],
  ['$multi-proc-set PUT: Contract', 200, `${P}/$multi-proc-set`, { method: 'PUT', headers: FHIR, body: JSON.stringify({ ...fixture('001_29_get_multi_proc_set_endpoint_response.json'), id: '0000037147' }) }],
  ['audit log: Bundle of AuditEvents', 200, '/contract/audit?site=HC00JXI'],
  ['400 unknown parameter: OperationOutcome', 400, '/Practitioner?bogus=1'],
  ['400 unparsable body: OperationOutcome', 400, '/Practitioner', { method: 'POST', headers: FHIR, body: '{"resourceType":' }],
  ['401 no token: OperationOutcome', 401, '/Practitioner', { token: false }],
  ['403 wrong site: OperationOutcome', 403, `${P}/$multi-proc?site=HC00JXI`, { headers: auth({ sites: ['HC00HM4'] }) }],
  ['404 unknown route: OperationOutcome', 404, '/nope'],
  ['404 unknown resource: OperationOutcome', 404, '/Practitioner/NOPE404'],
  ['405 with Allow: OperationOutcome', 405, '/metadata', { method: 'DELETE' }],
  ['413 photo too large: OperationOutcome', 413, '/Practitioner/$photo/SP09000', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: Buffer.alloc(1024 * 1024 + 1, 0xff) }],
  ['422 unknown reference: OperationOutcome', 422, '/contract/$calculate-fee?site=HC00JXI&payor=nope&service-type=ISC/E0002620'],
  ['422 invalid resource (warnings and errors): OperationOutcome', 422, '/Practitioner', { method: 'POST', headers: FHIR, body: JSON.stringify({ resourceType: 'Practitioner', name: [{ family: 'X' }], birthDate: '09.05.1977' }) }],
  ['$snapshot error: OperationOutcome', 400, '/contract/site/HC00JXI/$snapshot?_lastUpdated=yesterday'],
];

let server;
const results = new Map();

before(async () => {
  assert.ok(existsSync(PYTHON), `${PYTHON} missing: run scripts/setup.sh`);
  // PF_E2E_ORIGIN: check a worker already running (seeded) instead of starting one.
  server = process.env.PF_E2E_ORIGIN ? { origin: process.env.PF_E2E_ORIGIN } : await startWorker();
  const lines = [];
  for (const [label, , path, init = {}] of CASES) {
    const { token = true, headers = {}, ...rest } = init;
    const res = await fetch(server.origin + path, { ...rest, headers: token ? { ...auth(), ...headers } : headers });
    const text = await res.text();
    let body;
    try { body = JSON.parse(text); } catch { body = text; }
    results.set(label, { status: res.status, type: res.headers.get('content-type'), body });
    lines.push(JSON.stringify({ label, body }));
  }
  const py = spawnSync(PYTHON, [CHECKER], { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, py.stderr);
  for (const line of py.stdout.trim().split('\n')) {
    const r = JSON.parse(line);
    Object.assign(results.get(r.label), { strict: r });
  }
});
after(async () => { await server?.stop?.(); });

for (const [label, status] of CASES) {
  test(`strict R4 (fhir.resources): ${label}`, () => {
    const r = results.get(label);
    assert.ok(r, 'no response recorded');
    assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 400));
    assert.match(r.type ?? '', /^application\/fhir\+json/);
    assert.ok(r.strict, 'the checker gave no verdict');
    assert.equal(r.strict.error, null, `${r.strict.resourceType}: ${r.strict.error}`);
    assert.equal(r.strict.ok, true);
  });
}

test('strict R4: the checker refuses what R4 refuses (a birthDate in dd.mm.yyyy, a term without offer)', () => {
  const bad = [
    { label: 'date', body: { resourceType: 'Practitioner', birthDate: '09.05.1977' } },
    { label: 'offer', body: { resourceType: 'Contract', term: [{ asset: [{ valuedItem: [{ net: { value: 1 } }] }] }] } },
    { label: 'timestamp', body: { resourceType: 'ValueSet', status: 'active', expansion: { contains: [] } } },
  ];
  const py = spawnSync(PYTHON, [CHECKER], { input: bad.map((b) => JSON.stringify(b)).join('\n'), encoding: 'utf8' });
  const verdicts = py.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(verdicts.map((v) => [v.label, v.ok]), [['date', false], ['offer', false], ['timestamp', false]]);
  assert.match(verdicts[0].error, /birthDate/);
  assert.match(verdicts[1].error, /term\.0\.offer/);
  assert.match(verdicts[2].error, /expansion\.timestamp/);
});
