package integration

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Help Scout webhooks (Manage → Apps → Webhooks) post the conversation as JSON with
// the event name in X-HelpScout-Event and X-HelpScout-Signature =
// base64(HMAC-SHA1(secret key, body)). We take:
//
//	convo.created                 the conversation's first customer thread
//	convo.customer.reply.created  the newest customer thread
//
// and acknowledge every other event. A conversation an agent started (createdBy or
// source.via "user": an outbound email from the mailbox) is not the customer's words,
// nor are agents' threads, notes and the agent text a customer's email client quotes
// under their reply (Gmail/Apple/Outlook quote containers, "On … wrote:", "> " lines),
// which is cut with the email channel's rules (mail_quote.go). Thread bodies are HTML.
//
// No timestamp is signed, so the replay cache keeps deliveries for a day, keyed on the
// signature and the X-HelpScout-Event header: the header is not signed, and one body is
// sent for several events (convo.assigned and convo.customer.reply.created can carry
// the same conversation), so an ignored event must not block the real one. Both conversation shapes are read: the v2 object (primaryCustomer,
// _embedded.threads, _links.web, first/last) and the older field guide's (customer,
// threads list, firstName/lastName).

type helpscoutPerson struct {
	ID        flexString `json:"id"`
	Type      string     `json:"type"`
	Email     string     `json:"email"`
	First     string     `json:"first"`
	Last      string     `json:"last"`
	FirstName string     `json:"firstName"`
	LastName  string     `json:"lastName"`
}

func (p helpscoutPerson) name() string {
	return strings.TrimSpace(firstNonEmpty(p.First, p.FirstName) + " " + firstNonEmpty(p.Last, p.LastName))
}

type helpscoutSource struct {
	Type string `json:"type"`
	Via  string `json:"via"`
}

type helpscoutThread struct {
	ID        flexString       `json:"id"`
	Type      string           `json:"type"`
	Source    *helpscoutSource `json:"source"`
	Body      string           `json:"body"`
	CreatedAt string           `json:"createdAt"`
	CreatedBy *helpscoutPerson `json:"createdBy"`
	Customer  *helpscoutPerson `json:"customer"`
}

// byCustomer: a "customer" thread is the customer's message (Help Scout also uses the
// type when an agent enters one for them, say from a phone call); a chat thread is the
// customer's when a customer created it (taxjar/help_scout-sdk's recorded chat
// conversation); agents' replies ("message", "reply"), notes, phone logs, forwards and
// line items are not. A thread without a type is judged by its creator.
func (t helpscoutThread) byCustomer() bool {
	switch t.Type {
	case "customer":
		return true
	case "", "chat", "beaconchat":
		return t.CreatedBy != nil && t.CreatedBy.Type == "customer"
	}
	return false
}

type helpscoutConversation struct {
	ID              flexString       `json:"id"`
	Number          flexString       `json:"number"`
	Subject         string           `json:"subject"`
	Preview         string           `json:"preview"`
	CreatedAt       string           `json:"createdAt"`
	CreatedBy       *helpscoutPerson `json:"createdBy"`
	Source          *helpscoutSource `json:"source"`
	PrimaryCustomer *helpscoutPerson `json:"primaryCustomer"`
	Customer        *helpscoutPerson `json:"customer"`
	Threads         json.RawMessage  `json:"threads"` // a list (field guide) or a count (v2)
	Embedded        struct {
		Threads []helpscoutThread `json:"threads"`
	} `json:"_embedded"`
	Links struct {
		Web struct {
			Href string `json:"href"`
		} `json:"web"`
	} `json:"_links"`
}

func (in *Integration) helpscout(q *request) (*outcome, error) {
	sig := q.r.Header.Get("X-HelpScout-Signature")
	if err := verifyBase64(sig, mac(sha1New, q.secret, q.body)); err != nil {
		return nil, unauthorized("invalid Help Scout signature", err)
	}
	out, err := parseHelpScout(q.r.Header.Get("X-HelpScout-Event"), q.body)
	if err != nil {
		return nil, badPayload("unreadable Help Scout conversation", err)
	}
	mac, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(sig)) // verified above
	out.replayID = replayKey("helpscout", mac, []byte(q.r.Header.Get("X-HelpScout-Event")))
	out.ttl = replayTTLUnwindowed
	return out, nil
}

func parseHelpScout(event string, body []byte) (*outcome, error) {
	if event != "convo.created" && event != "convo.customer.reply.created" {
		return &outcome{ignored: "event " + event + " is not a customer message"}, nil
	}
	var conv helpscoutConversation
	if err := json.Unmarshal(body, &conv); err != nil {
		return nil, err
	}
	id := conv.ID.String()
	if id == "" {
		return nil, errors.New("conversation id missing")
	}
	if event == "convo.created" && (conv.CreatedBy != nil && conv.CreatedBy.Type == "user" || conv.Source != nil && conv.Source.Via == "user") {
		return &outcome{ignored: "conversation started by an agent"}, nil
	}
	threads := conv.Embedded.Threads
	if len(threads) == 0 && len(conv.Threads) > 0 && conv.Threads[0] == '[' {
		if err := json.Unmarshal(conv.Threads, &threads); err != nil {
			return nil, err
		}
	}
	// Pick the customer thread: the oldest for a new conversation, the newest for a
	// reply. Times are ISO 8601 UTC, so they compare as strings; thread ids grow, so
	// they break ties (and order threads whose time is missing).
	var pick *helpscoutThread
	newest := event == "convo.customer.reply.created"
	for i := range threads {
		t := &threads[i]
		if !t.byCustomer() || strings.TrimSpace(t.Body) == "" {
			continue
		}
		if pick == nil || newest == helpscoutLater(t, pick) {
			pick = t
		}
	}
	customer := conv.PrimaryCustomer
	if customer == nil || customer.Email == "" {
		customer = firstPerson(conv.Customer, customer)
	}
	if (customer == nil || customer.Email == "") && conv.CreatedBy != nil && conv.CreatedBy.Type == "customer" {
		customer = conv.CreatedBy // v2 names only the primary customer's id; the creator has the email
	}
	c := &feedback.Capture{ExternalURL: conv.Links.Web.Href}
	if c.ExternalURL == "" && conv.Number.String() != "" {
		c.ExternalURL = "https://secure.helpscout.net/conversation/" + id + "/" + conv.Number.String() + "/"
	}
	var text string
	switch {
	case pick != nil:
		text = stripQuoted(htmlToText(cutHTMLQuote(pick.Body))) // mail_quote.go: the rules the email channel uses
		if p := firstPerson(pick.Customer, pick.CreatedBy); p != nil && p.Email != "" {
			customer = p
		}
		if at, ok := parseTime(pick.CreatedAt); ok {
			c.OccurredAt = at
		}
	case event == "convo.created" && conv.Preview != "":
		// No threads embedded: the preview is the start of the only message.
		text = stripQuoted(plainText(conv.Preview)) // the preview is plain text
	default:
		return &outcome{ignored: "no customer thread in the conversation"}, nil
	}
	if event == "convo.created" {
		c.Text = withSubject(conv.Subject, text)
		c.ExternalID = id
	} else {
		c.Text = text
		c.ExternalID = id + ":" + pick.ID.String()
	}
	c.Quote = feedback.DefaultQuote(text)
	if c.OccurredAt.IsZero() {
		if at, ok := parseTime(conv.CreatedAt); ok {
			c.OccurredAt = at
		}
	}
	if customer != nil {
		c.Email, c.Name = customer.Email, customer.name()
	}
	return &outcome{capture: c}, nil
}

func helpscoutLater(a, b *helpscoutThread) bool {
	if a.CreatedAt != b.CreatedAt {
		return a.CreatedAt > b.CreatedAt
	}
	ai, bi := a.ID.String(), b.ID.String()
	if len(ai) != len(bi) {
		return len(ai) > len(bi)
	}
	return ai > bi
}

func firstPerson(ps ...*helpscoutPerson) *helpscoutPerson {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}
