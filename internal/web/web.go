// Package web is the HTML UI for the team: server-rendered pages, one file per page
// or action, templates and static assets embedded in the binary.
//
// Pages work without JavaScript; htmx (vendored, see static/vendor/README.md) only
// enhances them. The app's Content-Security-Policy forbids inline scripts, inline
// styles and on* attributes, so templates carry none: behaviour lives in
// static/app.js and looks in static/app.css.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/pageset"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// Deps are what the UI needs.
type Deps struct {
	Store  *store.Store
	Config config.Config
	Log    *slog.Logger
	// Suggest proposes tags in the triage inbox; nil hides the "Suggested tags"
	// section.
	Suggest Suggester
	Similar SimilarFinder // optional: proposes requests to link in the inbox
	// Loop prepares and sends close-the-loop emails; nil leaves those pages saying
	// the feature is not set up.
	Loop *loop.Service
	// Jobs is the background job runner, for the jobs page; nil hides that page.
	Jobs *jobs.Runner
}

// Sign-in limits. A person who mistypes gets several tries at once; a guesser is held
// to about one try per email every 12 s and one per address every 3 s.
const (
	SignInBurstPerEmail = 5
	SignInBurstPerIP    = 20
)

// Web is the team UI.
type Web struct {
	Deps
	pages  pageset.Set
	signin signInLimits
	now    func() time.Time
}

// New builds the UI. Templates are parsed here so a broken template fails at start,
// not on the first request that needs it.
func New(d Deps) *Web {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Config.SessionTTL <= 0 {
		d.Config.SessionTTL = config.Default().SessionTTL
	}
	if d.Loop == nil {
		d.Loop = loop.New(d.Store, d.Config.BaseURL)
	}
	if len(d.Config.Tiers) == 0 {
		d.Config.Tiers = config.Default().Tiers
	}
	return &Web{
		Deps:   d,
		pages:  pageset.Parse(templateFS, funcs),
		signin: newSignInLimits(d),
		now:    func() time.Time { return time.Now().UTC() },
	}
}

// Register adds every UI route to the table.
func (ui *Web) Register(rt *router.Router) {
	rt.PublicHandler("GET /static/", staticHandler())
	rt.Public("GET /signin", ui.signInPage)
	rt.Public("POST /signin", ui.signIn)
	rt.Web("POST /signout", auth.RoleViewer, ui.signOut)

	rt.Web("GET /{$}", auth.RoleViewer, ui.home)
	rt.Web("GET /today", auth.RoleViewer, ui.todayPage)
	rt.Web("POST /today/digest", auth.RoleMember, ui.todayDigest)
	rt.Web("GET /workload", auth.RoleMember, ui.workloadPage)
	rt.Web("GET /export/health.csv", auth.RoleViewer, ui.healthHistoryCSV)
	rt.Web("GET /export/tasks.csv", auth.RoleViewer, ui.tasksCSV)
	rt.Web("GET /export/signals.csv", auth.RoleViewer, ui.signalsCSV)
	rt.Web("GET /accounts", auth.RoleViewer, ui.accountsList)
	rt.Web("GET /accounts/{id}", auth.RoleViewer, ui.accountPage)
	rt.Web("POST /accounts/{id}/touchpoints", auth.RoleMember, ui.touchpointNew)
	rt.Web("POST /accounts/{id}/pulse", auth.RoleMember, ui.healthPulse)
	rt.Web("POST /accounts/{id}/goal", auth.RoleMember, ui.accountGoal)
	rt.Web("POST /accounts/{id}/playbooks", auth.RoleMember, ui.accountPlaybookStart)
	rt.Web("POST /tasks/{id}/done", auth.RoleMember, ui.taskDone)
	rt.Web("POST /tasks/{id}/snooze", auth.RoleMember, ui.taskSnooze)
	rt.Web("GET /accounts/{id}/edit", auth.RoleMember, ui.accountEditPage)
	rt.Web("POST /accounts/{id}/edit", auth.RoleMember, ui.accountEdit)

	rt.Web("GET /onboarding", auth.RoleViewer, ui.onboardingPage)

	rt.Web("GET /accounts/search", auth.RoleViewer, ui.accountSearch)
	rt.Web("GET /people/search", auth.RoleViewer, ui.peopleSearch)

	// Voice of the customer: triage, feedback, requests, roadmap, tags.
	rt.Web("GET /feedback/inbox", auth.RoleViewer, ui.inbox)
	rt.Web("POST /feedback/inbox/undo", auth.RoleMember, ui.inboxUndo)
	rt.Web("GET /feedback", auth.RoleViewer, page(ui.renderFeedbackList))
	rt.Web("GET /feedback/new", auth.RoleMember, ui.feedbackNewPage)
	rt.Web("POST /feedback", auth.RoleMember, ui.feedbackCreate)
	rt.Web("POST /feedback/bulk", auth.RoleMember, ui.feedbackBulk)
	rt.Web("POST /feedback/{id}/tag", auth.RoleMember, ui.feedbackTag)
	rt.Web("POST /feedback/{id}/kind", auth.RoleMember, ui.feedbackKind)
	rt.Web("POST /feedback/{id}/archive", auth.RoleMember, ui.feedbackArchive)
	rt.Web("POST /feedback/{id}/link", auth.RoleMember, ui.feedbackLink)

	rt.Web("GET /requests", auth.RoleViewer, page(ui.renderRequests))
	rt.Web("POST /requests", auth.RoleMember, ui.requestCreate)
	rt.Web("GET /requests/search", auth.RoleViewer, ui.requestSearch)
	rt.Web("GET /requests/{id}", auth.RoleViewer, ui.requestPage)
	rt.Web("POST /requests/{id}", auth.RoleMember, ui.requestEdit)
	rt.Web("POST /requests/{id}/merge", auth.RoleMember, ui.requestMerge)
	rt.Web("POST /requests/{id}/unmerge", auth.RoleMember, ui.requestUnmerge)
	rt.Web("POST /requests/{id}/votes", auth.RoleMember, ui.requestVote)
	rt.Web("POST /requests/{id}/votes/{person}/delete", auth.RoleMember, ui.requestUnvote)
	rt.Web("GET /requests/{id}/loop", auth.RoleMember, ui.loopPage)
	rt.Web("GET /requests/{id}/loop/{draft}/preview", auth.RoleMember, ui.loopPreview)
	rt.Web("POST /requests/{id}/loop/send", auth.RoleMember, ui.loopSend)
	rt.Web("POST /requests/{id}/loop/{draft}/skip", auth.RoleMember, ui.loopSkip)
	rt.Web("POST /requests/{id}/loop/{draft}/unskip", auth.RoleMember, ui.loopUnskip)
	rt.Web("POST /requests/{id}/loop/{draft}/edit", auth.RoleMember, ui.loopEdit)
	rt.Web("GET /roadmap", auth.RoleViewer, ui.roadmap)
	ui.registerRevenue(rt)

	rt.Web("GET /tags", auth.RoleViewer, page(ui.renderTags))
	rt.Web("POST /tags", auth.RoleMember, ui.tagCreate)
	rt.Web("GET /tags/search", auth.RoleViewer, ui.tagSearch)
	rt.Web("GET /tags/{id}", auth.RoleViewer, ui.tagPage)
	for _, action := range []string{"rename", "move", "merge", "archive"} {
		rt.Web("POST /tags/{id}/"+action, auth.RoleMember, func(w http.ResponseWriter, r *http.Request) error {
			r.SetPathValue("action", action)
			return ui.tagUpdate(w, r)
		})
	}

	rt.Web("GET /settings", auth.RoleAdmin, ui.settings)
	rt.Web("GET /settings/ranking", auth.RoleAdmin, ui.rankingPage)
	rt.Web("POST /settings/ranking", auth.RoleAdmin, ui.rankingSave)
	rt.Web("GET /settings/health", auth.RoleAdmin, ui.healthSettingsPage)
	rt.Web("POST /settings/health", auth.RoleAdmin, ui.healthSettingsSave)
	rt.Web("GET /settings/onboarding", auth.RoleAdmin, ui.onboardingSettingsPage)
	rt.Web("POST /settings/onboarding", auth.RoleAdmin, ui.onboardingSettingsSave)
	rt.Web("GET /settings/workload", auth.RoleAdmin, ui.workloadSettingsPage)
	rt.Web("POST /settings/workload", auth.RoleAdmin, ui.workloadSettingsSave)
	rt.Web("GET /settings/playbooks", auth.RoleAdmin, ui.playbooksPage)
	rt.Web("POST /settings/playbooks", auth.RoleAdmin, ui.playbookCreate)
	rt.Web("GET /settings/playbooks/{id}/edit", auth.RoleAdmin, ui.playbookEditPage)
	rt.Web("POST /settings/playbooks/{id}/edit", auth.RoleAdmin, ui.playbookEdit)
	rt.Web("POST /settings/playbooks/{id}/delete", auth.RoleAdmin, ui.playbookDelete)
	rt.Web("GET /settings/cancellation", auth.RoleAdmin, ui.cancelSettingsPage)
	rt.Web("POST /settings/cancellation", auth.RoleAdmin, ui.cancelSettingsSave)
	rt.Web("GET /settings/team", auth.RoleAdmin, page(ui.renderTeam))
	rt.Web("POST /settings/team", auth.RoleAdmin, ui.teamAdd)
	rt.Web("POST /settings/team/{id}", auth.RoleAdmin, ui.teamUpdate)
	rt.Web("GET /settings/api-keys", auth.RoleAdmin, page(ui.renderKeys))
	rt.Web("POST /settings/api-keys", auth.RoleAdmin, ui.keyCreate)
	rt.Web("POST /settings/api-keys/{id}/revoke", auth.RoleAdmin, ui.keyRevoke)
	rt.Web("GET /settings/email", auth.RoleAdmin, page(ui.renderEmail))
	rt.Web("POST /settings/email", auth.RoleAdmin, ui.emailSave)
	rt.Web("POST /settings/email/test", auth.RoleAdmin, ui.emailTest)
	rt.Web("GET /settings/loop-template", auth.RoleAdmin, ui.loopTemplatePage)
	rt.Web("POST /settings/loop-template", auth.RoleAdmin, ui.loopTemplateSave)
	rt.Web("GET /settings/webhooks", auth.RoleAdmin, page(ui.renderWebhooks))
	rt.Web("POST /settings/webhooks", auth.RoleAdmin, ui.webhookCreate)
	rt.Web("POST /settings/webhooks/egress", auth.RoleAdmin, ui.webhookEgress)
	rt.Web("GET /settings/webhooks/{id}/edit", auth.RoleAdmin, ui.webhookEditPage)
	rt.Web("POST /settings/webhooks/{id}/edit", auth.RoleAdmin, ui.webhookEdit)
	rt.Web("POST /settings/webhooks/{id}/active", auth.RoleAdmin, ui.webhookActive)
	rt.Web("POST /settings/webhooks/{id}/delete", auth.RoleAdmin, ui.webhookDelete)
	rt.Web("GET /settings/slack", auth.RoleAdmin, ui.slackPage)
	rt.Web("POST /settings/slack", auth.RoleAdmin, ui.slackSave)
	rt.Web("GET /settings/deliveries", auth.RoleAdmin, ui.deliveriesPage)
	rt.Web("POST /settings/deliveries/{id}/retry", auth.RoleAdmin, ui.deliveryRetry)
	rt.Web("GET /settings/inbound", auth.RoleAdmin, ui.inboundPage)
	rt.Web("GET /settings/billing", auth.RoleAdmin, ui.billingPage)
	rt.Web("POST /settings/billing/customers/{id}/link", auth.RoleAdmin, ui.billingLink)
	rt.Web("GET /settings/jobs", auth.RoleAdmin, ui.jobsPage)
	rt.Web("POST /settings/jobs/{name}/run", auth.RoleAdmin, ui.jobRun)
	rt.Web("GET /settings/portal", auth.RoleAdmin, page(ui.renderPortal))
	rt.Web("POST /settings/portal", auth.RoleAdmin, ui.portalSave)
	rt.Web("POST /settings/portal/sso", auth.RoleAdmin, ui.portalSSO)
	ui.registerSurveys(rt)
}
