-- The domain event log (eventlog.go): an append-only record of what happened, written
-- in the same transaction as the change, read by consumers (outbound webhooks first)
-- that each keep a checkpoint.
--
-- seq is assigned from event_state's single row, incremented in the writing
-- transaction: the row lock holds other writers until that transaction ends, so
-- sequence numbers commit in order and without gaps (a rolled-back transaction
-- rolls its number back too). A consumer that has read up to N can never later find
-- an event below N committing: that is what makes a plain "seq > checkpoint" read safe
-- on PostgreSQL with concurrent writers. SQLite has one writer anyway.
CREATE TABLE event_state (
	id INTEGER PRIMARY KEY,
	last_seq BIGINT NOT NULL
);
INSERT INTO event_state (id, last_seq) VALUES (1, 0);

CREATE TABLE events (
	seq BIGINT NOT NULL PRIMARY KEY,
	kind TEXT NOT NULL,
	account_id TEXT NOT NULL DEFAULT '', -- the customer account it concerns, if any
	subject TEXT NOT NULL DEFAULT '',    -- the id of the thing that changed
	occurred_at BIGINT NOT NULL,
	data TEXT NOT NULL                   -- JSON
);
CREATE INDEX events_occurred ON events (occurred_at);

-- One row per consumer: the last sequence it has fully handled.
CREATE TABLE event_consumers (
	name TEXT PRIMARY KEY,
	last_seq BIGINT NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL DEFAULT 0
);
