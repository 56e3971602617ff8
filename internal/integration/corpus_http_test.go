package integration

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// vendorCorpusMinimum is issue 12's floor: at least 15 real samples per vendor.
const vendorCorpusMinimum = 15

// TestVendorCorpusListsEveryFile: every payload under testdata/<vendor>/ has its
// expectation in expected.json (so the golden test delivers it), expected.json names
// no missing file, and each vendor has at least vendorCorpusMinimum samples.
func TestVendorCorpusListsEveryFile(t *testing.T) {
	for _, v := range vendorCorpusVendors {
		listed := map[string]bool{}
		for _, c := range readVendorCases(t, v.name) {
			listed[c.File] = true
		}
		files, err := filepath.Glob(filepath.Join("testdata", v.name, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range files {
			name := filepath.Base(f)
			if name == "expected.json" {
				continue
			}
			n++
			if !listed[name] {
				t.Errorf("%s/%s has no case in expected.json", v.name, name)
			}
			delete(listed, name)
		}
		for name := range listed {
			t.Errorf("%s/expected.json names %s, which is not in the corpus", v.name, name)
		}
		if n < vendorCorpusMinimum {
			t.Errorf("%s: %d samples, want at least %d", v.name, n, vendorCorpusMinimum)
		}
	}
}

// TestEveryCorpusFileThroughEveryEndpoint posts every file under testdata/ (vendor
// payloads, mail, reply and HTML bodies, fuzz seeds, the expected.json files
// themselves) to every inbound endpoint, signed the way that vendor signs, on a real
// store of each dialect. Whatever the bytes, no endpoint answers 5xx: a parser that
// panics answers 500 through the router's recovery, so this fails on a panic too.
func TestEveryCorpusFileThroughEveryEndpoint(t *testing.T) {
	var files []string
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// One delivery per parser entry point: both Help Scout events that are read, and
	// Slack's JSON events and form-encoded interactivity.
	variants := []struct {
		vendor, path string
		c            vendorCorpusCase
	}{
		{"intercom", "/hooks/intercom", vendorCorpusCase{}},
		{"zendesk", "/hooks/zendesk", vendorCorpusCase{}},
		{"helpscout", "/hooks/helpscout", vendorCorpusCase{Event: "convo.created"}},
		{"helpscout", "/hooks/helpscout", vendorCorpusCase{Event: "convo.customer.reply.created"}},
		{"freshdesk", "/hooks/freshdesk", vendorCorpusCase{}},
		{"slack", "/hooks/slack", vendorCorpusCase{}},
		{"slack", "/hooks/slack", vendorCorpusCase{Form: true}},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := storeHarness(t, s)
		h.in.flood = auth.NewLimiter(1<<30, time.Nanosecond) // thousands of signed posts from one address
		posted := 0
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(filepath.ToSlash(f), "testdata/")
			for _, v := range variants {
				if r := h.deliver(v.vendor, v.path, v.c, body); r.status >= 500 {
					t.Errorf("%s to %s%s: %d %s", name, v.path, v.c.Event, r.status, r.body)
				}
				posted++
			}
			if r := h.post("/hooks/email", "message/rfc822", body, map[string]string{"X-Closeloop-Secret": testSecrets.Email}); r.status >= 500 {
				t.Errorf("%s to /hooks/email: %d %s", name, r.status, r.body)
			} else if r.status == http.StatusUnauthorized {
				t.Fatalf("%s to /hooks/email refused: %s", name, r.body)
			}
			posted++
		}
		if len(files) < 200 || posted != len(files)*(len(variants)+1) {
			t.Fatalf("%d files, %d posts: the walk missed the corpus", len(files), posted)
		}
	})
}
