-- Practitioner directory. Resources are stored whole as their JSON text (what a read returns);
-- every search runs on the index tables below, which the core derives from that JSON
-- (practice_fhir::directory::index_rows) so the worker and the import tool write the same rows.
-- last_updated / horizon_end are UTC in the fixed-width form YYYY-MM-DDTHH:MM:SS.mmmZ, so
-- text comparison is time comparison. Tokens and postcodes are folded (see normalise.rs) and
-- matched by prefix with `>= ? AND < ?` ranges, which use the indexes (LIKE would not).

CREATE TABLE IF NOT EXISTS practitioner (
  id TEXT PRIMARY KEY,
  version_id TEXT NOT NULL,
  last_updated TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS practitioner_by_updated ON practitioner (last_updated, id);

CREATE TABLE IF NOT EXISTS location (
  id TEXT PRIMARY KEY,
  version_id TEXT NOT NULL,
  last_updated TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS location_by_updated ON location (last_updated, id);

CREATE TABLE IF NOT EXISTS practitioner_role (
  id TEXT PRIMARY KEY,
  version_id TEXT NOT NULL,
  last_updated TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS practitioner_role_by_updated ON practitioner_role (last_updated, id);

CREATE TABLE IF NOT EXISTS schedule (
  id TEXT PRIMARY KEY,
  version_id TEXT NOT NULL,
  last_updated TEXT NOT NULL,
  json TEXT NOT NULL
);

-- One row per practitioner: single-valued facts and the name sort keys (family, given folded).
CREATE TABLE IF NOT EXISTS practitioner_ix (
  practitioner_id TEXT PRIMARY KEY,
  gender TEXT,
  online_booking INTEGER,
  family_sort TEXT NOT NULL,
  given_sort TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS practitioner_ix_by_gender ON practitioner_ix (gender, practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_ix_by_online ON practitioner_ix (online_booking, practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_ix_by_name ON practitioner_ix (family_sort, given_sort, practitioner_id);

-- Name word parts; kind is 'family', 'given' or 'other' (prefix, suffix, text).
CREATE TABLE IF NOT EXISTS practitioner_name (
  practitioner_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (practitioner_id, kind, token)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS practitioner_name_by_token ON practitioner_name (kind, token, practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_name_by_any_token ON practitioner_name (token, practitioner_id);

CREATE TABLE IF NOT EXISTS practitioner_identifier (
  practitioner_id TEXT NOT NULL,
  system TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (practitioner_id, system, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS practitioner_identifier_by_value ON practitioner_identifier (value, system, practitioner_id);

CREATE TABLE IF NOT EXISTS practitioner_postcode (
  practitioner_id TEXT NOT NULL,
  postcode TEXT NOT NULL,
  PRIMARY KEY (practitioner_id, postcode)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS practitioner_postcode_by_code ON practitioner_postcode (postcode, practitioner_id);

-- One row per insurers extension: the three facts must hold for the same entry.
CREATE TABLE IF NOT EXISTS practitioner_insurer (
  practitioner_id TEXT NOT NULL,
  entry INTEGER NOT NULL,
  insurer TEXT,
  provider_number TEXT,
  status TEXT,
  PRIMARY KEY (practitioner_id, entry)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS practitioner_insurer_by_insurer ON practitioner_insurer (insurer, status, practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_insurer_by_number ON practitioner_insurer (provider_number, practitioner_id);

-- One row per (profession extension, specialty, subspecialty) combination of the same entry.
CREATE TABLE IF NOT EXISTS practitioner_profession (
  practitioner_id TEXT NOT NULL,
  entry INTEGER NOT NULL,
  profession TEXT,
  specialty TEXT,
  subspecialty TEXT
);
CREATE INDEX IF NOT EXISTS practitioner_profession_by_practitioner ON practitioner_profession (practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_profession_by_specialty ON practitioner_profession (specialty, subspecialty, profession, practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_profession_by_profession ON practitioner_profession (profession, specialty, practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_profession_by_subspecialty ON practitioner_profession (subspecialty, practitioner_id);

CREATE TABLE IF NOT EXISTS practitioner_regulator (
  practitioner_id TEXT NOT NULL,
  body TEXT,
  reference TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS practitioner_regulator_by_practitioner ON practitioner_regulator (practitioner_id);
CREATE INDEX IF NOT EXISTS practitioner_regulator_by_reference ON practitioner_regulator (reference, practitioner_id);

-- Locations: position for the near box prefilter (no spatial index in D1), and postcodes.
CREATE TABLE IF NOT EXISTS location_ix (
  location_id TEXT PRIMARY KEY,
  lat REAL,
  lon REAL
);
CREATE INDEX IF NOT EXISTS location_ix_by_position ON location_ix (lat, lon, location_id);

CREATE TABLE IF NOT EXISTS location_postcode (
  location_id TEXT NOT NULL,
  postcode TEXT NOT NULL,
  PRIMARY KEY (location_id, postcode)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS location_postcode_by_code ON location_postcode (postcode, location_id);

-- Roles: who and where (first practitioner / location reference). Both secondary indexes
-- cover all three columns: a near search reads tens of thousands of roles by location in a
-- dense city, and a table lookup per role tripled its time at 100k practitioners.
CREATE TABLE IF NOT EXISTS role_ix (
  role_id TEXT PRIMARY KEY,
  practitioner_id TEXT,
  location_id TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS role_ix_by_practitioner ON role_ix (practitioner_id, role_id, location_id);
CREATE INDEX IF NOT EXISTS role_ix_by_location ON role_ix (location_id, role_id, practitioner_id);

CREATE TABLE IF NOT EXISTS role_age (
  role_id TEXT NOT NULL,
  code TEXT NOT NULL,
  PRIMARY KEY (role_id, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS role_age_by_code ON role_age (code, role_id);

-- Role specialty codings; kind is 'specialty' or 'subspecialty' (by coding system).
CREATE TABLE IF NOT EXISTS role_specialty (
  role_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  PRIMARY KEY (role_id, kind, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS role_specialty_by_code ON role_specialty (kind, code, role_id);

-- Schedules by actor, for "has a planning horizon ending in the future".
CREATE TABLE IF NOT EXISTS schedule_actor (
  schedule_id TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  horizon_end TEXT,
  PRIMARY KEY (schedule_id, actor_type, actor_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS schedule_actor_by_actor ON schedule_actor (actor_type, actor_id, horizon_end);
CREATE INDEX IF NOT EXISTS schedule_actor_by_horizon ON schedule_actor (actor_type, horizon_end, actor_id);
