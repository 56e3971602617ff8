package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/mail"

	"github.com/closeloop/closeloop/internal/store"
)

// EmailPayload is an outbox row of kind email.
type EmailPayload struct {
	Message Message `json:"message"`
	// PersonID is the recipient, when they are a customer contact.
	PersonID string `json:"person_id,omitempty"`
	// RespectUnsubscribe makes the worker skip the message if the person (or the
	// address) unsubscribed after it was queued. Set for customer-facing bulk mail
	// such as close the loop; leave unset for transactional mail to the team.
	RespectUnsubscribe bool `json:"respect_unsubscribe,omitempty"`
	// Touchpoint, when set, is the summary of an outbound email touchpoint recorded on
	// the person's account once the message is accepted by the SMTP server.
	Touchpoint string `json:"touchpoint,omitempty"`
}

// Validate checks what the worker will need.
func (p EmailPayload) Validate() error {
	if a, err := mail.ParseAddress(p.Message.ToEmail); err != nil || a.Address != p.Message.ToEmail {
		return errors.New("notify: recipient is not an email address")
	}
	if p.Message.Text == "" {
		return errors.New("notify: an email needs a text body")
	}
	return nil
}

// Marshal validates and encodes the payload for the outbox.
func (p EmailPayload) Marshal() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

// EnqueueEmail queues one email; ref names what it is for (shown in the delivery log).
func EnqueueEmail(ctx context.Context, st *store.Store, ref string, p EmailPayload) (store.OutboxItem, error) {
	raw, err := p.Marshal()
	if err != nil {
		return store.OutboxItem{}, err
	}
	o := store.OutboxItem{Kind: store.OutboxEmail, Ref: ref, Payload: raw}
	err = st.EnqueueOutbox(ctx, &o)
	return o, err
}
