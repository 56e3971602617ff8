-- Cancellation survey answers (store/cancellations.go; rules in internal/cancel). The
-- host product sends a cancelling customer to the hosted page with a signed link
-- (or posts the answer to the API); each answer is also a feedback item of kind
-- churn_reason (source cancellation), which health's churn-reason signal counts.
CREATE TABLE cancellations (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    person_id    TEXT REFERENCES people(id) ON DELETE SET NULL,
    reason       TEXT NOT NULL,               -- a code of the team's reason list
    liked        TEXT NOT NULL DEFAULT '[]',  -- JSON array of codes of the liked list
    text         TEXT NOT NULL DEFAULT '',
    channel      TEXT NOT NULL,               -- page | api
    link_hash    TEXT UNIQUE,                 -- SHA-256 of the page's link: each link answers once
    feedback_id  TEXT REFERENCES feedback(id) ON DELETE SET NULL,
    cancelled_at BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX cancellations_time ON cancellations(cancelled_at, id);
CREATE INDEX cancellations_account ON cancellations(account_id, cancelled_at);
