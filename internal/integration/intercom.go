package integration

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Intercom webhooks (Developer Hub → Webhooks): a notification_event whose data.item is
// a Conversation for the topics we take:
//
//	conversation.user.created  a customer started a conversation: its first message
//	conversation.user.replied  a customer replied: the newest customer part
//
// Every other topic (admin replies, notes, the "ping" sent when the webhook is saved)
// is acknowledged and ignored. Intercom signs the raw body with the app's client
// secret: X-Hub-Signature: sha1=<hex HMAC-SHA1>. There is no signed timestamp, so the
// replay cache remembers signatures for a day.
//
// Both conversation shapes are read: API 2.x puts the first message in "source" and the
// customer in "contacts"; API 1.x used "conversation_message" and "user".

type intercomNotification struct {
	Type      string `json:"type"`
	Topic     string `json:"topic"`
	ID        string `json:"id"`
	AppID     string `json:"app_id"`
	CreatedAt int64  `json:"created_at"`
	Data      struct {
		Item json.RawMessage `json:"item"`
	} `json:"data"`
}

type intercomPerson struct {
	Type       string     `json:"type"`
	ID         flexString `json:"id"`
	Name       string     `json:"name"`
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
	CreatedAt int64          `json:"created_at"`
}

type intercomPart struct {
	ID        flexString     `json:"id"`
	PartType  string         `json:"part_type"`
	Body      string         `json:"body"`
	CreatedAt int64          `json:"created_at"`
	Author    intercomPerson `json:"author"`
}

type intercomConversation struct {
	Type                string           `json:"type"`
	ID                  flexString       `json:"id"`
	CreatedAt           int64            `json:"created_at"`
	Source              *intercomMessage `json:"source"`
	ConversationMessage *intercomMessage `json:"conversation_message"`
	User                *intercomPerson  `json:"user"`
	Contacts            json.RawMessage  `json:"contacts"` // {"contacts":[...]} in 2.x, a list in some versions
	ConversationParts   struct {
		ConversationParts []intercomPart `json:"conversation_parts"`
	} `json:"conversation_parts"`
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
	out.replayID = "intercom:" + strings.ToLower(strings.TrimSpace(sig))
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
	if n.Topic != "conversation.user.created" && n.Topic != "conversation.user.replied" {
		return &outcome{ignored: "topic " + n.Topic + " is not a customer message"}, nil
	}
	if len(n.Data.Item) == 0 {
		return nil, errors.New("notification without data.item")
	}
	var conv intercomConversation
	if err := json.Unmarshal(n.Data.Item, &conv); err != nil {
		return nil, err
	}
	convID := conv.ID.String()
	if convID == "" {
		return nil, errors.New("conversation without id")
	}
	contact := intercomContact(conv)
	c := &feedback.Capture{
		ExternalURL:      conv.Links.ConversationWeb,
		Email:            contact.Email,
		Name:             contact.Name,
		PersonExternalID: firstNonEmpty(contact.ExternalID.String(), contact.UserID.String()),
	}
	if c.ExternalURL == "" && n.AppID != "" {
		c.ExternalURL = "https://app.intercom.com/a/apps/" + n.AppID + "/conversations/" + convID
	}

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
		body := plain(msg.Body)
		c.Text = withSubject(plain(msg.Subject), body)
		c.Quote = feedback.DefaultQuote(body)
		c.ExternalID = convID
		c.OccurredAt = unixOr(msg.CreatedAt, conv.CreatedAt, n.CreatedAt)
		c.Email = firstNonEmpty(msg.Author.Email, c.Email)
		c.Name = firstNonEmpty(msg.Author.Name, c.Name)
	case "conversation.user.replied":
		var part *intercomPart
		for i := range conv.ConversationParts.ConversationParts {
			p := &conv.ConversationParts.ConversationParts[i]
			if !isIntercomCustomer(p.Author) || strings.TrimSpace(p.Body) == "" {
				continue
			}
			if part == nil || p.CreatedAt >= part.CreatedAt {
				part = p
			}
		}
		if part == nil {
			return &outcome{ignored: "no customer reply in the notification"}, nil
		}
		c.Text = plain(part.Body)
		c.ExternalID = convID + ":" + part.ID.String()
		c.OccurredAt = unixOr(part.CreatedAt, n.CreatedAt)
		c.Email = firstNonEmpty(part.Author.Email, c.Email)
		c.Name = firstNonEmpty(part.Author.Name, c.Name)
	}
	return &outcome{capture: c}, nil
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

func unixOr(ts ...int64) time.Time {
	for _, t := range ts {
		if t > 0 && t < 1<<40 {
			return time.Unix(t, 0).UTC()
		}
	}
	return time.Time{}
}
