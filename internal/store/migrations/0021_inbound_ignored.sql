-- Deliveries a channel answered but did not store as feedback (automated mail, an
-- agent's reply, a bot, an empty message), with why: an admin can see that nothing a
-- customer wrote was dropped. Kept 30 days (the inbound-cleanup job).
CREATE TABLE inbound_ignored (
    id          TEXT PRIMARY KEY,   -- time-ordered
    source      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    detail      TEXT NOT NULL,      -- who and what about, when the channel knows
    received_at BIGINT NOT NULL
);
CREATE INDEX inbound_ignored_received ON inbound_ignored (received_at);
