package integration

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/feedback"
)

// The fuzz targets feed arbitrary bytes to each parser (after the signature check,
// which is where untrusted-but-authentic payloads meet our code). They must never
// panic, and what they produce must be clean: errors are errors, captures carry an
// external id and valid UTF-8.

func checkOutcome(t *testing.T, out *outcome, err error) {
	t.Helper()
	if err != nil {
		if out != nil {
			t.Fatalf("outcome and error both returned: %v", err)
		}
		return
	}
	if out == nil {
		t.Fatal("nil outcome without error")
	}
	if c := out.capture; c != nil {
		if c.ExternalID == "" {
			t.Fatal("capture without external id")
		}
		if !validUTF8(*c) {
			t.Fatalf("invalid UTF-8 in capture %+v", c)
		}
	}
}

// fuzzParse seeds f with the named samples and holds parse's outcome of every input
// to checkOutcome.
func fuzzParse(f *testing.F, parse func([]byte) (*outcome, error), names ...string) {
	seed(f, names...)
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := parse(body)
		checkOutcome(t, out, err)
	})
}

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(readTestdata(f, n))
	}
	// Every corpus payload of the vendor seeds its target too.
	if len(names) > 0 {
		if dir, _, ok := strings.Cut(names[0], "/"); ok {
			files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
			for _, file := range files {
				if filepath.Base(file) == "expected.json" {
					continue
				}
				b, err := os.ReadFile(file)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
}

func FuzzIntercom(f *testing.F) {
	fuzzParse(f, parseIntercom, "intercom/docs_conversation_user_created.json", "intercom/docs_conversation_user_replied.json")
}

func FuzzZendesk(f *testing.F) {
	fuzzParse(f, parseZendesk, "zendesk/closeloop_legacy_template.json", "zendesk/docs_event_ticket_created.json")
}

func FuzzHelpScout(f *testing.F) {
	seed(f, "helpscout/docs_convo_created.json", "helpscout/docs_customer_reply.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ev := range []string{"convo.created", "convo.customer.reply.created"} {
			out, err := parseHelpScout(ev, body)
			checkOutcome(t, out, err)
		}
	})
}

func FuzzFreshdesk(f *testing.F) {
	fuzzParse(f, parseFreshdesk, "freshdesk/closeloop_advanced_template.json", "freshdesk/docs_simple_content.json")
}

func FuzzSlack(f *testing.F) {
	seed(f, "slack/docs_message_event.json", "slack/docs_url_verification.json", "slack/docs_message_action.json", "slack_signature_vector.txt")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ct := range []string{"application/json", "application/x-www-form-urlencoded"} {
			out, err := parseSlack(ct, body)
			checkOutcome(t, out, err)
		}
		out, err := parseSlackAction(body)
		checkOutcome(t, out, err)
		if s := slackText(string(body), nil); utf8.Valid(body) && !utf8.ValidString(s) {
			t.Fatalf("slackText made invalid UTF-8 of %q", body)
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, n := range []string{"email_multipart_qp.eml", "email_reply_quoted.eml", "email_html_only.eml"} {
		f.Add(readTestdata(f, n))
	}
	f.Add([]byte("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\n\r\nhi\r\n--y--\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseEmail(raw)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if c.ExternalID == "" || c.Source != feedback.SourceEmail || strings.TrimSpace(c.Text) == "" {
			t.Fatalf("incomplete capture %+v", c)
		}
		if !validUTF8(c) {
			t.Fatalf("invalid UTF-8 in %+v", c)
		}
		_ = stripQuoted(string(raw))
		_ = htmlToText(string(raw))
	})
}

func FuzzMbox(f *testing.F) {
	f.Add(readTestdata(f, "three.mbox"))
	f.Add(readTestdata(f, "bad.mbox"))
	f.Add([]byte("From x\n\nFrom y\n>From z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := ReadMbox(bytes.NewReader(data), func(c feedback.Capture) error {
			n++
			if !validUTF8(c) {
				t.Fatalf("invalid UTF-8 in %+v", c)
			}
			return nil
		})
		if err != nil && !strings.HasPrefix(err.Error(), "message ") {
			t.Fatalf("error does not name the message: %v", err)
		}
	})
}
