-- Contracts as rows (issue 11). A site's contracts used to be one JSON row (contract_book)
-- that every write read, rewrote and retried, and that D1 refuses past 2 MB (~12,000
-- prices). Now every entity is a row, so a write touches the rows it changes and a read
-- reads the rows that can apply, through these keys:
--
--   contract_payor         one per (site, payor): the payor contract, versioned for If-Match
--   contract_self_pay      one per (site, practitioner): a SELF_PAY list
--   contract_practitioner  the practitioners a site knows
--   contract_price         one per price key; the key order (contract, location, practitioner,
--                          service, procedure) makes every precedence level one index range
--   contract_mp_set        multi-procedure sets, records as one small JSON array each
--   tariff                 payors' tariffs (global: tariffs come from payors, not sites)
--   tariff_version         a version per payor's tariffs (slice ETags)
--   contract_removed       tombstones, so `$snapshot?_lastUpdated=gt…` can say what went
--
-- "No procedure / location / practitioner" is '' (not NULL) so that keys compare and index.
CREATE TABLE IF NOT EXISTS contract_payor (
  site TEXT NOT NULL,
  payor TEXT NOT NULL,
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  display TEXT,
  multi_proc_set TEXT,
  list_code TEXT,
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  PRIMARY KEY (site, payor)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS contract_payor_by_id ON contract_payor (site, id);

CREATE TABLE IF NOT EXISTS contract_self_pay (
  site TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  PRIMARY KEY (site, practitioner)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS contract_self_pay_by_id ON contract_self_pay (site, id);

CREATE TABLE IF NOT EXISTS contract_practitioner (
  site TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  PRIMARY KEY (site, practitioner)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS contract_price (
  site TEXT NOT NULL,
  contract TEXT NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  practitioner TEXT NOT NULL DEFAULT '',
  service_scheme TEXT NOT NULL,
  service_code TEXT NOT NULL,
  proc_scheme TEXT NOT NULL DEFAULT '',
  proc_code TEXT NOT NULL DEFAULT '',
  net TEXT,
  is_estv INTEGER NOT NULL DEFAULT 0,
  service_display TEXT,
  procedure_display TEXT,
  last_updated TEXT,
  PRIMARY KEY (site, contract, location, practitioner, service_scheme, service_code, proc_scheme, proc_code)
) WITHOUT ROWID;
-- DELETE $contract-price/{site}?indStdCode=… (a service across every payor).
CREATE INDEX IF NOT EXISTS contract_price_by_service ON contract_price (site, service_scheme, service_code, proc_scheme, proc_code);
-- Slices since a time (`_lastUpdated=gt…`).
CREATE INDEX IF NOT EXISTS contract_price_by_update ON contract_price (site, last_updated);

CREATE TABLE IF NOT EXISTS contract_mp_set (
  site TEXT NOT NULL,
  id TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  editable INTEGER NOT NULL DEFAULT 0,
  payor TEXT,
  is_default INTEGER NOT NULL DEFAULT 0,
  records TEXT NOT NULL DEFAULT '[]',
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  PRIMARY KEY (site, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contract_mp_set_by_payor ON contract_mp_set (site, payor);

CREATE TABLE IF NOT EXISTS tariff (
  payor TEXT NOT NULL,
  code_type TEXT NOT NULL,
  code TEXT NOT NULL,
  practitioner TEXT NOT NULL DEFAULT '',
  display TEXT,
  narrative_message TEXT,
  warning_message TEXT,
  reject_message TEXT,
  option_message TEXT,
  low_price TEXT,
  median_price TEXT,
  high_price TEXT,
  maximum_price TEXT,
  last_updated TEXT NOT NULL,
  PRIMARY KEY (payor, code_type, code, practitioner)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tariff_by_update ON tariff (payor, last_updated);

CREATE TABLE IF NOT EXISTS tariff_version (
  payor TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS contract_removed (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site TEXT NOT NULL,
  kind TEXT NOT NULL,
  payor TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contract_removed_by_site ON contract_removed (site, at);

-- Existing data moves in: every contract_book snapshot (the core's compact JSON) becomes rows.
INSERT OR IGNORE INTO contract_practitioner (site, practitioner)
  SELECT b.site, p.value FROM contract_book b, json_each(b.snapshot, '$.practitioners') p;
INSERT OR IGNORE INTO contract_payor (site, payor, id, kind, display, multi_proc_set, list_code, seq, version, last_updated)
  SELECT b.site, json_extract(p.value, '$.payor'), json_extract(p.value, '$.id'), json_extract(p.value, '$.type'),
         json_extract(p.value, '$.display'), json_extract(p.value, '$.multiProcSet'), json_extract(p.value, '$.listCode'),
         p.key + 1, b.version, b.last_updated
  FROM contract_book b, json_each(b.snapshot, '$.payors') p;
INSERT OR IGNORE INTO contract_self_pay (site, practitioner, id, version, last_updated)
  SELECT b.site, json_extract(s.value, '$.practitioner'), json_extract(s.value, '$.id'), b.version, b.last_updated
  FROM contract_book b, json_each(b.snapshot, '$.selfPay') s;
INSERT OR IGNORE INTO contract_practitioner (site, practitioner)
  SELECT b.site, json_extract(s.value, '$.practitioner') FROM contract_book b, json_each(b.snapshot, '$.selfPay') s;
INSERT OR IGNORE INTO contract_price (site, contract, location, practitioner, service_scheme, service_code, proc_scheme, proc_code,
                                      net, is_estv, service_display, procedure_display, last_updated)
  SELECT b.site, json_extract(p.value, '$.contract'),
         coalesce(json_extract(p.value, '$.location'), ''), coalesce(json_extract(p.value, '$.practitioner'), ''),
         substr(json_extract(p.value, '$.service'), 1, instr(json_extract(p.value, '$.service'), '/') - 1),
         substr(json_extract(p.value, '$.service'), instr(json_extract(p.value, '$.service'), '/') + 1),
         coalesce(substr(json_extract(p.value, '$.procedure'), 1, instr(json_extract(p.value, '$.procedure'), '/') - 1), ''),
         coalesce(substr(json_extract(p.value, '$.procedure'), instr(json_extract(p.value, '$.procedure'), '/') + 1), ''),
         CASE json_type(p.value, '$.net') WHEN 'text' THEN json_extract(p.value, '$.net')
           WHEN 'integer' THEN printf('%d.00', json_extract(p.value, '$.net'))
           WHEN 'real' THEN printf('%.2f', json_extract(p.value, '$.net')) END,
         coalesce(json_extract(p.value, '$.isESTV'), 0), json_extract(p.value, '$.serviceDisplay'),
         json_extract(p.value, '$.procedureDisplay'), coalesce(json_extract(p.value, '$.lastUpdated'), b.last_updated)
  FROM contract_book b, json_each(b.snapshot, '$.prices') p;
INSERT OR IGNORE INTO contract_mp_set (site, id, description, editable, payor, is_default, records, seq, version, last_updated)
  SELECT b.site, json_extract(s.value, '$.id'), coalesce(json_extract(s.value, '$.description'), ''),
         coalesce(json_extract(s.value, '$.editable'), 0), json_extract(s.value, '$.payor'),
         coalesce(json_extract(s.value, '$.default'), 0), coalesce(json_extract(s.value, '$.records'), '[]'),
         s.key + 1, b.version, b.last_updated
  FROM contract_book b, json_each(b.snapshot, '$.multiProcSets') s;
INSERT OR IGNORE INTO tariff (payor, code_type, code, practitioner, display, narrative_message, warning_message, reject_message,
                              option_message, low_price, median_price, high_price, maximum_price, last_updated)
  SELECT json_extract(t.value, '$.payor'), json_extract(t.value, '$.codeType'), json_extract(t.value, '$.code'),
         coalesce(json_extract(t.value, '$.practitioner'), ''), json_extract(t.value, '$.display'),
         json_extract(t.value, '$.narrativeMessage'), json_extract(t.value, '$.warningMessage'),
         json_extract(t.value, '$.rejectMessage'), json_extract(t.value, '$.optionMessage'),
         json_extract(t.value, '$.lowPrice'), json_extract(t.value, '$.medianPrice'),
         json_extract(t.value, '$.highPrice'), json_extract(t.value, '$.maximumPrice'), b.last_updated
  FROM contract_book b, json_each(b.snapshot, '$.tariffs') t;
-- Tariffs an administrator loaded (payor_tariffs: one $validation Contract per payor).
INSERT OR REPLACE INTO tariff (payor, code_type, code, practitioner, display, narrative_message, warning_message, reject_message,
                               option_message, low_price, median_price, high_price, maximum_price, last_updated)
  SELECT pt.payor,
         CASE json_extract(a.value, '$.valuedItem[0].entityCodeableConcept.coding[0].id') WHEN 'Procedure' THEN 'P' ELSE 'S' END,
         json_extract(a.value, '$.valuedItem[0].entityCodeableConcept.coding[0].code'),
         coalesce((SELECT substr(json_extract(c.value, '$.reference.reference'), 14) FROM json_each(a.value, '$.context') c
                   WHERE json_extract(c.value, '$.reference.reference') LIKE 'Practitioner/%'), ''),
         json_extract(a.value, '$.valuedItem[0].entityCodeableConcept.coding[0].display'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/narrativeMessage'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/warningMessage'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/rejectMessage'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/optionMessage'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/lowPrice'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/medianPrice'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/highPrice'),
         (SELECT json_extract(e.value, '$.valueString') FROM json_each(a.value, '$.extension') e WHERE json_extract(e.value, '$.url') LIKE '%/maximumPrice'),
         pt.last_updated
  FROM payor_tariffs pt, json_each(pt.body, '$.term') t, json_each(t.value, '$.asset') a;
INSERT OR IGNORE INTO tariff_version (payor, version, last_updated)
  SELECT payor, 1, max(last_updated) FROM tariff GROUP BY payor;
DROP TABLE IF EXISTS contract_book;
DROP TABLE IF EXISTS payor_tariffs;
-- The priced keys alone (a narrow index): `$effective-prices` counts a payor's distinct
-- services and procedures over it.
CREATE INDEX IF NOT EXISTS contract_price_priced ON contract_price (site, contract, location, practitioner, service_scheme, service_code, proc_scheme, proc_code) WHERE net IS NOT NULL;
