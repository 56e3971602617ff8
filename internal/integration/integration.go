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
//	POST /hooks/freshdesk  X-Closeloop-Secret: <shared secret>, or HTTP basic auth with the
//	                       secret as user name or password (Freshdesk does not sign)
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
//	CLOSELOOP_INBOUND_RAW_DAYS  days each captured item's raw delivery is kept for
//	                            `closeloop reparse` (default 30, 0 keeps none; read by
//	                            internal/app)
//
// A channel whose secret is empty answers 404 "not configured": nothing is ever
// accepted unsigned. Every route is rate limited per client IP (429).
//
// What the database keeps besides the item (Deps.Inbound, internal/store/inbound.go):
// the replay cache every instance shares (inbound_deliveries), each captured item's raw
// delivery for a while (inbound_payloads), and items whose help desk named an account
// external id that does not exist yet (inbound_pending_accounts: stored without the
// account, logged at WARN, listed by `closeloop reparse --pending`, attached by the
// inbound-cleanup job once the account exists). Creating the account from the webhook
// instead was rejected: an organization external id carries no name, domain or tier,
// and a typo in a trigger template would mint accounts.
//
// Security model for each request, in this order: rate limit, configured, body size,
// signature (401), timestamp window for Slack/Zendesk (401), parse (400), replay cache
// (200 "duplicate": the exact same delivery seen before, see replay.go), capture. A
// forged or stale request never reaches the CaptureFunc, and a redelivered one is
// acknowledged without reaching it. Independently, the store makes a repeat of
// (Source, ExternalID) a no-op, so a vendor's redelivery of the same event under a
// fresh signature never creates a second item either.
package integration

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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

// Inbound is what the channels keep in the database besides the captured item; the
// store implements it (internal/store/inbound.go).
type Inbound interface {
	deliveries
	// AddPendingAccount records that a stored item named an account external id that
	// is not an account yet, so it is attached when the account appears and an admin
	// can see it meanwhile.
	AddPendingAccount(ctx context.Context, feedbackID, source, accountExternalID string) error
	// LearnPersonName names a person who has no name, or only the placeholder given.
	LearnPersonName(ctx context.Context, email, externalID, name, placeholder string) error
	// KeepRawDelivery keeps a captured item's raw delivery for keepFor (reparse).
	KeepRawDelivery(ctx context.Context, feedbackID, source, headers string, body []byte, receivedAt time.Time, keepFor time.Duration) error
	// RecordIgnored logs a delivery answered without storing feedback, and why, for
	// an admin to see (Settings → Inbound).
	RecordIgnored(ctx context.Context, source, reason, detail string, at time.Time) error
}

// DefaultRawRetention is how long a captured item's raw delivery is kept.
const DefaultRawRetention = 30 * 24 * time.Hour

// maxKeptRaw bounds one kept delivery: webhook JSON is a few KB, but an email with
// attachments can be 30 MB, and its words are in the first part anyway.
const maxKeptRaw = 1 << 20

// Deps is what the channels need.
type Deps struct {
	Capture CaptureFunc
	// Inbound (the store) shares the replay cache between instances, keeps raw
	// deliveries and remembers items waiting for their account; nil keeps the replay
	// cache in memory and the rest off.
	Inbound Inbound
	// RawRetention is how long raw deliveries are kept; 0 means DefaultRawRetention,
	// negative keeps none.
	RawRetention time.Duration
	Secrets      Secrets
	Log          *slog.Logger
	Now          func() time.Time // nil means time.Now; tests pin it for timestamp windows

	// Members tells team members' email forwards (logged by them, the original sender
	// the author) from customers' (the forwarder the author); nil credits every forward
	// to its original sender.
	Members MemberLookup
	// Buckets (the store) shares the rate limits between instances; nil keeps them in
	// this process.
	Buckets auth.Buckets
	// Proxies are the trusted reverse proxies whose forwarded client address is
	// believed (CLOSELOOP_TRUSTED_PROXIES); none means the peer address.
	Proxies auth.Proxies

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
	flood   *auth.Limiter // every request, per client address: a generous guard against floods
	refused *auth.Limiter // requests whose signature or secret was refused, per client address
	seen    deliveries
	users   *slackUsers // nil without a Slack bot token
}

// Rate limits per client address, shared by all hooks and (through Deps.Buckets) by
// every instance. Vendors deliver in bursts from a few addresses (a bulk close in
// Intercom, an mbox-sized mail relay backlog) and are never limited for being signed:
// the flood guard only cuts one address past 200 requests a second; requests whose
// signature is refused get 20 and then one every 3 seconds.
const (
	floodBurst = 2000
	floodPer   = 5 * time.Millisecond
	rateBurst  = 20
	ratePer    = 3 * time.Second
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
	if d.RawRetention == 0 {
		d.RawRetention = DefaultRawRetention
	}
	in := &Integration{d: d, seen: memoryDeliveries{newReplayCache(replayCacheMax)},
		flood:   auth.NewLimiter(floodBurst, floodPer), // per instance: a flood is, too
		refused: auth.NewSharedLimiter("hook-refused", rateBurst, ratePer, d.Buckets, d.Log)}
	if d.Inbound != nil {
		in.seen = d.Inbound
	}
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
	replayID string // key of the verified request in the replay cache (replayKey); "" skips the check
	ttl      time.Duration
	// detail says who and what about for the ignored log (an email's sender and
	// subject), when nothing is stored.
	detail string
	// placeholder is a name the vendor made up for the person (an Intercom lead's
	// pseudonym): the capture does not carry it, and a real name replaces it.
	placeholder string
	// slackRaw is a Slack message's mrkdwn, re-rendered by enrich once mentions can be
	// resolved to names.
	slackRaw string
	// enrich, when set, completes the capture (the Slack author's email) after the
	// request passed every check and before it is stored; it must not fail.
	enrich func(ctx context.Context, c *feedback.Capture)
}

// channel verifies and parses one vendor's request. It returns a *router.Error (401 for
// authentication, 400 for a payload it cannot read) or an outcome.
type channel func(q *request) (*outcome, error)

func (in *Integration) hook(src feedback.Source, secret func() string, limit int64, ch channel) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ip := in.d.Proxies.ClientIP(r)
		if !in.flood.AllowCtx(r.Context(), ip) {
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
			// Only refused credentials spend the strict per-address budget: the signature
			// is checked first, so a vendor's signed burst is never cut, while a forger
			// guessing is.
			e := router.Classify(err)
			if e.Status == http.StatusUnauthorized && !in.refused.AllowCtx(r.Context(), ip) {
				return fail(w, &router.Error{Status: http.StatusTooManyRequests, Msg: "too many refused requests"})
			}
			return fail(w, e)
		}
		// Reserve the delivery before capturing, so two concurrent deliveries of the same
		// request cannot both pass; release it if we fail, so the vendor's retry of a
		// delivery we did not store is not mistaken for a redelivery.
		if out.replayID != "" {
			fresh, err := in.seen.ReserveDelivery(r.Context(), out.replayID, q.now, out.ttl)
			if err != nil {
				return fail(w, router.Classify(err))
			}
			if !fresh {
				in.d.Log.Info("inbound delivery seen before; acknowledged as duplicate", "source", src)
				if out.respond != nil {
					return out.respond(w)
				}
				return writeJSON(w, http.StatusOK, result{Status: "duplicate"})
			}
		}
		status, err := in.store(r.Context(), src, out, q)
		if err != nil {
			if out.replayID != "" {
				if rerr := in.seen.ReleaseDelivery(context.WithoutCancel(r.Context()), out.replayID); rerr != nil {
					in.d.Log.Warn("releasing a failed delivery's replay record failed", "source", src, "err", rerr)
				}
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

func (in *Integration) store(ctx context.Context, src feedback.Source, out *outcome, q *request) (result, error) {
	now := q.now
	if out.capture == nil {
		if out.respond == nil { // not a handshake (Slack's url_verification)
			in.recordIgnored(ctx, src, out.ignored, out.detail, now)
		}
		return result{Status: "ignored", Ignored: out.ignored}, nil
	}
	c := *out.capture
	c.Source = src
	if out.enrich != nil {
		out.enrich(ctx, &c)
	}
	if reason := sanitize(&c, now); reason != "" {
		in.d.Log.Info("inbound capture skipped", "source", src, "external_id", c.ExternalID, "reason", reason)
		in.recordIgnored(ctx, src, reason, captureDetail(c), now)
		return result{Status: "ignored", Ignored: reason}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, captureTimeout)
	defer cancel()
	id, created, err := in.d.Capture(ctx, c)
	var fe *errs.FieldError
	pendingAccount := ""
	if err != nil && errors.As(err, &fe) && fe.Field == "account_external_id" && c.AccountExternalID != "" {
		// The help desk names an organisation that is not an account yet. Its words
		// must not be lost (a 200 is never retried): store the item without that
		// account — the email's domain may still attach it — and remember the external
		// id, so the item is attached once the account exists and an admin sees it
		// waiting meanwhile.
		pendingAccount, c.AccountExternalID = c.AccountExternalID, ""
		id, created, err = in.d.Capture(ctx, c)
	}
	if err != nil {
		if errors.As(err, &fe) {
			// A capture the store refuses will be refused on every retry too; answering
			// an error would make the vendor retry and eventually disable the webhook.
			in.d.Log.Warn("inbound capture refused", "source", src, "external_id", c.ExternalID, "err", err)
			in.recordIgnored(ctx, src, fe.Error(), captureDetail(c), now)
			return result{Status: "ignored", Ignored: fe.Error()}, nil
		}
		return result{}, err
	}
	if !created {
		return result{Status: "duplicate", ItemID: id}, nil
	}
	in.afterCapture(ctx, src, id, c, out, q, pendingAccount)
	return result{Status: "created", ItemID: id}, nil
}

// afterCapture records what goes with a new item. The item is stored already, so a
// failure here is logged, never answered: the vendor's retry would only be a duplicate.
func (in *Integration) afterCapture(ctx context.Context, src feedback.Source, id string, c feedback.Capture, out *outcome, q *request, pendingAccount string) {
	if in.d.Inbound == nil {
		return
	}
	log := in.d.Log.With("source", src, "item", id)
	if pendingAccount != "" {
		log.Warn("inbound item names an unknown account; stored without it until the account exists", "account_external_id", pendingAccount)
		if err := in.d.Inbound.AddPendingAccount(ctx, id, string(src), pendingAccount); err != nil {
			log.Error("recording the item's unknown account failed", "err", err)
		}
	}
	if c.Name != "" || out.placeholder != "" {
		if err := in.d.Inbound.LearnPersonName(ctx, strings.ToLower(strings.TrimSpace(c.Email)), c.PersonExternalID, strings.TrimSpace(c.Name), out.placeholder); err != nil {
			log.Warn("updating the person's name failed", "err", err)
		}
	}
	if in.d.RawRetention > 0 && len(q.body) > maxKeptRaw {
		log.Info("raw delivery not kept: larger than the re-parse limit", "bytes", len(q.body), "limit", maxKeptRaw)
	} else if in.d.RawRetention > 0 {
		if err := in.d.Inbound.KeepRawDelivery(ctx, id, string(src), rawHeaders(q.r), q.body, q.now, in.d.RawRetention); err != nil {
			log.Warn("keeping the raw delivery failed", "err", err)
		}
	}
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

func unauthorized(msg string, err error) *router.Error {
	return &router.Error{Status: http.StatusUnauthorized, Msg: msg, Err: err}
}

func badPayload(msg string, err error) *router.Error {
	return &router.Error{Status: http.StatusBadRequest, Msg: msg, Err: err}
}

// recordIgnored logs an ignored delivery; a failure to log is only logged, since the
// vendor's answer must not depend on it.
func (in *Integration) recordIgnored(ctx context.Context, src feedback.Source, reason, detail string, at time.Time) {
	if in.d.Inbound == nil || reason == "" {
		return
	}
	if err := in.d.Inbound.RecordIgnored(context.WithoutCancel(ctx), string(src), reason, detail, at); err != nil {
		in.d.Log.Warn("recording an ignored delivery failed", "source", src, "err", err)
	}
}

// captureDetail is who wrote a capture and the start of what, for the ignored log.
func captureDetail(c feedback.Capture) string {
	who := c.Email
	if who == "" {
		who = c.Name
	}
	text := []rune(strings.TrimSpace(c.Text))
	if len(text) > 120 {
		text = append(text[:120], '…')
	}
	if who == "" {
		return string(text)
	}
	return who + ": " + string(text)
}
