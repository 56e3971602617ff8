-- A goal can be a condition on one of the account's traits, alone or with its event
-- count (issue 16, item 2): the trait's name, the operator ("=" or ">=") and the
-- value. An event of '' is a goal without an event part.
ALTER TABLE account_goals ADD COLUMN trait TEXT NOT NULL DEFAULT '';
ALTER TABLE account_goals ADD COLUMN trait_op TEXT NOT NULL DEFAULT '';
ALTER TABLE account_goals ADD COLUMN trait_value TEXT NOT NULL DEFAULT '';
