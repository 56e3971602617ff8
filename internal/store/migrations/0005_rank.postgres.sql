-- Ranking roll-ups (issue #3): per-subject figures kept up to date from the evidence
-- so that ranking 1,000,000 feedback items reads a few thousand rows instead of
-- joining them all. A subject is a request root or a tag (with everything tagged
-- below it). A unit is one piece of evidence: a feedback item (its id) or a vote
-- ('v:' || request_id || ':' || person_id).
--
-- Triggers on the evidence tables only mark units and accounts dirty; the store
-- (rankroll.go) recomputes a dirty unit's subjects from the raw tables, diffs them
-- against what it last counted (rank_items, rank_units) and applies the difference.
-- Any write path, including foreign-key cascades, is covered without hooks in Go.
CREATE TABLE rank_state (
    id          INTEGER PRIMARY KEY,
    as_of_day   BIGINT NOT NULL,  -- feedback.Day the windows and at-risk sums are for
    window_days INTEGER NOT NULL  -- renewal window the at-risk sums are for
);
INSERT INTO rank_state (id, as_of_day, window_days) VALUES (1, 0, 0);

CREATE TABLE rank_dirty (
    unit TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE rank_dirty_accounts (
    account_id TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL DEFAULT 0
);

-- What each unit was last counted with, and for which subjects.
CREATE TABLE rank_items (
    unit       TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    day        BIGINT NOT NULL
);
CREATE TABLE rank_units (
    unit    TEXT NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (unit, subject)
);

-- How many counted units each (subject, account), (subject, person) and
-- (subject, day) has: a count going 0 → 1 or 1 → 0 changes the subject's figures.
CREATE TABLE rank_members (
    subject    TEXT NOT NULL,
    account_id TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (subject, account_id)
);
CREATE INDEX rank_members_account ON rank_members(account_id);
CREATE TABLE rank_people (
    subject   TEXT NOT NULL,
    person_id TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (subject, person_id)
);
CREATE TABLE rank_days (
    subject TEXT NOT NULL,
    day     BIGINT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (subject, day)
);

CREATE INDEX rank_days_day ON rank_days(day);

-- The figures ranking reads: counts per subject, money per subject and currency.
CREATE TABLE rank_subjects (
    subject TEXT PRIMARY KEY,
    kind    TEXT NOT NULL, -- 'request' or 'tag'
    people  INTEGER NOT NULL,
    total   INTEGER NOT NULL,
    last30  INTEGER NOT NULL,
    prior30 INTEGER NOT NULL,
    last90  INTEGER NOT NULL
);
CREATE INDEX rank_subjects_kind ON rank_subjects(kind);
CREATE TABLE rank_totals (
    subject     TEXT NOT NULL,
    currency    TEXT NOT NULL,
    accounts    INTEGER NOT NULL,
    cab         INTEGER NOT NULL,
    mrr         BIGINT NOT NULL,
    churned_mrr BIGINT NOT NULL,
    at_risk_mrr BIGINT NOT NULL,
    PRIMARY KEY (subject, currency)
);

-- Each counted account's contribution as last applied to its subjects, so a change
-- (MRR movement, churn, renewal, CAB flag, the window moving) is applied as a delta.
CREATE TABLE rank_accounts (
    account_id   TEXT PRIMARY KEY,
    currency     TEXT NOT NULL,
    cab          INTEGER NOT NULL,
    mrr          BIGINT NOT NULL,
    churned_mrr  BIGINT NOT NULL,
    at_risk_mrr  BIGINT NOT NULL,
    renewal_date TEXT NOT NULL
);
CREATE INDEX rank_accounts_renewal ON rank_accounts(renewal_date);

-- A mark touches the row (DO UPDATE, not DO NOTHING) so that a sync deleting it waits
-- for the marking transaction to commit and then sees its changes.
CREATE FUNCTION rank_mark(u TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO rank_dirty (unit) VALUES (u) ON CONFLICT (unit) DO UPDATE SET seq = rank_dirty.seq + 1
$$;

CREATE FUNCTION rank_mark_feedback_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN PERFORM rank_mark(NEW.feedback_id); END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM rank_mark(OLD.feedback_id); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rank_feedback_tags AFTER INSERT OR UPDATE OR DELETE ON feedback_tags
    FOR EACH ROW EXECUTE FUNCTION rank_mark_feedback_id();
CREATE TRIGGER rank_request_links AFTER INSERT OR UPDATE OR DELETE ON request_links
    FOR EACH ROW EXECUTE FUNCTION rank_mark_feedback_id();

CREATE FUNCTION rank_mark_feedback() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rank_mark(OLD.id);
    RETURN NULL;
END $$;
CREATE TRIGGER rank_feedback_upd AFTER UPDATE OF account_id, person_id, occurred_at ON feedback
    FOR EACH ROW EXECUTE FUNCTION rank_mark_feedback();
CREATE TRIGGER rank_feedback_del AFTER DELETE ON feedback
    FOR EACH ROW EXECUTE FUNCTION rank_mark_feedback();

CREATE FUNCTION rank_mark_vote() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN PERFORM rank_mark('v:' || NEW.request_id || ':' || NEW.person_id); END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM rank_mark('v:' || OLD.request_id || ':' || OLD.person_id); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rank_votes AFTER INSERT OR UPDATE OR DELETE ON votes
    FOR EACH ROW EXECUTE FUNCTION rank_mark_vote();

CREATE FUNCTION rank_mark_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.root_id IS DISTINCT FROM NEW.root_id THEN
        INSERT INTO rank_dirty (unit) SELECT feedback_id FROM request_links WHERE request_id = NEW.id
            ON CONFLICT (unit) DO UPDATE SET seq = rank_dirty.seq + 1;
        INSERT INTO rank_dirty (unit) SELECT 'v:' || request_id || ':' || person_id FROM votes WHERE request_id = NEW.id
            ON CONFLICT (unit) DO UPDATE SET seq = rank_dirty.seq + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rank_requests_root AFTER UPDATE OF root_id ON requests
    FOR EACH ROW EXECUTE FUNCTION rank_mark_request();

CREATE FUNCTION rank_mark_closure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rank_dirty (unit) SELECT feedback_id FROM feedback_tags WHERE tag_id = NEW.descendant_id
            ON CONFLICT (unit) DO UPDATE SET seq = rank_dirty.seq + 1;
    ELSE
        INSERT INTO rank_dirty (unit) SELECT feedback_id FROM feedback_tags WHERE tag_id = OLD.descendant_id
            ON CONFLICT (unit) DO UPDATE SET seq = rank_dirty.seq + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rank_tag_closure AFTER INSERT OR DELETE ON tag_closure
    FOR EACH ROW EXECUTE FUNCTION rank_mark_closure();

CREATE FUNCTION rank_mark_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rank_dirty_accounts (account_id) VALUES (OLD.id)
        ON CONFLICT (account_id) DO UPDATE SET seq = rank_dirty_accounts.seq + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER rank_accounts_upd AFTER UPDATE OF mrr, churned_mrr, currency, stage, renewal_date, cab ON accounts
    FOR EACH ROW EXECUTE FUNCTION rank_mark_account();
CREATE TRIGGER rank_accounts_del AFTER DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION rank_mark_account();

-- Count what is already there: the first sync builds the roll-ups.
INSERT INTO rank_dirty (unit)
    SELECT feedback_id FROM feedback_tags
    UNION SELECT feedback_id FROM request_links
    UNION SELECT 'v:' || request_id || ':' || person_id FROM votes;
