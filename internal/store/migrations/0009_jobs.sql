-- Background jobs (internal/jobs). One row a job: the lease that makes a cluster-wide
-- job run on one instance at a time, when it is next due, and how its last run went.
CREATE TABLE jobs (
	name TEXT PRIMARY KEY,
	owner TEXT NOT NULL DEFAULT '',
	locked_until BIGINT NOT NULL DEFAULT 0,
	next_run_at BIGINT NOT NULL DEFAULT 0,
	run_requested_at BIGINT NOT NULL DEFAULT 0,
	last_started_at BIGINT NOT NULL DEFAULT 0,
	last_finished_at BIGINT NOT NULL DEFAULT 0,
	last_duration_ms BIGINT NOT NULL DEFAULT 0,
	last_outcome TEXT NOT NULL DEFAULT '',
	last_error TEXT NOT NULL DEFAULT '',
	last_owner TEXT NOT NULL DEFAULT '',
	runs BIGINT NOT NULL DEFAULT 0,
	failures BIGINT NOT NULL DEFAULT 0
);

-- On-demand runs of a job, coalesced by key: asking again for a key already waiting
-- adds nothing; asking while it runs makes it run once more afterwards.
CREATE TABLE job_queue (
	name TEXT NOT NULL,
	job_key TEXT NOT NULL,
	requested_at BIGINT NOT NULL,
	owner TEXT NOT NULL DEFAULT '',
	locked_until BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (name, job_key)
);
CREATE INDEX job_queue_due ON job_queue (name, locked_until, requested_at);
