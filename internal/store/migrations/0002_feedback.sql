-- Voice of the customer: tags, feedback, feature requests, votes, settings.

-- MRR an account had when it churned (0 unless churned), kept with the movements, so
-- "churned MRR that asked for this" needs no history scan.
ALTER TABLE accounts ADD COLUMN churned_mrr BIGINT NOT NULL DEFAULT 0;

CREATE TABLE tags (
    id          TEXT PRIMARY KEY,
    parent_id   TEXT REFERENCES tags(id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX tags_sibling_name ON tags (COALESCE(parent_id, ''), LOWER(name));

-- Every (ancestor, descendant) pair including (t, t) at depth 0: roll-ups by any
-- ancestor are one join, and COUNT(DISTINCT account) stays exact.
CREATE TABLE tag_closure (
    ancestor_id   TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    descendant_id TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    depth         INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX tag_closure_descendant ON tag_closure(descendant_id);

-- A merged tag is deleted; this remembers where it went, so models trained on old
-- tags (suggest) and old links can follow.
CREATE TABLE tag_merges (
    from_id   TEXT PRIMARY KEY,
    into_id   TEXT NOT NULL,
    merged_at BIGINT NOT NULL
);

CREATE TABLE feedback (
    id              TEXT PRIMARY KEY,
    text            TEXT NOT NULL,
    quote           TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    account_id      TEXT REFERENCES accounts(id) ON DELETE SET NULL,
    person_id       TEXT REFERENCES people(id) ON DELETE SET NULL,
    submitted_by    TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    external_url    TEXT NOT NULL DEFAULT '',
    external_id     TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX feedback_idempotency ON feedback(idempotency_key) WHERE idempotency_key <> '';
CREATE UNIQUE INDEX feedback_external ON feedback(source, external_id) WHERE external_id <> '';
CREATE INDEX feedback_status ON feedback(status, id);
CREATE INDEX feedback_account ON feedback(account_id, occurred_at);
CREATE INDEX feedback_person ON feedback(person_id);
CREATE INDEX feedback_occurred ON feedback(occurred_at);

CREATE TABLE feedback_tags (
    feedback_id TEXT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    tag_id      TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    added_by    TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (feedback_id, tag_id)
);
CREATE INDEX feedback_tags_tag ON feedback_tags(tag_id, feedback_id);

-- root_id is the request a merged request counts toward (itself when not merged);
-- merge and unmerge maintain it so ranking groups by one column.
CREATE TABLE requests (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    public          BOOLEAN NOT NULL DEFAULT TRUE,
    quarter         TEXT NOT NULL DEFAULT '',
    strategic_score INTEGER NOT NULL DEFAULT 0,
    merged_into     TEXT REFERENCES requests(id),
    root_id         TEXT NOT NULL,
    release_note    TEXT NOT NULL DEFAULT '',
    shipped_at      BIGINT NOT NULL DEFAULT 0,
    created_by      TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX requests_root ON requests(root_id);
CREATE INDEX requests_status ON requests(status);

CREATE TABLE request_links (
    request_id  TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    feedback_id TEXT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    linked_by   TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    linked_at   BIGINT NOT NULL,
    PRIMARY KEY (request_id, feedback_id)
);
CREATE INDEX request_links_feedback ON request_links(feedback_id);

CREATE TABLE votes (
    request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    account_id TEXT REFERENCES accounts(id) ON DELETE SET NULL,
    source     TEXT NOT NULL,
    cast_by    TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, person_id)
);
CREATE INDEX votes_person ON votes(person_id);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
