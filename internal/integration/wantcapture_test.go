package integration

import (
	"reflect"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
)

// wantStored returns what the recorder holds, failing the test unless it is n items.
func (rec *recorder) wantStored(t *testing.T, n int) []feedback.Capture {
	t.Helper()
	items := rec.stored()
	if len(items) != n {
		t.Fatalf("%d items, want %d", len(items), n)
	}
	return items
}

// wantCapture checks got against every field exp sets, naming what (which item) and
// the field that differs; the fields exp leaves zero are not the caller's concern.
func wantCapture(t *testing.T, what string, got, exp feedback.Capture) {
	t.Helper()
	g, e := reflect.ValueOf(got), reflect.ValueOf(exp)
	for i := range e.NumField() {
		if e.Field(i).IsZero() {
			continue
		}
		if gv, ev := g.Field(i).Interface(), e.Field(i).Interface(); !reflect.DeepEqual(gv, ev) {
			t.Errorf("%s: %s = %q, want %q", what, e.Type().Field(i).Name, gv, ev)
		}
	}
}
