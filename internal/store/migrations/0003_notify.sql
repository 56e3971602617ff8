-- Outbound notifications (SMTP email, webhooks) and close-the-loop emails.

-- Every outbound message goes through this queue, so a slow or failing SMTP server or
-- webhook receiver never blocks a request, and a restart loses nothing. payload is the
-- JSON the worker needs to send (an email message, or a webhook event body);
-- ref points at what the row was made for (a loop_emails id, a webhook endpoint id).
-- locked_until is the claim lease: a row left in 'sending' by a crashed worker becomes
-- claimable again when it passes.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    ref             TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_ref ON outbox(ref);

-- The delivery log: one row per attempt, kept after success so an admin can see why
-- a message took three tries.
CREATE TABLE outbox_attempts (
    id        TEXT PRIMARY KEY,
    outbox_id TEXT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    at        BIGINT NOT NULL,
    ok        BOOLEAN NOT NULL,
    error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_outbox ON outbox_attempts(outbox_id, at);

-- events is a comma-separated list of event names (feedback.created, …).
CREATE TABLE webhook_endpoints (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One draft per (shipped request, person). email is '' for a person who cannot be
-- emailed (kept, status skipped, so the team sees who will not hear about it).
CREATE TABLE loop_emails (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    person_id    TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    email        TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    body_text    TEXT NOT NULL DEFAULT '',
    quote        TEXT NOT NULL DEFAULT '',
    channel      TEXT NOT NULL DEFAULT '',
    quoted_at    BIGINT NOT NULL DEFAULT 0,
    voted        BOOLEAN NOT NULL DEFAULT FALSE,
    status       TEXT NOT NULL,
    outbox_id    TEXT REFERENCES outbox(id) ON DELETE SET NULL,
    unsubscribed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX loop_emails_request_person ON loop_emails(request_id, person_id);
CREATE INDEX loop_emails_outbox ON loop_emails(outbox_id);

-- Who asked not to hear from us again. Matched by person and by email, so a person
-- re-created from a later import with the same address stays unsubscribed.
CREATE TABLE unsubscribes (
    email     TEXT PRIMARY KEY,
    person_id TEXT REFERENCES people(id) ON DELETE SET NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX unsubscribes_person ON unsubscribes(person_id);
