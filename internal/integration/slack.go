package integration

import (
	"context"
	"encoding/hex"
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
//     and event_callback envelopes. "message" events from people become feedback
//     (plain messages, /me messages, thread broadcasts, file shares with a comment);
//     bot messages, edits, deletions and joins are ignored. Subscribe the app to
//     message.channels (and message.groups / message.im as wanted) only in the
//     customer-facing channels: every human message there becomes an item. In a Slack
//     Connect channel shared with a customer (is_ext_shared_channel), a message by a
//     member of our own workspace — its user_team (or team) is a workspace the app is
//     installed in: the envelope's authorizations, else authed_teams, else its team_id
//     (in a shared channel team_id can be the other organization's) — is staff talking,
//     not feedback. The app's own bot user is never feedback either.
//   - Interactivity, form-encoded payload=<JSON>: a message shortcut (type
//     message_action) — create one with callback id "send_to_closeloop" — turns the
//     chosen message into feedback. Its callback id is not checked: any message
//     shortcut of this app means "send to closeloop".
//
// Text is Slack mrkdwn: links become "label (url)", *bold*, _italic_, ~strike~ and
// `code` marks are removed, and user mentions become "@Real Name" when a bot token can
// look the user up (at most slackMaxMentions a message) or are dropped otherwise, so
// no raw user id lands in the text.
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
	Type               string   `json:"type"`
	Challenge          string   `json:"challenge"`
	TeamID             string   `json:"team_id"`
	IsExtSharedChannel bool     `json:"is_ext_shared_channel"`
	AuthedTeams        []string `json:"authed_teams"` // older payloads' list of installing workspaces
	Authorizations     []struct {
		TeamID string `json:"team_id"`
		UserID string `json:"user_id"`
		IsBot  bool   `json:"is_bot"`
	} `json:"authorizations"`
	EventTime int64           `json:"event_time"`
	Event     json.RawMessage `json:"event"`
}

type slackMessage struct {
	Type     string `json:"type"`
	Subtype  string `json:"subtype"`
	User     string `json:"user"`
	UserTeam string `json:"user_team"`
	Team     string `json:"team"`
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
	if err := fresh(ts, unixTimestamp, q.now, "Slack request timestamp", "Slack request"); err != nil {
		return nil, err
	}
	ct, _, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	out, err := parseSlack(ct, q.body)
	if err != nil {
		return nil, badPayload("unreadable Slack request", err)
	}
	mac, _ := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(sig), "v0=")) // verified above
	out.replayID = replayKey("slack", mac, []byte(ts))
	out.ttl = replayTTLWindowed
	if out.capture != nil && in.users != nil {
		raw := out.slackRaw
		out.enrich = func(ctx context.Context, c *feedback.Capture) {
			in.users.enrich(ctx, c)
			if !strings.Contains(raw, "<@") {
				return
			}
			n := 0
			c.Text = slackText(raw, func(id string) string {
				if n++; n > slackMaxMentions || !isSlackID(id) {
					return ""
				}
				return in.users.lookup(ctx, id).name
			})
			c.Quote = feedback.DefaultQuote(c.Text)
		}
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
	case "", "thread_broadcast", "file_share", "me_message":
	default:
		return &outcome{ignored: "message subtype " + m.Subtype}, nil
	}
	if m.BotID != "" || m.User == "" {
		return &outcome{ignored: "message from a bot"}, nil
	}
	own := map[string]bool{}
	for _, a := range env.Authorizations {
		if a.IsBot && a.UserID != "" && a.UserID == m.User {
			return &outcome{ignored: "message from our own app's bot user"}, nil
		}
		if a.TeamID != "" {
			own[a.TeamID] = true
		}
	}
	if len(own) == 0 {
		for _, t := range env.AuthedTeams {
			own[t] = true
		}
	}
	if len(own) == 0 && env.TeamID != "" {
		own[env.TeamID] = true
	}
	if author := firstNonEmpty(m.UserTeam, m.Team); env.IsExtSharedChannel && own[author] {
		return &outcome{ignored: "message by a member of our own workspace in a shared channel"}, nil
	}
	c, err := slackCapture(env.TeamID, m.Channel, "", m)
	if err != nil {
		return nil, err
	}
	return &outcome{capture: c, slackRaw: m.Text}, nil
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
	return &outcome{capture: c, respond: ack, slackRaw: m.Text}, nil
}

func slackCapture(team, channel, domain string, m slackMessage) (*feedback.Capture, error) {
	if m.TS == "" || channel == "" {
		return nil, errors.New("message without channel or ts")
	}
	text := slackText(m.Text, nil)
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

// slackMaxMentions bounds the users.info lookups one message may cost.
const slackMaxMentions = 3

// slackText turns Slack's message markup into plain text: <https://x|label> becomes
// "label (https://x)", <#C123|general> "#general", <!here> "@here", a user mention
// "@Name" (its label, or what name(id) returns; dropped when neither gives a name, so
// no raw id remains), mrkdwn marks are removed (slackMrkdwn) and the three escaped
// characters are restored.
func slackText(s string, name func(id string) string) string {
	// Each <…> is rendered on its own and stands in the text as slackPiece while the
	// mrkdwn marks around it are removed, so "*see <url|doc>*" loses both stars and a
	// URL's own underscores are never taken for marks.
	var b strings.Builder
	var pieces []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(strings.ReplaceAll(s[:i], slackPiece, ""))
		inner := s[i+1 : i+j]
		s = s[i+j+1:]
		target, label, hasLabel := strings.Cut(inner, "|")
		var p string
		switch {
		case strings.HasPrefix(target, "@"):
			p = strings.TrimPrefix(label, "@")
			if p == "" && name != nil {
				p = name(target[1:])
			}
			if p != "" {
				p = "@" + p
			}
		case strings.HasPrefix(target, "#"):
			if hasLabel {
				p = "#" + label
			} else {
				p = target
			}
		case strings.HasPrefix(target, "!"):
			if hasLabel {
				p = "@" + strings.TrimPrefix(label, "@")
			} else {
				t := strings.TrimPrefix(target, "!")
				if k := strings.IndexByte(t, '^'); k >= 0 {
					t = t[:k]
				}
				p = "@" + t
			}
		case hasLabel && label != target:
			p = label + " (" + target + ")"
		default:
			p = target
		}
		pieces = append(pieces, p)
		b.WriteString(slackPiece)
	}
	b.WriteString(strings.ReplaceAll(s, slackPiece, ""))
	out := slackMrkdwn(b.String())
	if len(pieces) > 0 {
		var o strings.Builder
		for k := 0; ; k++ {
			i := strings.Index(out, slackPiece)
			if i < 0 || k >= len(pieces) {
				o.WriteString(out)
				break
			}
			o.WriteString(out[:i])
			o.WriteString(pieces[k])
			out = out[i+len(slackPiece):]
		}
		out = o.String()
	}
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	return tidy(r.Replace(out))
}

// slackPiece marks where a rendered <…> goes back (a private-use character no
// message needs).
const slackPiece = "\uE000"

// slackMrkdwn removes Slack's formatting marks from text outside <…>: *bold*,
// _italic_, ~strike~ and `code` around words (a mark opens after a space, line start
// or punctuation and closes before one, as Slack renders them, so "2*3*4" and
// snake_case_names stay), ``` fences, and "&gt; " quote markers at line starts.
func slackMrkdwn(s string) string {
	s = strings.ReplaceAll(s, "```", "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if t, ok := strings.CutPrefix(l, "&gt; "); ok {
			l = t
		} else if l == "&gt;" {
			l = ""
		}
		// Marks nest ("~_*word*_~"): one pass removes the outermost pair.
		for range 3 {
			m := unmark(l)
			if m == l {
				break
			}
			l = m
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// unmark drops paired mrkdwn marks within one line.
func unmark(l string) string {
	b := []byte(l)
	drop := make([]bool, len(b))
	for i := 0; i < len(b); i++ {
		m := b[i]
		if m != '*' && m != '_' && m != '~' && m != '`' {
			continue
		}
		if i > 0 && !isBoundary(b[i-1]) || i+1 >= len(b) || b[i+1] == ' ' || b[i+1] == m {
			continue
		}
		for j := i + 1; j < len(b); j++ {
			if b[j] != m {
				continue
			}
			if b[j-1] != ' ' && (j+1 == len(b) || isBoundary(b[j+1])) {
				drop[i], drop[j] = true, true
				i = j
			}
			break
		}
	}
	out := b[:0:0]
	for i, c := range b {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return string(out)
}

func isBoundary(c byte) bool {
	return c == ' ' || c == '\t' || strings.IndexByte(`.,;:!?()[]{}"'-/`, c) >= 0
}
