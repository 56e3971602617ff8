package integration

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
)

// Freshdesk sends webhooks from automation rules ("Trigger webhook" action) and does
// not sign them, so the rule must carry the shared secret (CLOSELOOP_FRESHDESK_SECRET),
// either in a custom header:
//
//	X-Closeloop-Secret: <secret>
//
// or with the rule's own "Requires authentication" option, which sends HTTP basic auth:
// put the secret in the password (any user name) or in the API key field (Freshdesk
// then sends it as the user name, with password "X"). Either is compared in constant
// time. Without a signature there is nothing per-request to remember, so the replay
// cache keys on a hash of the body: the same delivery twice is answered "duplicate",
// and the store's (Source, ExternalID) idempotency backs that up.
//
// A "Simple" delivery names its trigger in triggered_event: agents' notes and status,
// priority or assignment changes are acknowledged and ignored (their body is the
// ticket's description again); ticket creation and customer replies are captured.
//
// Placeholders: {{ticket.description}} and {{ticket.latest_public_comment}} render the
// HTML Freshdesk stores, so they are read as HTML; {{ticket.description_text}}
// ("description_text") is plain text. The latest public comment comes as
// "Name : <html>": the name is cut from the words, and a comment whose name is not the
// requester's (an agent's public reply) is acknowledged and ignored.
//
// Recommended rule: "Ticket is created" (add "Ticket is updated → Customer replied" for
// replies), action Trigger webhook, POST, JSON, Advanced content:
//
//	{
//	  "ticket": {
//	    "id": "{{ticket.id}}",
//	    "subject": "{{ticket.subject}}",
//	    "description": "{{ticket.description}}",
//	    "latest_public_comment": "{{ticket.latest_public_comment}}",
//	    "url": "{{ticket.url}}",
//	    "requester_email": "{{ticket.requester.email}}",
//	    "requester_name": "{{ticket.requester.name}}",
//	    "company_name": "{{ticket.company.name}}"
//	  }
//	}
//
// The "Simple" content form, which wraps the chosen fields as
// {"freshdesk_webhook": {"ticket_id": …, "ticket_subject": …, "ticket_description": …,
// "ticket_url": …, "ticket_contact_email": …, "ticket_contact_name": …,
// "ticket_latest_public_comment": …}}, is read too, as are the same keys flat.

type freshdeskTicket struct {
	ID                  flexString `json:"id"`
	Subject             string     `json:"subject"`
	Description         string     `json:"description"`
	DescriptionText     string     `json:"description_text"`
	LatestPublicComment string     `json:"latest_public_comment"`
	URL                 string     `json:"url"`
	RequesterEmail      string     `json:"requester_email"`
	RequesterName       string     `json:"requester_name"`
	Requester           *struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"requester"`
	CreatedAt string `json:"created_at"`

	// The "Simple" content keys.
	TicketID                  flexString `json:"ticket_id"`
	TicketSubject             string     `json:"ticket_subject"`
	TicketDescription         string     `json:"ticket_description"`
	TicketURL                 string     `json:"ticket_url"`
	TicketLatestPublicComment string     `json:"ticket_latest_public_comment"`
	TicketContactEmail        string     `json:"ticket_contact_email"`
	TicketContactName         string     `json:"ticket_contact_name"`
	TicketRequesterEmail      string     `json:"ticket_requester_email"`
	TicketRequesterName       string     `json:"ticket_requester_name"`
	TriggeredEvent            string     `json:"triggered_event"`
}

func (in *Integration) freshdesk(q *request) (*outcome, error) {
	if !freshdeskAuthorized(q.r, q.secret) {
		return nil, unauthorized("missing or wrong X-Closeloop-Secret (or basic auth)", errBadSignature)
	}
	out, err := parseFreshdesk(q.body)
	if err != nil {
		return nil, badPayload("unreadable Freshdesk payload: see the recommended webhook content in the docs", err)
	}
	out.replayID = replayKey("freshdesk", q.body)
	out.ttl = replayTTLUnwindowed
	return out, nil
}

// freshdeskAuthorized checks the custom header or, when the rule uses Freshdesk's
// "Requires authentication", basic auth carrying the secret as password or user name.
// Both halves are always compared, so timing does not tell which one matched.
func freshdeskAuthorized(r *http.Request, secret string) bool {
	if h := r.Header.Get("X-Closeloop-Secret"); h != "" {
		return sameSecret(h, secret)
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	byPass := sameSecret(pass, secret)
	byUser := sameSecret(user, secret)
	return byPass || byUser
}

// freshdeskNotCustomer reports whether a rule's {{triggered_event}} says the webhook
// fired for something other than a customer writing: an agent's note (public or
// private), a status, priority or assignment change. Those bodies carry the ticket's
// description again, not new words. Any "{field:{from:…,to:…}}" is a property change,
// whatever the field: custom fields and ones Freshdesk adds later name themselves
// (zulip's unknown_payload.json sends "{unknown_event:{from:3,to:1}}").
func freshdeskNotCustomer(ev string) bool {
	if strings.Contains(ev, ":{from:") {
		return true
	}
	for _, p := range []string{"{note_type:", "{status:", "{priority:", "{responder_id:", "{group_id:", "{ticket_action:deleted", "{ticket_action:updated", "{time_sheet_action:"} {
		if strings.HasPrefix(ev, p) {
			return true
		}
	}
	return false
}

func parseFreshdesk(body []byte) (*outcome, error) {
	var env struct {
		Ticket  json.RawMessage `json:"ticket"`
		Webhook json.RawMessage `json:"freshdesk_webhook"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	raw := body
	if len(env.Ticket) > 0 && env.Ticket[0] == '{' {
		raw = env.Ticket
	} else if len(env.Webhook) > 0 && env.Webhook[0] == '{' {
		raw = env.Webhook
	}
	var t freshdeskTicket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	id := firstNonEmpty(t.ID.String(), t.TicketID.String())
	if id == "" {
		return nil, errors.New("ticket id missing")
	}
	if ev := strings.TrimSpace(t.TriggeredEvent); freshdeskNotCustomer(ev) {
		return &outcome{ignored: "event " + ev + " is not a customer message"}, nil
	}
	description := htmlToText(firstNonEmpty(t.Description, t.TicketDescription))
	if description == "" {
		description = plainText(t.DescriptionText)
	}
	commenter, rawComment := freshdeskCommenter(firstNonEmpty(t.LatestPublicComment, t.TicketLatestPublicComment))
	comment := htmlToText(rawComment)
	requester := firstNonEmpty(t.RequesterName, t.TicketRequesterName, t.TicketContactName)
	if t.Requester != nil {
		requester = firstNonEmpty(requester, t.Requester.Name)
	}
	// Freshdesk has no comment-id placeholder: a reply is keyed on its text.
	text, externalID, reply := ticketText(id, description, comment, "")
	if reply && commenter != "" && requester != "" && !strings.EqualFold(commenter, requester) {
		return &outcome{ignored: "latest public comment by " + commenter + ", not the requester"}, nil
	}
	c := ticketCapture(firstNonEmpty(t.Subject, t.TicketSubject), text, externalID, firstNonEmpty(t.URL, t.TicketURL), t.CreatedAt)
	c.Email = firstNonEmpty(t.RequesterEmail, t.TicketRequesterEmail, t.TicketContactEmail)
	c.Name = firstNonEmpty(t.RequesterName, t.TicketRequesterName, t.TicketContactName)
	if t.Requester != nil {
		c.Email = firstNonEmpty(c.Email, t.Requester.Email)
		c.Name = firstNonEmpty(c.Name, t.Requester.Name)
	}
	if strings.HasPrefix(c.ExternalURL, "//") {
		c.ExternalURL = "https:" + c.ExternalURL
	}
	return &outcome{capture: c}, nil
}

// freshdeskCommentAuthor is the "Name : " Freshdesk renders before the HTML of
// {{ticket.latest_public_comment}} (wechaty/plugin-freshdesk's captured delivery:
// "Rui LI : <div …>test note</div>"). Only a name directly before the HTML counts, so
// a customer's plain "Note : …" stays their words.
var freshdeskCommentAuthor = regexp.MustCompile(`^\s*([^<>:\n]{1,120}?) : <`)

// freshdeskCommenter splits a rendered latest public comment into who wrote it ("" when
// the rendering names no one) and its HTML.
func freshdeskCommenter(s string) (name, html string) {
	m := freshdeskCommentAuthor.FindStringSubmatchIndex(s)
	if m == nil {
		return "", s
	}
	return strings.TrimSpace(s[m[2]:m[3]]), s[m[1]-1:]
}
