package integration

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Intercom webhooks (Developer Hub → Webhooks): a notification_event whose data.item is
// a Conversation or a Ticket, for the topics we take:
//
//	conversation.user.created  a customer started a conversation: its first message
//	conversation.user.replied  a customer replied: the newest customer part
//	ticket.contact.replied     a customer replied on a ticket: the newest customer
//	                           ticket part
//
// Every other topic (admin replies, notes, the "ping" sent when the webhook is saved)
// is acknowledged and ignored, as are parts written by admins and bots and notes.
// Intercom signs the raw body with the app's client secret: X-Hub-Signature:
// sha1=<hex HMAC-SHA1>. There is no signed timestamp, so the replay cache remembers
// deliveries for a day.
//
// Bodies are HTML in every API version's Conversation and Ticket part models, so they
// go through htmlToText, which treats '<' as markup only where HTML does: a plain
// sentence with "<10MB" or ">2MB" in it keeps its words.
//
// Both conversation shapes are read: API 2.x puts the first message in "source" and the
// customer in "contacts"; API 1.x used "conversation_message" and "user". Timestamps
// may be numbers or strings (the official Ruby SDK's fixture sends "1410335293").
// An Intercom lead without a name carries a made-up "pseudonym" ("Grey Lake from
// Dublin"): it is not stored as their name, and replaces nothing when a real one comes.

type intercomNotification struct {
	Type      string    `json:"type"`
	Topic     string    `json:"topic"`
	ID        string    `json:"id"`
	AppID     string    `json:"app_id"`
	CreatedAt flexInt64 `json:"created_at"`
	Data      struct {
		Item json.RawMessage `json:"item"`
	} `json:"data"`
}

type intercomPerson struct {
	Type       string     `json:"type"`
	ID         flexString `json:"id"`
	Name       string     `json:"name"`
	Pseudonym  string     `json:"pseudonym"`
	Email      string     `json:"email"`
	UserID     flexString `json:"user_id"`
	ExternalID flexString `json:"external_id"`
}

type intercomMessage struct {
	ID        flexString     `json:"id"`
	Subject   string         `json:"subject"`
	Body      string         `json:"body"`
	URL       string         `json:"url"`
	Author    intercomPerson `json:"author"`
	CreatedAt flexInt64      `json:"created_at"`
}

type intercomPart struct {
	ID        flexString     `json:"id"`
	PartType  string         `json:"part_type"`
	Redacted  bool           `json:"redacted"` // deleted: the body is Intercom's "This message was deleted"
	Body      string         `json:"body"`
	CreatedAt flexInt64      `json:"created_at"`
	Author    intercomPerson `json:"author"`
}

type intercomConversation struct {
	Type                string           `json:"type"`
	Ticket              json.RawMessage  `json:"ticket"`      // ticket.contact.replied: the ticket…
	TicketPart          *intercomPart    `json:"ticket_part"` // …and the part that was added
	ID                  flexString       `json:"id"`
	TicketID            flexString       `json:"ticket_id"`
	CreatedAt           flexInt64        `json:"created_at"`
	Source              *intercomMessage `json:"source"`
	ConversationMessage *intercomMessage `json:"conversation_message"`
	User                *intercomPerson  `json:"user"`
	Contacts            json.RawMessage  `json:"contacts"` // {"contacts":[...]} in 2.x, a list in some versions
	ConversationParts   struct {
		ConversationParts []intercomPart `json:"conversation_parts"`
	} `json:"conversation_parts"`
	TicketParts struct {
		TicketParts []intercomPart `json:"ticket_parts"`
	} `json:"ticket_parts"`
	Links struct {
		ConversationWeb string `json:"conversation_web"`
	} `json:"links"`
}

func (in *Integration) intercom(q *request) (*outcome, error) {
	sig := q.r.Header.Get("X-Hub-Signature")
	if err := verifyHex(sig, "sha1=", mac(sha1New, q.secret, q.body)); err != nil {
		return nil, unauthorized("invalid Intercom signature", err)
	}
	out, err := parseIntercom(q.body)
	if err != nil {
		return nil, badPayload("unreadable Intercom notification", err)
	}
	mac, _ := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(sig), "sha1=")) // verified above
	out.replayID = replayKey("intercom", mac)
	out.ttl = replayTTLUnwindowed
	return out, nil
}

func isIntercomCustomer(p intercomPerson) bool {
	switch p.Type {
	case "user", "lead", "contact":
		return true
	}
	return false
}

// parseIntercom reads a notification; a nil capture with a reason means "acknowledge
// and ignore".
func parseIntercom(body []byte) (*outcome, error) {
	var n intercomNotification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, err
	}
	switch n.Topic {
	case "conversation.user.created", "conversation.user.replied", "ticket.contact.replied":
	default:
		return &outcome{ignored: "topic " + n.Topic + " is not a customer message"}, nil
	}
	if len(n.Data.Item) == 0 {
		return nil, errors.New("notification without data.item")
	}
	var conv intercomConversation
	if err := json.Unmarshal(n.Data.Item, &conv); err != nil {
		return nil, err
	}
	var added *intercomPart
	if conv.Type == "ticket_ticket_part" {
		// A ticket notification wraps the ticket and names the part it is about.
		added = conv.TicketPart
		if len(conv.Ticket) == 0 || conv.Ticket[0] != '{' {
			return nil, errors.New("ticket notification without ticket")
		}
		if err := json.Unmarshal(conv.Ticket, &conv); err != nil {
			return nil, err
		}
	}
	convID := conv.ID.String()
	if convID == "" {
		return nil, errors.New("conversation without id")
	}
	contact := intercomContact(conv)
	c := &feedback.Capture{
		ExternalURL:      conv.Links.ConversationWeb,
		Email:            contact.Email,
		PersonExternalID: firstNonEmpty(contact.ExternalID.String(), contact.UserID.String()),
	}
	if c.ExternalURL == "" && n.AppID != "" {
		// A ticket is a conversation in Intercom's inbox: its id opens it the same way.
		c.ExternalURL = "https://app.intercom.com/a/apps/" + n.AppID + "/conversations/" + convID
	}
	var author intercomPerson
	switch n.Topic {
	case "conversation.user.created":
		msg := conv.Source
		if msg == nil {
			msg = conv.ConversationMessage
		}
		if msg == nil {
			return nil, errors.New("conversation without source message")
		}
		if msg.Author.Type != "" && !isIntercomCustomer(msg.Author) {
			return &outcome{ignored: "conversation not started by a customer"}, nil
		}
		body := htmlToText(msg.Body)
		c.Text = withSubject(htmlToText(msg.Subject), body)
		c.Quote = feedback.DefaultQuote(body)
		c.ExternalID = convID
		c.OccurredAt = unixOr(int64(msg.CreatedAt), int64(conv.CreatedAt), int64(n.CreatedAt))
		author = msg.Author
	case "conversation.user.replied", "ticket.contact.replied":
		parts := conv.ConversationParts.ConversationParts
		if n.Topic == "ticket.contact.replied" {
			parts = conv.TicketParts.TicketParts
		}
		part := added
		if part != nil && !customerPart(part) {
			return &outcome{ignored: "the part is not a customer's reply"}, nil
		}
		for i := range parts {
			if added != nil {
				break
			}
			p := &parts[i]
			if !customerPart(p) {
				continue
			}
			if part == nil || p.CreatedAt >= part.CreatedAt {
				part = p
			}
		}
		if part == nil {
			return &outcome{ignored: "no customer reply in the notification"}, nil
		}
		c.Text = htmlToText(part.Body)
		c.ExternalID = convID + ":" + part.ID.String()
		if n.Topic == "ticket.contact.replied" {
			c.ExternalID = "ticket:" + c.ExternalID
		}
		c.OccurredAt = unixOr(int64(part.CreatedAt), int64(n.CreatedAt))
		author = part.Author
	}
	c.Email = firstNonEmpty(author.Email, c.Email)
	out := &outcome{capture: c}
	// A pseudonym is Intercom's invention, not the person's name.
	name := firstNonEmpty(author.Name, contact.Name)
	out.placeholder = firstNonEmpty(author.Pseudonym, contact.Pseudonym)
	if out.placeholder == "" && (author.Type == "lead" || author.Type == "" && contact.Type == "lead" || contact.Type == "lead") && isPseudonym(name) {
		out.placeholder = name
	}
	if name != "" && name != out.placeholder {
		c.Name = name
	}
	return out, nil
}

// isPseudonym reports whether a lead's name is the kind Intercom makes up for an
// anonymous visitor: two capitalised words, "from", a place ("Rose Poodle from St.
// John's", "Grey Lake from Dublin").
func isPseudonym(name string) bool {
	before, place, ok := strings.Cut(name, " from ")
	if !ok || strings.TrimSpace(place) == "" {
		return false
	}
	words := strings.Fields(before)
	if len(words) != 2 {
		return false
	}
	for _, w := range words {
		if w[0] < 'A' || w[0] > 'Z' {
			return false
		}
	}
	return true
}

// customerPart reports whether a part is a customer's own words: written by a user or
// lead, not a note, not redacted, not empty.
func customerPart(p *intercomPart) bool {
	return isIntercomCustomer(p.Author) && p.PartType != "note" && !p.Redacted && strings.TrimSpace(p.Body) != ""
}

// intercomContact is the customer of a conversation: the first contact (2.x) or the
// user (1.x), with the message author's details filled in by the caller.
func intercomContact(conv intercomConversation) intercomPerson {
	if len(conv.Contacts) > 0 {
		var wrapped struct {
			Contacts []intercomPerson `json:"contacts"`
		}
		if json.Unmarshal(conv.Contacts, &wrapped) == nil && len(wrapped.Contacts) > 0 {
			return wrapped.Contacts[0]
		}
		var list []intercomPerson
		if json.Unmarshal(conv.Contacts, &list) == nil && len(list) > 0 {
			return list[0]
		}
	}
	if conv.User != nil {
		return *conv.User
	}
	return intercomPerson{}
}

// flexInt64 reads a JSON number or a string holding one; anything else is 0, so one
// odd timestamp never rejects a whole notification.
type flexInt64 int64

func (f *flexInt64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if x, ferr := strconv.ParseFloat(s, 64); ferr == nil && x > 0 && x < 1<<40 {
			n = int64(x)
		} else {
			n = 0
		}
	}
	*f = flexInt64(n)
	return nil
}

func unixOr(ts ...int64) time.Time {
	for _, t := range ts {
		if t > 0 && t < 1<<40 {
			return time.Unix(t, 0).UTC()
		}
	}
	return time.Time{}
}
