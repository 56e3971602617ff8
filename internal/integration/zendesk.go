package integration

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Zendesk webhooks (Admin Center → Apps and integrations → Webhooks) are signed:
//
//	X-Zendesk-Webhook-Signature           base64(HMAC-SHA256(signing secret, timestamp + body))
//	X-Zendesk-Webhook-Signature-Timestamp the timestamp string that was signed
//
// and we refuse timestamps more than 5 minutes from our clock, and remember signatures
// seen inside that window.
//
// A trigger-connected webhook sends whatever JSON body the admin writes, so closeloop
// documents one. Recommended: a trigger "Ticket is Created" (add "Comment is Public" and
// "Current user is (end-user)" to take customer replies too) with the action "Notify
// webhook" and this body:
//
//	{
//	  "ticket": {
//	    "id": "{{ticket.id}}",
//	    "subject": "{{ticket.title}}",
//	    "description": "{{ticket.description}}",
//	    "latest_comment": "{{ticket.latest_public_comment}}",
//	    "url": "{{ticket.link}}",
//	    "created_at": "{{ticket.created_at_with_timestamp}}",
//	    "requester": {
//	      "email": "{{ticket.requester.email}}",
//	      "name": "{{ticket.requester.name}}",
//	      "external_id": "{{ticket.requester.external_id}}"
//	    },
//	    "organization": {"external_id": "{{ticket.organization.external_id}}"}
//	  }
//	}
//
// The same keys are also read flat at the top level, with "title"/"link"/
// "requester_email"/"requester_name" as alternatives, and ids may be numbers or
// strings. An event-subscription webhook ("zen:event-type:ticket.created") is read
// from its "detail" (ticket id, subject, description; it carries no requester email).
//
// ExternalID is the ticket id; when the body carries a latest comment different from
// the description (a reply), it is the ticket id plus the comment id if given
// ("comment_id") or else a hash of the comment, so each reply is its own item and a
// redelivery of the same reply is not.

type zendeskPerson struct {
	ID         flexString `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	ExternalID flexString `json:"external_id"`
}

type zendeskTicket struct {
	ID                  flexString     `json:"id"`
	Subject             string         `json:"subject"`
	Title               string         `json:"title"`
	Description         string         `json:"description"`
	LatestComment       string         `json:"latest_comment"`
	LatestPublicComment string         `json:"latest_public_comment"`
	CommentID           flexString     `json:"comment_id"`
	URL                 string         `json:"url"`
	Link                string         `json:"link"`
	CreatedAt           string         `json:"created_at"`
	Requester           *zendeskPerson `json:"requester"`
	RequesterEmail      string         `json:"requester_email"`
	RequesterName       string         `json:"requester_name"`
	RequesterExternalID flexString     `json:"requester_external_id"`
	Organization        *struct {
		ExternalID flexString `json:"external_id"`
	} `json:"organization"`
	OrganizationExternalID flexString `json:"organization_external_id"`
}

func (in *Integration) zendesk(q *request) (*outcome, error) {
	sig := q.r.Header.Get("X-Zendesk-Webhook-Signature")
	ts := q.r.Header.Get("X-Zendesk-Webhook-Signature-Timestamp")
	if err := verifyBase64(sig, mac(sha256New, q.secret, []byte(ts), q.body)); err != nil {
		return nil, unauthorized("invalid Zendesk signature", err)
	}
	at, err := zendeskTimestamp(ts)
	if err != nil {
		return nil, unauthorized("invalid Zendesk signature timestamp", err)
	}
	if !within(at, q.now) {
		return nil, unauthorized("stale Zendesk request", errStale)
	}
	out, err := parseZendesk(q.body)
	if err != nil {
		return nil, badPayload("unreadable Zendesk payload: see the recommended webhook body in the docs", err)
	}
	out.replayID = "zendesk:" + strings.TrimSpace(sig)
	out.ttl = replayTTLWindowed
	return out, nil
}

// zendeskTimestamp reads the signed timestamp: ISO 8601 as Zendesk sends it, or Unix
// seconds.
func zendeskTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errNoTimestamp
	}
	if t, ok := parseTime(s); ok {
		return t, nil
	}
	return unixTimestamp(s)
}

// parseTime reads the ISO 8601 variants help desks render into templates
// ("2013-12-12T05:35Z" has no seconds).
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func parseZendesk(body []byte) (*outcome, error) {
	var env struct {
		Ticket json.RawMessage `json:"ticket"`
		Type   string          `json:"type"`
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	raw := body
	switch {
	case len(env.Ticket) > 0 && string(env.Ticket) != "null":
		raw = env.Ticket
	case strings.HasPrefix(env.Type, "zen:event-type:"):
		if env.Type != "zen:event-type:ticket.created" {
			return &outcome{ignored: "event " + env.Type + " is not a new ticket"}, nil
		}
		if len(env.Detail) == 0 {
			return nil, errors.New("event without detail")
		}
		raw = env.Detail
	}
	var t zendeskTicket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	id := t.ID.String()
	if id == "" {
		return nil, errors.New("ticket id missing")
	}
	description := plain(t.Description)
	comment := plain(firstNonEmpty(t.LatestPublicComment, t.LatestComment))
	body2, externalID := description, id
	if comment != "" && comment != description {
		body2 = comment
		if cid := t.CommentID.String(); cid != "" {
			externalID = id + ":" + cid
		} else {
			externalID = id + ":c" + sha256hex([]byte(comment))[:16]
		}
	}
	if body2 == "" {
		body2 = comment
	}
	c := &feedback.Capture{
		Text:        withSubject(firstNonEmpty(t.Subject, t.Title), body2),
		Quote:       feedback.DefaultQuote(body2),
		ExternalID:  externalID,
		ExternalURL: firstNonEmpty(t.URL, t.Link),
	}
	if c.ExternalURL != "" && !strings.Contains(c.ExternalURL, "://") {
		c.ExternalURL = "https://" + c.ExternalURL // {{ticket.link}} renders without a scheme
	}
	if at, ok := parseTime(t.CreatedAt); ok {
		c.OccurredAt = at
	}
	if t.Requester != nil {
		c.Email, c.Name, c.PersonExternalID = t.Requester.Email, t.Requester.Name, t.Requester.ExternalID.String()
	}
	c.Email = firstNonEmpty(c.Email, t.RequesterEmail)
	c.Name = firstNonEmpty(c.Name, t.RequesterName)
	c.PersonExternalID = firstNonEmpty(c.PersonExternalID, t.RequesterExternalID.String())
	if t.Organization != nil {
		c.AccountExternalID = t.Organization.ExternalID.String()
	}
	c.AccountExternalID = firstNonEmpty(c.AccountExternalID, t.OrganizationExternalID.String())
	return &outcome{capture: c}, nil
}
