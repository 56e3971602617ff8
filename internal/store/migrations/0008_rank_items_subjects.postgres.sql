-- A unit's counted subjects move into one column of rank_items (comma-separated):
-- one row per unit instead of one per (unit, subject), which with tier and kind
-- segments was ten rows per feedback item and half the database at 1M items.
ALTER TABLE rank_items ADD COLUMN subjects TEXT NOT NULL DEFAULT '';
UPDATE rank_items i SET subjects = u.s
    FROM (SELECT unit, string_agg(subject, ',') AS s FROM rank_units GROUP BY unit) u
    WHERE u.unit = i.unit;
DROP TABLE rank_units;
