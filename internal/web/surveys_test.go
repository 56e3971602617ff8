package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/survey"
	"github.com/closeloop/closeloop/internal/webtest"
)

func (e *env) upload(path, name, content string, c *http.Cookie) resp {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	r := httptest.NewRequest("POST", path, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(c)
	return webtest.Send(e.H, r)
}

func TestSurveyPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.signedIn("v@example.com", auth.RoleViewer)
		member := e.signedIn("m@example.com", auth.RoleMember)
		admin := e.signedIn("a@example.com", auth.RoleAdmin)
		acme := e.account(account.Account{Name: "Acme " + webtest.XSSAttr, Domain: "acme.com", Tier: "strategic"})

		r := e.Get("/surveys", viewer)
		wantStatus(t, r, http.StatusOK)
		wantIn(t, r, `id="no-surveys"`, "every <strong>90 days</strong>")
		wantNotIn(t, r, `id="new-survey"`, `name="throttle_days"`)
		wantStatus(t, e.Post("/surveys", url.Values{"kind": {"nps"}}, viewer), http.StatusForbidden)

		// A bad form is shown back with the error next to its field.
		r = e.Post("/surveys", url.Values{"kind": {"nps"}, "name": {"Q3"}, "after_signup_days": {"soon"}}, member)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Days after signup must be a whole number.", `value="Q3"`)
		r = e.Post("/surveys", url.Values{"kind": {"stars"}}, member)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "is not one of nps, csat, ces")

		r = e.Post("/surveys", url.Values{"kind": {"nps"}, "name": {"Quarterly NPS"}, "tiers": {"strategic, important"}, "active": {"on"}}, member)
		wantStatus(t, r, http.StatusSeeOther)
		id := strings.TrimPrefix(r.Header().Get("Location"), "/surveys/")
		v, err := e.s.GetSurvey(e.ctx, id)
		if err != nil || !v.Active || len(v.Audience.Tiers) != 2 || v.Question != survey.DefaultQuestion(survey.NPS) {
			t.Fatalf("created %+v %v", v, err)
		}
		wantIn(t, e.Get("/surveys/"+id, viewer), `id="no-responses"`)

		// Responses with hostile comments: the team UI shows them as text.
		comment := "Too slow " + webtest.XSSScript + " " + webtest.XSSAttr
		if _, err := e.s.AddSurveyResponses(e.ctx, id, survey.ChannelAPI, []survey.Input{
			{Score: 10, Email: "ann@acme.com", Name: "Ann", Comment: "Love it"},
			{Score: 3, Email: "bob@acme.com", Name: "Bob " + webtest.XSSScript, Comment: comment},
			{Score: 8, AccountID: acme.ID},
		}); err != nil {
			t.Fatal(err)
		}
		// By hand: promoters 1, passives 1, detractors 1 → 33.3% − 33.3% = 0.
		for _, p := range []string{"/surveys/" + id, "/accounts/" + acme.ID, "/feedback/inbox", "/feedback", "/surveys"} {
			r = e.Get(p, viewer)
			wantStatus(t, r, http.StatusOK)
			if strings.Contains(r.Text, webtest.XSSScript) || strings.Contains(r.Text, "<img src=x") {
				t.Fatalf("%s renders markup from a comment or name:\n%s", p, clip(r.Text))
			}
		}
		r = e.Get("/surveys/"+id, viewer)
		wantIn(t, r, `<strong id="headline">0</strong>`, "NPS = % promoters (9–10) − % detractors (0–6)", "Too slow &lt;script&gt;", "Promoters (9–10)</td><td class=\"num\">1</td><td class=\"num\">33.3%")
		wantNotIn(t, r, `id="edit-survey"`, `id="import"`)
		wantIn(t, e.Get("/accounts/"+acme.ID, viewer), `id="account-nps">8<`, "NPS 3", "Too slow &lt;script&gt;")
		wantIn(t, e.Get("/feedback", viewer), "Too slow &lt;script&gt;", `survey-score">NPS 3<`)
		wantIn(t, e.Get("/feedback/inbox", viewer), `id="item-survey">NPS 10<`)

		// Edit: pause it; the kind stays.
		r = e.Post("/surveys/"+id, url.Values{"name": {"Quarterly NPS"}, "kind": {"ces"}, "tiers": {""}}, member)
		wantStatus(t, r, http.StatusSeeOther)
		if v, _ = e.s.GetSurvey(e.ctx, id); v.Active || v.Kind != survey.NPS || len(v.Audience.Tiers) != 0 {
			t.Fatalf("edited %+v", v)
		}
		wantStatus(t, e.Post("/surveys/"+id, url.Values{"name": {"x"}}, viewer), http.StatusForbidden)

		// CSV: a bad file names line and column and writes nothing; a good one imports.
		r = e.upload("/surveys/"+id+"/responses/import", "r.csv", "score,email\n9,cat@acme.com\n12,dan@acme.com\n", member)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "Nothing was imported: line 3, column score: 12 is outside the NPS scale 0–10.")
		wantStatus(t, e.upload("/surveys/"+id+"/responses/import", "r.csv", "score,email\n9,cat@acme.com\n", viewer), http.StatusForbidden)
		r = e.upload("/surveys/"+id+"/responses/import", "r.csv", "score,email\n9,cat@acme.com\n", member)
		wantStatus(t, r, http.StatusSeeOther)
		r = e.Get("/surveys/"+id+"/responses.csv", viewer)
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" || len(regexp.MustCompile(`\n`).FindAllString(r.Text, -1)) != 5 {
			t.Fatalf("export %q:\n%s", ct, r.Text)
		}
		wantIn(t, r, "cat@acme.com")

		// The throttle is the admins'.
		wantStatus(t, e.Post("/surveys/settings", url.Values{"throttle_days": {"30"}}, member), http.StatusForbidden)
		r = e.Post("/surveys/settings", url.Values{"throttle_days": {"0"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "must be between 1 and 3650 days")
		wantStatus(t, e.Post("/surveys/settings", url.Values{"throttle_days": {"30"}}, admin), http.StatusSeeOther)
		wantIn(t, e.Get("/surveys", admin), "every <strong>30 days</strong>", `name="throttle_days"`)
		wantStatus(t, e.Get("/surveys/nope", viewer), http.StatusNotFound)
		wantStatus(t, e.Get("/surveys/"+id+"?cursor=bad", viewer), http.StatusBadRequest)
	})
}
