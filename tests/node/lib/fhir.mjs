// Small helpers for asserting FHIR responses.
import assert from 'node:assert/strict';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** Asserts `res` is an OperationOutcome with the given HTTP status and MSG_ code; returns it. */
export async function assertOutcome(res, status, code) {
  assert.equal(res.status, status, `HTTP status of ${res.url}`);
  assert.equal(res.headers.get('content-type'), FHIR_JSON);
  const body = await res.json();
  assert.equal(body.resourceType, 'OperationOutcome');
  assert.equal(body.issue[0].details.coding[0].code, code);
  assert.ok(body.issue[0].diagnostics.length > 0, 'diagnostics present');
  return body;
}
