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
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/store"
)

var funcs = template.FuncMap{
	"money":         money.Format,
	"moneyDelta":    money.FormatSigned,
	"date":          formatDate,
	"isoDate":       formatISODate,
	"dateTime":      formatDateTime,
	"ago":           relTime,
	"stageLabel":    func(s account.Stage) string { return s.Label() },
	"traits":        traitList,
	"title":         titleCase,
	"initials":      initials,
	"sentence":      sentence,
	"percent":       percent,
	"share":         shareOf, // a 0–1 ratio as "66.7%"
	"medianDays":    medianDays,
	"plural":        plural,
	"dict":          pageset.Dict,
	"kindLabel":     func(k feedback.Kind) string { return k.Label() },
	"statusLabel":   func(s feedback.RequestStatus) string { return s.Label() },
	"feedbackKinds": func() []kindOption { return kindOptions("") },
	"score":         func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
	"weight":        func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
	"clip":          clipRunes,
	"signalLabel":   func(rule string) string { return store.SignalLabels[rule] },
	"pct":           pct,
	"blankFeedback": func() feedbackForm { return feedbackForm{Kind: string(feedback.Other)} },
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

// percent writes part/whole as a whole percentage ("67%").
func percent(part, whole int) string {
	if whole <= 0 {
		return "—"
	}
	return strconv.Itoa((part*100+whole/2)/whole) + "%"
}
