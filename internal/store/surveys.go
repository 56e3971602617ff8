package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/survey"
)

// Surveys (migration 0024; rules in internal/survey): definitions, the team's
// throttle, and the sends the survey-send job queues. Responses are in
// survey_responses.go.

// EventSurveyResponded is appended when a response is recorded or changed.
const EventSurveyResponded = "survey.responded"

func init() { Events = append(Events, EventSurveyResponded) }

const surveySettingsKey = "surveys"

// SurveySettings reads the survey policy, the defaults when unset.
func (s *Store) SurveySettings(ctx context.Context) (survey.Settings, error) {
	set, err := settingOr(ctx, s, surveySettingsKey, survey.Defaults(), survey.Defaults)
	return set, wrapf(err, "store: survey settings")
}

// PutSurveySettings validates and stores the policy.
func (s *Store) PutSurveySettings(ctx context.Context, set survey.Settings) error {
	return wrapf(putChecked(ctx, s, surveySettingsKey, set), "store: put survey settings")
}

const surveyCols = `id, kind, name, question, follow_up, csat_mode, audience, active, COALESCE(created_by, ''), created_at, updated_at`

func scanSurvey(sc interface{ Scan(...any) error }) (survey.Survey, error) {
	var v survey.Survey
	var kind, mode, aud string
	var created, updated int64
	if err := sc.Scan(&v.ID, &kind, &v.Name, &v.Question, &v.FollowUp, &mode, &aud, &v.Active, &v.CreatedBy, &created, &updated); err != nil {
		return v, wrapf(notFound(err), "scan survey")
	}
	v.Kind, v.CSATMode = survey.Kind(kind), survey.CSATMode(mode)
	v.CreatedAt, v.UpdatedAt = fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(aud), &v.Audience); err != nil {
		return v, fmt.Errorf("store: survey %s audience: %w", v.ID, err)
	}
	return v, nil
}

// checkedAudience normalizes and validates v, and returns its audience as stored.
func checkedAudience(v *survey.Survey) (string, error) {
	if err := clean(v); err != nil {
		return "", err
	}
	aud, err := json.Marshal(v.Audience)
	return string(aud), wrapf(err, "store: survey audience")
}

// CreateSurvey validates and stores a new survey; ID and times are filled in.
func (s *Store) CreateSurvey(ctx context.Context, v *survey.Survey) error {
	aud, err := checkedAudience(v)
	if err != nil {
		return err
	}
	now := s.Now()
	v.ID, v.CreatedAt, v.UpdatedAt = id.NewAt(now), now.UTC().Truncate(time.Millisecond), now.UTC().Truncate(time.Millisecond)
	_, err = s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO surveys (id, kind, name, question, follow_up, csat_mode, audience, active, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), v.ID, string(v.Kind), v.Name, v.Question, v.FollowUp, string(v.CSATMode), aud, v.Active,
		nullable(v.CreatedBy), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create survey: %w", err)
	}
	return nil
}

// UpdateSurvey changes a survey's text, audience, CSAT mode and whether it sends. The
// kind is fixed at creation: its responses are on its scale.
func (s *Store) UpdateSurvey(ctx context.Context, v *survey.Survey) error {
	old, err := s.GetSurvey(ctx, v.ID)
	if err != nil {
		return fmt.Errorf("store: update survey: %w", err)
	}
	if v.Kind == "" {
		v.Kind = old.Kind
	}
	if v.Kind != old.Kind {
		return errs.Invalid("kind", "cannot change: a survey's responses are on its scale; create a new survey instead")
	}
	aud, err := checkedAudience(v)
	if err != nil {
		return err
	}
	now := s.Now()
	if _, err := s.w.ExecContext(ctx, s.d.rebind(`UPDATE surveys SET name = ?, question = ?, follow_up = ?, csat_mode = ?, audience = ?, active = ?, updated_at = ? WHERE id = ?`),
		v.Name, v.Question, v.FollowUp, string(v.CSATMode), aud, v.Active, ms(now), v.ID); err != nil {
		return fmt.Errorf("store: update survey: %w", err)
	}
	v.CreatedAt, v.CreatedBy, v.UpdatedAt = old.CreatedAt, old.CreatedBy, now.UTC().Truncate(time.Millisecond)
	return nil
}

// GetSurvey returns one survey.
func (s *Store) GetSurvey(ctx context.Context, surveyID string) (survey.Survey, error) {
	return scanSurvey(s.read().row(ctx, `SELECT `+surveyCols+` FROM surveys WHERE id = ?`, surveyID))
}

// ListSurveys returns every survey, newest first (a team has a handful).
func (s *Store) ListSurveys(ctx context.Context) ([]survey.Survey, error) {
	out, err := collect(ctx, s.read(), scanSurvey, `SELECT `+surveyCols+` FROM surveys ORDER BY created_at DESC, id DESC`)
	return out, wrapf(err, "store: list surveys")
}

// SurveySend is one survey email to one person.
type SurveySend struct {
	ID        string    `json:"id"`
	SurveyID  string    `json:"survey_id"`
	PersonID  string    `json:"person_id"`
	AccountID string    `json:"account_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	OutboxID  string    `json:"outbox_id"`
	SentAt    time.Time `json:"sent_at"`
}

// SurveyCandidates lists the people with an email address in the survey's segment
// (tiers, plans, stages), with what survey.Due needs to decide. People who
// unsubscribed from customer email are left out.
func (s *Store) SurveyCandidates(ctx context.Context, v survey.Survey) ([]survey.Candidate, error) {
	query := `SELECT p.id, p.email, COALESCE(a.tier, ''), COALESCE(a.plan, ''), COALESCE(a.stage, ''), COALESCE(a.signup_date, ''), p.created_at,
		COALESCE((SELECT MAX(x.sent_at) FROM survey_sends x WHERE x.person_id = p.id), 0),
		COALESCE((SELECT MAX(x.sent_at) FROM survey_sends x WHERE x.person_id = p.id AND x.survey_id = ?), 0)
		FROM people p LEFT JOIN accounts a ON a.id = p.account_id
		WHERE p.email <> '' AND NOT EXISTS (SELECT 1 FROM unsubscribes u WHERE u.email = p.email)`
	args := []any{v.ID}
	for col, l := range map[string][]string{"a.tier": v.Audience.Tiers, "a.plan": v.Audience.Plans, "a.stage": v.Audience.Stages} {
		if len(l) > 0 {
			in, a := placeholders(l)
			query += ` AND ` + col + ` IN (` + in + `)`
			args = append(args, a...)
		}
	}
	out, err := collect(ctx, s.read(), func(sc scanner) (survey.Candidate, error) {
		var c survey.Candidate
		var signup string
		var created, last, lastThis int64
		err := sc.Scan(&c.PersonID, &c.Email, &c.Tier, &c.Plan, &c.Stage, &signup, &created, &last, &lastThis)
		if d, perr := time.Parse("2006-01-02", signup); perr == nil {
			c.Signup = d
		} else {
			c.Signup = fromMS(created)
		}
		c.LastSurveyed, c.LastThisSurvey = fromMS(last), fromMS(lastThis)
		return c, err
	}, query+` ORDER BY p.id`, args...)
	return out, wrapf(err, "store: survey candidates")
}

// ErrNotDue says a send was not queued: the person was surveyed within the throttle
// (by another instance a moment ago, say) or already got this once-only survey.
var ErrNotDue = errors.New("store: the person is not due this survey")

// QueueSurveySend records one send and its outbox email in one transaction. The
// person's row is locked and the throttle checked again inside it, so two instances
// (or two runs) deciding at once send once: the second finds the first's send and
// gets ErrNotDue. build makes the outbox payload for the send's id; it runs inside
// the transaction and must not touch the store.
func (s *Store) QueueSurveySend(ctx context.Context, v survey.Survey, c survey.Candidate, throttleDays int, build func(SurveySend) ([]byte, error)) (SurveySend, error) {
	var out SurveySend
	err := s.tx(ctx, func(q q) error {
		now := s.Now()
		send := SurveySend{ID: id.NewAt(now), SurveyID: v.ID, PersonID: c.PersonID, SentAt: now.UTC().Truncate(time.Millisecond)}
		var acct sql.NullString
		if err := q.row(ctx, `SELECT email, name, account_id FROM people WHERE id = ?`+s.d.forUpdate(), c.PersonID).Scan(&send.Email, &send.Name, &acct); err != nil {
			return notFound(err)
		}
		send.AccountID = acct.String
		if send.Email == "" {
			return ErrNotDue
		}
		var last, lastThis int64
		if err := q.row(ctx, `SELECT COALESCE(MAX(sent_at), 0), COALESCE(MAX(CASE WHEN survey_id = ? THEN sent_at END), 0) FROM survey_sends WHERE person_id = ?`,
			v.ID, c.PersonID).Scan(&last, &lastThis); err != nil {
			return err
		}
		c.LastSurveyed, c.LastThisSurvey, c.Email = fromMS(last), fromMS(lastThis), send.Email
		if !survey.Due(v, throttleDays, c, now) {
			return ErrNotDue
		}
		payload, err := build(send)
		if err != nil {
			return err
		}
		o := OutboxItem{Kind: OutboxEmail, Ref: "survey:" + v.ID, Payload: payload}
		if err := s.insertOutbox(ctx, q, &o); err != nil {
			return err
		}
		send.OutboxID = o.ID
		if _, err := q.exec(ctx, `INSERT INTO survey_sends (id, survey_id, person_id, email, outbox_id, sent_at) VALUES (?, ?, ?, ?, ?, ?)`,
			send.ID, send.SurveyID, send.PersonID, send.Email, send.OutboxID, ms(send.SentAt)); err != nil {
			return err
		}
		out = send
		return nil
	})
	return out, wrapf(err, "store: queue survey send")
}

// GetSurveySend returns one send with its recipient's name and account.
func (s *Store) GetSurveySend(ctx context.Context, sendID string) (SurveySend, error) {
	var v SurveySend
	var sent int64
	err := s.read().row(ctx, `SELECT x.id, x.survey_id, x.person_id, COALESCE(p.account_id, ''), x.email, COALESCE(p.name, ''), x.outbox_id, x.sent_at
		FROM survey_sends x LEFT JOIN people p ON p.id = x.person_id WHERE x.id = ?`, sendID).
		Scan(&v.ID, &v.SurveyID, &v.PersonID, &v.AccountID, &v.Email, &v.Name, &v.OutboxID, &sent)
	v.SentAt = fromMS(sent)
	return v, wrapf(notFound(err), "store: get survey send %s", sendID)
}

// CountSurveySends counts a survey's sends (for its page).
func (s *Store) CountSurveySends(ctx context.Context, surveyID string) (int, error) {
	var n int
	err := s.read().row(ctx, `SELECT COUNT(*) FROM survey_sends WHERE survey_id = ?`, surveyID).Scan(&n)
	return n, wrapf(err, "store: count survey sends %s", surveyID)
}
