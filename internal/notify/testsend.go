package notify

import (
	"context"
	"fmt"
	"net/mail"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

// TestSend sends a short message to `to` right now, bypassing the outbox, so the
// settings page can show the server's answer (bad password, STARTTLS missing,
// relaying denied) while the admin is looking at the form. Pass the settings being
// edited, with the stored password filled in when the form left it blank.
func TestSend(ctx context.Context, s SMTPSettings, to string) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	if a, err := mail.ParseAddress(to); err != nil || a.Address != to {
		return errs.Invalidf("to", "%q is not an email address", to)
	}
	m := Mailer{Settings: s, Timeout: 20 * time.Second}
	return m.Send(ctx, Message{
		ToEmail:   to,
		Subject:   "closeloop test email",
		Text:      "This is a test email from closeloop.\n\nIf you can read it, outgoing email works.\n",
		MessageID: newMessageID("test-"+fmt.Sprint(time.Now().UnixNano()), s.FromAddress),
	})
}
