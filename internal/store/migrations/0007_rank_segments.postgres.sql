-- Segment roll-ups: every unit also counts for "tier=<tier>/<subject>" (the tier of
-- its account) and, for feedback items, "kind=<kind>/<subject>", so that ranking
-- filtered by one tier or one kind reads roll-ups too. A unit's segments change when
-- its account's tier or its item's kind does.
CREATE INDEX votes_account ON votes(account_id);

CREATE FUNCTION rank_mark_account_units() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.tier IS DISTINCT FROM NEW.tier THEN
        INSERT INTO rank_dirty (unit) SELECT id FROM feedback WHERE account_id = NEW.id
            ON CONFLICT (unit) DO UPDATE SET seq = rank_dirty.seq + 1;
        INSERT INTO rank_dirty (unit) SELECT 'v:' || request_id || ':' || person_id FROM votes WHERE account_id = NEW.id
            ON CONFLICT (unit) DO UPDATE SET seq = rank_dirty.seq + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rank_accounts_tier AFTER UPDATE OF tier ON accounts
    FOR EACH ROW EXECUTE FUNCTION rank_mark_account_units();

CREATE FUNCTION rank_mark_feedback_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind IS DISTINCT FROM NEW.kind THEN
        PERFORM rank_mark(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rank_feedback_kind AFTER UPDATE OF kind ON feedback
    FOR EACH ROW EXECUTE FUNCTION rank_mark_feedback_kind();

-- Recount everything once so existing evidence gets its segments.
INSERT INTO rank_dirty (unit)
    SELECT feedback_id FROM feedback_tags
    UNION SELECT feedback_id FROM request_links
    UNION SELECT 'v:' || request_id || ':' || person_id FROM votes
    ON CONFLICT (unit) DO NOTHING;
