-- The whole message an item was cut from (an email's quoted history and signature
-- included), for the reader who needs the context the quote-stripping removed. Kept
-- beside the item, not in it, so lists and the ranking never read it.
CREATE TABLE feedback_originals (
    feedback_id TEXT PRIMARY KEY REFERENCES feedback(id) ON DELETE CASCADE,
    body        TEXT NOT NULL
);
