-- `near` ranks locations, not roles: every role of a location is at the same distance, so the
-- search measures each location in the box once and reads role rows for the page only.
-- `roles` is the number of roles whose (first) location this is, kept in step by the core's
-- index_rows / delete_rows: a near search without other filters reads it from the position
-- index instead of counting tens of thousands of roles (10 km of central London holds ~64k
-- roles at 100k practitioners, but ~2k locations).
ALTER TABLE location_ix ADD COLUMN roles INTEGER NOT NULL DEFAULT 0;
UPDATE location_ix SET roles = (SELECT COUNT(*) FROM role_ix WHERE role_ix.location_id = location_ix.location_id);
DROP INDEX IF EXISTS location_ix_by_position;
CREATE INDEX IF NOT EXISTS location_ix_by_position ON location_ix (lat, lon, location_id, roles);
