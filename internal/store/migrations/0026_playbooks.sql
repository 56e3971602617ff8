-- Playbooks (store/playbooks.go), the daily digest (store/digests.go) and the Slack
-- alert consumer (store/slack.go).

-- A playbook is a named, ordered list of task templates. signals is a comma-separated
-- list of the signal rules that start it (health.SignalRules); '' is by hand only.
CREATE TABLE playbooks (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    signals    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- assignee_id NULL is the account's owner.
CREATE TABLE playbook_steps (
    playbook_id TEXT NOT NULL REFERENCES playbooks(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    due_days    INTEGER NOT NULL,
    assignee_id TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    PRIMARY KEY (playbook_id, position)
);

-- A run is one start of a playbook on an account; it is open until every task it made
-- is done. started_by is the signal rule that started it, or '' when a person did
-- (started_by_member). Deleting a playbook ends its runs' record but keeps the tasks.
CREATE TABLE playbook_runs (
    id                TEXT PRIMARY KEY,
    playbook_id       TEXT NOT NULL REFERENCES playbooks(id) ON DELETE CASCADE,
    account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    started_by        TEXT NOT NULL DEFAULT '',
    started_by_member TEXT REFERENCES team_members(id) ON DELETE SET NULL,
    started_on        TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    status            TEXT NOT NULL,
    done_at           BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX playbook_runs_account ON playbook_runs(account_id, started_at);
-- One open run per playbook and account: a signal firing again, or a second click,
-- does not start it twice.
CREATE UNIQUE INDEX playbook_runs_open ON playbook_runs(playbook_id, account_id) WHERE status = 'open';

ALTER TABLE tasks ADD COLUMN run_id TEXT REFERENCES playbook_runs(id) ON DELETE SET NULL;
CREATE INDEX tasks_run ON tasks(run_id);

-- One digest per member and day, claimed in the transaction that queues its email, so
-- two instances or a restart never send the same day twice. outbox_id is NULL for a
-- day with nothing to say.
CREATE TABLE digests (
    member_id  TEXT NOT NULL REFERENCES team_members(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    outbox_id  TEXT REFERENCES outbox(id) ON DELETE SET NULL,
    items      INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, day)
);

-- Members who asked not to get the daily digest.
CREATE TABLE digest_optouts (
    member_id TEXT PRIMARY KEY REFERENCES team_members(id) ON DELETE CASCADE,
    at        BIGINT NOT NULL
);
