-- Which suggested tags were shown for an item and whether the team accepted them:
-- the acceptance rate per tag tells where suggestions help.
CREATE TABLE suggestion_events (
    feedback_id TEXT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    tag_id      TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    score       INTEGER NOT NULL, -- per mille
    shown_at    BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (feedback_id, tag_id)
);
CREATE INDEX suggestion_events_tag ON suggestion_events(tag_id);
