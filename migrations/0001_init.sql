-- Schema bookkeeping; the resource tables arrive with the endpoints that use them.
CREATE TABLE IF NOT EXISTS schema_info (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT OR REPLACE INTO schema_info (key, value) VALUES ('created_by', 'practice-fhir');
