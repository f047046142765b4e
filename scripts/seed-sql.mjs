// The seeded sites (data/seed-contracts.json: the documents' samples, and data/demo-site.json,
// the fee-preview page's demo site). `--sites` prints their ids, comma separated (make dev
// mints its token for them). The SQL that stores them as rows comes from the core's own
// write statements: `practice-fhir contracts-sql` (scripts/seed-local.sh runs it).
import { readFileSync } from 'node:fs';

const books = [...JSON.parse(readFileSync('data/seed-contracts.json', 'utf8')), JSON.parse(readFileSync('data/demo-site.json', 'utf8'))];
if (process.argv.includes('--sites')) {
  console.log(books.map((b) => b.site).join(','));
  process.exit(0);
}
console.error('usage: node scripts/seed-sql.mjs --sites   (the SQL: practice-fhir contracts-sql data/seed-contracts.json data/demo-site.json)');
process.exit(2);
