package taxonomy

import (
	"reflect"
	"testing"
)

func TestRollUp(t *testing.T) {
	tr := build(t, small)
	got := RollUp(tr, map[string]int{
		"ed": 1, "tb": 2, "fo": 4, "so": 8, // Editor subtree
		"ex": 16, "pdf": 32, // archived branch still counts
		"gone": 1000, // not in the tree: ignored
	})
	want := map[string]int{
		"ap": 0,
		"ed": 1 + 2 + 4 + 8, "tb": 2 + 4 + 8, "fo": 4, "so": 8, "im": 0,
		"rp": 16 + 32, "ch": 0, "ex": 16 + 32, "pdf": 32,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if got := RollUp(tr, nil); len(got) != tr.Len() || got["ed"] != 0 {
		t.Fatalf("nil counts: %v", got)
	}
}
