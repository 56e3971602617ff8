package integration

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
)

// FuzzParseMail starts from every message of the email corpus (FuzzEmail in
// fuzz_test.go starts from three): whatever the bytes, ParseMail must not panic, an
// automated message must say why, and a capture must be complete and valid UTF-8.
func FuzzParseMail(f *testing.F) {
	for _, pattern := range []string{"*.eml", "headers/*", "replies/*.txt", "html/*.html"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "email", pattern))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseMail(raw)
		switch {
		case errors.Is(err, ErrAutomated):
			if m.Automated == "" {
				t.Fatal("automated without a reason")
			}
			return
		case err != nil:
			return
		}
		c := m.Capture
		if c.ExternalID == "" || c.Source != feedback.SourceEmail || strings.TrimSpace(c.Text) == "" {
			t.Fatalf("incomplete capture %+v", c)
		}
		if !validUTF8(c) {
			t.Fatalf("invalid UTF-8 in %+v", c)
		}
		_ = htmlReply(string(raw))
		_ = decodeWords(string(raw), "")
	})
}
