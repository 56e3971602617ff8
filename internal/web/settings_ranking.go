package web

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/store"
)

// rankingForm holds the ranking settings as typed, so a rejected value is shown back
// as written.
type rankingForm struct {
	Weights                      map[string]string
	CAB, Window, Currency, Rates string
	Errors                       map[string]string
}

// weightFields are the six weights in the order people read them.
var weightFields = []struct{ Key, Label, Help string }{
	{"accounts", "Accounts", "how many accounts ask"},
	{"mrr", "MRR", "the revenue of the accounts asking"},
	{"churned_mrr", "Churned MRR", "revenue lost from accounts that asked"},
	{"at_risk_mrr", "MRR at risk", "asking accounts renewing soon"},
	{"trend", "Trend", "more asks lately than before"},
	{"strategic", "Strategic", "the team's own 0–10 score"},
}

type rankingData struct {
	F      rankingForm
	Fields []struct{ Key, Label, Help string }
}

func rankingFormFrom(s store.RankSettings) rankingForm {
	w := s.Weights
	f := rankingForm{Weights: map[string]string{
		"accounts": weightStr(w.Accounts), "mrr": weightStr(w.MRR), "churned_mrr": weightStr(w.ChurnedMRR),
		"at_risk_mrr": weightStr(w.AtRiskMRR), "trend": weightStr(w.Trend), "strategic": weightStr(w.Strategic)},
		CAB: weightStr(s.CABWeight), Window: strconv.Itoa(s.RenewalWindowDays), Currency: s.Currency}
	codes := make([]string, 0, len(s.Rates))
	for c := range s.Rates {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var b strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&b, "%s=%s\n", c, weightStr(s.Rates[c]))
	}
	f.Rates = b.String()
	return f
}

func weightStr(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (ui *Web) rankingPage(w http.ResponseWriter, r *http.Request) error {
	s, err := ui.Store.RankSettings(r.Context())
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_ranking", "Ranking settings", "settings", rankingData{F: rankingFormFrom(s), Fields: weightFields})
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// rankingSave: POST /settings/ranking validates every field and saves them together.
func (ui *Web) rankingSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 32<<10); err != nil {
		return err
	}
	v := r.PostForm
	f := rankingForm{Weights: map[string]string{}, CAB: strings.TrimSpace(v.Get("cab_weight")), Window: strings.TrimSpace(v.Get("renewal_window_days")),
		Currency: strings.ToUpper(strings.TrimSpace(v.Get("currency"))), Rates: v.Get("rates"), Errors: map[string]string{}}
	s, err := ui.Store.RankSettings(r.Context())
	if err != nil {
		return err
	}
	num := func(field, text string, lo, hi float64) float64 {
		x, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			f.Errors[field] = "Enter a number."
			return 0
		}
		if x < lo || x > hi {
			f.Errors[field] = fmt.Sprintf("Enter a number from %s to %s.", weightStr(lo), weightStr(hi))
		}
		return x
	}
	dst := map[string]*float64{"accounts": &s.Weights.Accounts, "mrr": &s.Weights.MRR, "churned_mrr": &s.Weights.ChurnedMRR,
		"at_risk_mrr": &s.Weights.AtRiskMRR, "trend": &s.Weights.Trend, "strategic": &s.Weights.Strategic}
	sum := 0.0
	for _, wf := range weightFields {
		text := strings.TrimSpace(v.Get("w_" + wf.Key))
		f.Weights[wf.Key] = text
		*dst[wf.Key] = num("w_"+wf.Key, text, 0, 100)
		sum += *dst[wf.Key]
	}
	if sum == 0 && len(f.Errors) == 0 {
		f.Errors["weights"] = "At least one weight must be above 0, or every request ranks the same."
	}
	s.CABWeight = num("cab_weight", f.CAB, 1, 10)
	if n, err := strconv.Atoi(f.Window); err != nil || n < 1 || n > 730 {
		f.Errors["renewal_window_days"] = "Enter a whole number of days from 1 to 730."
	} else {
		s.RenewalWindowDays = n
	}
	if !currencyRE.MatchString(f.Currency) {
		f.Errors["currency"] = "Enter a three-letter currency code such as USD."
	}
	s.Currency = f.Currency
	rates, msg := parseRates(f.Rates, f.Currency)
	if msg != "" {
		f.Errors["rates"] = msg
	}
	s.Rates = rates
	if len(f.Errors) > 0 {
		return ui.render(w, r, http.StatusUnprocessableEntity, "settings_ranking", "Ranking settings", "settings", rankingData{F: f, Fields: weightFields})
	}
	if err := ui.Store.PutSetting(r.Context(), "ranking", s); err != nil {
		return err
	}
	ui.setFlash(w, "Ranking settings saved.")
	return seeOther(w, r, "/settings/ranking")
}

// parseRates reads one "EUR=1.08" per line: units of the reporting currency per unit
// of another. The message names the first bad line.
func parseRates(text, reporting string) (map[string]float64, string) {
	out := map[string]float64{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, val, ok := strings.Cut(line, "=")
		code = strings.ToUpper(strings.TrimSpace(code))
		x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		switch {
		case !ok || !currencyRE.MatchString(code):
			return nil, fmt.Sprintf("Line %d: write one rate per line as CODE=rate, such as EUR=1.08.", i+1)
		case err != nil || money.RateProblem(x) != "":
			return nil, fmt.Sprintf("Line %d: the rate for %s %s.", i+1, code, money.RateProblem(x))
		case code == reporting:
			return nil, fmt.Sprintf("Line %d: %s is the reporting currency; it needs no rate.", i+1, code)
		case out[code] != 0:
			return nil, fmt.Sprintf("Line %d: %s appears twice.", i+1, code)
		}
		out[code] = x
	}
	return out, ""
}
