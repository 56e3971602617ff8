package api

import (
	"errors"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/router"
)

// fuzzBulk feeds the seeds and arbitrary bodies to the bulk decoder of key: it must
// never panic, must refuse with a 400 that a client can act on (it has a message),
// must never accept more than the batch limit, and every item it accepts must pass
// check.
func fuzzBulk[T any](f *testing.F, key string, decode func(object) (T, error), seeds []string, check func(t *testing.T, item T)) {
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := decodeBulkItems(body, key, decode)
		if err != nil {
			var e *router.Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Msg == "" {
				t.Fatalf("refusal is not a 400 with a message: %#v", err)
			}
			return
		}
		if len(items) > maxBulk {
			t.Fatalf("accepted %d items", len(items))
		}
		for _, it := range items {
			check(t, it)
		}
	})
}
