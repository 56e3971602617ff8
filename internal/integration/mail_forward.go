package integration

import (
	"net/mail"
	"regexp"
	"strings"
)

// Forwarded mail: a team member forwards a customer's message to the feedback
// address, with an "FYI" or nothing. The words worth keeping are the customer's, and
// they are the author; the forwarder goes in Mail.ForwardedBy.

var (
	// The line mail clients put above an inline forward, in the languages they ship.
	forwardMarker = regexp.MustCompile(`(?i)^(-{2,}\s*(forwarded message|forwarded message follows|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|пересылаемое сообщение)\s*-{2,}|begin forwarded message:|anfang der weitergeleiteten nachricht:|d[ée]but du message r[ée]exp[ée]di[ée]\s*:|inicio del mensaje reenviado:)\s*$`)
	// Outlook's "Original Message" separator is a forward only under a forward subject.
	originalMarker = regexp.MustCompile(`(?i)^(-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}|_{10,})\s*$`)
	forwardSubject = regexp.MustCompile(`(?i)^\s*((fwd?|fw|wg|tr|rv|enc|doorst)\s*:\s*)+`)
	// A header line of the forwarded block, possibly bold in a text rendering of HTML.
	forwardHeader = regexp.MustCompile(`^\*?(From|Von|De|Da|Van|От|Date|Datum|Sent|Gesendet|Envoy[ée]|Enviado|Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp|Тема|To|An|À|A|Para|Aan|Кому|Cc|Kopie|Reply-To)\s*\*?\s*:\s*\*?\s*(.*)$`)
)

// maxForwardNote is how long the forwarder's own note may be for the message still
// to count as "a forward" when the subject does not say so; past it, the forwarder
// wrote something of their own and is the author.
const maxForwardNote = 300

// forwarded returns the capture of the original message when m forwards one: an
// attached message/rfc822, or an inline forwarded block.
func forwarded(m *Mail, subject, reply, body string, attached []byte, depth int) (Mail, bool) {
	isFwdSubject := forwardSubject.MatchString(subject)
	by := &mail.Address{Name: m.Capture.Name, Address: m.Capture.Email}
	outer := m.Capture
	outer.Text, outer.Quote = withSubject(subject, body), body
	if attached != nil && (isFwdSubject || len(reply) <= maxForwardNote) {
		// A forwarded bounce or an empty message is not the original's words: then
		// the forward is read as it is.
		if inner, err := parseMail(attached, depth+1); err == nil {
			if !strings.EqualFold(by.Address, inner.Capture.Email) {
				inner.ForwardedBy = by
			}
			// The original's Message-ID makes two forwards of one message one item;
			// without one, the forward's own id is the better key.
			if strings.HasPrefix(inner.Capture.ExternalID, "sha256:") {
				inner.Capture.ExternalID = m.Capture.ExternalID
			}
			if inner.ForwardedBy != nil {
				// The forwarder's note, then what they forwarded, as a mail client shows it.
				outer.Text = withSubject(subject, strings.TrimSpace(reply+"\n\n---------- Forwarded message ----------\n"+inner.Capture.Text))
				inner.AsForwarder = &outer
			}
			return inner, true
		}
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		fwd := forwardMarker.MatchString(t)
		if !fwd && !(isFwdSubject && originalMarker.MatchString(t)) {
			continue
		}
		note := strings.TrimSpace(strings.Join(lines[:i], "\n"))
		if !isFwdSubject && len(note) > maxForwardNote {
			return Mail{}, false
		}
		inner, ok := inlineForward(lines[i+1:], subject)
		if !ok {
			return Mail{}, false
		}
		inner.Capture.Source = m.Capture.Source
		inner.Capture.ExternalID = m.Capture.ExternalID
		inner.Capture.OccurredAt = m.Capture.OccurredAt
		inner.ForwardedBy = by
		inner.Original = m.Original
		inner.AsForwarder = &outer
		return inner, true
	}
	return Mail{}, false
}

// inlineForward reads the header block ("From: … Date: … Subject: …") and the body of
// an inline forward. Without a From line it is not one we can attribute.
func inlineForward(lines []string, outerSubject string) (Mail, bool) {
	var m Mail
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	subject := ""
	headers := 0
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			break
		}
		hm := forwardHeader.FindStringSubmatch(t)
		if hm == nil {
			if headers == 0 {
				return m, false
			}
			continue // a folded header value
		}
		headers++
		switch strings.ToLower(hm[1]) {
		case "from", "von", "de", "da", "van", "от":
			if m.Capture.Email == "" {
				if a := parseFrom(strings.Trim(hm[2], "* "), ""); a != nil {
					m.Capture.Email, m.Capture.Name = a.Address, a.Name
				}
			}
		case "subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "тема":
			subject = strings.TrimSpace(strings.Trim(hm[2], "*"))
		}
	}
	if m.Capture.Email == "" {
		return m, false
	}
	if subject == "" {
		subject = forwardSubject.ReplaceAllString(outerSubject, "")
	}
	body := tidy(strings.Join(lines[i:], "\n"))
	reply := stripQuoted(body)
	if reply == "" {
		reply = body
	}
	m.Capture.Text = withSubject(subject, reply)
	m.Capture.Quote = reply
	return m, strings.TrimSpace(reply) != ""
}
