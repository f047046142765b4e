// Writes pkg/package.json: one npm package `practice-fhir` with the browser (ES module)
// build at its root and the Node (CommonJS) build under node/, chosen through "exports".
import { readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';

const cargo = readFileSync('Cargo.toml', 'utf8');
const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
const description = /^description\s*=\s*"([^"]+)"/m.exec(cargo)[1];
for (const stray of ['pkg/.gitignore', 'pkg/node/.gitignore', 'pkg/node/package.json']) {
  if (existsSync(stray)) rmSync(stray);
}
const pkg = {
  name: 'practice-fhir',
  version,
  description,
  license: 'MIT',
  type: 'module',
  main: './node/practice_fhir.js',
  module: './practice_fhir.js',
  types: './practice_fhir.d.ts',
  exports: {
    '.': {
      node: { types: './node/practice_fhir.d.ts', default: './node/practice_fhir.cjs' },
      default: { types: './practice_fhir.d.ts', default: './practice_fhir.js' },
    },
    './practice_fhir_bg.wasm': './practice_fhir_bg.wasm',
  },
  files: [
    'practice_fhir.js',
    'practice_fhir.d.ts',
    'practice_fhir_bg.wasm',
    'practice_fhir_bg.wasm.d.ts',
    'node/practice_fhir.cjs',
    'node/practice_fhir.d.ts',
    'node/practice_fhir_bg.wasm',
  ],
  sideEffects: ['./snippets/*'],
};
// The Node build is CommonJS; in a "type": "module" package it needs the .cjs extension.
const nodeJs = readFileSync('pkg/node/practice_fhir.js', 'utf8');
writeFileSync('pkg/node/practice_fhir.cjs', nodeJs);
rmSync('pkg/node/practice_fhir.js');
pkg.main = './node/practice_fhir.cjs';
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
console.log(`pkg/package.json: practice-fhir@${version}`);
