// Package surveymail sends NPS, CSAT and CES surveys by email and serves the public
// page their score links land on. The rules (who is due, the links' signatures, the
// email's words) are internal/survey's; this package runs them against the store:
// the survey-send job queues one outbox email per due person, and the response page
// records the clicked score, lets the person change it and leave a comment, and then
// shows the response read-only.
package surveymail

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// Service sends surveys and serves their response page.
type Service struct {
	Store *store.Store
	// Loop makes the unsubscribe links survey emails carry (one unsubscribe list for
	// all customer email); its BaseURL is this install's public URL.
	Loop     *loop.Service
	Log      *slog.Logger
	Limit    Allower                      // the public page's rate limit per client address; nil: none
	ClientIP func(r *http.Request) string // the client's address (behind trusted proxies); nil: the peer
}

// Allower is a rate limiter (auth.Limiter).
type Allower = pageset.Allower

// ErrNoBaseURL: links cannot be made without CLOSELOOP_BASE_URL.
var ErrNoBaseURL = loop.ErrNoBaseURL

func (sv *Service) log() *slog.Logger {
	if sv.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return sv.Log
}

// ScoreURL is the public link that answers send with score.
func ScoreURL(baseURL string, key []byte, sendID string, score int) string {
	return strings.TrimRight(baseURL, "/") + "/survey/" + survey.Token(key, sendID, score)
}

// Links returns a function making a send's score links, reading the key once.
func (sv *Service) Links(ctx context.Context) (func(kind survey.Kind, sendID string) []survey.Link, error) {
	if sv.Loop == nil || sv.Loop.BaseURL == "" {
		return nil, ErrNoBaseURL
	}
	key, err := sv.Store.SigningKey(ctx, survey.SecretKey)
	if err != nil {
		return nil, err
	}
	base := sv.Loop.BaseURL
	return func(kind survey.Kind, sendID string) []survey.Link {
		var out []survey.Link
		for _, s := range kind.Scores() {
			out = append(out, survey.Link{Score: s, URL: ScoreURL(base, key, sendID, s)})
		}
		return out
	}, nil
}

// SendResult counts what one run of SendDue did.
type SendResult struct {
	Queued  int
	NotDue  int // decided due, then found surveyed a moment ago (another instance)
	Surveys int
}

// SendDue queues the email of every active survey to every person due it now.
func (sv *Service) SendDue(ctx context.Context) (SendResult, error) {
	var res SendResult
	list, err := sv.Store.ListSurveys(ctx)
	if err != nil {
		return res, err
	}
	set, err := sv.Store.SurveySettings(ctx)
	if err != nil {
		return res, err
	}
	var links func(survey.Kind, string) []survey.Link
	var unsub func(string, string) string
	now := sv.Store.Now()
	for _, v := range list {
		if !v.Active {
			continue
		}
		res.Surveys++
		cands, err := sv.Store.SurveyCandidates(ctx, v)
		if err != nil {
			return res, err
		}
		for _, c := range cands {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			if !survey.Due(v, set.ThrottleDays, c, now) {
				continue
			}
			if links == nil { // keys are read (or made) before any send transaction
				if links, err = sv.Links(ctx); err != nil {
					return res, err
				}
				if unsub, err = sv.Loop.UnsubscribeLinks(ctx); err != nil {
					return res, err
				}
			}
			_, err := sv.Store.QueueSurveySend(ctx, v, c, set.ThrottleDays, func(send store.SurveySend) ([]byte, error) {
				u := unsub(send.PersonID, send.Email)
				subject, text, html, err := survey.Email(survey.EmailFields{Kind: v.Kind, Question: v.Question, FirstName: survey.FirstName(send.Name),
					Links: links(v.Kind, send.ID), UnsubscribeURL: u})
				if err != nil {
					return nil, err
				}
				return notify.EmailPayload{
					Message:            notify.Message{ToName: send.Name, ToEmail: send.Email, Subject: subject, Text: text, HTML: html, ListUnsubscribe: u},
					PersonID:           send.PersonID,
					RespectUnsubscribe: true,
					Touchpoint:         "Sent survey: " + v.Name,
				}.Marshal()
			})
			switch {
			case errors.Is(err, store.ErrNotDue):
				res.NotDue++
			case err != nil:
				return res, err
			default:
				res.Queued++
			}
		}
	}
	return res, nil
}

// Job is SendDue as a cluster job: one instance at a time, every 15 minutes (so an
// after-signup survey goes out on its day, and a new survey soon after it is turned
// on). Even two runs at once send once per person: see store.QueueSurveySend.
func (sv *Service) Job() jobs.Job {
	return jobs.Job{Name: "survey-send", Help: "emails every active survey to the people due it, within the throttle",
		Schedule: jobs.Every(15 * time.Minute), Lease: 10 * time.Minute,
		Run: func(ctx context.Context, _ string) error {
			res, err := sv.SendDue(ctx)
			if res.Queued > 0 {
				sv.log().Info("surveys queued", "emails", res.Queued, "surveys", res.Surveys)
			}
			if errors.Is(err, ErrNoBaseURL) {
				if res.Surveys > 0 {
					sv.log().Warn("surveys not sent: " + err.Error())
				}
				return nil
			}
			return err
		}}
}
