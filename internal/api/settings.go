package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

func rankSettingsOut(s store.RankSettings) store.RankSettings {
	if s.Rates == nil {
		s.Rates = map[string]float64{}
	}
	return s
}

// rankSettings are the ranking settings as the API shows them: rates always an object.
func (a *API) rankSettings(ctx context.Context) (store.RankSettings, error) {
	s, err := a.Store.RankSettings(ctx)
	return rankSettingsOut(s), err
}

// weightsInput has a pointer per weight so that a body can change one weight and
// keep the others.
type weightsInput struct {
	Accounts   *float64 `json:"accounts"`
	MRR        *float64 `json:"mrr"`
	ChurnedMRR *float64 `json:"churned_mrr"`
	AtRiskMRR  *float64 `json:"at_risk_mrr"`
	Trend      *float64 `json:"trend"`
	Strategic  *float64 `json:"strategic"`
}

type rankSettingsInput struct {
	Weights           json.RawMessage    `json:"weights"` // decoded on its own, to name its fields in full`
	CABWeight         *float64           `json:"cab_weight"`
	RenewalWindowDays *int               `json:"renewal_window_days"`
	Currency          *string            `json:"currency"`
	Rates             map[string]float64 `json:"rates"` // when present, replaces the whole table
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// putRankSettings replaces the ranking settings. Fields left out keep their current
// value, so a client can send just the weight it changes; what is stored is always a
// complete, valid document.
func (a *API) putRankSettings(w http.ResponseWriter, r *http.Request) error {
	var in rankSettingsInput
	o, err := decodeBody(w, r, &in)
	if err != nil {
		return err
	}
	s, err := a.Store.RankSettings(r.Context())
	if err != nil {
		return err
	}
	if o.has("weights") {
		var win weightsInput
		wo, err := parseObject(in.Weights)
		if err == nil {
			err = wo.rejectNulls()
		}
		if err == nil {
			err = wo.decode(&win)
		}
		if err != nil {
			return prefixField(err, "weights")
		}
		for _, wt := range []struct {
			name string
			in   *float64
			dst  *float64
		}{
			{"accounts", win.Accounts, &s.Weights.Accounts},
			{"mrr", win.MRR, &s.Weights.MRR},
			{"churned_mrr", win.ChurnedMRR, &s.Weights.ChurnedMRR},
			{"at_risk_mrr", win.AtRiskMRR, &s.Weights.AtRiskMRR},
			{"trend", win.Trend, &s.Weights.Trend},
			{"strategic", win.Strategic, &s.Weights.Strategic},
		} {
			if wt.in == nil {
				continue
			}
			if *wt.in < 0 {
				return router.FieldErr("weights."+wt.name, "must be 0 or more")
			}
			*wt.dst = *wt.in
		}
	}
	ws := s.Weights
	if ws.Accounts+ws.MRR+ws.ChurnedMRR+ws.AtRiskMRR+ws.Trend+ws.Strategic <= 0 {
		return router.FieldErr("weights", "must not all be 0: priority would be 0 for every request")
	}
	if in.CABWeight != nil {
		if *in.CABWeight < 1 {
			return router.FieldErr("cab_weight", "must be 1 or more (1: an advisory-board account counts like any other)")
		}
		s.CABWeight = *in.CABWeight
	}
	if in.RenewalWindowDays != nil {
		if *in.RenewalWindowDays < 1 || *in.RenewalWindowDays > 365 {
			return router.FieldErr("renewal_window_days", "must be from 1 to 365")
		}
		s.RenewalWindowDays = *in.RenewalWindowDays
	}
	if in.Currency != nil {
		c := strings.ToUpper(strings.TrimSpace(*in.Currency))
		if !currencyRE.MatchString(c) {
			return router.FieldErr("currency", fmt.Sprintf("%q is not a 3-letter ISO 4217 code such as USD", *in.Currency))
		}
		s.Currency = c
	}
	if o.has("rates") {
		rates := map[string]float64{}
		keys := make([]string, 0, len(in.Rates))
		for k := range in.Rates {
			keys = append(keys, k)
		}
		slices.Sort(keys) // report the same bad rate every time
		for _, k := range keys {
			c := strings.ToUpper(strings.TrimSpace(k))
			if !currencyRE.MatchString(c) {
				return router.FieldErr("rates."+k, "is not a 3-letter ISO 4217 code such as EUR")
			}
			if _, dup := rates[c]; dup {
				return router.FieldErr("rates."+k, "is given twice (currency codes are case-insensitive)")
			}
			if msg := money.RateProblem(in.Rates[k]); msg != "" {
				return router.FieldErr("rates."+k, msg)
			}
			rates[c] = in.Rates[k]
		}
		s.Rates = rates
	}
	if err := a.Store.PutSetting(r.Context(), "ranking", s); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rankSettingsOut(s))
}

// prefixField puts a nested object's name in front of the field of a 400 about it
// ("mrr" → "weights.mrr"); an error about the object as a whole names the object.
func prefixField(err error, parent string) error {
	var e *router.Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
		return err
	}
	if e.Field == "" {
		return router.FieldErr(parent, "must be a JSON object")
	}
	return &router.Error{Status: e.Status, Field: parent + "." + e.Field, Msg: parent + "." + e.Msg, Err: e.Err}
}
