// Generates the local development key pair used to mint and verify dev JWTs.
// Writes .dev/jwt-private.pem (for `make token`), .dev/jwks.json and .dev.vars (the public
// JWKS the local worker verifies against). Never a production key; .dev/ is ignored by git.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = `dev-${randomUUID().slice(0, 8)}`;
const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
mkdirSync('.dev', { recursive: true });
writeFileSync('.dev/jwt-private.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }));
writeFileSync('.dev/jwt-kid', kid);
writeFileSync('.dev/jwks.json', JSON.stringify({ keys: [jwk] }, null, 2) + '\n');
// wrangler dev reads .dev.vars: the local worker verifies tokens against this key set.
writeFileSync('.dev.vars', `JWKS='${JSON.stringify({ keys: [jwk] })}'\n`);
console.log(`wrote .dev/jwt-private.pem and .dev/jwks.json (kid ${kid})`);
