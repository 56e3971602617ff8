package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/web"
	"github.com/closeloop/closeloop/internal/webtest"
)

// tag adds a tag under parent ("" for the top level).
func (e *env) tag(name, parent string) store.Tag {
	e.t.Helper()
	t := store.Tag{Name: name, ParentID: parent}
	if err := e.s.CreateTag(e.ctx, &t); err != nil {
		e.t.Fatal(err)
	}
	return t
}

// taxonomy seeds a three-level tree (Editor › Tables › Formulas among about 50 tags)
// plus Editor › Charts › Formatting, and returns the tags by path.
func (e *env) taxonomy() map[string]store.Tag {
	e.t.Helper()
	out := map[string]store.Tag{}
	add := func(path, name, parent string) store.Tag {
		t := e.tag(name, parent)
		out[path] = t
		return t
	}
	for _, top := range []string{"Editor", "Billing", "Integrations", "Reporting", "Admin"} {
		root := add(top, top, "")
		for _, mid := range []string{"Tables", "Charts", "Exports", "Permissions"} {
			m := add(top+" › "+mid, mid, root.ID)
			add(top+" › "+mid+" › Filters", "Filters", m.ID)
			if top == "Editor" && mid == "Tables" {
				add(top+" › "+mid+" › Formulas", "Formulas", m.ID)
			}
			if top == "Editor" && mid == "Charts" {
				add(top+" › "+mid+" › Formatting", "Formatting", m.ID)
			}
		}
	}
	return out
}

// feedbackAt captures an untriaged item from the account's first person, days ago.
func (e *env) feedbackAt(text, accountID string, daysAgo int) feedback.Item {
	e.t.Helper()
	it, _, err := e.s.Capture(e.ctx, feedback.Capture{Text: text, Source: feedback.SourceEmail, AccountID: accountID,
		OccurredAt: time.Now().UTC().Add(-time.Duration(daysAgo) * 24 * time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	return it
}

func (e *env) request(title string) feedback.Request {
	e.t.Helper()
	r := feedback.Request{Title: title}
	if err := e.s.CreateRequest(e.ctx, &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) accountMRR(name, tier string, mrr int64) store.AccountRow {
	e.t.Helper()
	a := e.account(account.Account{Name: name, Tier: tier, Stage: account.Active, Plan: "pro"})
	if mrr > 0 {
		if _, _, err := e.s.SetMRR(e.ctx, a.ID, mrr, "USD", time.Now().UTC().AddDate(0, -3, 0), ""); err != nil {
			e.t.Fatal(err)
		}
	}
	row, _ := e.s.GetAccount(e.ctx, a.ID)
	return row
}

// cookies joins cookies for a Cookie header: a session plus, say, the undo cookie.
func cookies(cs ...*http.Cookie) string {
	var parts []string
	for _, c := range cs {
		if c != nil {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return "Cookie: " + strings.Join(parts, "; ")
}

func respCookie(r resp, name string) *http.Cookie {
	for _, c := range r.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func mustItem(t *testing.T, s *store.Store, id string) feedback.Item {
	t.Helper()
	it, err := s.GetFeedback(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// fakeSuggester proposes fixed tags, to test the inbox's suggestion slot.
type fakeSuggester struct{ out []web.Suggestion }

func (f fakeSuggester) Suggest(_ context.Context, _ string, k int) ([]web.Suggestion, error) {
	if k < len(f.out) {
		return f.out[:k], nil
	}
	return f.out, nil
}

// newEnvSuggest is the UI alone (no API) with a suggester, wired as app.New wires it.
func newEnvSuggest(t *testing.T, s *store.Store, sg web.Suggester) *env {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	w := web.New(web.Deps{Store: s, Config: config.Default(), Log: log, Suggest: sg})
	rt := router.New(router.Authenticator{Session: w.SessionMember}, w.RenderError, w.RenderError, log)
	w.Register(rt)
	return &env{Client: webtest.Client{H: rt}, t: t, s: s, ctx: context.Background()}
}
