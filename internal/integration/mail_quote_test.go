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
		// Look-alikes that are the customer's words (crisp's "tricky" fixtures).
		"crisp-email_tricky_1_on_false_positive.txt":     "On the surface, this looks like a quote header but it's not.\n\nOn the other hand, we should be careful about edge cases.\nOn average, this parser works well.\n\nOn a separate note, I wanted to mention that performance is great.",
		"crisp-email_tricky_2_url_with_wrote.txt":        "Hi there,\n\nCheck out this article about email parsing: https://example.com/blog/on-date-someone-wrote-about-parsing\n\nIt's really interesting how they handled the case where URLs contain patterns like \"wrote:\" in them.\n\nBest regards,\nJohn",
		"crisp-email_tricky_4_from_in_body.txt":          "I need to parse emails that come from: john@example.com and from: jane@example.com\n\nThe data comes From: our database, not From: external sources.\n\nThis is the actual message content.",
		"crisp-email_tricky_6_regards_in_sentence.txt":   "I wanted to discuss the issue with regards to the payment processing system.\n\nAs regards the timeline, we should be done by Friday.\n\nIn this regards we need to be careful.\n\nThis is the actual content that should be visible.",
		"crisp-email_tricky_7_multiple_dashes.txt":       "Here is my analysis:\n\n## Key Points\n----\n\n1. Performance improved by 50%\n2. Memory usage reduced\n\n----\n\nThe dashes above are markdown formatting, not signatures.\n\n====\n\nAlso these equal signs are just separators in my content.",
		"crisp-email_tricky_8_sent_from_in_content.txt":  "The notification was sent from my iPhone app to all users.\n\nThis email was sent from our automated system, not Sent from my iPad.\n\nAll messages are sent from the main server.",
		"crisp-email_tricky_13_timestamp_variations.txt": "Here are different timestamp formats that might cause issues:\n\n2024-01-15 14:30:25\n2024/01/15 14:30:25\n15.01.2024 14:30\n01/15/2024 at 2:30 PM\nJan 15, 2024 at 14:30\n\nAll of these are just examples in my content, not quote headers.",
		// Real quotes and signatures in awkward places.
		"crisp-email_tricky_11_double_signature.txt":            "Thanks for your help!\n\nBest regards,\nJohn",
		"crisp-email_tricky_12_no_space_after_header.txt":       fusce,
		"crisp-email_tricky_14_long_quote_header.txt":           fusce,
		"crisp-email_tricky_15_original_message_variations.txt": fusce,
		"crisp-email_tricky_18_inline_reply.txt":                "I think option A is great.\n\nOption B has some drawbacks.\n\nOption C is not suitable for our use case.",
		"crisp-email_tricky_19_quote_without_header.txt":        "I wanted to respond to your points:\n\nMy response to the quoted text above.\n\nAnd my final thoughts.",
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

// TestMobileSignatureOnlyAtTheEnd: "Sent from my …" ends the reply only when nothing
// but quoted history follows it.
func TestMobileSignatureOnlyAtTheEnd(t *testing.T) {
	for in, out := range map[string]string{
		"Sent from my iPhone app, the export fails.\nPlease fix.": "Sent from my iPhone app, the export fails.\nPlease fix.",
		"Great.\n\nSent from my iPhone\n\n> earlier":              "Great.",
		"Great.\n\nSent from my iPhone\n":                         "Great.",
	} {
		want(t, in, stripQuoted(in), out)
	}
}
