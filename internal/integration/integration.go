// Package integration is closeloop's inbound channels: signed webhooks from Intercom,
// Zendesk, Help Scout, Freshdesk and Slack, inbound email posted by a mail relay, and
// mbox import. Every channel turns its payload into one feedback.Capture and hands it
// to the injected CaptureFunc; nothing here touches the database.
//
// Routes (all public: the vendor's signature or the shared secret is the credential):
//
//	POST /hooks/intercom   X-Hub-Signature: sha1=hex(HMAC-SHA1(client secret, body))
//	POST /hooks/zendesk    X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(secret, timestamp+body)),
//	                       X-Zendesk-Webhook-Signature-Timestamp within 5 minutes
//	POST /hooks/helpscout  X-HelpScout-Signature: base64(HMAC-SHA1(secret, body))
//	POST /hooks/freshdesk  X-Closeloop-Secret: <shared secret> (Freshdesk does not sign)
//	POST /hooks/slack      X-Slack-Signature: v0=hex(HMAC-SHA256(signing secret, "v0:"+ts+":"+body)),
//	                       X-Slack-Request-Timestamp within 5 minutes; Events API and
//	                       interactivity (message shortcut) share the one URL
//	POST /hooks/email      raw RFC 5322 message; X-Closeloop-Secret header or ?token=
//
// The secrets come from the environment (read by the integrator into Secrets):
//
//	CLOSELOOP_INTERCOM_SECRET   Intercom app client secret (Developer Hub → Basic info)
//	CLOSELOOP_ZENDESK_SECRET    Zendesk webhook signing secret
//	CLOSELOOP_HELPSCOUT_SECRET  Help Scout webhook secret key
//	CLOSELOOP_FRESHDESK_SECRET  value Freshdesk sends in the X-Closeloop-Secret header
//	CLOSELOOP_SLACK_SECRET      Slack app signing secret (Basic Information → App Credentials)
//	CLOSELOOP_SLACK_BOT_TOKEN   optional: Slack bot token (xoxb-…, scopes users:read and
//	                            users:read.email) to look up each author's email
//	CLOSELOOP_EMAIL_SECRET      value the mail relay sends in X-Closeloop-Secret or ?token=
//
// A channel whose secret is empty answers 404 "not configured": nothing is ever
// accepted unsigned. Every route is rate limited per client IP (429).
//
// Security model for each request, in this order: rate limit, configured, body size,
// signature (401), timestamp window for Slack/Zendesk (401), replay cache (401: the
// exact same signed request seen before), parse (400), capture. A forged, stale or
// replayed request never reaches the CaptureFunc. Independently, the store makes a
// repeat of (Source, ExternalID) a no-op, so a vendor's redelivery of the same event
// under a fresh signature never creates a second item either.
package integration

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
)

// CaptureFunc stores one capture. A repeat of the same (Source, ExternalID) returns
// created=false and stores nothing new. The store provides it.
type CaptureFunc func(ctx context.Context, c feedback.Capture) (itemID string, created bool, err error)

// Secrets holds one credential per channel; empty means the channel is off.
type Secrets struct {
	Intercom, Zendesk, HelpScout, Freshdesk, Slack, Email string
}

// Deps is what the channels need.
type Deps struct {
	Capture CaptureFunc
	Secrets Secrets
	Log     *slog.Logger
	Now     func() time.Time // nil means time.Now; tests pin it for timestamp windows

	// SlackBotToken (CLOSELOOP_SLACK_BOT_TOKEN) turns on looking up each Slack
	// author's email and name with users.info (see slackusers.go); empty keeps the
	// Slack user id only.
	SlackBotToken string
	// SlackAPI is the Slack Web API base URL; empty means https://slack.com/api.
	// Tests point it at a local server.
	SlackAPI string
}

// Integration serves the inbound routes.
type Integration struct {
	d       Deps
	limiter *auth.Limiter
	seen    *replayCache
	users   *slackUsers // nil without a Slack bot token
}

// Rate limits per client IP, shared by all hooks. Vendors deliver in bursts from a few
// addresses (a bulk close in Intercom, an mbox-sized mail relay backlog), so the burst
// is generous; a flood from one address is still cut to 20 requests a second.
const (
	rateBurst = 200
	ratePer   = 50 * time.Millisecond
)

// Body limits. Webhook payloads with a conversation's parts can reach a few hundred KB;
// email includes attachments we do not keep, but must read to find the text.
const (
	maxWebhookBody = 5 << 20
	maxEmailBody   = 30 << 20
)

// captureTimeout bounds the store call so the vendor gets its answer in time (Slack
// gives up after 3 seconds, Intercom after 5) and retries rather than hangs.
const captureTimeout = 2500 * time.Millisecond

// New makes the inbound channels.
func New(d Deps) *Integration {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	in := &Integration{d: d, limiter: auth.NewLimiter(rateBurst, ratePer), seen: newReplayCache(replayCacheMax)}
	if d.SlackBotToken != "" {
		in.users = newSlackUsers(d.SlackBotToken, d.SlackAPI, d.Now, d.Log)
	}
	return in
}

// Register adds the public webhook routes.
func (in *Integration) Register(rt *router.Router) {
	rt.Public("POST /hooks/intercom", in.hook(feedback.SourceIntercom, func() string { return in.d.Secrets.Intercom }, maxWebhookBody, in.intercom))
	rt.Public("POST /hooks/zendesk", in.hook(feedback.SourceZendesk, func() string { return in.d.Secrets.Zendesk }, maxWebhookBody, in.zendesk))
	rt.Public("POST /hooks/helpscout", in.hook(feedback.SourceHelpScout, func() string { return in.d.Secrets.HelpScout }, maxWebhookBody, in.helpscout))
	rt.Public("POST /hooks/freshdesk", in.hook(feedback.SourceFreshdesk, func() string { return in.d.Secrets.Freshdesk }, maxWebhookBody, in.freshdesk))
	rt.Public("POST /hooks/slack", in.hook(feedback.SourceSlack, func() string { return in.d.Secrets.Slack }, maxWebhookBody, in.slack))
	rt.Public("POST /hooks/email", in.hook(feedback.SourceEmail, func() string { return in.d.Secrets.Email }, maxEmailBody, in.email))
}

// request is one inbound delivery with its raw body (signatures cover the exact bytes).
type request struct {
	r      *http.Request
	body   []byte
	secret string
	now    time.Time
}

// outcome is what a channel made of a verified request.
type outcome struct {
	capture  *feedback.Capture // nil: nothing to store (ignored event, handshake)
	ignored  string            // why nothing is stored
	respond  func(w http.ResponseWriter) error
	replayID string // key of the verified request in the replay cache; "" skips the check
	ttl      time.Duration
	// enrich, when set, completes the capture (the Slack author's email) after the
	// request passed every check and before it is stored; it must not fail.
	enrich func(ctx context.Context, c *feedback.Capture)
}

// channel verifies and parses one vendor's request. It returns a *router.Error (401 for
// authentication, 400 for a payload it cannot read) or an outcome.
type channel func(q *request) (*outcome, error)

func (in *Integration) hook(src feedback.Source, secret func() string, limit int64, ch channel) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !in.limiter.Allow(clientIP(r)) {
			return fail(w, &router.Error{Status: http.StatusTooManyRequests, Msg: "too many requests"})
		}
		key := secret()
		if key == "" {
			return fail(w, &router.Error{Status: http.StatusNotFound, Msg: string(src) + " is not configured"})
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return fail(w, &router.Error{Status: http.StatusRequestEntityTooLarge, Msg: "request body too large"})
			}
			return fail(w, &router.Error{Status: http.StatusBadRequest, Msg: "could not read request body", Err: err})
		}
		q := &request{r: r, body: body, secret: key, now: in.d.Now()}
		out, err := ch(q)
		if err != nil {
			return fail(w, router.Classify(err))
		}
		// Reserve the request before capturing, so two concurrent deliveries of the same
		// signed request cannot both pass; release it if we fail, so the vendor's retry
		// of a delivery we did not store is not mistaken for a replay.
		if out.replayID != "" {
			if !in.seen.reserve(out.replayID, q.now, out.ttl) {
				return fail(w, &router.Error{Status: http.StatusUnauthorized, Msg: "replayed request",
					Err: errors.New(string(src) + ": request already delivered")})
			}
		}
		status, err := in.store(r.Context(), src, out, q.now)
		if err != nil {
			if out.replayID != "" {
				in.seen.release(out.replayID)
			}
			return fail(w, router.Classify(err))
		}
		if out.respond != nil {
			return out.respond(w)
		}
		return writeJSON(w, http.StatusOK, status)
	}
}

type result struct {
	Status  string `json:"status"` // created, duplicate, ignored
	ItemID  string `json:"item_id,omitempty"`
	Ignored string `json:"reason,omitempty"`
}

func (in *Integration) store(ctx context.Context, src feedback.Source, out *outcome, now time.Time) (result, error) {
	if out.capture == nil {
		return result{Status: "ignored", Ignored: out.ignored}, nil
	}
	c := *out.capture
	c.Source = src
	if out.enrich != nil {
		out.enrich(ctx, &c)
	}
	if reason := sanitize(&c, now); reason != "" {
		in.d.Log.Info("inbound capture skipped", "source", src, "external_id", c.ExternalID, "reason", reason)
		return result{Status: "ignored", Ignored: reason}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, captureTimeout)
	defer cancel()
	id, created, err := in.d.Capture(ctx, c)
	if err != nil {
		var fe *errs.FieldError
		if errors.As(err, &fe) {
			// A capture the store refuses will be refused on every retry too; answering
			// an error would make the vendor retry and eventually disable the webhook.
			in.d.Log.Warn("inbound capture refused", "source", src, "external_id", c.ExternalID, "err", err)
			return result{Status: "ignored", Ignored: fe.Error()}, nil
		}
		return result{}, err
	}
	if !created {
		return result{Status: "duplicate", ItemID: id}, nil
	}
	return result{Status: "created", ItemID: id}, nil
}

// maxExternalID keeps ids (a Message-ID can be any length) within what an index holds.
const maxExternalID = 255

// sanitize drops the parts of a capture the store would refuse, so one bad field (a
// malformed requester email from a free-form Zendesk template) does not lose the
// customer's words. It returns why the capture cannot be stored at all, or "".
func sanitize(c *feedback.Capture, now time.Time) string {
	c.Text = strings.ToValidUTF8(c.Text, "\uFFFD")
	c.Quote = strings.ToValidUTF8(c.Quote, "\uFFFD")
	c.Name = strings.ToValidUTF8(c.Name, "")
	if len(c.ExternalID) > maxExternalID {
		c.ExternalID = "sha256:" + sha256hex([]byte(c.ExternalID))
	}
	probe := *c
	probe.Normalize(now)
	if probe.Text == "" {
		return "no text"
	}
	if probe.Email != "" {
		check := feedback.Capture{Text: "x", Source: c.Source, Kind: feedback.Other, Email: probe.Email}
		if check.Validate() != nil {
			c.Email = ""
		}
	}
	if c.ExternalURL != "" {
		check := feedback.Capture{Text: "x", Source: c.Source, Kind: feedback.Other, ExternalURL: c.ExternalURL}
		if check.Validate() != nil {
			c.ExternalURL = ""
		}
	}
	return ""
}

// fail writes e as a small JSON body (vendors log it; an HTML page helps no one) and
// returns it so the router logs and counts the failure without rendering again.
func fail(w http.ResponseWriter, e *router.Error) error {
	writeJSON(w, e.Status, map[string]string{"error": e.Msg})
	return e
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// clientIP is the peer address. X-Forwarded-For is not trusted: anyone can set it and
// pick a fresh rate-limit bucket per request.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func unauthorized(msg string, err error) *router.Error {
	return &router.Error{Status: http.StatusUnauthorized, Msg: msg, Err: err}
}

func badPayload(msg string, err error) *router.Error {
	return &router.Error{Status: http.StatusBadRequest, Msg: msg, Err: err}
}
