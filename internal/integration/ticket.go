package integration

import "github.com/closeloop/closeloop/internal/feedback"

// ticketText picks what a help desk's ticket webhook is about. A new public comment
// (a customer's reply arrives with the same ticket id) is its own item, keyed on the
// comment's id or, without one, on a hash of its text; otherwise the ticket's
// description, keyed on the ticket id.
func ticketText(id, description, comment, commentID string) (text, externalID string, reply bool) {
	if comment == "" || comment == description {
		return description, id, false
	}
	if commentID != "" {
		return comment, id + ":" + commentID, true
	}
	return comment, id + ":c" + sha256hex([]byte(comment))[:16], true
}

// ticketCapture is the capture of a ticket: its subject over text, the quote, its id
// and link, and when it was created (when that parses).
func ticketCapture(subject, text, externalID, url, createdAt string) *feedback.Capture {
	c := &feedback.Capture{
		Text:        withSubject(subject, text),
		Quote:       feedback.DefaultQuote(text),
		ExternalID:  externalID,
		ExternalURL: url,
	}
	if at, ok := parseTime(createdAt); ok {
		c.OccurredAt = at
	}
	return c
}
