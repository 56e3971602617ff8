package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// eachEnv runs test on both dialects, each with the app over its own fresh store.
func eachEnv(t *testing.T, test func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s *store.Store) { test(t, newEnv(t, s)) })
}

// signedIn adds a member with role and returns its session cookie.
func (e *env) signedIn(email string, role auth.Role) *http.Cookie {
	e.t.Helper()
	return e.session(e.member(email, role))
}

// signedInMember adds a member with role and returns it with its session cookie.
func (e *env) signedInMember(email string, role auth.Role) (auth.Member, *http.Cookie) {
	e.t.Helper()
	m := e.member(email, role)
	return m, e.session(m)
}

// touchpoint records tp, failing the test on error.
func (e *env) touchpoint(tp account.Touchpoint) account.Touchpoint {
	e.t.Helper()
	if err := e.s.CreateTouchpoint(e.ctx, &tp); err != nil {
		e.t.Fatal(err)
	}
	return tp
}

// driftingAccount is the account of TestAccountPageHealth: important (cadence 7), its
// last contact an email 10 days before now, and its health recorded a week before now,
// when that email was 3 days old.
func (e *env) driftingAccount(now time.Time) store.AccountRow {
	e.t.Helper()
	a := e.accountMRR("Drifting", "important", 0)
	e.touchpoint(account.Touchpoint{AccountID: a.ID, Kind: account.Email, OccurredAt: now.AddDate(0, 0, -10), Summary: "check-in"})
	if _, err := e.s.AccountHealth(e.ctx, a.ID, now.AddDate(0, 0, -7)); err != nil {
		e.t.Fatal(err)
	}
	return a
}
