-- A close-the-loop draft a team member rewrote by hand: reopening the page (which
-- prepares the drafts again from the template) must not overwrite it.
ALTER TABLE loop_emails ADD COLUMN edited BOOLEAN NOT NULL DEFAULT FALSE;
