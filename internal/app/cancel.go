package app

import (
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/cancelpage"
	"github.com/closeloop/closeloop/internal/router"
)

// mountCancel registers the hosted cancellation survey, limited per client address
// as the survey response page is (a person opens it and submits once or twice).
func (a *App) mountCancel(rt *router.Router) {
	sv := &cancelpage.Service{Store: a.Store, ClientIP: a.Config.TrustedProxies.ClientIP,
		Limit: auth.NewSharedLimiter("cancel-ip", surveyBurstPerIP, surveyRefill, a.Store, a.Log)}
	rt.Public("GET /cancel/{token}", sv.Handler)
	rt.Public("POST /cancel/{token}", sv.Handler)
}
