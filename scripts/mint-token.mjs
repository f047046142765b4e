// Mints a local development JWT (RS256) signed with .dev/jwt-private.pem, which the local
// worker verifies against .dev/jwks.json. Usage:
//   node scripts/mint-token.mjs [--sub dev] [--scope "contract.read contract.write"] [--sites "*"] [--ttl 3600]
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev' },
    scope: { type: 'string', default: 'practitioner.read practitioner.write contract.read contract.write' },
    sites: { type: 'string', default: '*' },
    ttl: { type: 'string', default: '3600' },
    iss: { type: 'string', default: 'https://practice-fhir.local/dev' },
    aud: { type: 'string', default: 'practice-fhir' },
  },
});
const b64url = (buf) => Buffer.from(buf).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const header = { alg: 'RS256', typ: 'JWT', kid: readFileSync('.dev/jwt-kid', 'utf8').trim() };
const claims = {
  sub: values.sub, iss: values.iss, aud: values.aud, iat: now, nbf: now - 5,
  exp: now + Number(values.ttl), scope: values.scope,
  sites: values.sites === '*' ? ['*'] : values.sites.split(',').map((s) => s.trim()),
};
const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
const signature = createSign('RSA-SHA256').update(input).sign(readFileSync('.dev/jwt-private.pem'));
console.log(`${input}.${b64url(signature)}`);
