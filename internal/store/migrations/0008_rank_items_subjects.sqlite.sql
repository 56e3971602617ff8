-- A unit's counted subjects move into one column of rank_items (comma-separated):
-- one row per unit instead of one per (unit, subject), which with tier and kind
-- segments was ten rows per feedback item and half the database at 1M items.
ALTER TABLE rank_items ADD COLUMN subjects TEXT NOT NULL DEFAULT '';
UPDATE rank_items SET subjects = COALESCE((SELECT group_concat(subject, ',') FROM rank_units u WHERE u.unit = rank_items.unit), '');
DROP TABLE rank_units;
