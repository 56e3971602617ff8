package revenue

import (
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// View is a report request as the page and the API read it from a query string: the
// range, the interval, a segment dimension, and the definitions, each defaulting to
// the team's setting so a reader can try another definition without changing it.
type View struct {
	From, To time.Time
	Interval Interval
	GroupBy  string
	Defs     Definitions
	Convert  bool
}

// ViewParams are the query parameters ParseView reads.
var ViewParams = []string{"from", "to", "interval", "group_by", "quick_ratio_reactivation", "churn_recognition", "group_minutes", "currency_mode", "cohort_by"}

// ParseView reads get (a query string's Get) over the team's defs and convert
// choice. An empty range is the twelve months up to and including now's month.
func ParseView(get func(string) string, defs Definitions, convert bool, now time.Time) (View, error) {
	v := View{Defs: defs, Convert: convert}
	var err error
	if v.Interval, err = ParseInterval(get("interval")); err != nil {
		return v, err
	}
	if v.GroupBy, err = ParseGroupBy(get("group_by")); err != nil {
		return v, err
	}
	day := func(name string) (time.Time, error) {
		s := get(name)
		if s == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), nil
		}
		return time.Time{}, errs.Invalidf(name, "%s must be a date (YYYY-MM-DD) or an RFC 3339 time, not %q", name, s)
	}
	if v.From, err = day("from"); err != nil {
		return v, err
	}
	if v.To, err = day("to"); err != nil {
		return v, err
	}
	if v.To.IsZero() {
		v.To = Month.Next(Month.PeriodStart(now))
	}
	if v.From.IsZero() {
		v.From = v.To.AddDate(-1, 0, 0)
	}
	if !v.To.After(v.From) {
		return v, errs.Invalid("to", "to must be after from")
	}
	if v.To.Sub(v.From) > 50*366*24*time.Hour {
		return v, errs.Invalid("from", "the range is longer than 50 years")
	}
	switch s := get("quick_ratio_reactivation"); s {
	case "":
	case "true", "1", "yes":
		v.Defs.QuickRatioReactivation = true
	case "false", "0", "no":
		v.Defs.QuickRatioReactivation = false
	default:
		return v, errs.Invalidf("quick_ratio_reactivation", "quick_ratio_reactivation must be true or false, not %q", s)
	}
	if err := either(get, "churn_recognition", "cancellation", "period_end", &v.Defs.ChurnAtPeriodEnd); err != nil {
		return v, err
	}
	if s := get("group_minutes"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return v, errs.Invalidf("group_minutes", "group_minutes must be a whole number of minutes, not %q", s)
		}
		v.Defs.GroupMinutes = n
		if err := v.Defs.Check(); err != nil {
			return v, err
		}
	}
	if err := either(get, "cohort_by", "first_payment", "signup", &v.Defs.CohortBySignup); err != nil {
		return v, err
	}
	if err := either(get, "currency_mode", "per_currency", "converted", &v.Convert); err != nil {
		return v, err
	}
	return v, nil
}

// Options are the Metrics options of v with conversion c.
func (v View) Options(c Conversion) Options {
	return Options{From: v.From, To: v.To, Interval: v.Interval, Defs: v.Defs, Convert: c, GroupBy: v.GroupBy}
}

// either reads a parameter that names one of two choices, off or on, into dst; left
// out, it leaves dst as the definitions have it.
func either(get func(string) string, name, off, on string, dst *bool) error {
	switch s := get(name); s {
	case "":
	case off:
		*dst = false
	case on:
		*dst = true
	default:
		return errs.Invalidf(name, "%s must be %s or %s, not %q", name, off, on, s)
	}
	return nil
}
