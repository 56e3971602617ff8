-- "Last 30 / 90 days" ranking views as roll-ups (rankroll.go, addWindows): when the
-- day moves, the units whose day enters or leaves a window are found by day.
CREATE INDEX rank_items_day ON rank_items(day);

-- Recount everything once so existing evidence gets its window segments.
INSERT INTO rank_dirty (unit)
    SELECT feedback_id FROM feedback_tags
    UNION SELECT feedback_id FROM request_links
    UNION SELECT 'v:' || request_id || ':' || person_id FROM votes WHERE true
    ON CONFLICT (unit) DO NOTHING;
