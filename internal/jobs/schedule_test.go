package jobs

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on a machine without /usr/share/zoneinfo
)

func TestSchedules(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name string
		s    Schedule
		at   string
		want string
	}{
		{"every 5s, mid-period", Every(5 * time.Second), "2026-12-02T10:00:03Z", "2026-12-02T10:00:05Z"},
		{"every 5s, on a boundary goes to the next", Every(5 * time.Second), "2026-12-02T10:00:05Z", "2026-12-02T10:00:10Z"},
		{"every hour", Every(time.Hour), "2026-12-02T10:59:59Z", "2026-12-02T11:00:00Z"},
		{"daily 02:00 UTC, before", DailyAt(2, 0, nil), "2026-12-02T01:00:00Z", "2026-12-02T02:00:00Z"},
		{"daily 02:00 UTC, after", DailyAt(2, 0, nil), "2026-12-02T02:00:00Z", "2026-12-03T02:00:00Z"},
		// Berlin is UTC+1 in winter: 02:00 local is 01:00Z.
		{"daily 02:00 Berlin, winter", DailyAt(2, 0, berlin), "2026-12-02T00:30:00Z", "2026-12-02T01:00:00Z"},
		{"daily 02:00 Berlin, winter, past it", DailyAt(2, 0, berlin), "2026-12-02T01:00:00Z", "2026-12-03T01:00:00Z"},
		// Summer, UTC+2: 02:00 local is 00:00Z.
		{"daily 02:00 Berlin, summer", DailyAt(2, 0, berlin), "2026-07-01T12:00:00Z", "2026-07-02T00:00:00Z"},
		// 25 Oct 2026: clocks go back from 03:00 CEST to 02:00 CET. 04:00 local that day
		// is 03:00Z, 25 hours after 04:00 local on the 24th (02:00Z).
		{"daily 04:00 Berlin across the autumn change", DailyAt(4, 0, berlin), "2026-10-24T02:00:00Z", "2026-10-25T03:00:00Z"},
		// 29 Mar 2026: clocks jump from 02:00 CET to 03:00 CEST, so 04:00 local is 02:00Z.
		{"daily 04:00 Berlin across the spring change", DailyAt(4, 0, berlin), "2026-03-28T03:00:00Z", "2026-03-29T02:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.Next(utc(c.at)); !got.Equal(utc(c.want)) {
				t.Errorf("Next(%s) = %s, want %s", c.at, got.UTC().Format(time.RFC3339), c.want)
			}
		})
	}
	now := utc("2026-12-02T10:00:03Z")
	if got := Every(5 * time.Second).First(now); !got.Equal(now) {
		t.Errorf("Every.First = %s, want now", got)
	}
	if got := DailyAt(2, 0, nil).First(now); !got.Equal(utc("2026-12-03T02:00:00Z")) {
		t.Errorf("DailyAt.First = %s, want the next 02:00", got)
	}
}
