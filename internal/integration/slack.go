package integration

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Slack sends two kinds of requests to /hooks/slack (set it as both the Events API
// Request URL and the Interactivity Request URL):
//
//   - Events API, JSON: the url_verification handshake (answered with its challenge)
//     and event_callback envelopes. "message" events from people become feedback;
//     bot messages, edits, deletions and joins are ignored. Subscribe the app to
//     message.channels (and message.groups / message.im as wanted) only in the
//     customer-facing channels: every human message there becomes an item.
//   - Interactivity, form-encoded payload=<JSON>: a message shortcut (type
//     message_action) — create one with callback id "send_to_closeloop" — turns the
//     chosen message into feedback. Its callback id is not checked: any message
//     shortcut of this app means "send to closeloop".
//
// Every request is signed: X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret,
// "v0:" + X-Slack-Request-Timestamp + ":" + body)); timestamps more than 5 minutes
// away are refused and signatures seen within the window are remembered.
//
// ExternalID is team/channel/ts, the message's identity in Slack, so a message that
// arrives both as an event and through the shortcut is one item. The author's Slack
// user id becomes PersonExternalID; with a bot token (CLOSELOOP_SLACK_BOT_TOKEN) their
// email and name are looked up with users.info (slackusers.go), so the person and
// account resolve by email; without one, or when the lookup fails, the item keeps the
// user id only. chat.getPermalink is not called: the shortcut payload names the
// workspace domain, so its items get a permalink, event items do not.
//
// Slack wants an answer within 3 seconds; the lookup is bounded by slackLookupTimeout
// and cached, the capture by captureTimeout, and on failure Slack's retry (re-signed,
// same event) is deduplicated by ExternalID.

type slackEnvelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventTime int64           `json:"event_time"`
	Event     json.RawMessage `json:"event"`
}

type slackMessage struct {
	Type     string `json:"type"`
	Subtype  string `json:"subtype"`
	User     string `json:"user"`
	BotID    string `json:"bot_id"`
	Text     string `json:"text"`
	TS       string `json:"ts"`
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
}

type slackAction struct {
	Type       string `json:"type"`
	CallbackID string `json:"callback_id"`
	Team       *struct {
		ID     string `json:"id"`
		Domain string `json:"domain"`
	} `json:"team"`
	Channel *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"channel"`
	User *struct {
		ID string `json:"id"`
	} `json:"user"`
	MessageTS string       `json:"message_ts"`
	Message   slackMessage `json:"message"`
}

func (in *Integration) slack(q *request) (*outcome, error) {
	sig := q.r.Header.Get("X-Slack-Signature")
	ts := q.r.Header.Get("X-Slack-Request-Timestamp")
	base := append([]byte("v0:"+ts+":"), q.body...)
	if err := verifyHex(sig, "v0=", mac(sha256New, q.secret, base)); err != nil {
		return nil, unauthorized("invalid Slack signature", err)
	}
	at, err := unixTimestamp(ts)
	if err != nil {
		return nil, unauthorized("invalid Slack request timestamp", err)
	}
	if !within(at, q.now) {
		return nil, unauthorized("stale Slack request", errStale)
	}
	ct, _, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	out, err := parseSlack(ct, q.body)
	if err != nil {
		return nil, badPayload("unreadable Slack request", err)
	}
	out.replayID = "slack:" + strings.ToLower(strings.TrimSpace(sig))
	out.ttl = replayTTLWindowed
	if out.capture != nil && in.users != nil {
		out.enrich = in.users.enrich
	}
	return out, nil
}

// parseSlack reads either kind of Slack request by its content type.
func parseSlack(contentType string, body []byte) (*outcome, error) {
	if contentType == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		payload := form.Get("payload")
		if payload == "" {
			return nil, errors.New("interactivity request without payload")
		}
		return parseSlackAction([]byte(payload))
	}
	var env slackEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	switch env.Type {
	case "url_verification":
		challenge := env.Challenge
		return &outcome{ignored: "url_verification", respond: func(w http.ResponseWriter) error {
			return writeJSON(w, http.StatusOK, map[string]string{"challenge": challenge})
		}}, nil
	case "event_callback":
	default:
		return &outcome{ignored: "request type " + env.Type}, nil
	}
	var m slackMessage
	if len(env.Event) == 0 {
		return nil, errors.New("event_callback without event")
	}
	if err := json.Unmarshal(env.Event, &m); err != nil {
		return nil, err
	}
	if m.Type != "message" {
		return &outcome{ignored: "event " + m.Type}, nil
	}
	switch m.Subtype {
	case "", "thread_broadcast", "file_share":
	default:
		return &outcome{ignored: "message subtype " + m.Subtype}, nil
	}
	if m.BotID != "" || m.User == "" {
		return &outcome{ignored: "message from a bot"}, nil
	}
	c, err := slackCapture(env.TeamID, m.Channel, "", m)
	if err != nil {
		return nil, err
	}
	return &outcome{capture: c}, nil
}

func parseSlackAction(payload []byte) (*outcome, error) {
	var a slackAction
	if err := json.Unmarshal(payload, &a); err != nil {
		return nil, err
	}
	ack := func(w http.ResponseWriter) error { w.WriteHeader(http.StatusOK); return nil }
	if a.Type != "message_action" {
		return &outcome{ignored: "interaction " + a.Type, respond: ack}, nil
	}
	var team, domain, channel string
	if a.Team != nil {
		team, domain = a.Team.ID, a.Team.Domain
	}
	if a.Channel != nil {
		channel = a.Channel.ID
	}
	m := a.Message
	if m.TS == "" {
		m.TS = a.MessageTS
	}
	c, err := slackCapture(team, channel, domain, m)
	if err != nil {
		return nil, err
	}
	return &outcome{capture: c, respond: ack}, nil
}

func slackCapture(team, channel, domain string, m slackMessage) (*feedback.Capture, error) {
	if m.TS == "" || channel == "" {
		return nil, errors.New("message without channel or ts")
	}
	text := slackText(m.Text)
	c := &feedback.Capture{
		Text:             text,
		Quote:            feedback.DefaultQuote(text),
		ExternalID:       team + "/" + channel + "/" + m.TS,
		PersonExternalID: m.User,
		OccurredAt:       slackTime(m.TS),
	}
	if domain != "" && isSlackID(channel) {
		c.ExternalURL = "https://" + url.PathEscape(domain) + ".slack.com/archives/" + channel + "/p" + strings.ReplaceAll(m.TS, ".", "")
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			c.ExternalURL += "?thread_ts=" + url.QueryEscape(m.ThreadTS) + "&cid=" + channel
		}
	}
	return c, nil
}

func isSlackID(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// slackTime reads a message ts ("1355517523.000005": seconds.sequence).
func slackTime(ts string) time.Time {
	sec, _, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// slackText turns Slack's message markup into plain text: <https://x|label> becomes
// "label (https://x)", <@U123> "@U123", <#C123|general> "#general", and the three
// escaped characters are restored.
func slackText(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		inner := s[i+1 : i+j]
		s = s[i+j+1:]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
			if hasLabel {
				b.WriteString(target[:1] + label)
			} else {
				b.WriteString(target)
			}
		case strings.HasPrefix(target, "!"):
			b.WriteString("@" + strings.TrimPrefix(firstNonEmpty(label, target), "!"))
		case hasLabel && label != target:
			b.WriteString(label + " (" + target + ")")
		default:
			b.WriteString(target)
		}
	}
	b.WriteString(s)
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	return strings.TrimSpace(r.Replace(b.String()))
}
