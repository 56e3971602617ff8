-- The outcome each customer signed up for, as usage can show it (store/goals.go): at
-- least min occurrences of a track event by check_days after signup. The goal-check
-- job records where each stands; a goal turning missed logs goal.missed and makes a
-- task for the account's owner. The account's free-text goal stays for goals no event
-- can show.
CREATE TABLE account_goals (
    account_id  TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    min_count   INTEGER NOT NULL,
    check_days  INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    achieved_on TEXT NOT NULL DEFAULT '',
    checked_on  TEXT NOT NULL DEFAULT ''
);
