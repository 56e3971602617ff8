package id

import (
	"testing"
	"time"
)

func TestNewSortsByTime(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := ""
	for i := 0; i < 1000; i++ {
		v := NewAt(base.Add(time.Duration(i) * time.Millisecond))
		if len(v) != 26 {
			t.Fatalf("len(%q) = %d, want 26", v, len(v))
		}
		if v <= prev {
			t.Fatalf("id %q does not sort after %q", v, prev)
		}
		prev = v
	}
}

func TestNewIsUnique(t *testing.T) {
	seen := map[string]bool{}
	now := time.Now()
	for i := 0; i < 10000; i++ {
		v := NewAt(now)
		if seen[v] {
			t.Fatalf("duplicate id %q", v)
		}
		seen[v] = true
	}
}

func TestSameMillisecondKeepsCreationOrder(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	prev := NewAt(at)
	for i := 0; i < 10000; i++ {
		NewAt(at.AddDate(-1, 0, i%7)) // backdated IDs in between do not break the order
		v := NewAt(at)
		if v <= prev {
			t.Fatalf("id %d (%s) does not sort after %s", i, v, prev)
		}
		prev = v
	}
}
