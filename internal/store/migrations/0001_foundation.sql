-- Team, sessions and API keys.
CREATE TABLE team_members (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    capacity      INTEGER NOT NULL DEFAULT 40,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_member ON sessions(member_id);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL UNIQUE,
    hash         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_by   TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);

-- Accounts. mrr/currency/had_revenue/last_movement_at are derived from mrr_movements
-- and kept in the same transaction, so lists can sort by MRR at 50,000 accounts.
-- renewal_date mirrors the latest contract's, for the same reason.
CREATE TABLE accounts (
    id               TEXT PRIMARY KEY,
    external_id      TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL,
    name_sort        TEXT NOT NULL,
    domain           TEXT NOT NULL DEFAULT '',
    plan             TEXT NOT NULL DEFAULT '',
    seats            INTEGER NOT NULL DEFAULT 0,
    company_size     INTEGER NOT NULL DEFAULT 0,
    tier             TEXT NOT NULL,
    icp_fit          INTEGER,
    stage            TEXT NOT NULL,
    owner_id         TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    signup_date      TEXT NOT NULL DEFAULT '',
    goal             TEXT NOT NULL DEFAULT '',
    traits           TEXT NOT NULL DEFAULT '{}',
    cab              BOOLEAN NOT NULL DEFAULT FALSE,
    mrr              BIGINT NOT NULL DEFAULT 0,
    currency         TEXT NOT NULL DEFAULT '',
    had_revenue      BOOLEAN NOT NULL DEFAULT FALSE,
    last_movement_at BIGINT NOT NULL DEFAULT 0,
    renewal_date     TEXT NOT NULL DEFAULT '',
    search           TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_external_id ON accounts(external_id) WHERE external_id <> '';
CREATE INDEX accounts_name_sort ON accounts(name_sort, id);
CREATE INDEX accounts_mrr ON accounts(mrr, id);
CREATE INDEX accounts_renewal ON accounts(renewal_date, id);
CREATE INDEX accounts_signup ON accounts(signup_date, id);
CREATE INDEX accounts_owner ON accounts(owner_id);
CREATE INDEX accounts_tier ON accounts(tier);
CREATE INDEX accounts_stage ON accounts(stage);
CREATE INDEX accounts_domain ON accounts(domain);

CREATE TABLE people (
    id          TEXT PRIMARY KEY,
    external_id TEXT NOT NULL DEFAULT '',
    account_id  TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    email       TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    champion    BOOLEAN NOT NULL DEFAULT FALSE,
    traits      TEXT NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX people_external_id ON people(external_id) WHERE external_id <> '';
CREATE UNIQUE INDEX people_email ON people(email) WHERE email <> '';
CREATE INDEX people_account ON people(account_id);

CREATE TABLE contracts (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    start_date          TEXT NOT NULL,
    term_months         INTEGER NOT NULL,
    renewal_date        TEXT NOT NULL,
    auto_renew          BOOLEAN NOT NULL DEFAULT FALSE,
    cancellation_window INTEGER NOT NULL DEFAULT 0,
    value               BIGINT NOT NULL DEFAULT 0,
    currency            TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX contracts_account ON contracts(account_id, start_date);
CREATE INDEX contracts_renewal ON contracts(renewal_date);

CREATE TABLE mrr_movements (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    delta        BIGINT NOT NULL,
    mrr_after    BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    effective_at BIGINT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX mrr_movements_account ON mrr_movements(account_id, effective_at);
CREATE INDEX mrr_movements_effective ON mrr_movements(effective_at);

CREATE TABLE touchpoints (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    person_id   TEXT REFERENCES people(id) ON DELETE SET NULL,
    member_id   TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    direction   TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    summary     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX touchpoints_account ON touchpoints(account_id, occurred_at);
CREATE INDEX touchpoints_occurred ON touchpoints(occurred_at);
