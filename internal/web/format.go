package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
)

var funcs = template.FuncMap{
	"money":      formatMoney,
	"moneyDelta": formatMoneyDelta,
	"date":       formatDate,
	"isoDate":    formatISODate,
	"dateTime":   formatDateTime,
	"ago":        relTime,
	"stageLabel": func(s account.Stage) string { return s.Label() },
	"traits":     traitList,
	"title":      titleCase,
	"initials":   initials,
	"sentence":   sentence,
}

// currencyFormat is how a currency is written: symbol before the amount and the number
// of decimals of its minor unit. Unknown codes fall back to "1,234.00 XYZ".
var currencyFormat = map[string]struct {
	sym string
	exp int
}{
	"USD": {"$", 2}, "EUR": {"€", 2}, "GBP": {"£", 2}, "JPY": {"¥", 0}, "CNY": {"CN¥", 2},
	"CAD": {"CA$", 2}, "AUD": {"A$", 2}, "NZD": {"NZ$", 2}, "CHF": {"CHF ", 2}, "INR": {"₹", 2},
	"BRL": {"R$", 2}, "MXN": {"MX$", 2}, "SEK": {"SEK ", 2}, "NOK": {"NOK ", 2}, "DKK": {"DKK ", 2},
	"PLN": {"PLN ", 2}, "KRW": {"₩", 0}, "SGD": {"S$", 2}, "HKD": {"HK$", 2}, "ZAR": {"R ", 2},
	"ILS": {"₪", 2}, "CZK": {"CZK ", 2}, "ISK": {"ISK ", 0}, "CLP": {"CLP ", 0}, "VND": {"₫", 0},
	"KWD": {"KWD ", 3}, "BHD": {"BHD ", 3}, "OMR": {"OMR ", 3}, "JOD": {"JOD ", 3}, "TND": {"TND ", 3},
}

// formatMoney writes minor units as people read them: "$1,234", "€99.50". Cents are
// shown only when there are any, because MRR is usually whole and the zeros are noise.
func formatMoney(minor int64, currency string) string {
	return moneyString(minor, currency, false)
}

// formatMoneyDelta is formatMoney with an explicit sign, for movements.
func formatMoneyDelta(minor int64, currency string) string {
	return moneyString(minor, currency, true)
}

func moneyString(minor int64, currency string, sign bool) string {
	cf, known := currencyFormat[strings.ToUpper(currency)]
	if !known {
		cf.exp = 2
	}
	neg := minor < 0
	if neg {
		minor = -minor
	}
	unit := int64(1)
	for range cf.exp {
		unit *= 10
	}
	whole, frac := minor/unit, minor%unit
	s := groupThousands(whole)
	if frac != 0 || (!known && cf.exp > 0) {
		s += fmt.Sprintf(".%0*d", cf.exp, frac)
	}
	if known {
		s = cf.sym + s
	} else if currency != "" {
		s += " " + currency
	}
	switch {
	case neg:
		s = "−" + s
	case sign:
		s = "+" + s
	}
	return s
}

// moneyShort is for chart axes: "$12k", "$1.2M".
func moneyShort(minor int64, currency string) string {
	cf, known := currencyFormat[strings.ToUpper(currency)]
	if !known {
		cf.exp = 2
	}
	v := float64(minor)
	for range cf.exp {
		v /= 10
	}
	var s string
	switch {
	case v >= 1e6:
		s = strconv.FormatFloat(v/1e6, 'f', -1, 64)
		s = trimTo(s, 1) + "M"
	case v >= 1e3:
		s = trimTo(strconv.FormatFloat(v/1e3, 'f', -1, 64), 1) + "k"
	default:
		s = trimTo(strconv.FormatFloat(v, 'f', -1, 64), 0)
	}
	if known {
		return strings.TrimSpace(cf.sym) + s
	}
	return s
}

// trimTo keeps at most n decimals without rounding up past what the axis tick is.
func trimTo(s string, n int) string {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return s
	}
	if n == 0 {
		return s[:i]
	}
	if len(s) > i+1+n {
		s = s[:i+1+n]
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

const dateLayout = "2 Jan 2006"

// formatDate accepts a time.Time or a YYYY-MM-DD string and writes "2 Mar 2026"
// (UTC), or "—" when there is no date.
func formatDate(v any) string {
	switch d := v.(type) {
	case time.Time:
		if d.IsZero() {
			return "—"
		}
		return d.UTC().Format(dateLayout)
	case string:
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			if d == "" {
				return "—"
			}
			return d
		}
		return t.Format(dateLayout)
	}
	return fmt.Sprint(v)
}

// formatISODate is for <time datetime=…>.
func formatISODate(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 Jan 2006, 15:04") + " UTC"
}

// relTime says "3 days ago" / "in 2 hours" relative to now.
func relTime(t time.Time) string { return relTimeAt(t, time.Now()) }

func relTimeAt(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		s = plural(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		s = plural(int(d/(24*time.Hour)), "day")
	case d < 730*24*time.Hour:
		s = plural(int(d/(30*24*time.Hour)), "month")
	default:
		s = plural(int(d/(365*24*time.Hour)), "year")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

type trait struct{ Key, Value string }

// traitList flattens an account's custom traits into sorted key/value rows. Values are
// shown as compact JSON, and html/template escapes them like any other text.
func traitList(raw json.RawMessage) []trait {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make([]trait, 0, len(m))
	for k, v := range m {
		var s string
		if str, ok := v.(string); ok {
			s = str
		} else {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		out = append(out, trait{k, s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func initials(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		for _, r := range f {
			b.WriteRune(r)
			break
		}
		if b.Len() >= 2 {
			break
		}
	}
	return strings.ToUpper(b.String())
}

// sentence capitalises a message and ends it with a full stop, for error pages.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}
