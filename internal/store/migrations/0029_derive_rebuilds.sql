-- A derivation being rebuilt in one pass (store/derive_bulk.go). The rebuild deletes
-- the marks, counts from one snapshot and replaces the derived tables in one
-- transaction; while token is set and until_ms (Unix ms) is ahead, syncs leave the
-- derivation alone (the marks made meanwhile wait for the new tables) and reads count
-- from the raw tables. A rebuild that died is noticed when until_ms passes: the next
-- sync marks every key and the incremental path rebuilds it.
CREATE TABLE derive_rebuilds (
    name     TEXT PRIMARY KEY,
    token    TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
