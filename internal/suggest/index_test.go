package suggest

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func TestIndexSimilar(t *testing.T) {
	x := NewIndex()
	docs := map[string]string{
		"FR-1": "Please add a dark mode to the mobile app",
		"FR-2": "Export invoices as PDF",
		"FR-3": "Allow two-factor authentication with an authenticator app",
		"FB-9": "The checkout page is slow to load",
	}
	for id, text := range docs {
		x.Add(id, text)
	}
	if x.Len() != 4 {
		t.Fatalf("Len = %d", x.Len())
	}
	m := x.Similar("pls add dark mode in the mobile app", 2)
	if len(m) != 2 || m[0].ID != "FR-1" || m[0].Score < 0.6 || m[0].Score <= m[1].Score {
		t.Fatalf("near-duplicate not found first: %v", m)
	}
	if m := x.Similar("Please add a dark mode to the mobile app", 1); m[0].ID != "FR-1" || m[0].Score < 0.999 {
		t.Errorf("identical text should score 1: %v", m)
	}
	// Paraphrase with little word overlap still ranks the right item first.
	if m := x.Similar("can I download my bills in pdf format", 1); m[0].ID != "FR-2" {
		t.Errorf("paraphrase: %v", m)
	}
	x.Remove("FR-1")
	x.Remove("nope")
	for _, r := range x.Similar("dark mode", 4) {
		if r.ID == "FR-1" {
			t.Errorf("removed document returned: %v", r)
		}
	}
	x.Add("FR-1", "Dark theme please")             // reuses the freed slot
	x.Add("FR-1", "Dark theme for the app please") // replaces
	if x.Len() != 4 || x.Similar("dark theme app", 1)[0].ID != "FR-1" {
		t.Errorf("re-add failed: %v", x.Similar("dark theme app", 1))
	}
	if len(x.Similar("anything", 0)) != 0 {
		t.Error("k=0 should return nothing")
	}
}

// TestIndexUnrelatedScoreLow: pooled word vectors of any two English
// sentences point roughly the same way; with that shared direction
// projected out, unrelated texts stay under the app's 0.3 cut-off while
// paraphrases clear it.
func TestIndexUnrelatedScoreLow(t *testing.T) {
	x := NewIndex()
	x.Add("pdf", "Export invoices as PDF")
	x.Add("dark", "Please add a dark mode to the mobile app")
	x.Add("slow", "The checkout page is slow to load")
	for _, q := range []string{"my parcel never arrived", "how do I change my password", "cancel my subscription"} {
		for _, m := range x.Similar(q, 3) {
			if m.Score >= 0.3 {
				t.Errorf("%q ~ %s scores %.3f, want < 0.3", q, m.ID, m.Score)
			}
		}
	}
	for q, want := range map[string]string{"checkout takes ages to load": "slow", "dark theme for the app please": "dark"} {
		if m := x.Similar(q, 1); m[0].ID != want || m[0].Score < 0.3 {
			t.Errorf("%q: %v, want %s above 0.3", q, m, want)
		}
	}
}

// TestIndexMatchesBruteForce: after random adds, replacements and
// removals, the inverted-list search returns exactly what scoring every
// live document with pairScore returns.
func TestIndexMatchesBruteForce(t *testing.T) {
	ex := corpus(20)
	x := NewIndex()
	rng := rand.New(rand.NewPCG(3, 4))
	live := map[string]string{}
	for op := 0; op < 400; op++ {
		id := "d" + strconv.Itoa(rng.IntN(60))
		if rng.IntN(4) == 0 {
			x.Remove(id)
			delete(live, id)
			continue
		}
		text := ex[rng.IntN(len(ex))].Text
		x.Add(id, text)
		live[id] = text
	}
	if x.Len() != len(live) {
		t.Fatalf("Len = %d, want %d", x.Len(), len(live))
	}
	for _, q := range []string{"refund my order please", "dark mode", "app crashes", "zzz", "courier never came today"} {
		got := x.Similar(q, 5)
		qv := x.vector(q)
		var want []Match
		for id, text := range live {
			want = append(want, Match{ID: id, Score: math.Min(float64(pairScore(qv, x.vector(text))), 1)})
		}
		slices.SortFunc(want, func(a, b Match) int {
			if better(a, b) {
				return -1
			}
			return 1
		})
		want = want[:min(5, len(want))]
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", q, got, want)
		}
	}
}
