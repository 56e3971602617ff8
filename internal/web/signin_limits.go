package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/store"
)

// DeviceCookie marks a browser that has signed in before (issue 13, defect 5).
const DeviceCookie = "closeloop_device"

// knownDeviceTTL is how long a device stays known after its last sign-in.
const knownDeviceTTL = 90 * 24 * time.Hour

// signInLimits hold guessers back without locking the team out.
//
// Per email and per client address, as before: a distributed guesser gets about one
// try per email every 12 s, one machine one try every 3 s. But a browser that signed
// in as this member before (it holds a known-device cookie the store recognises for
// them) is not subject to either: it has its own bucket. So a guesser — or a
// colleague's typos behind the same proxy — can keep the email's bucket empty without
// keeping the member out. We chose this over an escalating delay because a delay still
// lets anyone make the real member wait as long as they keep guessing, and it holds a
// connection open per delayed attempt; a device bucket costs a guesser who stole the
// cookie the same budget as the email's, and nothing for everyone else.
//
// The buckets live in the database (store.TakeToken), so instances share them.
type signInLimits struct {
	ip, email, device *auth.Limiter
}

func newSignInLimits(d Deps) signInLimits {
	if d.Store == nil {
		return signInLimits{
			ip:     auth.NewLimiter(SignInBurstPerIP, 3*time.Second),
			email:  auth.NewLimiter(SignInBurstPerEmail, 12*time.Second),
			device: auth.NewLimiter(SignInBurstPerEmail, 12*time.Second),
		}
	}
	return signInLimits{
		ip:     auth.NewSharedLimiter("signin-ip", SignInBurstPerIP, 3*time.Second, d.Store, d.Log),
		email:  auth.NewSharedLimiter("signin-email", SignInBurstPerEmail, 12*time.Second, d.Store, d.Log),
		device: auth.NewSharedLimiter("signin-device", SignInBurstPerEmail, 12*time.Second, d.Store, d.Log),
	}
}

// allow takes a token for this attempt: from the device's bucket when r carries a
// known-device cookie of memberID (the member the email names, "" if none), else
// from the client address's and the email's.
func (l signInLimits) allow(r *http.Request, s *store.Store, proxies auth.Proxies, email, memberID string) bool {
	ctx := r.Context()
	if hash := deviceHash(r); hash != "" && memberID != "" {
		if owner, err := s.KnownDevice(ctx, hash); err == nil && owner == memberID {
			return l.device.AllowCtx(ctx, hash)
		}
	}
	return l.ip.AllowCtx(ctx, proxies.ClientIP(r)) && l.email.AllowCtx(ctx, email)
}

// rememberDevice marks the browser as known for memberID after a correct password,
// keeping its cookie when it already has one.
func (l signInLimits) rememberDevice(w http.ResponseWriter, r *http.Request, s *store.Store, memberID string, secure bool) error {
	tok := ""
	if c, err := r.Cookie(DeviceCookie); err == nil && validDeviceToken(c.Value) {
		tok = c.Value
	} else {
		tok = auth.NewSessionToken()
	}
	if err := s.AddKnownDevice(r.Context(), auth.HashToken(tok), memberID, knownDeviceTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: DeviceCookie, Value: tok, Path: "/signin", MaxAge: int(knownDeviceTTL.Seconds()),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func deviceHash(r *http.Request) string {
	c, err := r.Cookie(DeviceCookie)
	if err != nil || !validDeviceToken(c.Value) {
		return ""
	}
	return auth.HashToken(c.Value)
}

func validDeviceToken(v string) bool { return v != "" && len(v) <= 200 }

// LimitsCleanupJob deletes full rate-limit buckets and expired known devices, rows
// that no longer change any decision (every limiter on the database, not only
// sign-in's, keeps its buckets in that table).
func LimitsCleanupJob(s *store.Store, log *slog.Logger) jobs.Job {
	return jobs.Job{Name: "rate-limit-cleanup", Help: "removes full rate-limit buckets and expired known devices",
		Schedule: jobs.Every(10 * time.Minute),
		Run: func(ctx context.Context, _ string) error {
			n, err := s.DeleteExpiredLimits(ctx)
			if n > 0 {
				log.Debug("rate-limit rows removed", "count", n)
			}
			return err
		}}
}
