-- Rate limits shared by every instance on one database (issue 13). One row a bucket
-- ("signin-email:mia@example.com"): tat is the bucket's theoretical arrival time in
-- Unix ms (GCRA). Once tat is in the past the bucket is full and the row says nothing,
-- so the clean-up job deletes it.
CREATE TABLE rate_limits (
	bucket TEXT PRIMARY KEY,
	tat BIGINT NOT NULL
);
CREATE INDEX rate_limits_tat ON rate_limits (tat);

-- Devices that signed in as a member: a cookie token (only its SHA-256 stored) that
-- lets a correct password through while the member's email is locked against
-- guessers from everywhere else.
CREATE TABLE known_devices (
	token_hash TEXT PRIMARY KEY,
	member_id TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
	expires_at BIGINT NOT NULL
);
CREATE INDEX known_devices_expires ON known_devices (expires_at);
CREATE INDEX known_devices_member ON known_devices (member_id);
