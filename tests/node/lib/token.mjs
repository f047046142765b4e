// Mints test JWTs: signed with the local dev key (.dev/, made by scripts/setup.sh), or with a
// throwaway key the worker does not know (for the bad-signature case).
import { createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server.mjs';

const devKey = readFileSync(join(ROOT, '.dev/jwt-private.pem'));
const devKid = readFileSync(join(ROOT, '.dev/jwt-kid'), 'utf8').trim();
const rogue = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export const ALL_SCOPES = 'practitioner.read practitioner.write contract.read contract.write';

/** A bearer token; override any claim, or pass { rogue: true } to sign with an unknown key. */
export function token({ sub = 'e2e', scope = ALL_SCOPES, sites = ['*'], ttl = 600, nbf, rogue: useRogue = false, ...extra } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: devKid };
  const claims = {
    sub, scope, sites, iss: 'https://practice-fhir.local/dev', aud: 'practice-fhir',
    iat: now, nbf: nbf ?? now - 5, exp: now + ttl, ...extra,
  };
  const input = `${b64(header)}.${b64(claims)}`;
  const sig = createSign('RSA-SHA256').update(input).sign(useRogue ? rogue : devKey);
  return `${input}.${sig.toString('base64url')}`;
}

/** Headers with a bearer token. */
export function auth(opts = {}, more = {}) {
  return { authorization: `Bearer ${token(opts)}`, ...more };
}
