package clocktest

import (
	"testing"
	"time"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	c := New(start)
	if got := c.Now(); !got.Equal(start) || got.Location() != time.UTC {
		t.Fatalf("new: %v, want %v in UTC", got, start)
	}
	c.Add(90 * time.Second)
	if got, want := c.Now(), time.Date(2026, 3, 1, 8, 1, 30, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("after Add: %v, want %v", got, want)
	}
	c.AddDate(0, 1, 2)
	if got, want := c.Now(), time.Date(2026, 4, 3, 8, 1, 30, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("after AddDate: %v, want %v", got, want)
	}
	c.Set(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if got := c.Now(); got.Year() != 2027 || got.YearDay() != 1 {
		t.Fatalf("after Set: %v", got)
	}
}
