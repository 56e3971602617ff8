package survey

import (
	"reflect"
	"testing"
	"time"
)

func TestSegmentOf(t *testing.T) {
	want := []Segment{Detractor, Detractor, Detractor, Detractor, Detractor, Detractor, Detractor, Passive, Passive, Promoter, Promoter}
	for score, w := range want {
		if got := SegmentOf(score); got != w {
			t.Errorf("SegmentOf(%d) = %s, want %s", score, got, w)
		}
	}
}

// The expected values are worked by hand in the comments.
func TestSummarize(t *testing.T) {
	cases := []struct {
		name    string
		kind    Kind
		mode    CSATMode
		scores  []int
		n       int
		p, d    int
		mean    float64
		score   float64
		display string
	}{
		// promoters 10,9,9,10 = 4; passives 8,7; detractors 6,0,3,5 = 4: 40% − 40% = 0; mean 67/10.
		{"nps balanced", NPS, "", []int{10, 9, 9, 8, 7, 6, 0, 3, 10, 5}, 10, 4, 4, 6.7, 0, "0"},
		// P 10,10,9 = 3, passive 7, D 2: 60% − 20% = 40; mean 38/5.
		{"nps positive", NPS, "", []int{10, 10, 9, 7, 2}, 5, 3, 1, 7.6, 40, "+40"},
		// P 1, D 2 of 3: 33.3% − 66.7% = −33.3; mean 21/3.
		{"nps negative", NPS, "", []int{9, 6, 6}, 3, 1, 2, 7, -33.3, "-33"},
		// 11 and −1 are off the scale and do not count: one promoter of one.
		{"nps off scale ignored", NPS, "", []int{11, -1, 10}, 1, 1, 0, 10, 100, "+100"},
		{"nps empty", NPS, "", nil, 0, 0, 0, 0, 0, "–"},
		// 4s and 5s: 5,4,5,4,4 = 5 of 8 = 62.5%; mean 28/8 = 3.5.
		{"csat share", CSAT, CSATShare, []int{5, 4, 3, 2, 1, 5, 4, 4}, 8, 0, 0, 3.5, 62.5, "62.5%"},
		{"csat mean", CSAT, CSATMean, []int{5, 4, 3, 2, 1, 5, 4, 4}, 8, 0, 0, 3.5, 3.5, "3.5"},
		// 0 and 6 are off the CSAT scale.
		{"csat off scale", CSAT, CSATShare, []int{0, 6, 3}, 1, 0, 0, 3, 0, "0.0%"},
		// 19/4 = 4.75, shown to one decimal as 4.8.
		{"ces mean", CES, "", []int{7, 6, 5, 1}, 4, 0, 0, 4.8, 4.8, "4.8"},
		{"ces off scale", CES, "", []int{0, 8}, 0, 0, 0, 0, 0, "–"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Summarize(c.kind, c.mode, c.scores)
			if s.Responses != c.n || s.Promoters != c.p || s.Detractors != c.d || s.Mean != c.mean || s.Score != c.score || s.Display() != c.display {
				t.Fatalf("got n=%d p=%d d=%d mean=%v score=%v display=%q, want n=%d p=%d d=%d mean=%v score=%v display=%q",
					s.Responses, s.Promoters, s.Detractors, s.Mean, s.Score, s.Display(), c.n, c.p, c.d, c.mean, c.score, c.display)
			}
			if s.Promoters+s.Passives+s.Detractors != map[bool]int{true: s.Responses, false: 0}[c.kind == NPS] {
				t.Fatalf("segments %d+%d+%d do not add up to %d", s.Promoters, s.Passives, s.Detractors, s.Responses)
			}
		})
	}
	s := Summarize(NPS, "", []int{10, 10, 9, 7, 2})
	if !reflect.DeepEqual(s.Counts, []int{0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 2}) {
		t.Fatalf("counts %v", s.Counts)
	}
	if s.Share(s.Promoters) != 60 || s.Share(s.Passives) != 20 {
		t.Fatalf("shares %v %v", s.Share(s.Promoters), s.Share(s.Passives))
	}
}

func TestMonthlyAndByGroup(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 12, 0, 0, 0, time.UTC) }
	pts := []Point{
		{Score: 9, At: d(3, 3), Group: "enterprise"},
		{Score: 10, At: d(1, 15), Group: "enterprise"},
		{Score: 0, At: d(1, 20), Group: "smb"},
		{Score: 8, At: d(3, 31), Group: "smb"},
	}
	got := Monthly(NPS, "", pts)
	// January: one promoter, one detractor → 0. February: nothing. March: 9 and 8 →
	// one promoter, one passive → 50.
	want := []struct {
		month string
		n     int
		score float64
	}{{"2026-01", 2, 0}, {"2026-02", 0, 0}, {"2026-03", 2, 50}}
	if len(got) != len(want) {
		t.Fatalf("months %+v", got)
	}
	for i, w := range want {
		if got[i].Month != w.month || got[i].Responses != w.n || got[i].Score != w.score {
			t.Errorf("month %d: %s n=%d score=%v, want %+v", i, got[i].Month, got[i].Responses, got[i].Score, w)
		}
	}
	if Monthly(NPS, "", nil) != nil {
		t.Fatal("no points, no months")
	}
	// Enterprise 9, 10 → 100; SMB 0, 8 → one detractor of two → −50.
	g := ByGroup(NPS, "", pts)
	if len(g) != 2 || g[0].Key != "enterprise" || g[0].Score != 100 || g[1].Key != "smb" || g[1].Score != -50 {
		t.Fatalf("groups %+v", g)
	}
}
