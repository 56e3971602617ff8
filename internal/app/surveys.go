package app

import (
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/surveymail"
)

// Survey response page limits per client address: a person clicks a score and
// submits the form, a few times at most; a guesser of tokens gets little.
const (
	surveyBurstPerIP = 30
	surveyRefill     = 2 * time.Second
)

// addSurveys builds the survey sender and registers its job.
func (a *App) addSurveys() {
	a.Surveys = &surveymail.Service{Store: a.Store, Loop: a.Loop, Log: a.Log, ClientIP: a.Config.TrustedProxies.ClientIP,
		Limit: auth.NewSharedLimiter("survey-ip", surveyBurstPerIP, surveyRefill, a.Store, a.Log)}
	a.Jobs.Add(a.Surveys.Job())
}

// mountSurveys registers the public response page the emails' score links open.
func (a *App) mountSurveys(rt *router.Router) {
	rt.Public("GET /survey/{token}", a.Surveys.ResponseHandler)
	rt.Public("POST /survey/{token}", a.Surveys.ResponseHandler)
}
