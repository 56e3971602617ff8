package api

import (
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/router"
)

// Length limits of request fields, in bytes of UTF-8 (issue 13, defect 10). Every
// string a request body decodes into a typed field is bounded: the table's figure
// for the fields that carry prose, defaultMaxLen for the rest (names, ids, external
// ids, codes, timestamps). openapi.json states each as maxLength with the same figure
// (TestOpenAPIStatesEveryLimit keeps the two together); a value over its limit is a
// 400 naming the field, never cut.
//
// The figures are the domain's own where it has one (feedback.MaxText, a request
// title's 300, a touchpoint summary's 10,000), so a value the API lets through is
// not refused later for length.
var fieldLimits = map[string]int{
	"text":         50000, // feedback.MaxText
	"quote":        2000,
	"summary":      10000,
	"goal":         2000,
	"note":         2000,
	"description":  5000,
	"release_note": 10000,
	"title":        300,
	"email":        254, // RFC 5321's path limit
	"owner_email":  254,
	"external_url": 2048,
	"url":          2048,
	"password":     1024,
	"allow_hosts":  253, // a DNS name
	"question":     500, // survey.MaxQuestion
	"follow_up":    500,
	"comment":      5000, // survey.MaxComment
}

// defaultMaxLen bounds every other string field.
const defaultMaxLen = 200

// fieldLimit is the longest value field may hold, in bytes.
func fieldLimit(field string) int {
	if n, ok := fieldLimits[field]; ok {
		return n
	}
	return defaultMaxLen
}

// Event times (occurred_at) must fall between the Unix epoch and a little ahead of
// now: a year-1 or year-2999 timestamp is a client bug, and used to become "now"
// silently. Touchpoints allow a day ahead (account.Touchpoint's own rule, for time
// zones); feedback an hour, because feedback.Capture.Normalize turns anything later
// into "now" — refusing here is what keeps that from happening silently.
var minEventTime = time.Unix(0, 0).UTC()

const (
	touchpointMaxAhead = 24 * time.Hour
	captureMaxAhead    = time.Hour
)

// eventTime refuses t for field unless it is a sensible time for something that
// has happened: from 1970 to maxAhead from now.
func eventTime(field string, t time.Time, maxAhead time.Duration) error {
	if t.Before(minEventTime) {
		return router.FieldErr(field, fmt.Sprintf("%s is before 1970-01-01T00:00:00Z", t.Format(time.RFC3339)))
	}
	if t.After(time.Now().Add(maxAhead)) {
		return router.FieldErr(field, fmt.Sprintf("%s is more than %s in the future", t.Format(time.RFC3339), ahead(maxAhead)))
	}
	return nil
}

func ahead(d time.Duration) string {
	if d == time.Hour {
		return "an hour"
	}
	return "a day"
}

// happenedAt reads an optional RFC 3339 timestamp (field) of something that has
// happened, like a capture's time: the zero time when it is left out.
func happenedAt(field string, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return t, router.FieldErr(field, "is not an RFC 3339 timestamp")
	}
	return t, eventTime(field, t, captureMaxAhead)
}
