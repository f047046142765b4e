// Compares a response with a seed sample: numbers as decimals (the seed writes 80 where we
// write 80.00; JSON.parse already makes those equal), and meta.versionId / meta.lastUpdated
// (which every write adds) ignored when the sample has no meta.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server.mjs';

export function fixture(name) {
  return JSON.parse(readFileSync(join(ROOT, 'tests/fixtures', name), 'utf8'));
}

export function assertGolden(actual, expected, what) {
  const a = structuredClone(actual);
  if (expected && typeof expected === 'object' && !('meta' in expected) && a && typeof a === 'object') delete a.meta;
  assert.deepEqual(a, expected, what);
}
