package web_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
)

// The team's CSV exports: Mia's open tasks (owner=me) are Drifting's cadence task
// and Renewing's renewal task (todayFixture), not Ben's; the signals and health
// history come as CSV with one row per signal and per account-day; the account page
// and Today link to them; bad parameters are 400 and an unknown account 404.
func TestHealthExportPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mia, drifting := todayFixture(t, e)
		c := e.session(mia)
		rows := func(path string) [][]string {
			t.Helper()
			r := e.Get(path, c)
			wantStatus(t, r, http.StatusOK)
			if ct := r.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.HasPrefix(r.Header().Get("Content-Disposition"), "attachment") {
				t.Fatalf("%s: %q %q", path, ct, r.Header().Get("Content-Disposition"))
			}
			recs, err := csv.NewReader(strings.NewReader(r.Text)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
		tk := rows("/export/tasks.csv?owner=me&status=open")
		var got []string
		for _, r := range tk[1:] {
			got = append(got, r[2]+"/"+r[4])
		}
		if len(tk) != 3 || tk[0][0] != "id" || strings.Join(got, ",") != "Renewing/renewal,Drifting/cadence" && strings.Join(got, ",") != "Drifting/cadence,Renewing/renewal" {
			t.Fatalf("mia's tasks: %q", tk)
		}
		sigs, err := e.s.ListSignals(e.ctx, "", 500)
		if err != nil {
			t.Fatal(err)
		}
		if sg := rows("/export/signals.csv"); len(sg) != len(sigs)+1 || len(sigs) == 0 {
			t.Fatalf("signals csv %q, firing %+v", sg, sigs)
		}
		h := rows("/export/health.csv?account=" + drifting.ID)
		if len(h) != 2 || h[1][0] != drifting.ID || h[1][1] != "Drifting" {
			t.Fatalf("drifting's history: %q", h)
		}
		if all := rows("/export/health.csv"); len(all) != 4 { // three accounts, one day each
			t.Fatalf("every account's history: %q", all)
		}
		wantIn(t, e.Get("/accounts/"+drifting.ID, c), `href="/export/health.csv?account=`+drifting.ID+`" id="health-csv"`)
		wantIn(t, e.Get("/today", c), `href="/export/tasks.csv?owner=me&amp;status=open" id="tasks-csv"`)
		wantStatus(t, e.Get("/export/tasks.csv?status=later", c), http.StatusBadRequest)
		wantStatus(t, e.Get("/export/health.csv?from=soon", c), http.StatusBadRequest)
		wantStatus(t, e.Get("/export/health.csv?account=nonesuch", c), http.StatusNotFound)
		wantStatus(t, e.Get("/export/signals.csv", e.signedIn("vi@example.com", auth.RoleViewer)), http.StatusOK)
		wantStatus(t, e.Get("/export/signals.csv", nil), http.StatusSeeOther)
	})
}
