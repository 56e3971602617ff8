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
		_ = decodeUTF7(raw)
	})
}

// FuzzSignedDataContent: the BER reader for opaque S/MIME must not panic or loop on
// any bytes.
func FuzzSignedDataContent(f *testing.F) {
	for _, file := range []string{"openssl-opaque-signed-der.eml", "openssl-opaque-signed-streamed.eml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "email", "smime", file))
		if err != nil {
			f.Fatal(err)
		}
		_, body, _ := strings.Cut(string(raw), "\n\n")
		f.Add(decodeTransfer("base64", strings.NewReader(body)))
	}
	f.Add([]byte{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = signedDataContent(b)
	})
}
