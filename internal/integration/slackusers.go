package integration

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Looking up who wrote a Slack message.
//
// A Slack message names its author only by user id. With a bot token
// (CLOSELOOP_SLACK_BOT_TOKEN: Bot User OAuth Token, scopes users:read and
// users:read.email) the Slack channel asks the Web API method users.info
// (GET https://slack.com/api/users.info?user=<id>, Authorization: Bearer <token>) for
// the author's email and name and puts them on the capture, so the store resolves the
// person by email — and attaches a new person to the account of their email domain —
// as for every other channel. The Slack user id stays the capture's PersonExternalID.
//
// Slack wants its answer within 3 seconds, and a lookup is a courtesy, never a
// condition:
//
//   - one lookup waits at most slackLookupTimeout;
//   - answers are cached in memory: a user with an email for slackUserTTL; a user
//     without one (user_not_found, user_not_visible, a bot, a token without
//     users:read.email) for slackMissTTL; a failed call (timeout, 5xx, unreadable
//     answer) for slackFailTTL, so a burst of messages does not pay the timeout each;
//   - HTTP 429 pauses every lookup for its Retry-After (Slack rate-limits per method
//     and workspace, not per user); a token Slack refuses (invalid_auth,
//     token_revoked, …) pauses them for slackAuthPause and is logged as an error;
//   - concurrent lookups of one user share one call.
//
// Token rotation (expiring xoxe.xoxb- tokens) is not supported: an expired token is
// refused like a revoked one, so use the app's non-expiring bot token.
//
// Whatever happens, the message is captured: without an email it is stored with the
// Slack user id only, exactly as without a token. Lookups run only for requests whose
// signature, timestamp and replay checks passed, so a forged request makes no
// outbound call.

const (
	slackAPIDefault        = "https://slack.com/api"
	slackLookupTimeout     = 1500 * time.Millisecond
	slackUserTTL           = time.Hour
	slackMissTTL           = 10 * time.Minute
	slackFailTTL           = time.Minute
	slackAuthPause         = 5 * time.Minute
	slackDefaultRetryAfter = 30 * time.Second
	slackMaxRetryAfter     = 10 * time.Minute
	slackCacheMax          = 10000
	slackMaxResponse       = 1 << 20
)

// slackProfile is what a lookup found; email "" means none to be had.
type slackProfile struct {
	email, name string
}

type slackCached struct {
	p       slackProfile
	expires time.Time
}

// slackCall is one users.info call in flight; p is set before done is closed.
type slackCall struct {
	done chan struct{}
	p    slackProfile
}

type slackUsers struct {
	token   string
	base    string // Web API base URL without the trailing slash
	client  *http.Client
	timeout time.Duration
	now     func() time.Time
	log     *slog.Logger

	mu       sync.Mutex
	cache    map[string]slackCached
	inflight map[string]*slackCall
	paused   time.Time // no calls before this (rate limit, refused token)
}

func newSlackUsers(token, base string, now func() time.Time, log *slog.Logger) *slackUsers {
	if base == "" {
		base = slackAPIDefault
	}
	return &slackUsers{
		token: token, base: strings.TrimRight(base, "/"), client: &http.Client{},
		timeout: slackLookupTimeout, now: now, log: log,
		cache: map[string]slackCached{}, inflight: map[string]*slackCall{},
	}
}

// enrich sets the capture's email and name from the author's Slack profile when they
// can be had in time; otherwise it leaves the capture as it is.
func (u *slackUsers) enrich(ctx context.Context, c *feedback.Capture) {
	if c.PersonExternalID == "" || c.Email != "" || !isSlackID(c.PersonExternalID) {
		return
	}
	p := u.lookup(ctx, c.PersonExternalID)
	if p.email != "" {
		c.Email = p.email
	}
	if c.Name == "" {
		c.Name = p.name
	}
}

// lookup returns the cached profile of a user or fetches it, sharing a call already in
// flight. It returns the zero profile when nothing is known in time.
func (u *slackUsers) lookup(ctx context.Context, id string) slackProfile {
	now := u.now()
	u.mu.Lock()
	if e, ok := u.cache[id]; ok && now.Before(e.expires) {
		u.mu.Unlock()
		return e.p
	}
	if now.Before(u.paused) {
		u.mu.Unlock()
		return slackProfile{}
	}
	call, running := u.inflight[id]
	if !running {
		call = &slackCall{done: make(chan struct{})}
		u.inflight[id] = call
		// The call outlives a caller who gives up, so the others sharing it and the
		// cache still get its answer; its own timeout bounds it.
		go u.run(context.WithoutCancel(ctx), id, call)
	}
	u.mu.Unlock()
	select {
	case <-call.done:
		return call.p
	case <-ctx.Done():
		return slackProfile{}
	}
}

func (u *slackUsers) run(ctx context.Context, id string, call *slackCall) {
	p, ttl, pause := u.fetch(ctx, id)
	now := u.now()
	u.mu.Lock()
	call.p = p
	delete(u.inflight, id)
	if ttl > 0 {
		u.remember(id, slackCached{p: p, expires: now.Add(ttl)}, now)
	}
	if until := now.Add(pause); pause > 0 && until.After(u.paused) {
		u.paused = until
	}
	u.mu.Unlock()
	close(call.done)
}

// remember caches an answer, keeping the cache bounded: expired entries go first, then
// arbitrary ones. Called with u.mu held.
func (u *slackUsers) remember(id string, e slackCached, now time.Time) {
	if _, ok := u.cache[id]; !ok && len(u.cache) >= slackCacheMax {
		for k, v := range u.cache {
			if !now.Before(v.expires) {
				delete(u.cache, k)
			}
		}
		for k := range u.cache {
			if len(u.cache) < slackCacheMax {
				break
			}
			delete(u.cache, k)
		}
	}
	u.cache[id] = e
}

// usersInfo is the part of the users.info answer we read.
type usersInfo struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	User  struct {
		ID       string `json:"id"`
		IsBot    bool   `json:"is_bot"`
		RealName string `json:"real_name"`
		Profile  struct {
			Email       string `json:"email"`
			RealName    string `json:"real_name"`
			DisplayName string `json:"display_name"`
		} `json:"profile"`
	} `json:"user"`
}

// fetch calls users.info once. It returns what it found, how long to cache that (0:
// not at all) and how long to pause every lookup (0: no pause).
func (u *slackUsers) fetch(ctx context.Context, id string) (p slackProfile, ttl, pause time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	log := u.log.With("slack_user", id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.base+"/users.info?"+url.Values{"user": {id}}.Encode(), nil)
	if err != nil {
		log.Warn("slack users.info: bad request", "err", err)
		return p, slackFailTTL, 0
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	res, err := u.client.Do(req)
	if err != nil {
		log.Warn("slack users.info failed; captured with the Slack user id only", "err", err)
		return p, slackFailTTL, 0
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusTooManyRequests {
		wait := retryAfter(res.Header.Get("Retry-After"))
		log.Warn("slack users.info rate limited; lookups paused", "retry_after", wait)
		return p, 0, wait
	}
	if res.StatusCode != http.StatusOK {
		log.Warn("slack users.info failed; captured with the Slack user id only", "status", res.StatusCode)
		return p, slackFailTTL, 0
	}
	var info usersInfo
	if err := json.NewDecoder(io.LimitReader(res.Body, slackMaxResponse)).Decode(&info); err != nil {
		log.Warn("slack users.info: unreadable answer", "err", err)
		return p, slackFailTTL, 0
	}
	if !info.OK {
		switch info.Error {
		case "user_not_found", "user_not_visible":
			log.Info("slack users.info: no such user visible to the bot", "error", info.Error)
			return p, slackMissTTL, 0
		case "ratelimited":
			log.Warn("slack users.info rate limited; lookups paused", "retry_after", slackDefaultRetryAfter)
			return p, 0, slackDefaultRetryAfter
		case "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired",
			"no_permission", "missing_scope", "not_allowed_token_type", "team_access_not_granted":
			log.Error("slack users.info refused the bot token (check CLOSELOOP_SLACK_BOT_TOKEN and its scopes users:read, users:read.email); lookups paused",
				"error", info.Error, "pause", slackAuthPause)
			return p, 0, slackAuthPause
		default:
			log.Warn("slack users.info failed; captured with the Slack user id only", "error", info.Error)
			return p, slackFailTTL, 0
		}
	}
	if info.User.IsBot {
		return p, slackMissTTL, 0
	}
	pr := info.User.Profile
	p = slackProfile{email: strings.TrimSpace(pr.Email), name: firstNonEmpty(pr.RealName, info.User.RealName, pr.DisplayName)}
	if p.email == "" {
		log.Info("slack users.info: profile without email (does the token have users:read.email?)")
		return p, slackMissTTL, 0
	}
	return p, slackUserTTL, 0
}

// retryAfter reads a Retry-After of seconds (what Slack sends), bounded; anything else
// means the default.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return slackDefaultRetryAfter
	}
	d := time.Duration(n) * time.Second
	if d > slackMaxRetryAfter {
		d = slackMaxRetryAfter
	}
	return d
}
