-- Segment roll-ups: every unit also counts for "tier=<tier>/<subject>" (the tier of
-- its account) and, for feedback items, "kind=<kind>/<subject>", so that ranking
-- filtered by one tier or one kind reads roll-ups too. A unit's segments change when
-- its account's tier or its item's kind does.
CREATE INDEX votes_account ON votes(account_id);

CREATE TRIGGER rank_accounts_tier AFTER UPDATE OF tier ON accounts WHEN OLD.tier IS NOT NEW.tier BEGIN
    INSERT INTO rank_dirty (unit) SELECT id FROM feedback WHERE account_id = NEW.id ON CONFLICT (unit) DO NOTHING;
    INSERT INTO rank_dirty (unit) SELECT 'v:' || request_id || ':' || person_id FROM votes WHERE account_id = NEW.id ON CONFLICT (unit) DO NOTHING;
END;
CREATE TRIGGER rank_feedback_kind AFTER UPDATE OF kind ON feedback WHEN OLD.kind IS NOT NEW.kind BEGIN
    INSERT INTO rank_dirty (unit) VALUES (NEW.id) ON CONFLICT (unit) DO NOTHING;
END;

-- Recount everything once so existing evidence gets its segments.
INSERT INTO rank_dirty (unit)
    SELECT feedback_id FROM feedback_tags
    UNION SELECT feedback_id FROM request_links
    UNION SELECT 'v:' || request_id || ':' || person_id FROM votes WHERE true
    ON CONFLICT (unit) DO NOTHING;
