// Writes pkg/package.json and the small entry files around wasm-bindgen's output: one npm
// package `practice-fhir` with two entries, each in three builds chosen through "exports":
//   practice-fhir       (FHIR parse/validate, checkIdentifier, contracts and fees)
//   practice-fhir/fees  (contracts and fees only: a smaller wasm for booking pages)
// - browsers and bundlers (Vite, webpack, esbuild --platform=browser): the ES module build
//   (`--target web`; `await init()` first, the bundler emits the wasm as an asset);
// - Node, ESM and CommonJS alike: the CommonJS build under node/ (loads its wasm
//   synchronously; Node's ESM loader sees its named exports);
// - Cloudflare Workers (the `workerd` condition wrangler and esbuild use): workerd.js, which
//   imports the wasm as a compiled module, as Workers require, and instantiates it at once.
import { readFileSync, writeFileSync, rmSync, existsSync, copyFileSync } from 'node:fs';

const cargo = readFileSync('Cargo.toml', 'utf8');
const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
const description = /^description\s*=\s*"([^"]+)"/m.exec(cargo)[1];

const entries = [
  { dir: '.', name: 'practice_fhir', subpath: '.' },
  { dir: 'fees', name: 'practice_fhir_fees', subpath: './fees' },
];
const exportsMap = {};
const files = ['README.md'];
for (const { dir, name, subpath } of entries) {
  const at = (f) => (dir === '.' ? f : `${dir}/${f}`);
  for (const stray of [at('.gitignore'), at('node/.gitignore'), at('node/package.json')]) {
    if (existsSync(`pkg/${stray}`)) rmSync(`pkg/${stray}`);
  }
  // The Node build is CommonJS; in a "type": "module" package it needs the .cjs extension.
  const nodeJs = `pkg/${at(`node/${name}.js`)}`;
  if (existsSync(nodeJs)) {
    writeFileSync(`pkg/${at(`node/${name}.cjs`)}`, readFileSync(nodeJs, 'utf8'));
    rmSync(nodeJs);
  }
  writeFileSync(`pkg/${at('workerd.js')}`, [
    '// Cloudflare Workers: the wasm comes in as a compiled WebAssembly.Module (Workers allow no',
    '// compiling at run time) and is instantiated synchronously, so every export works at once.',
    `import wasm from './${name}_bg.wasm';`,
    `import { initSync } from './${name}.js';`,
    'initSync({ module: wasm });',
    `export * from './${name}.js';`,
    `export { default } from './${name}.js';`,
    '',
  ].join('\n'));
  const types = `./${at(`${name}.d.ts`)}`;
  exportsMap[subpath] = {
    workerd: { types, default: `./${at('workerd.js')}` },
    node: { types: `./${at(`node/${name}.d.ts`)}`, default: `./${at(`node/${name}.cjs`)}` },
    default: { types, default: `./${at(`${name}.js`)}` },
  };
  exportsMap[`./${at(`${name}_bg.wasm`)}`] = `./${at(`${name}_bg.wasm`)}`;
  files.push(
    at(`${name}.js`), at(`${name}.d.ts`), at(`${name}_bg.wasm`), at(`${name}_bg.wasm.d.ts`), at('workerd.js'),
    at(`node/${name}.cjs`), at(`node/${name}.d.ts`), at(`node/${name}_bg.wasm`),
  );
}
exportsMap['./package.json'] = './package.json';
const pkg = {
  name: 'practice-fhir',
  version,
  description,
  license: 'MIT',
  repository: { type: 'git', url: 'https://example.invalid/practice-fhir' },
  keywords: ['fhir', 'uk-core', 'wasm', 'fees', 'contracts'],
  type: 'module',
  main: './node/practice_fhir.cjs',
  module: './practice_fhir.js',
  types: './practice_fhir.d.ts',
  exports: exportsMap,
  // TypeScript before `exports`-aware resolution (moduleResolution "node") finds the fees types here.
  typesVersions: { '*': { fees: ['./fees/practice_fhir_fees.d.ts'] } },
  files,
  sideEffects: ['./workerd.js', './fees/workerd.js'],
};
copyFileSync('npm/README.md', 'pkg/README.md');
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
console.log(`pkg/package.json: practice-fhir@${version}`);
