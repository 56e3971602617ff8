package integration

import (
	"encoding/base64"
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
// documents one. Recommended: a trigger "Ticket is Created" (add a second trigger
// "Ticket is Updated" + "Comment is Public" + "Current user is (end-user)" to take
// customer replies too) with the action "Notify webhook" and this body:
//
//	{
//	  "ticket": {
//	    "id": "{{ticket.id}}",
//	    "subject": "{{ticket.title}}",
//	    "comment": "{% for c in ticket.public_comments limit:1 %}{{c.value}}{% endfor %}",
//	    "comment_author_email": "{{current_user.email}}",
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
// "comment" is the newest public comment's own words ({{c.value}}, plain text): no
// "-----" rule and no "Name, date" header, which {{ticket.latest_public_comment}} and
// {{ticket.description}} render around the words. Those older keys ("description",
// "latest_comment", "latest_public_comment") are still read, with that rendering
// removed (zendeskClean). Placeholders render plain text, so bodies are read as plain
// text; only keys ending in "_html" ({{ticket.latest_public_comment_html}}, or
// {{c.value_rich}} sent as "comment_html") are read as HTML. When
// "comment_author_email" is present and is not the requester's, the comment was
// written by someone else (an agent, a CC) and is not feedback.
//
// The same keys are also read flat at the top level, with "title"/"link"/
// "requester_email"/"requester_name" as alternatives, and ids may be numbers or
// strings.
//
// Event-subscription webhooks ("zen:event-type:…", Admin Center → Webhooks → Zendesk
// events) are read too:
//
//	ticket.created                  the ticket's description (detail)
//	ticket.comment_added            a public comment written by the requester
//	                                (event.comment.author.id = detail.requester_id,
//	                                not staff); agents' and private comments are not
//	messaging_ticket.message_added  a messaging (chat) message whose actor is an
//	                                end_user; agents, bots and triggers are not
//
// They carry no requester email, so those items have no person until the ticket is
// linked by hand.
//
// ExternalID is the ticket id; when the body carries a comment different from the
// description (a reply), it is the ticket id plus the comment id if given
// ("comment_id") or else a hash of the comment, so each reply is its own item and a
// redelivery of the same reply is not.

type zendeskPerson struct {
	ID         flexString `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	ExternalID flexString `json:"external_id"`
}

type zendeskTicket struct {
	ID                      flexString     `json:"id"`
	Subject                 string         `json:"subject"`
	Title                   string         `json:"title"`
	Description             string         `json:"description"`
	DescriptionHTML         string         `json:"description_html"`
	Comment                 string         `json:"comment"`
	CommentHTML             string         `json:"comment_html"`
	CommentAuthorEmail      string         `json:"comment_author_email"`
	LatestComment           string         `json:"latest_comment"`
	LatestCommentHTML       string         `json:"latest_comment_html"`
	LatestPublicComment     string         `json:"latest_public_comment"`
	LatestPublicCommentHTML string         `json:"latest_public_comment_html"`
	CommentID               flexString     `json:"comment_id"`
	URL                     string         `json:"url"`
	Link                    string         `json:"link"`
	CreatedAt               string         `json:"created_at"`
	Requester               *zendeskPerson `json:"requester"`
	RequesterEmail          string         `json:"requester_email"`
	RequesterName           string         `json:"requester_name"`
	RequesterExternalID     flexString     `json:"requester_external_id"`
	Organization            *struct {
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
	if err := fresh(ts, zendeskTimestamp, q.now, "Zendesk signature timestamp", "Zendesk request"); err != nil {
		return nil, err
	}
	out, err := parseZendesk(q.body)
	if err != nil {
		return nil, badPayload("unreadable Zendesk payload: see the recommended webhook body in the docs", err)
	}
	mac, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(sig)) // verified above
	out.replayID = replayKey("zendesk", mac, []byte(ts),
		[]byte(q.r.Header.Get("X-Zendesk-Webhook-Id")), []byte(q.r.Header.Get("X-Zendesk-Webhook-Invocation-Id")))
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

// zendeskEvent is an event-subscription webhook's envelope.
type zendeskEvent struct {
	Ticket  json.RawMessage `json:"ticket"`
	Type    string          `json:"type"`
	Subject string          `json:"subject"`
	Time    string          `json:"time"`
	Detail  json.RawMessage `json:"detail"`
	Event   struct {
		Comment *struct {
			ID       flexString `json:"id"`
			Body     string     `json:"body"`
			HTMLBody string     `json:"html_body"`
			IsPublic *bool      `json:"is_public"`
			Author   struct {
				ID      flexString `json:"id"`
				IsStaff bool       `json:"is_staff"`
				Name    string     `json:"name"`
			} `json:"author"`
		} `json:"comment"`
		Actor *struct {
			ID   flexString `json:"id"`
			Name string     `json:"name"`
			Type string     `json:"type"`
		} `json:"actor"`
		Message *struct {
			ID   flexString `json:"id"`
			Body string     `json:"body"`
		} `json:"message"`
	} `json:"event"`
}

type zendeskDetail struct {
	ID          flexString `json:"id"`
	Subject     string     `json:"subject"`
	Description string     `json:"description"`
	RequesterID flexString `json:"requester_id"`
	CreatedAt   string     `json:"created_at"`
}

func parseZendesk(body []byte) (*outcome, error) {
	var env zendeskEvent
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	if (len(env.Ticket) == 0 || string(env.Ticket) == "null") && strings.HasPrefix(env.Type, "zen:event-type:") {
		return parseZendeskEvent(&env)
	}
	raw := body
	if len(env.Ticket) > 0 && string(env.Ticket) != "null" {
		raw = env.Ticket
	}
	var t zendeskTicket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	id := t.ID.String()
	if id == "" {
		return nil, errors.New("ticket id missing")
	}
	description := zendeskBody(t.Description, t.DescriptionHTML)
	comment := zendeskBody(firstNonEmpty(t.Comment, t.LatestPublicComment, t.LatestComment),
		firstNonEmpty(t.CommentHTML, t.LatestPublicCommentHTML, t.LatestCommentHTML))
	text, externalID, _ := ticketText(id, description, comment, t.CommentID.String())
	c := ticketCapture(firstNonEmpty(t.Subject, t.Title), text, externalID, firstNonEmpty(t.URL, t.Link), t.CreatedAt)
	if c.ExternalURL != "" && !strings.Contains(c.ExternalURL, "://") {
		c.ExternalURL = "https://" + c.ExternalURL // {{ticket.link}} renders without a scheme
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
	if author := strings.TrimSpace(t.CommentAuthorEmail); author != "" && c.Email != "" && !strings.EqualFold(author, c.Email) {
		return &outcome{ignored: "comment not written by the requester"}, nil
	}
	return &outcome{capture: c}, nil
}

// parseZendeskEvent reads an event-subscription webhook.
func parseZendeskEvent(env *zendeskEvent) (*outcome, error) {
	var d zendeskDetail
	if len(env.Detail) > 0 && string(env.Detail) != "null" {
		if err := json.Unmarshal(env.Detail, &d); err != nil {
			return nil, err
		}
	}
	ticket := d.ID.String()
	if ticket == "" {
		ticket = strings.TrimPrefix(env.Subject, "zen:ticket:")
	}
	if ticket == "" {
		return nil, errors.New("event without ticket id")
	}
	c := &feedback.Capture{}
	var text string
	switch env.Type {
	case "zen:event-type:ticket.created":
		if len(env.Detail) == 0 {
			return nil, errors.New("event without detail")
		}
		text = zendeskClean(plainText(d.Description))
		c.Text, c.ExternalID = withSubject(d.Subject, text), ticket
		if at, ok := parseTime(d.CreatedAt); ok {
			c.OccurredAt = at
		}
	case "zen:event-type:ticket.comment_added":
		cm := env.Event.Comment
		if cm == nil {
			return nil, errors.New("comment event without event.comment")
		}
		switch {
		case cm.IsPublic != nil && !*cm.IsPublic:
			return &outcome{ignored: "private comment (internal note)"}, nil
		case cm.Author.IsStaff:
			return &outcome{ignored: "comment written by staff"}, nil
		case d.RequesterID.String() != "" && cm.Author.ID.String() != d.RequesterID.String():
			return &outcome{ignored: "comment not written by the requester"}, nil
		}
		text = zendeskBody(cm.Body, cm.HTMLBody)
		c.Text, c.Name = text, cm.Author.Name
		c.ExternalID = ticket + ":" + firstNonEmpty(cm.ID.String(), "c"+sha256hex([]byte(text))[:16])
		if at, ok := parseTime(env.Time); ok {
			c.OccurredAt = at
		}
	case "zen:event-type:messaging_ticket.message_added":
		a, m := env.Event.Actor, env.Event.Message
		if a == nil || m == nil {
			return nil, errors.New("message event without event.actor or event.message")
		}
		if a.Type != "end_user" {
			return &outcome{ignored: "message from " + firstNonEmpty(a.Type, "an unknown actor") + ", not the end user"}, nil
		}
		text = plainText(m.Body) // messaging bodies are plain text
		c.Text, c.Name = text, a.Name
		c.ExternalID = ticket + ":m" + firstNonEmpty(m.ID.String(), sha256hex([]byte(text))[:16])
		if at, ok := parseTime(env.Time); ok {
			c.OccurredAt = at
		}
	default:
		return &outcome{ignored: "event " + env.Type + " is not a customer message"}, nil
	}
	c.Quote = feedback.DefaultQuote(text)
	return &outcome{capture: c}, nil
}

// zendeskBody is a comment's words: the HTML rendering when that is all there is,
// else the plain one, with Zendesk's rendering around the words removed.
func zendeskBody(text, htmlText string) string {
	if strings.TrimSpace(text) == "" && strings.TrimSpace(htmlText) != "" {
		return zendeskClean(htmlToText(htmlText))
	}
	return zendeskClean(plainText(text))
}

// zendeskClean removes what {{ticket.latest_public_comment}}, {{ticket.description}}
// and {{ticket.comments_formatted}} render around a comment's words: a leading
// "------" rule, the "Author Name, Mar 4, 2026, 12:00" header under it, and every
// older comment after the next rule. Text without the rule is the words themselves
// ({{c.value}}) and is left alone, so a customer's line that merely looks like a
// header is kept.
func zendeskClean(s string) string {
	lines := strings.Split(s, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) || !isRule(lines[i]) {
		return s
	}
	i++
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i < len(lines) && isCommentHeader(lines[i]) {
		i++
	}
	var out []string
	for ; i < len(lines); i++ {
		if isRule(lines[i]) {
			break // an older comment follows
		}
		out = append(out, lines[i])
	}
	return tidy(strings.Join(out, "\n"))
}

func isRule(l string) bool {
	l = strings.TrimSpace(l)
	return len(l) >= 10 && strings.Trim(l, "-") == ""
}

// isCommentHeader reports whether a line is "Name, <date and time>": it has a comma
// and ends in a clock time ("12:00", "3:04 PM", "15:04 CET").
func isCommentHeader(l string) bool {
	l = strings.TrimSpace(l)
	comma := strings.IndexByte(l, ',')
	if comma <= 0 || len(l) > 200 {
		return false
	}
	fields := strings.Fields(l[comma:])
	for k := len(fields) - 1; k >= 0 && k >= len(fields)-3; k-- {
		f := fields[k]
		if h, m, ok := strings.Cut(f, ":"); ok && len(h) >= 1 && len(h) <= 2 && len(m) >= 2 && isDigits(h) && isDigits(m[:2]) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
