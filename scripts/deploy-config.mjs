// The wrangler configuration of a Cloudflare environment (`[env.staging]`, `[env.production]`
// in wrangler.toml), read and written for scripts/deploy.sh. Edits are line based and
// idempotent: the D1 database id, the KV namespace id and the vars of `[env.<name>.vars]`;
// everything else in the file is kept byte for byte.
//   node scripts/deploy-config.mjs show <env> [file]            prints {d1Name, d1Id, kvId, vars} as JSON
//   node scripts/deploy-config.mjs set <env> [--file f] [--out o] d1=<id> kv=<id> var:NAME=value ...
//   node scripts/deploy-config.mjs no-build - [--file f] [--out o]  the file without [build]
import { readFileSync, writeFileSync } from 'node:fs';

export const PLACEHOLDER_D1 = '00000000-0000-0000-0000-000000000000';
export const PLACEHOLDER_KV = '00000000000000000000000000000000';

const header = (line) => line.match(/^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/)?.[1];
const keyOf = (line) => line.match(/^\s*([A-Za-z0-9_-]+)\s*=/)?.[1];
const valueOf = (line) => {
  const m = line.match(/=\s*"((?:[^"\\]|\\.)*)"/);
  return m ? JSON.parse(`"${m[1]}"`) : undefined;
};

/** The environment's ids and vars. */
export function read(text, env) {
  const out = { d1Name: undefined, d1Id: undefined, kvId: undefined, vars: {}, found: false };
  let table;
  for (const line of text.split('\n')) {
    table = header(line) ?? table;
    if (header(line)) { if (table === `env.${env}`) out.found = true; continue; }
    const key = keyOf(line);
    if (table === `env.${env}.d1_databases` && key === 'database_id') out.d1Id = valueOf(line);
    if (table === `env.${env}.d1_databases` && key === 'database_name') out.d1Name = valueOf(line);
    if (table === `env.${env}.kv_namespaces` && key === 'id') out.kvId = valueOf(line);
    if (table === `env.${env}.vars` && key) out.vars[key] = valueOf(line);
  }
  return out;
}

/** The file with the environment's ids and vars set (others kept). */
export function write(text, env, { d1Id, kvId, vars = {} } = {}) {
  if (!read(text, env).found) throw new Error(`wrangler.toml has no [env.${env}] section`);
  const lines = text.split('\n');
  const out = [];
  const pending = new Map(Object.entries(vars));
  let table;
  let varsEnd = -1;
  for (const line of lines) {
    const h = header(line);
    if (h) {
      if (table === `env.${env}.vars`) varsEnd = out.length;
      table = h;
      out.push(line);
      continue;
    }
    const key = keyOf(line);
    const set = (value) => line.replace(/=\s*"((?:[^"\\]|\\.)*)"/, `= ${JSON.stringify(value)}`);
    if (table === `env.${env}.d1_databases` && key === 'database_id' && d1Id) out.push(set(d1Id));
    else if (table === `env.${env}.kv_namespaces` && key === 'id' && kvId) out.push(set(kvId));
    else if (table === `env.${env}.vars` && key && pending.has(key)) {
      out.push(`${key} = ${JSON.stringify(pending.get(key))}`);
      pending.delete(key);
    } else out.push(line);
  }
  if (table === `env.${env}.vars`) varsEnd = out.length;
  if (pending.size) {
    if (varsEnd < 0) {
      out.push(`[env.${env}.vars]`);
      varsEnd = out.length;
    }
    // New vars go right after the section's last non-blank line.
    let at = varsEnd;
    while (at > 0 && out[at - 1].trim() === '') at--;
    out.splice(at, 0, ...[...pending].map(([k, v]) => `${k} = ${JSON.stringify(v)}`));
  }
  return out.join('\n');
}

/** The file without its `[build]` table: wrangler then uses worker/build/ as it is. */
export function withoutBuild(text) {
  const out = [];
  let table;
  for (const line of text.split('\n')) {
    table = header(line) ?? table;
    if (table !== 'build') out.push(line);
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, env, ...rest] = process.argv.slice(2);
  let file = 'wrangler.toml';
  let outFile;
  const change = { vars: {} };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--file') file = rest[++i];
    else if (a === '--out') outFile = rest[++i];
    else if (a.startsWith('d1=')) change.d1Id = a.slice(3);
    else if (a.startsWith('kv=')) change.kvId = a.slice(3);
    else if (a.startsWith('var:')) {
      const [k, ...v] = a.slice(4).split('=');
      change.vars[k] = v.join('=');
    } else if (cmd === 'show') file = a;
    else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  const text = readFileSync(file, 'utf8');
  if (cmd === 'show') {
    const r = read(text, env);
    if (!r.found) { console.error(`${file} has no [env.${env}] section`); process.exit(2); }
    console.log(JSON.stringify(r));
  } else if (cmd === 'no-build') {
    writeFileSync(outFile ?? file, withoutBuild(text));
  } else if (cmd === 'set') {
    writeFileSync(outFile ?? file, write(text, env, change));
  } else {
    console.error('usage: deploy-config.mjs show <env> [file] | set <env> [--file f] [--out o] d1=<id> kv=<id> var:NAME=value');
    process.exit(2);
  }
}
