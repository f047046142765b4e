-- Contracts storage. A site's contracts (payor contracts, prices, self-pay lists,
-- multi-procedure sets, tariffs) are one consistent unit: every fee and effective price
-- reads all of them, and a $contract-price write must land whole or not at all. So a site
-- is one row holding its ContractBook snapshot (the core's compact JSON, the same one the
-- npm package loads), versioned for optimistic concurrency and If-Match; the KV cache is
-- keyed by site and version so it can never serve a stale book.
CREATE TABLE IF NOT EXISTS contract_book (
  site TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  snapshot TEXT NOT NULL
) WITHOUT ROWID;

-- Tariffs come from payors, not sites: one $validation-shaped Contract per payor, merged
-- into every site book that has that payor when the book is loaded.
CREATE TABLE IF NOT EXISTS payor_tariffs (
  payor TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;

-- Provider group (contract) ids for new payor contracts: 10 digits, as the documents.
CREATE TABLE IF NOT EXISTS provider_group_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  next INTEGER NOT NULL
);
INSERT OR IGNORE INTO provider_group_seq (id, next) VALUES (1, 50000);

-- Every write: who, when, which site and endpoint, the contracts touched, before and after.
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  sub TEXT NOT NULL,
  site TEXT NOT NULL,
  method TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  contract_ids TEXT NOT NULL,
  version INTEGER NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_site ON audit (site, id);
