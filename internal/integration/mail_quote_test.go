package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fusce is the reply every crisp-oss/email-reply-parser fixture shares above its
// quoted history.
const fusce = "Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales ante sem sit amet metus.\n" +
	"Nulla malesuada, orci non vulputate lobortis, massa felis pharetra ex, convallis consectetur ex libero eget ante.\n" +
	"Nam vel turpis posuere, rhoncus ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.\n" +
	"Duis ut libero eu lectus consequat consequat ut vel lorem. Vestibulum convallis lectus urna,\n" +
	"et mollis ligula rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh."

// TestStripQuotedOnPublicCorpora runs the reply bodies of two public reply-parsing
// suites (testdata/email/replies, sources in testdata/email/README.md) through the
// quote and signature stripping. Expected values were read off each fixture by hand.
func TestStripQuotedOnPublicCorpora(t *testing.T) {
	for file, want := range map[string]string{
		// Non-English reply headers.
		"crisp-email_german.txt":                fusce, // Am 13.12.2017 21:11 schrieb "John Doe …:
		"crisp-email_german_outlook.txt":        fusce, // -----Ursprüngliche Nachricht----- / Von: / An:
		"crisp-email_french_2.txt":              fusce, // > Le 29 avr. 2025 à 11:11, … a écrit :
		"crisp-email_fr_multiline.txt":          fusce, // Le lun. 15 nov. 2021 … <john@…>\na écrit :
		"crisp-email_italian.txt":               fusce, // In data 11 ottobre 2017 … ha scritto:
		"crisp-email_portuguese.txt":            fusce, // Em 10 de julho de 2017 … (\ncontact@stripe.com) escreveu:
		"crisp-email_russian.txt":               fusce, // ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:
		"crisp-email_finnish.txt":               fusce, // pe 20. lokakuuta 2017 … kirjoitti:
		"crisp-email_norwegian_gmail.txt":       fusce, // tir. 18. apr. 2017 kl. 13:09 skrev … <test@example.com\n>:
		"crisp-email_danish_dash_separator.txt": fusce, // -------- Oprindelig besked -------- / Fra:
		// Outlook: the separator line, and the unmarked From:/Sent:/To: block.
		"crisp-email_ios_outlook_fr.txt":          fusce, // Envoyé à partir de Outlook pour iOS, then ____ and From:/Sent:
		"crisp-email_msn.txt":                     fusce,
		"crisp-email_outlook_split_line_from.txt": fusce, // From: name \n<address>\nSent:\nTo:
		"crisp-email_original_message.txt":        fusce, // -----original message-----
		"github-email_2_2.txt":                    "Outlook with a reply directly above line",
		// Gmail, Apple Mail, Zoho headers wrapped over lines.
		"crisp-email_gmail_split_line_from.txt": fusce,
		"crisp-email_unquoted_reply.txt":        "This is my reply.", // On Nov 26, 2013 you wrote: (quote not ">"-marked)
		"crisp-email_zoho.txt":                  "What is the best way to clear a Riak bucket of all key, values after\nrunning a test?",
		"github-email_1_3.txt":                  "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona",
		"github-email_1_6.txt":                  "I get proper rendering as well.\n\nSent from a magnificent torch of pixels",
		"github-email_1_7.txt":                  ":+1:",
		"github-email_one_is_not_on.txt":        "Thank, this is really helpful.\n\nOne outstanding question I had:\n\nLocally (on development), when I run...",
		// A reply written below the quote keeps the new text.
		"github-email_1_8.txt": "I will reply under this one\n\nand under this.",
		// Mobile signatures.
		"crisp-email_iphone.txt":                                 "Here is another email",
		"github-email_iPhone.txt":                                "Here is another email",
		"github-email_BlackBerry.txt":                            "Here is another email",
		"github-email_multi_word_sent_from_my_mobile_device.txt": "Here is another email",
		"crisp-email_sent_from.txt":                              "Hi it can happen to any texts you type, as long as you type in between words or paragraphs.",
	} {
		got := stripQuoted(string(readTestdata(t, filepath.Join("email", "replies", file))))
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", file, got, want)
		}
	}
}

// TestHTMLReplyOnTalonFixtures runs mailgun/talon's HTML replies (testdata/email/html)
// through the HTML-only path. Every fixture's reply is, per talon's own test, "Hi. I
// am fine.\n\nThanks,\nAlex", compared without whitespace as talon compares it (HTML
// line breaks are layout, not words).
func TestHTMLReplyOnTalonFixtures(t *testing.T) {
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	files, _ := filepath.Glob(filepath.Join("testdata", "email", "html", "talon-*.html"))
	if len(files) != 9 {
		t.Fatalf("%d talon HTML fixtures, want 9", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := htmlReply(string(b)); squash(got) != squash("Hi. I am fine.\n\nThanks,\nAlex") {
			t.Errorf("%s: reply %q", filepath.Base(f), got)
		}
	}
}
