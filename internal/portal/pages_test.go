package portal_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/portal"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// section returns the HTML of the element with id, up to its closing </section>.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no #%s", id)
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

func TestRoadmapAndChangelog(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		planned := e.request("Planned idea", feedback.Planned, true)
		building := e.request("Building idea", feedback.InProgress, true)
		e.request("Open idea", feedback.Open, true)
		e.request("Private planned", feedback.Planned, false)
		older := e.request("Older ship", feedback.Shipped, true, func(r *feedback.Request) { r.ReleaseNote = "Older note" })
		e.request("Private ship", feedback.Shipped, false, func(r *feedback.Request) { r.ReleaseNote = "Private note" })
		time.Sleep(5 * time.Millisecond) // distinct shipped_at
		newer := e.request("Newer ship", feedback.Shipped, true, func(r *feedback.Request) { r.ReleaseNote = "Newer note\nsecond line" })

		rm := e.Get("/portal/roadmap", nil)
		wantStatus(t, rm, http.StatusOK)
		wantNotIn(t, rm, "Private", "Open idea")
		cols := map[string][]string{
			"roadmap-planned":     {planned.Title},
			"roadmap-in_progress": {building.Title},
			"roadmap-shipped":     {newer.Title, older.Title},
		}
		for id, titles := range cols {
			sec := section(t, rm.Text, id)
			for _, want := range []string{"Planned idea", "Building idea", "Newer ship", "Older ship"} {
				in := strings.Contains(sec, want)
				should := false
				for _, tt := range titles {
					should = should || tt == want
				}
				if in != should {
					t.Errorf("%s holds %q: %v, want %v", id, want, in, should)
				}
			}
		}

		cl := e.Get("/portal/changelog", nil)
		wantStatus(t, cl, http.StatusOK)
		wantIn(t, cl, "Newer note\nsecond line", "Older note")
		wantNotIn(t, cl, "Private", "Planned idea", "Open idea")
		if strings.Index(cl.Text, "Newer ship") > strings.Index(cl.Text, "Older ship") {
			t.Error("changelog is not newest first")
		}
		// The release note shows on a shipped request's page.
		wantIn(t, e.Get("/portal/requests/"+newer.ID, nil), `id="release-note"`, "Newer note")
		wantNotIn(t, e.Get("/portal/requests/"+planned.ID, nil), `id="release-note"`)
	})
}

func TestListSortFilterSearch(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		first := e.request("Alpha reports", feedback.Open, true)
		time.Sleep(3 * time.Millisecond) // ids sort by creation millisecond
		second := e.request("Beta exports", feedback.Planned, true)
		ann, _, err := e.s.ResolvePerson(e.ctx, "ann@acme.com", "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Vote(e.ctx, &feedback.Vote{RequestID: first.ID, PersonID: ann.ID, Source: feedback.VoteTeam}); err != nil {
			t.Fatal(err)
		}
		order := func(body string) string {
			ids := regexp.MustCompile(`id="idea-([0-9a-z]+)"`).FindAllStringSubmatch(body, -1)
			var out []string
			for _, m := range ids {
				switch m[1] {
				case first.ID:
					out = append(out, "alpha")
				case second.ID:
					out = append(out, "beta")
				}
			}
			return strings.Join(out, ",")
		}
		if got := order(e.Get("/portal", nil).Text); got != "alpha,beta" {
			t.Errorf("by votes: %s", got)
		}
		if got := order(e.Get("/portal?sort=newest", nil).Text); got != "beta,alpha" {
			t.Errorf("newest: %s", got)
		}
		if got := order(e.Get("/portal?status=planned", nil).Text); got != "beta" {
			t.Errorf("planned: %s", got)
		}
		if got := order(e.Get("/portal?q=ALPHA", nil).Text); got != "alpha" {
			t.Errorf("search: %s", got)
		}
		r := e.Get("/portal?q=nothing-matches", nil)
		wantIn(t, r, "No ideas match")
		// Junk parameters are ignored, not errors.
		wantStatus(t, e.Get("/portal?status=bogus&sort=bogus", nil), http.StatusOK)
	})
}

func TestThemeUsesOnlyAValidAccent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		if err := portal.SaveSettings(e.ctx, e.s, portal.Settings{Accent: "red;}body{display:none"}); err == nil {
			t.Fatal("an invalid accent was accepted")
		}
		if err := portal.SaveSettings(e.ctx, e.s, portal.Settings{Name: "Acme Ideas", Accent: "#FFD700", Intro: "Tell Acme."}); err != nil {
			t.Fatal(err)
		}
		css := e.Get("/portal/theme.css", nil)
		if ct := css.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Fatalf("theme content type %q", ct)
		}
		// Gold is too pale for white text or links: dark ink on it, a darker link colour.
		wantIn(t, css, "--accent: #ffd700;", "--accent-ink: #111827;")
		if strings.Contains(css.Text, "--accent-text: #ffd700") {
			t.Error("pale accent used for link text")
		}
		wantIn(t, e.Get("/portal", nil), "<title>Ideas · Acme Ideas</title>", "Tell Acme.")

		// A bad value written around SaveSettings still never reaches the CSS.
		storetest.Must(t, e.s.PutSetting(e.ctx, portal.SettingsKey, map[string]string{"accent": "#000;}*{color:red"}))
		css = e.Get("/portal/theme.css", nil)
		wantIn(t, css, "--accent: "+portal.DefaultSettings.Accent+";")
		wantNotIn(t, css, "color:red")

		st := e.Get("/portal/static/portal.css", nil)
		wantStatus(t, st, http.StatusOK)
		wantIn(t, st, ".vote-btn")
	})
}
