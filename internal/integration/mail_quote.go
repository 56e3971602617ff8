package integration

import (
	"regexp"
	"strings"
)

// Quoted history and signatures, as the mail clients in the public reply-parsing
// corpora write them (github/email_reply_parser, mailgun/talon, crisp-oss/
// email-reply-parser): Gmail, Apple Mail and Thunderbird "On … wrote:" and its
// translations, Yahoo's "--- On … wrote:", Outlook's "-----Original Message-----" and
// its unmarked From:/Sent:/To: block, "Sent from my iPhone" and its translations, and
// "-- " signatures. Quoted history repeats earlier messages, often our own, and
// would skew search and tag suggestions; the signature is noise.

var (
	// The end of a reply header, which may wrap over up to three lines.
	replyHeaderEnd = regexp.MustCompile(`(?i)(\bwrote|\bschrieb|a écrit|escribió|escreveu|ha scritto|schreef|\bskrev|kirjoitti|napisał\(a\)|napisał|написал\(а\)|написала|написал|寫道|写道|のメッセージ|書きました|wrote)\s*:\s*$`)
	// How a reply header starts: "On", its translations, or a date.
	replyHeaderStart = regexp.MustCompile(`(?i)^((on|am|le|el|em|il|in data|op|den|dne|w dniu|pe|в)\b|\d)`)
	// Gmail in Russian and other languages has no verb: "ср, 30 апр. 2025 г. в 15:19, Ann <ann@example.com>:".
	// Zoho: "---- On Wed, 24 Feb 2021 14:02:50 +0530 ann@example.com wrote ----".
	replyHeaderDashed  = regexp.MustCompile(`(?i)\bwrote\s*-{2,}\s*$`)
	replyHeaderAddrEnd = regexp.MustCompile(`@[^\s<>]+\s*>\s*:\s*$`)
	outlookSeparator   = regexp.MustCompile(`(?i)^(-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|originalnachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|исходное сообщение|weitergeleitete nachricht|message transféré|oprindelig besked|opprinnelig melding|ursprungligt meddelande|alkuperäinen viesti|originalbericht)\s*-{2,}|_{10,}|begin forwarded message:)\s*$`)
	// The lines of an Outlook header block ("From: Ann\nSent: Monday…\nTo: …").
	outlookFrom     = regexp.MustCompile(`(?i)^\*?(from|von|de|da|van|od|från|fra|lähettäjä|от)\s*\*?\s*:`)
	outlookSentTo   = regexp.MustCompile(`(?i)^\*?(sent|date|to|subject|gesendet|datum|an|betreff|envoyé|date|à|objet|enviado|fecha|para|asunto|inviato|data|oggetto|verzonden|aan|onderwerp|skickat|till|ämne|sendt|til|emne|lähetetty|vastaanottaja|aihe|отправлено|кому|тема|wysłano|do|temat)\s*\*?\s*:`)
	mobileSignature = regexp.MustCompile(`(?i)^(sent from my |sent from (outlook|mail for windows|yahoo mail|samsung|my mobile)|sent with |sent from [^<]{1,40}<https?://|get outlook for |envoyé de mon |envoyé depuis |envoyé à partir de |von meinem .*gesendet|gesendet von meinem |enviado desde mi |enviado do meu |enviado de meu |inviato da |verzonden met |verzonden vanaf |skickat från )`)
)

// historyAt reports whether quoted history starts at line i, and on which line its
// header ends (the quote itself follows).
func historyAt(lines []string, i int) (end int, ok bool) {
	t := strings.TrimSpace(lines[i])
	if outlookSeparator.MatchString(t) {
		return i, true
	}
	// Yahoo writes "--- On Tue, 3/3/08, Ann <a@b.c> wrote:".
	h := strings.TrimSpace(strings.TrimLeft(t, "-"))
	if h != "" && !strings.HasPrefix(h, ">") && (replyHeaderStart.MatchString(h) || strings.Contains(h, "@")) {
		joined := h
		for j := i; j < len(lines) && j <= i+2; j++ {
			if j > i {
				u := strings.TrimSpace(lines[j])
				if u == "" {
					break // a header wraps, it does not span paragraphs
				}
				joined += " " + u
			}
			if replyHeaderEnd.MatchString(joined) || replyHeaderDashed.MatchString(joined) || replyHeaderAddrEnd.MatchString(joined) && strings.ContainsAny(joined, "0123456789") {
				return j, true
			}
		}
	}
	if outlookFrom.MatchString(t) {
		// An Outlook block: two more of its fields within the next few lines.
		n := 0
		for j := i + 1; j < len(lines) && j <= i+6; j++ {
			u := strings.TrimSpace(lines[j])
			if outlookSentTo.MatchString(u) {
				n++
				if n == 2 {
					return j, true
				}
			}
		}
	}
	return 0, false
}

// signatureAt reports whether a signature starts at lines[i]: the "-- " delimiter
// anywhere, or a "Sent from my iPhone" line with nothing but blank or quoted lines
// after it, so that "Sent from my iPhone app, the export fails" stays.
func signatureAt(lines []string, i int) bool {
	t := strings.TrimSpace(lines[i])
	if lines[i] == "-- " || t == "--" {
		return true
	}
	if !mobileSignature.MatchString(t) {
		return false
	}
	for _, l := range lines[i+1:] {
		if u := strings.TrimSpace(l); u != "" && !strings.HasPrefix(u, ">") {
			return false
		}
	}
	return true
}

// stripQuoted returns the new part of a reply: the lines before the quoted history
// and the signature, less lines quoted with ">" (an inline reply keeps its answers).
// A reply written below the quote keeps the new text after it.
func stripQuoted(body string) string {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	hist := len(lines)
	histEnd := len(lines)
	for i := range lines {
		if end, ok := historyAt(lines, i); ok {
			hist, histEnd = i, end
			break
		}
	}
	if head := newText(lines[:hist]); head != "" {
		return head
	}
	if hist >= len(lines) {
		return ""
	}
	// Nothing before the history: the reply, if any, is below the quote.
	rest := lines[histEnd+1:]
	for i := range rest {
		if _, ok := historyAt(rest, i); ok {
			rest = rest[:i]
			break
		}
	}
	return newText(rest)
}

// newText is the unquoted lines up to the signature.
func newText(lines []string) string {
	var keep []string
	for i, l := range lines {
		if signatureAt(lines, i) {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		keep = append(keep, l)
	}
	return tidy(strings.Join(keep, "\n"))
}

// htmlQuoteMarkers are where mail clients start the quoted history in HTML mail.
var htmlQuoteMarkers = []string{
	`class="gmail_quote`, `class=gmail_quote`, `type="cite"`, `type=cite`, `id="divrplyfwdmsg"`,
	`id="appendonsend"`, `class="moz-cite-prefix"`, `class="yahoo_quoted"`, `id="yahoo_quoted`,
	`class="protonmail_quote"`, `id="stopspelling"`, `class="outlookmessageheader"`,
	`name="_mailendcompose"`, `id="_mailendcompose"`,
}

// cutHTMLQuote returns the HTML before the first quote container.
func cutHTMLQuote(html string) string {
	lower := strings.ToLower(html)
	cut := len(html)
	for _, m := range htmlQuoteMarkers {
		if i := strings.Index(lower, m); i >= 0 && i < cut {
			if lt := strings.LastIndexByte(lower[:i], '<'); lt >= 0 {
				cut = lt
			}
		}
	}
	return html[:cut]
}

// gatewayBanner is the paragraph a virus-scanning mail gateway adds to every message it
// passes (MailScanner's "This message has been scanned for viruses and dangerous
// content by MailScanner, and is believed to be clean.", MailMarshal's "This e-mail
// message has been scanned for Viruses and Content and cleared"), sometimes behind a
// filter's tag. It is the gateway's words, never the sender's.
var gatewayBanner = regexp.MustCompile(`(?i)^([\w-]{1,20}:\s*)?this (e-?mail )?(message )?has been scanned for viruses\b[^\n]{0,200}$`)

// stripGatewayBanners drops gateway banner paragraphs (their lines joined) from a body.
func stripGatewayBanners(body string) string {
	paras := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n")
	keep := paras[:0]
	for _, p := range paras {
		if gatewayBanner.MatchString(strings.Join(strings.Fields(p), " ")) {
			continue
		}
		keep = append(keep, p)
	}
	return tidy(strings.Join(keep, "\n\n"))
}
