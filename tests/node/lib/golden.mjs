// Compares a response with a seed sample as a subset: every element of the sample is present
// in our answer and equal; our extras are allowed (what FHIR R4 requires and the samples leave
// out, e.g. Contract.term.offer and ValueSet.expansion.timestamp, SPEC-NOTES "Valid R4 beyond
// the samples"; meta.versionId / meta.lastUpdated that every write adds). Arrays compare item
// by item and must have the sample's length. Numbers compare as JSON.parse reads them (the
// seed writes 80 where we write 80.00).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server.mjs';

export function fixture(name) {
  return JSON.parse(readFileSync(join(ROOT, 'tests/fixtures', name), 'utf8'));
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `actual` cut down to the elements `expected` has (so deepEqual shows only real differences). */
export function projectOnto(actual, expected) {
  if (isObject(actual) && isObject(expected)) {
    const out = {};
    for (const k of Object.keys(expected)) if (k in actual) out[k] = projectOnto(actual[k], expected[k]);
    return out;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.map((item, i) => (i < expected.length ? projectOnto(item, expected[i]) : item));
  }
  return actual;
}

export function assertGolden(actual, expected, what) {
  assert.deepEqual(projectOnto(actual, expected), expected, what);
}
