package integration

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

func TestParseEmailMultipartQuotedPrintable(t *testing.T) {
	c, err := ParseEmail(readTestdata(t, "email_multipart_qp.eml"))
	if err != nil {
		t.Fatal(err)
	}
	want(t, "source", c.Source, feedback.SourceEmail)
	want(t, "email", strings.ToLower(c.Email), "maria@acme.example")
	want(t, "name", c.Name, "María García")
	want(t, "external id", c.ExternalID, "CAF1234.5678@mail.acme.example")
	want(t, "occurred", c.OccurredAt, time.Date(2026, 3, 3, 9, 15, 0, 0, time.UTC))
	// The plain part wins over the HTML alternative; the signature after "-- " goes.
	body := "Hi team,\n\nWe'd love to export the réports as PDF — our CFO asks for them every Monday.\n\nBest,\nMaría"
	want(t, "text", c.Text, "Export réports\n\n"+body)
	want(t, "quote", c.Quote, body)
}

func TestParseEmailStripsQuotedReply(t *testing.T) {
	c, err := ParseEmail(readTestdata(t, "email_reply_quoted.eml"))
	if err != nil {
		t.Fatal(err)
	}
	reply := "Thanks. Honestly the bigger problem is that search ignores archived items.\nCould you make that a filter?"
	wantCapture(t, "item", c, feedback.Capture{
		Quote: reply,
		Text:  "Re: Your ticket #881\n\n" + reply,
		Name:  "Tom Baker",
		Email: "tom@globex.example",
	})
}

func TestParseEmailHTMLOnlyWindows1252(t *testing.T) {
	c, err := ParseEmail(readTestdata(t, "email_html_only.eml"))
	if err != nil {
		t.Fatal(err)
	}
	want(t, "quote", c.Quote, "The new price is too high – we can’t justify it.")
	want(t, "text", c.Text, "Pricing\n\nThe new price is too high – we can’t justify it.")
	want(t, "email", c.Email, "ana@initech.example")
}

func TestParseEmailNoText(t *testing.T) {
	_, err := ParseEmail([]byte("From: a@b.example\r\nMessage-ID: <x@y>\r\n\r\n\r\n"))
	if !errors.Is(err, ErrNoText) {
		t.Fatalf("err = %v, want ErrNoText", err)
	}
	if _, err := ParseEmail([]byte("not a header\r\n\r\nbody")); err == nil {
		t.Fatal("malformed header accepted")
	}
}

func TestStripQuoted(t *testing.T) {
	for in, out := range map[string]string{
		"Yes please.\n\nOn Mon, 2 Mar 2026 at 10:00, Ann <a@b.c> wrote:\n> earlier": "Yes please.",
		"Yes.\n-----Original Message-----\nFrom: x":                                 "Yes.",
		"Inline:\n> question one\nanswer one\n> question two\nanswer two":           "Inline:\nanswer one\nanswer two",
		"Danke!\n\nAm 02.03.2026 um 10:00 schrieb Ann <a@b.c>:\n> alt":              "Danke!",
		"Merci\nLe lun. 2 mars 2026 à 10:00, Ann <a@b.c> a écrit :\n> ancien":       "Merci",
		"On the pricing page the totals are wrong.\nPlease fix.":                    "On the pricing page the totals are wrong.\nPlease fix.",
		"Great.\n\nSent from my iPhone":                                             "Great.",
		"Bye\n--\nsig":                                                              "Bye",
	} {
		want(t, in, stripQuoted(in), out)
	}
}

func TestEmailHook(t *testing.T) {
	h := newHarness(t, testSecrets)
	raw := readTestdata(t, "email_multipart_qp.eml")
	r := h.post("/hooks/email", "message/rfc822", raw, map[string]string{"X-Closeloop-Secret": testSecrets.Email})
	expectStatus(t, "raw message", r, http.StatusOK)
	// A relay resending the same bytes (it lost our answer) hears "duplicate", not 401.
	again := h.post("/hooks/email", "message/rfc822", raw, map[string]string{"X-Closeloop-Secret": testSecrets.Email})
	expectStatus(t, "redelivery", again, http.StatusOK)
	if !strings.Contains(again.body, `"status":"duplicate"`) {
		t.Fatalf("redelivery answered %s, want duplicate", again.body)
	}

	// multipart/form-data with the message in a field, token in the query.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("to", "feedback@closeloop.example")
	fw, _ := mw.CreateFormFile("email", "message.eml")
	fw.Write(readTestdata(t, "email_reply_quoted.eml"))
	mw.Close()
	r = h.post("/hooks/email?token="+testSecrets.Email, mw.FormDataContentType(), form.Bytes(), nil)
	expectStatus(t, "form", r, http.StatusOK)
	r = h.post("/hooks/email?token=wrong", mw.FormDataContentType(), form.Bytes(), nil)
	expectStatus(t, "wrong token", r, http.StatusUnauthorized)

	items := h.rec.wantStored(t, 2)
	want(t, "first", items[0].ExternalID, "CAF1234.5678@mail.acme.example")
	want(t, "second", items[1].ExternalID, "reply-881@globex.example")

	var empty bytes.Buffer
	mw = multipart.NewWriter(&empty)
	mw.WriteField("to", "x")
	mw.Close()
	r = h.post("/hooks/email", mw.FormDataContentType(), empty.Bytes(), map[string]string{"X-Closeloop-Secret": testSecrets.Email})
	expectStatus(t, "form without message", r, http.StatusBadRequest)
}

func TestReadMbox(t *testing.T) {
	var got []feedback.Capture
	err := ReadMbox(bytes.NewReader(readTestdata(t, "three.mbox")), func(c feedback.Capture) error {
		got = append(got, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d messages, want 3", len(got))
	}
	want(t, "first", got[0].Text, "First\n\nPlease add CSV export.")
	want(t, "second", got[1].Text, "Second\n\nI want a dark mode.\nFrom the start of our trial this was missing.")
	want(t, "third", got[2].Text, "Third\n\nSearch is slow.")
	want(t, "third id", got[2].ExternalID, "m3@initech.example")
	want(t, "second email", got[1].Email, "tom@globex.example")
}

func TestReadMboxUnescapesFromLines(t *testing.T) {
	mbox := "From a@b Tue Mar  3 10:15:00 2026\nSubject: s\n\nline\n>From here\n>>From there\n"
	var c feedback.Capture
	if err := ReadMbox(strings.NewReader(mbox), func(x feedback.Capture) error { c = x; return nil }); err != nil {
		t.Fatal(err)
	}
	// ">>From there" is a quoted line once unescaped, and quotes leave the reply; the
	// full body kept in the text shows both unescapes.
	want(t, "quote", c.Quote, "line\nFrom here")
}

func TestReadMboxNamesTheBadMessage(t *testing.T) {
	n := 0
	err := ReadMbox(bytes.NewReader(readTestdata(t, "bad.mbox")), func(feedback.Capture) error { n++; return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "message 2:") {
		t.Fatalf("err = %v, want one naming message 2", err)
	}
	want(t, "messages before the error", n, 1)

	err = ReadMbox(strings.NewReader("Subject: no separator\n\nbody\n"), func(feedback.Capture) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not an mbox") {
		t.Fatalf("err = %v, want not an mbox", err)
	}
}

func TestImportMbox(t *testing.T) {
	rec := &recorder{ids: map[string]string{}}
	data := readTestdata(t, "three.mbox")
	created, dups, err := ImportMbox(context.Background(), bytes.NewReader(data), rec.capture)
	if err != nil || created != 3 || dups != 0 {
		t.Fatalf("first import: %d created, %d duplicates, %v", created, dups, err)
	}
	created, dups, err = ImportMbox(context.Background(), bytes.NewReader(data), rec.capture)
	if err != nil || created != 0 || dups != 3 {
		t.Fatalf("second import: %d created, %d duplicates, %v", created, dups, err)
	}
	for _, c := range rec.stored() {
		want(t, "source", c.Source, feedback.SourceEmail)
	}
	_, _, err = ImportMbox(context.Background(), bytes.NewReader(readTestdata(t, "bad.mbox")), rec.capture)
	if err == nil || !strings.Contains(err.Error(), "message 2") {
		t.Fatalf("err = %v, want one naming message 2", err)
	}
}

func TestRawMessageURLEncodedForm(t *testing.T) {
	raw, err := rawMessage("application/x-www-form-urlencoded", []byte("recipient=x&body-mime="+url.QueryEscape("Subject: hi\r\n\r\nbody")))
	if err != nil {
		t.Fatal(err)
	}
	want(t, "raw", string(raw), "Subject: hi\r\n\r\nbody")
}
