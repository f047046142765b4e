-- Optimistic concurrency for directory writes: a batch begins by inserting 0 here when the
-- stored version is no longer the one the write read; the CHECK fails and D1 rolls the whole
-- batch back. Successful writes insert nothing.
CREATE TABLE IF NOT EXISTS write_guard (
  ok INTEGER NOT NULL CHECK (ok = 1)
);
