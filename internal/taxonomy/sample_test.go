package taxonomy

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/sample-700.csv from Sample(700, 1)")

const sampleFile = "testdata/sample-700.csv"

func TestSample(t *testing.T) {
	for _, n := range []int{1, 3, 20, 100, 700, 1000, 2500} {
		tags := Sample(n, 9)
		if len(tags) != n {
			t.Fatalf("Sample(%d) made %d tags", n, len(tags))
		}
		tr := mustTree(t, tags)
		depths := map[int]int{}
		tr.Walk(func(tg Tag, d int) bool { depths[d]++; return true })
		if depths[4] > 0 || (n >= 100 && (depths[2] == 0 || depths[3] <= depths[2])) {
			t.Fatalf("Sample(%d) depths %v", n, depths)
		}
		for i, tg := range tags { // parents get the smaller ids
			if tg.ParentID != "" && tg.ParentID >= tg.ID {
				t.Fatalf("Sample(%d)[%d]: parent %s after %s", n, i, tg.ParentID, tg.ID)
			}
		}
	}
	if !reflect.DeepEqual(Sample(500, 3), Sample(500, 3)) {
		t.Fatal("not deterministic")
	}
	if reflect.DeepEqual(Sample(500, 3), Sample(500, 4)) {
		t.Fatal("the seed changes nothing")
	}
	if Sample(0, 1) != nil || len(Sample(100000, 1)) < 3000 {
		t.Fatal("edge sizes")
	}
	if s := Sample(700, 1); s[0].ID != "tag_0001" || s[0].Name != "Editor" || s[0].Description == "" {
		t.Fatalf("first tag %+v", s[0])
	}
}

// testdata/sample-700.csv is Sample(700, 1) exported; go test -run SampleFile -update
// rewrites it after a change to the generator.
func TestSampleFile(t *testing.T) {
	var want bytes.Buffer
	if err := WriteCSV(&want, mustTree(t, Sample(700, 1))); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(sampleFile, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f, want.Bytes()) {
		t.Fatalf("%s is stale; run go test ./internal/taxonomy -run SampleFile -update", sampleFile)
	}
	rows, err := ParseCSV(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	p := Plan(mustTree(t, nil), rows)
	if len(p.New) != 700 || len(p.Updated) != 0 || len(p.Unchanged) != 0 {
		t.Fatalf("plan: %d new, %d updated, %d unchanged", len(p.New), len(p.Updated), len(p.Unchanged))
	}
	for i, n := range p.New {
		if len(n.Path) > 3 || n.Implied {
			t.Fatalf("New[%d] %v: depth %d, implied %v", i, n.Path, len(n.Path), n.Implied)
		}
		if (len(n.Path) == 1) != (n.ParentIndex == -1) || n.ParentIndex >= i || n.ParentID != "" {
			t.Fatalf("New[%d] %v: parent index %d", i, n.Path, n.ParentIndex)
		}
		if n.ParentIndex >= 0 && !reflect.DeepEqual(p.New[n.ParentIndex].Path, n.Path[:len(n.Path)-1]) {
			t.Fatalf("New[%d] %v: wrong parent %v", i, n.Path, p.New[n.ParentIndex].Path)
		}
	}
	tr := applyImport(t, mustTree(t, nil), p)
	if tr.Len() != 700 {
		t.Fatal(tr.Len())
	}
	if again := Plan(tr, rows); len(again.Unchanged) != 700 {
		t.Fatalf("second import of the sample: %d unchanged", len(again.Unchanged))
	}
}
