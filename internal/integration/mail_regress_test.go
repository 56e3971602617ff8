package integration

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Regression tests for issue 12's email items, each from a real sample of the corpus
// (testdata/email; sources in its README) or, where no licensed sample shows the
// defect on its own, a real sample altered in the one way the test names.

func corpusMail(t *testing.T, name string) (Mail, error) {
	t.Helper()
	return ParseMail(readTestdata(t, filepath.Join("email", name)))
}

func mustCorpusMail(t *testing.T, name string) Mail {
	t.Helper()
	m, err := corpusMail(t, name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestMailCharsets(t *testing.T) {
	for _, tc := range []struct{ file, charset, want string }{
		{"mail-japanese-iso-2022.eml", "ISO-2022-JP body", "まみむめも\n\nすみません。"},
		{"mail-japanese-shift-jis.eml", "Shift_JIS body", "test\n\nあいうえお\n\nこのメールはテスト用のメールです。\n\n今後ともよろしくお願い申し上げます！"},
		{"mail-euc-kr.eml", "EUC-KR subject and body", "NOTE: 한국말로 하는 것\n\n대부분의 마찬가지로, 우리는 하나님을 믿습니다.\n\n제 이름은 Jamis입니다."},
		{"mail-ks-c-5601.eml", "ks_c_5601-1987 (Outlook's name for EUC-KR)", "test\n\n스티해"},
		{"mail-rfc2822-example14.eml", "ISO-2022-JP subject word", "Re: TEST テストテスト\n\nHello"},
	} {
		if got := mustCorpusMail(t, tc.file).Capture.Text; got != tc.want {
			t.Errorf("%s (%s): text %q, want %q", tc.file, tc.charset, got, tc.want)
		}
	}
	// Windows-1251 display name, inside quotes where net/mail leaves words encoded.
	want(t, "windows-1251 name", mustCorpusMail(t, "mail-windows-1251.eml").Capture.Name, "Атиковa")

	// zbateson/mail-mime-parser's encoded-headers sample: KOI8-R over two words,
	// ISO-8859-1 Q and B, Windows-1252, UTF-8 split across folded lines.
	msg, err := mail.ReadMessage(bytes.NewReader(readTestdata(t, filepath.Join("email", "headers", "zbateson-encoded-headers"))))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ header, want string }{
		{"Subject", "¡Hola, señor!"},
		{"Other", "في إيه يا باشا"},
		{"Test", "Технические работы (ERP Галактика и Отчеты ТД)"},
		{"Subject-X", "FAMILY eCarsharing GAUTING STA-CL51E - Buchung geändert Text"},
	} {
		want(t, tc.header, decodeSubject(msg.Header.Get(tc.header), ""), tc.want)
	}
	for _, tc := range []struct{ header, name, addr string }{
		{"Cc", "Andreas Müzner", "andreas.muzner@example.com"}, // UTF-7, Q-encoded
		{"To", "Müller Müzner", "muzner@example.com"},
		{"Bcc", "Andreas Müzner", "andreas.muzner@example.com"},
		{"From", "Jon Snow", "jsnow@example.com"},
	} {
		a := parseFrom(msg.Header.Get(tc.header), "")
		if a == nil || a.Name != tc.name || a.Address != tc.addr {
			t.Errorf("%s: %+v, want %s <%s>", tc.header, a, tc.name, tc.addr)
		}
	}
	// The same header's second From address: UTF-7, B-encoded.
	if list, err := (&mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}).ParseList(msg.Header.Get("From")); err != nil || len(list) != 2 || list[1].Name != "Müller Müzner" {
		t.Errorf("UTF-7 From: %+v %v", list, err)
	}
	// GB2312 name with a bare address after it, from nodemailer/mailparser's
	// "gb2312 mime words" test (which expects this name).
	if a := parseFrom("=?gb2312?B?086yyZjl?= user@ldkf.com.tw", ""); a == nil || a.Name != "游采樺" || a.Address != "user@ldkf.com.tw" {
		t.Errorf("gb2312 From: %+v", a)
	}
}

func TestMailEncodedWordsAndRawDisplayNames(t *testing.T) {
	// Eudora put raw ISO-8859-1 bytes inside Q words; mail clients still read them.
	m := mustCorpusMail(t, "stalwart-legacy-009.eml")
	if !strings.HasPrefix(m.Capture.Text, "Die Hasen und die Frösche\n\n") {
		t.Errorf("subject not decoded: %q", m.Capture.Text[:40])
	}
	raw := readTestdata(t, filepath.Join("email", "stalwart-legacy-009.eml"))
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if a := parseFrom(msg.Header.Get("To"), "iso-8859-1"); a == nil || a.Name != "Jürgen Schmürgen" {
		t.Errorf("raw 8-bit name in encoded words: %+v", a)
	}
	// Raw 8-bit (UTF-8, RFC 6532) in the display name and the address.
	u := mustCorpusMail(t, "mail-utf8-headers.eml").Capture
	want(t, "utf-8 name", u.Name, "Jöhn Doe")
	want(t, "utf-8 address", u.Email, "jdöe@mächine.example")
	// Raw Latin-1 in a display name: the RFC 5322 sample with its name re-encoded the
	// way old mailers sent it.
	latin := bytes.Replace(readTestdata(t, filepath.Join("email", "mail-rfc2822-example01.eml")),
		[]byte("From: John Doe <"), []byte("From: J\xf6hn D\xf6e <"), 1)
	c, err := ParseEmail(latin)
	if err != nil || c.Name != "Jöhn Döe" || c.Email != "jdoe@machine.example" {
		t.Errorf("raw Latin-1 display name: %q <%s>, %v", c.Name, c.Email, err)
	}
}

func TestMailLenientMIME(t *testing.T) {
	for _, tc := range []struct{ file, damage, text, email string }{
		{"enmime-bad-header-start.eml", "first header indented", "plain text\n\nA text section", "james@makita.skynet"},
		{"mail-incorrect-header.eml", "stray line among the headers", "Stop adware/spyware once and for all.\n\nYou are infected with:", "xxx@xxx.xxx"},
		{"mail-illegal-boundary.eml", "unquoted boundary with '='", "Testing outlook\n\nHello\nThis is an outlook test\n\nSo there.\n\nMe.", "email_test@me.nowhere"},
		{"mail-quoted-illegal-boundary.eml", "quoted boundary with '='", "Testing outlook\n\nHello\nThis is an outlook test", "email_test@me.nowhere"},
		{"dovecot-malformed-002.eml", "boundary declared, never used", "body", ""},
		{"dovecot-malformed-017.eml", "boundary parameter without ';'", "Hello world", "test@example.org"},
		{"dovecot-malformed-020.eml", "nested multipart with no opening boundary", "test multipart, related first, with image\n\nHTML Body", "test@example.com"},
		{"enmime-missing-content-type.eml", "no Content-Type", "plain text\n\nA plain text email", "james@makita.skynet"},
		{"enmime-bad-final-boundary.eml", "no closing boundary", "Attachment\n\nA text section", "james@makita.skynet"},
	} {
		m, err := corpusMail(t, tc.file)
		if err != nil {
			t.Errorf("%s (%s): %v", tc.file, tc.damage, err)
			continue
		}
		if !strings.HasPrefix(m.Capture.Text, tc.text) || m.Capture.Email != tc.email {
			t.Errorf("%s (%s): %q <%s>, want %q <%s>", tc.file, tc.damage, m.Capture.Text, m.Capture.Email, tc.text, tc.email)
		}
	}
	// The RFC 5322 sample with a leading blank line, and without its blank line
	// between the headers and the body: the same capture as the intact message.
	intact := readTestdata(t, filepath.Join("email", "mail-rfc2822-example01.eml"))
	good, err := ParseEmail(intact)
	if err != nil {
		t.Fatal(err)
	}
	for damage, raw := range map[string][]byte{
		"leading blank line":      append([]byte("\r\n\r\n"), intact...),
		"leading whitespace":      append([]byte(" \r\n"), intact...),
		"no header/body blank":    bytes.Replace(intact, []byte("example>\r\n\r\nThis"), []byte("example>\r\nThis"), 1),
		"mbox From line first":    append([]byte("From jdoe@machine.example Fri Nov 21 09:55:06 1997\r\n"), intact...),
		"LF line endings":         bytes.ReplaceAll(intact, []byte("\r\n"), []byte("\n")),
		"no blank and LF endings": bytes.Replace(bytes.ReplaceAll(intact, []byte("\r\n"), []byte("\n")), []byte("example>\n\nThis"), []byte("example>\nThis"), 1),
	} {
		c, err := ParseEmail(raw)
		if err != nil || c.Text != good.Text || c.Email != good.Email || c.Name != good.Name || c.ExternalID != good.ExternalID {
			t.Errorf("%s: %+v, %v; want %+v", damage, c, err, good)
		}
	}
}

func TestMailSMIME(t *testing.T) {
	for file, want := range map[string]string{
		"enmime-mime-signed.eml":    "Multipart Signed\n\nSection one\n\nSection two", // signed part, then a second inline part
		"mail-sig-only.eml":         "Re: Testing multipart/signed\n\nThis is random text, not what has been signed below, ie, this sig\nemail is not signed correctly.",
		"dovecot-malformed-015.eml": "Hello world\n\nThere was a day\na happy day", // PGP/MIME, same shape
	} {
		if got := mustCorpusMail(t, file).Capture.Text; got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
	// Opaque signing wraps the entity in CMS SignedData; it is read out, in DER and
	// in streamed BER (indefinite lengths, chunked octets). No public corpus we could
	// use has one: these two were made with openssl for this test (README.md).
	for file, subject := range map[string]string{
		"openssl-opaque-signed-der.eml":      "CSV export bug",
		"openssl-opaque-signed-streamed.eml": "CSV export bug (streamed)",
	} {
		m := mustCorpusMail(t, filepath.Join("smime", file))
		want(t, file, m.Capture.Text, subject+"\n\nThe CSV export drops the last column when a cell contains a comma — please fix.")
		want(t, file+" author", m.Capture.Email, "ann@customer.example")
	}
	// What cannot be read (encryption, or a SignedData we cannot parse) keeps the
	// sender and the subject, and the endpoint answers 200 rather than 400. The RFC
	// 5322 sample with its body replaced by a truncated signed and an encrypted entity:
	base := readTestdata(t, filepath.Join("email", "mail-rfc2822-example01.eml"))
	head, _, _ := bytes.Cut(base, []byte("\r\n\r\n"))
	h := newHarness(t, testSecrets)
	for kind, ct := range map[string]string{
		"opaque signed S/MIME message": "application/pkcs7-mime; smime-type=signed-data; name=smime.p7m",
		"encrypted S/MIME message":     "application/x-pkcs7-mime; smime-type=enveloped-data; name=smime.p7m",
	} {
		raw := append(append([]byte(nil), head...), []byte("\r\nMIME-Version: 1.0\r\nContent-Type: "+ct+"\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQExCzAJBgUrDgMCGgUAMIAGCSqGSIb3DQEHAaCAJIAEggE=\r\n")...)
		c, err := ParseEmail(raw)
		if err != nil || c.Email != "jdoe@machine.example" || !strings.HasPrefix(c.Text, "Saying Hello\n\n("+kind) {
			t.Errorf("%s: %q <%s>, %v", kind, c.Text, c.Email, err)
		}
		raw = bytes.Replace(raw, []byte("<1234@local.machine.example>"), []byte("<"+strings.ReplaceAll(kind, " ", ".")+"@local>"), 1)
		expectStatus(t, kind, h.post("/hooks/email", "message/rfc822", raw, map[string]string{"X-Closeloop-Secret": testSecrets.Email}), http.StatusOK)
	}
	want(t, "opaque S/MIME stored", len(h.rec.stored()), 2)
}

// wantForward checks a forwarded mail: the original author and words, and who
// forwarded it.
func wantForward(t *testing.T, m Mail, exp feedback.Capture, by string) {
	t.Helper()
	wantCapture(t, "forward", m.Capture, exp)
	if m.ForwardedBy == nil || m.ForwardedBy.Address != by {
		t.Errorf("forwarded by %+v, want %s", m.ForwardedBy, by)
	}
}

// mustParseMail parses raw, failing the test when it cannot.
func mustParseMail(t *testing.T, raw []byte) Mail {
	t.Helper()
	m, err := ParseMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// teamForward is a reply-parser corpus body sent on by a team member under subject.
func teamForward(t *testing.T, file, subject, messageID string) []byte {
	t.Helper()
	body := readTestdata(t, filepath.Join("email", "replies", file))
	return append([]byte("From: Ann Agent <ann@closeloop.example>\r\nSubject: "+subject+"\r\nMessage-ID: <"+messageID+">\r\n\r\n"), body...)
}

func TestMailForwarded(t *testing.T) {
	t.Run("rfc822", func(t *testing.T) {
		// Attached as message/rfc822 (Apple Mail), with a one-line note from the forwarder.
		wantForward(t, mustCorpusMail(t, "mail-forward-rfc822.eml"), feedback.Capture{
			Email: "xxxx@xxxx.com",
			Name:  "Test Tester",
			Text:  "Another PDF\n\nJust attaching another PDF, here, to see what the message looks like,\nand to see if I can figure out what is going wrong here.",
		}, "foo@example.com")
	})
	t.Run("inline", func(t *testing.T) {
		// Inline Gmail forward ("---------- Forwarded message ----------").
		wantForward(t, mustCorpusMail(t, "mail-forward-inline-8.eml"), feedback.Capture{
			Email: "xxxxxxxx@xxx.com",
			Text:  "Signed email causes file attachments\n\nHi,\n\nTest attachments oddly encoded with japanese charset.",
		}, "xxxxxxxxx.xxxxxxx@gmail.com")
	})
	t.Run("self-attached", func(t *testing.T) {
		// A message/rfc822 part from the sender themself is not a forward by someone else.
		if m := mustCorpusMail(t, "sisimai-not-bounce-02.eml"); m.ForwardedBy != nil {
			t.Errorf("self-attached message recorded as forwarded by %+v", m.ForwardedBy)
		}
	})
	for _, tc := range []struct {
		name, file, subject, messageID string
		exp                            feedback.Capture
	}{
		// crisp-oss/email-reply-parser's Gmail forward body, sent by a team member.
		{"crisp", "crisp-email_tricky_17_forward_header.txt", "Fwd: Important update", "fwd-17@closeloop.example",
			feedback.Capture{Email: "john@example.com", Name: "John Smith", Text: "Important update\n\nThis is the forwarded content that should be treated as quoted text."}},
		// github/email_reply_parser's Outlook body ("____" line, "From: Name [address]"),
		// forwarded with FW: by a team member.
		{"outlook", "github-email_2_2.txt", "FW: [contact:106] John Greene", "fw-22@closeloop.example",
			feedback.Capture{Email: "crm-comment@example.com", Name: "CRM Comments", Text: "[contact:106] John Greene\n\nA new comment has been added to the Contact named 'John Greene':\n\nI am replying to a comment."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantForward(t, mustParseMail(t, teamForward(t, tc.file, tc.subject, tc.messageID)), tc.exp, "ann@closeloop.example")
		})
	}
	t.Run("outlook reply", func(t *testing.T) {
		// The same body under a Re: subject is a reply, not a forward: the replier's words.
		raw := teamForward(t, "github-email_2_2.txt", "RE: [contact:106] John Greene", "fw-22@closeloop.example")
		if m, err := ParseMail(raw); err != nil || m.ForwardedBy != nil || m.Capture.Text != "RE: [contact:106] John Greene\n\nOutlook with a reply directly above line" {
			t.Errorf("reply taken for a forward: %+v %v", m, err)
		}
	})
}

// TestEmailHookIgnoresAutomatedMail: automated mail answers 200 "ignored" with the
// reason and never reaches the store; mail with only the headers people's mail has
// too (X-Auto-Response-Suppress, List-Id, Precedence: list) is stored.
func TestEmailHookIgnoresAutomatedMail(t *testing.T) {
	h := newHarness(t, testSecrets)
	secret := map[string]string{"X-Closeloop-Secret": testSecrets.Email}
	post := func(raw []byte) result {
		t.Helper()
		r := h.post("/hooks/email", "message/rfc822", raw, secret)
		expectStatus(t, "post", r, http.StatusOK)
		var res result
		if err := json.Unmarshal([]byte(r.body), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	human := readTestdata(t, filepath.Join("email", "talon-gmail.eml"))
	withHeader := func(hdr string) []byte { return append([]byte(hdr+"\r\n"), human...) }
	for what, tc := range map[string]struct {
		raw    []byte
		reason string
	}{
		"RFC 3834 auto-reply":           {readTestdata(t, filepath.Join("email", "sisimai-rfc3834-01.eml")), "automated mail (Auto-Submitted: auto-replied)"},
		"DSN":                           {readTestdata(t, filepath.Join("email", "enmime-dsn-simple.eml")), "delivery status notification (bounce)"},
		"ARF spam complaint":            {readTestdata(t, filepath.Join("email", "sisimai-arf-01.eml")), "spam complaint (ARF feedback report)"},
		"iCloud vacation":               {readTestdata(t, filepath.Join("email", "sisimai-rfc3834-03.eml")), "auto-reply (X-Apple-Action: VACATION)"},
		"Precedence: junk":              {readTestdata(t, filepath.Join("email", "mail-x-autoreply.eml")), "automated mail (Precedence: junk)"},
		"null Return-Path":              {readTestdata(t, filepath.Join("email", "sisimai-rfc3834-02.eml")), "automated mail (null Return-Path)"},
		"X-Autoreply":                   {withHeader("X-Autoreply: yes"), "auto-reply (X-Autoreply)"},
		"X-Autorespond":                 {withHeader("X-Autorespond: Out of office"), "auto-reply (X-Autorespond)"},
		"Precedence: bulk":              {withHeader("Precedence: bulk"), "automated mail (Precedence: bulk)"},
		"Precedence: auto_reply":        {withHeader("Precedence: auto_reply"), "automated mail (Precedence: auto_reply)"},
		"Auto-Submitted with a comment": {withHeader("Auto-Submitted: auto-generated (failure)"), "automated mail (Auto-Submitted: auto-generated)"},
		"MDN": {bytes.Replace(human, []byte("Content-Type: multipart/alternative;"), []byte("Content-Type: multipart/report; report-type=disposition-notification;"), 1),
			"read receipt (message disposition notification)"},
	} {
		if res := post(tc.raw); res.Status != "ignored" || res.Ignored != tc.reason {
			t.Errorf("%s: %+v, want ignored: %s", what, res, tc.reason)
		}
	}
	want(t, "automated mail stored", h.rec.callCount(), 0)

	for what, raw := range map[string][]byte{
		"X-Auto-Response-Suppress alone": readTestdata(t, filepath.Join("email", "stalwart-thirdparty-015.eml")),
		"List-Id and Precedence: list":   readTestdata(t, filepath.Join("email", "stalwart-thirdparty-014.eml")),
		"List-Id alone":                  readTestdata(t, filepath.Join("email", "mail-list-id.eml")),
		"Auto-Submitted: no":             withHeader("Auto-Submitted: no"),
	} {
		if res := post(raw); res.Status != "created" {
			t.Errorf("%s: %+v, want created", what, res)
		}
	}
}

// TestPlainTextKeepsAngleBrackets: text/plain is never run through HTML conversion.
func TestPlainTextKeepsAngleBrackets(t *testing.T) {
	c := mustCorpusMail(t, "enmime-incorrect-charset.eml").Capture
	if !strings.Contains(c.Text, "⊥ < a ≠ b ≡ c ≤ d ≪ ⊤ ⇒ (⟦A⟧ ⇔ ⟪B⟫),") {
		t.Errorf("angle brackets lost: %q", c.Text)
	}
}

// TestReadMboxSkipsAutomatedMail: a support mailbox export holds bounces and
// auto-replies next to customers' mail; only the customers' become feedback.
func TestReadMboxSkipsAutomatedMail(t *testing.T) {
	var mbox bytes.Buffer
	for _, f := range []string{"enmime-dsn-simple.eml", "mail-rfc2822-example01.eml", "sisimai-rfc3834-01.eml"} {
		mbox.WriteString("From sender@example.com Tue Mar  3 10:15:00 2026\n")
		mbox.Write(bytes.ReplaceAll(readTestdata(t, filepath.Join("email", f)), []byte("\r\n"), []byte("\n")))
		mbox.WriteString("\n")
	}
	var got []string
	err := ReadMbox(&mbox, func(c feedback.Capture) error { got = append(got, c.Email); return nil })
	if err != nil || len(got) != 1 || got[0] != "jdoe@machine.example" {
		t.Fatalf("captured %v (%v), want only jdoe@machine.example", got, err)
	}
}

// TestDecodeUTF7 uses RFC 2152's own examples.
func TestDecodeUTF7(t *testing.T) {
	for in, out := range map[string]string{
		"Hi Mom -+Jjo--!":   "Hi Mom -☺-!",
		"+ZeVnLIqe-":        "日本語",
		"A+ImIDkQ.":         "A≢Α.",
		"1 +- 1 = 2":        "1 + 1 = 2",
		"Item 3 is +AKM-1.": "Item 3 is £1.",
		"+2D3eAA-":          "😀", // a surrogate pair
		"broken +AK":        "broken ",
	} {
		want(t, in, decodeUTF7([]byte(in)), out)
	}
}

// TestMailYahooQuotes: Yahoo Mail's "----- Original Message -----" block (mailgun/
// talon's yahoo.eml) and Yahoo Mail Classic's "--- On …, … wrote:" header, which no
// licensed sample has, so talon's message with its quote header written that way.
// Both keep only "Hello"; a Thunderbird reply typed below the quote keeps it too.
func TestMailYahooQuotes(t *testing.T) {
	want(t, "yahoo", mustCorpusMail(t, "talon-yahoo.eml").Capture.Text, "Re: Test\n\nHello")
	want(t, "thunderbird, reply below the quote", mustCorpusMail(t, "talon-thunderbird.eml").Capture.Text, "Re: Test\n\nHello")
	raw := readTestdata(t, filepath.Join("email", "talon-yahoo.eml"))
	head, _, ok := bytes.Cut(raw, []byte("\n\n"))
	if !ok {
		t.Fatal("talon-yahoo.eml has no body")
	}
	classic := append(append([]byte(nil), head...), []byte("\n\nHello\n\n--- On Mon, 4/2/12, bob@xxx.mailgun.org <bob@xxx.mailgun.org> wrote:\n\n> From: bob@xxx.mailgun.org <bob@xxx.mailgun.org>\n> Subject: Test\n>\n> Hi\n")...)
	c, err := ParseEmail(classic)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "yahoo classic", c.Text, "Re: Test\n\nHello")
	want(t, "yahoo classic author", c.Email, "xxx@yahoo.com")
}

// TestMailGatewayBanners: a virus-scanning gateway's banner is not the sender's words
// (found by the corpus: MailScanner's in mikel/mail's Windows-1251 sample, whose body
// is nothing else, and MailMarshal's above nodemailer/mailparser's "Good Morning;").
// The full original keeps it; words that only mention scanning stay.
func TestMailGatewayBanners(t *testing.T) {
	m := mustCorpusMail(t, "mail-windows-1251.eml")
	want(t, "MailScanner only", m.Capture.Text, "[0]: XXXXXXX XXXXX XXXXX !")
	if !strings.Contains(m.Original, "MailScanner") {
		t.Errorf("original lost the banner: %q", m.Original)
	}
	want(t, "MailMarshal above the words", mustCorpusMail(t, "mailparser-mixed.eml").Capture.Text, "Good Morning;")
	for in, out := range map[string]string{
		"This message has been scanned for viruses and\ndangerous content by MailScanner, and is\nbelieved to be clean.\n\nThanks":  "Thanks",
		"Has this message been scanned for viruses? The attachment will not open.":                                                  "Has this message been scanned for viruses? The attachment will not open.",
		"Our files are scanned for viruses before upload, and this message has been scanned for viruses too, yet the import fails.": "Our files are scanned for viruses before upload, and this message has been scanned for viruses too, yet the import fails.",
	} {
		want(t, in, stripGatewayBanners(in), out)
	}
}
