package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/cancel"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/revenue"
)

// Cancellation survey answers (migration 0027; rules in internal/cancel). An answer
// is written with its feedback item (kind churn_reason, source cancellation, external
// id = the answer) in one transaction, through the capture path, so it is tagged,
// ranked and seen by health's churn-reason signal like any other feedback.

// EventCancellationRecorded is appended when an answer is recorded.
const EventCancellationRecorded = "cancellation.recorded"

func init() { Events = append(Events, EventCancellationRecorded) }

// ErrLinkAnswered refuses a second answer through one hosted-page link.
var ErrLinkAnswered = errs.Conflict("token", "this cancellation link was already answered")

const cancelSettingsKey = "cancellation_survey"

// CancellationSettings reads the two option lists, the defaults when unset.
func (s *Store) CancellationSettings(ctx context.Context) (cancel.Settings, error) {
	set, err := settingOr(ctx, s, cancelSettingsKey, cancel.Settings{}, cancel.Defaults)
	return set, wrapf(err, "store: cancellation settings")
}

// PutCancellationSettings validates and stores the option lists.
func (s *Store) PutCancellationSettings(ctx context.Context, set cancel.Settings) error {
	return wrapf(putChecked(ctx, s, cancelSettingsKey, set), "store: put cancellation settings")
}

// CancelWho says whose answer it is: an account (by id or external id) and, if
// known, a person (by id, external id or email; an unknown email becomes a person
// of the account, as feedback senders do).
type CancelWho struct {
	AccountID, AccountExternalID      string
	PersonID, PersonExternalID, Email string
	Name                              string
}

// resolve finds the account and person of w inside q.
func (s *Store) resolveCancelWho(ctx context.Context, q q, w CancelWho) (accountID, personID string, err error) {
	if w.AccountID == "" && w.AccountExternalID == "" {
		return "", "", errs.Invalid("account_id", "is required: give account_id or account_external_id")
	}
	c := feedback.Capture{AccountID: w.AccountID, AccountExternalID: w.AccountExternalID, Email: w.Email, PersonExternalID: w.PersonExternalID, Name: w.Name}
	if w.PersonID != "" {
		var email, ext string
		err := q.row(ctx, `SELECT email, external_id FROM people WHERE id = ?`, w.PersonID).Scan(&email, &ext)
		switch {
		case errors.Is(err, sql.ErrNoRows): // the person was removed since the link was made
		case err != nil:
			return "", "", err
		default:
			c.Email, c.PersonExternalID = email, ext
		}
	}
	return s.resolveSender(ctx, q, &c)
}

// CancelLinkSubject resolves whom a hosted-page link is for (the person made if the
// email is new), before the link is signed.
func (s *Store) CancelLinkSubject(ctx context.Context, w CancelWho) (accountID, personID string, err error) {
	err = s.captureTx(ctx, func(q q) error {
		accountID, personID, err = s.resolveCancelWho(ctx, q, w)
		return err
	})
	return accountID, personID, wrapf(err, "store: cancellation link")
}

// AddCancellation records one answer and its feedback item. linkHash is the hosted
// page's cancel.TokenHash ("" from the API); a link answers once (ErrLinkAnswered).
func (s *Store) AddCancellation(ctx context.Context, w CancelWho, channel, linkHash string, in cancel.Input) (cancel.Cancellation, error) {
	set, err := s.CancellationSettings(ctx)
	if err != nil {
		return cancel.Cancellation{}, err
	}
	now := s.Now()
	in.Normalize(now)
	if err := in.Validate(set, now); err != nil {
		return cancel.Cancellation{}, err
	}
	liked, _ := json.Marshal(append([]string{}, in.Liked...))
	cid := id.NewAt(in.CancelledAt)
	err = s.captureTx(ctx, func(q q) error {
		if linkHash != "" {
			var n int
			if err := q.row(ctx, `SELECT COUNT(*) FROM cancellations WHERE link_hash = ?`, linkHash).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrLinkAnswered
			}
		}
		accountID, personID, err := s.resolveCancelWho(ctx, q, w)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO cancellations (id, account_id, person_id, reason, liked, text, channel, link_hash, cancelled_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cid, accountID, nullable(personID), in.Reason, string(liked), in.Text, channel,
			nullable(linkHash), ms(in.CancelledAt), ms(now)); err != nil {
			return err
		}
		// The item says the reason in the customer's words when they gave some, else
		// the reason's label; either way it is a churn reason of this account.
		c := feedback.Capture{Text: in.Text, Quote: in.Text, Source: feedback.SourceCancellation, Kind: feedback.ChurnReason,
			ExternalID: cid, OccurredAt: in.CancelledAt, AccountID: accountID}
		if c.Text == "" {
			c.Text = "Cancelled: " + cancel.Label(set.Reasons, in.Reason)
		}
		if personID != "" {
			if err := q.row(ctx, `SELECT email, external_id FROM people WHERE id = ?`, personID).Scan(&c.Email, &c.PersonExternalID); err != nil {
				return err
			}
		}
		c.Normalize(now)
		if err := c.Validate(); err != nil {
			return err
		}
		it, _, err := s.capture(ctx, q, &c)
		if err != nil {
			return fmt.Errorf("cancellation to feedback: %w", err)
		}
		if _, err := q.exec(ctx, `UPDATE cancellations SET feedback_id = ? WHERE id = ?`, it.ID, cid); err != nil {
			return err
		}
		return s.appendEvent(ctx, q, EventCancellationRecorded, accountID, cid, map[string]any{
			"cancellation_id": cid, "reason": in.Reason, "liked": in.Liked, "channel": channel})
	})
	if err != nil {
		return cancel.Cancellation{}, fmt.Errorf("store: add cancellation: %w", err)
	}
	return s.GetCancellation(ctx, cid)
}

const cancellationCols = `c.id, c.account_id, a.name, COALESCE(c.person_id, ''), COALESCE(p.email, ''), c.reason, c.liked, c.text, c.channel,
	COALESCE(c.feedback_id, ''), c.cancelled_at, c.created_at
	FROM cancellations c JOIN accounts a ON a.id = c.account_id LEFT JOIN people p ON p.id = c.person_id`

func scanCancellation(sc interface{ Scan(...any) error }) (cancel.Cancellation, error) {
	var c cancel.Cancellation
	var liked string
	var at, created int64
	if err := sc.Scan(&c.ID, &c.AccountID, &c.AccountName, &c.PersonID, &c.PersonEmail, &c.Reason, &liked, &c.Text, &c.Channel,
		&c.FeedbackID, &at, &created); err != nil {
		return c, wrapf(notFound(err), "scan cancellation")
	}
	c.CancelledAt, c.CreatedAt = fromMS(at), fromMS(created)
	if err := json.Unmarshal([]byte(liked), &c.Liked); err != nil {
		return c, fmt.Errorf("store: cancellation %s liked: %w", c.ID, err)
	}
	return c, nil
}

// GetCancellation returns one answer.
func (s *Store) GetCancellation(ctx context.Context, cancellationID string) (cancel.Cancellation, error) {
	return scanCancellation(s.read().row(ctx, `SELECT `+cancellationCols+` WHERE c.id = ?`, cancellationID))
}

// CancellationByLink returns the answer given through a link, ErrNotFound before.
func (s *Store) CancellationByLink(ctx context.Context, linkHash string) (cancel.Cancellation, error) {
	return scanCancellation(s.read().row(ctx, `SELECT `+cancellationCols+` WHERE c.link_hash = ?`, linkHash))
}

// LatestCancellation is the account's latest answer, nil when it gave none.
func (s *Store) LatestCancellation(ctx context.Context, accountID string) (*cancel.Cancellation, error) {
	c, err := scanCancellation(s.read().row(ctx, `SELECT `+cancellationCols+` WHERE c.account_id = ? ORDER BY c.cancelled_at DESC, c.id DESC LIMIT 1`, accountID))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return &c, err
}

// CancellationFilter selects a page of answers.
type CancellationFilter struct {
	AccountID string
	Limit     int    // default 50, at most 500
	Cursor    string // from the previous page's Next
}

// ListCancellations returns answers newest first, keyset-paginated on (cancelled_at, id).
func (s *Store) ListCancellations(ctx context.Context, f CancellationFilter) ([]cancel.Cancellation, string, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var c conds
	c.eq(`c.account_id = ?`, f.AccountID)
	out, next, err := timePage(ctx, s.read(), scanCancellation, func(x cancel.Cancellation) cursor { return cursor{N: ms(x.CancelledAt), I: x.ID} },
		`SELECT `+cancellationCols+` WHERE 1=1`+c.and(), c.args, "c.cancelled_at", "c.id", f.Cursor, f.Limit)
	if err != nil {
		return nil, "", fmt.Errorf("store: list cancellations: %w", err)
	}
	if out == nil {
		out = []cancel.Cancellation{} // an empty list, not null, in the API
	}
	return out, next, nil
}

// ChurnReasons is the churn-reasons report over [from, to): the answers of the range
// and, to bound the matching, every other answer of their accounts, with those
// accounts' churn movements.
func (s *Store) ChurnReasons(ctx context.Context, from, to time.Time, conv revenue.Conversion) (cancel.ReasonReport, error) {
	set, err := s.CancellationSettings(ctx)
	if err != nil {
		return cancel.ReasonReport{}, err
	}
	const inRange = `SELECT account_id FROM cancellations WHERE cancelled_at >= ? AND cancelled_at < ?`
	rq := s.read()
	answers, err := collect(ctx, rq, func(sc scanner) (cancel.Answer, error) {
		var a cancel.Answer
		var at int64
		err := sc.Scan(&a.AccountID, &at, &a.Reason, &a.Currency)
		a.At = fromMS(at)
		return a, err
	}, `SELECT c.account_id, c.cancelled_at, c.reason, a.currency FROM cancellations c JOIN accounts a ON a.id = c.account_id
		WHERE c.account_id IN (`+inRange+`)`, ms(from), ms(to))
	if err != nil {
		return cancel.ReasonReport{}, fmt.Errorf("store: churn reasons: %w", err)
	}
	churns, err := collect(ctx, rq, func(sc scanner) (cancel.Churn, error) {
		var c cancel.Churn
		var at int64
		err := sc.Scan(&c.AccountID, &at, &c.MRR, &c.Currency)
		c.At, c.MRR = fromMS(at), -c.MRR
		return c, err
	}, `SELECT account_id, effective_at, delta, currency FROM mrr_movements
		WHERE kind = 'churn' AND effective_at >= ? AND account_id IN (`+inRange+`)`, ms(from.Add(-cancel.MatchBefore)), ms(from), ms(to))
	if err != nil {
		return cancel.ReasonReport{}, fmt.Errorf("store: churn reasons: %w", err)
	}
	return cancel.Reasons(answers, churns, from, to, set, conv), nil
}
