package taxonomy

import (
	"fmt"
	"reflect"
	"testing"
)

const searchSpec = `
ed - Editor
tb ed Tables
fo tb Formulas
tf tb Table formatting
rp - Reporting
pv rp Pivot tables
ex rp Exports [archived]
pdf ex PDF export
ce rp CSV export
in - Integrations
sl in Slack
ta in Table sync
sa - Slack alerts
st - Settings
nt st Notable changes
`

func TestSearchOrder(t *testing.T) {
	tr := build(t, searchSpec)
	cases := []struct {
		query string
		opt   SearchOptions
		want  []string
	}{
		// Leaf prefix (shallow first: Tables, Table sync, then Table formatting), then
		// word prefix (Pivot tables; Formulas via its parent), then substring (Notable).
		{"tab", SearchOptions{}, []string{"tb", "ta", "tf", "pv", "fo", "nt"}},
		{"TAB", SearchOptions{}, []string{"tb", "ta", "tf", "pv", "fo", "nt"}},
		{"tables", SearchOptions{}, []string{"tb", "pv", "fo", "tf"}},
		// Words may come from any segment; separators count as spaces.
		{"editor > tab", SearchOptions{}, []string{"tb", "fo", "tf"}},
		{"Editor › Tables › Form", SearchOptions{}, []string{"fo", "tf"}},
		{"ed/ta", SearchOptions{}, []string{"tb", "fo", "tf"}},
		{"form", SearchOptions{}, []string{"fo", "tf"}},
		{"ula", SearchOptions{}, []string{"fo"}},
		{"  pivot   TA ", SearchOptions{}, []string{"pv"}},
		// The exact name beats a shallower prefix match.
		{"slack", SearchOptions{}, []string{"sl", "sa"}},
		// Archived tags and everything under them are hidden unless asked for.
		{"export", SearchOptions{}, []string{"ce"}},
		{"export", SearchOptions{IncludeArchived: true}, []string{"ex", "ce", "pdf"}},
		{"pdf", SearchOptions{}, nil},
		{"tab", SearchOptions{Limit: 2}, []string{"tb", "ta"}},
		{"tab", SearchOptions{Under: "ed"}, []string{"tb", "tf", "fo"}},
		{"tab", SearchOptions{Under: "zz"}, nil},
		{"xyz", SearchOptions{}, nil},
		{"", SearchOptions{}, nil},
		{" › ", SearchOptions{}, nil},
	}
	for _, c := range cases {
		var got []string
		for _, m := range tr.SearchWith(c.query, c.opt) {
			got = append(got, m.ID)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Search(%q, %+v) = %v, want %v", c.query, c.opt, got, c.want)
		}
	}
	ms := tr.SearchWith("export", SearchOptions{IncludeArchived: true})
	want := []Match{
		{ID: "ex", Name: "Exports", Path: []string{"Reporting", "Exports"}, PathString: "Reporting › Exports", Depth: 2, Kind: MatchLeafPrefix, Archived: true},
		{ID: "ce", Name: "CSV export", Path: []string{"Reporting", "CSV export"}, PathString: "Reporting › CSV export", Depth: 2, Kind: MatchWordPrefix},
		{ID: "pdf", Name: "PDF export", Path: []string{"Reporting", "Exports", "PDF export"}, PathString: "Reporting › Exports › PDF export", Depth: 3, Kind: MatchWordPrefix, Archived: true},
	}
	if !reflect.DeepEqual(ms, want) {
		t.Errorf("matches:\n%+v\nwant\n%+v", ms, want)
	}
	if k := tr.Search("slack", 1)[0].Kind; k != MatchExact {
		t.Errorf("kind %v", k)
	}
	if k := tr.Search("ula", 1)[0].Kind; k != MatchSubstring {
		t.Errorf("kind %v", k)
	}
	if got := tr.Search("tab", 0); len(got) != 6 {
		t.Errorf("limit 0 gives %d, want all 6", len(got))
	}
}

// Every query over the sample returns the same thing every time and is a prefix of
// the unlimited result, so paging by limit is consistent.
func TestSearchDeterministic(t *testing.T) {
	tr, _ := NewTree(Sample(1000, 1))
	for _, q := range benchQueries {
		all := tr.Search(q, 0)
		for _, lim := range []int{1, 5, 20} {
			got := tr.Search(q, lim)
			if len(got) > lim || !reflect.DeepEqual(got, all[:len(got)]) {
				t.Fatalf("%q limit %d is not a prefix of the full result", q, lim)
			}
		}
		for i := 1; i < len(all); i++ {
			if all[i].Kind < all[i-1].Kind {
				t.Fatalf("%q: kinds out of order at %d", q, i)
			}
		}
	}
}

var benchQueries = []string{"e", "tab", "export", "editor tab", "sync err", "ing", "zzz", "Reporting › Charts", "slack"}

func BenchmarkSearch1000(b *testing.B) {
	tr, err := NewTree(Sample(1000, 1))
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range benchQueries {
		b.Run(fmt.Sprintf("q=%s", q), func(b *testing.B) {
			for b.Loop() {
				tr.Search(q, 10)
			}
		})
	}
}

func BenchmarkNewTree1000(b *testing.B) {
	tags := Sample(1000, 1)
	for b.Loop() {
		if _, err := NewTree(tags); err != nil {
			b.Fatal(err)
		}
	}
}
