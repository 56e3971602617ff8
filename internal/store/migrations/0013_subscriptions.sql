-- Imported billing history (issue 15): ChartMogul-style subscription periods. An
-- account's MRR movements are derived from the sum of its subscriptions, so a second
-- import of the same file compares against these rows and changes nothing.
-- ends_at 0 means the subscription still runs.
CREATE TABLE subscriptions (
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    plan        TEXT NOT NULL DEFAULT '',
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL DEFAULT 0,
    mrr         BIGINT NOT NULL,
    quantity    INTEGER NOT NULL DEFAULT 1,
    currency    TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, external_id)
);
