// Replaces the section between <!-- bench:NAME:start --> and <!-- bench:NAME:end --> in
// docs/benchmarks.md with a freshly measured table (appending the section if missing).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

export function record(name, table) {
  const path = 'docs/benchmarks.md';
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const stamp = `_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`make bench\`._`;
  const block = `${start}\n${stamp}\n\n${table}\n${end}`;
  const re = new RegExp(`${start}[\\s\\S]*?${end}`);
  writeFileSync(path, re.test(doc) ? doc.replace(re, block) : `${doc.trimEnd()}\n\n${block}\n`);
}
