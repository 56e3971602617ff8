package api

import (
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
)

// route is one API route: its pattern, the scope a key needs, and its handler.
type route struct {
	pattern string
	scope   auth.Scope
	h       router.Handler
}

// Register adds every API route to the table. Reads need the read scope, writes the
// write scope (write does not imply read), and the team and keys need admin.
func (a *API) Register(rt *router.Router) {
	rt.Public("GET /api/v1/openapi.json", a.openAPI)
	for _, rte := range a.routes() {
		rt.API(rte.pattern, rte.scope, rte.h)
	}
}

// routes is every API route in one table, so that a route's scope is read next to
// its neighbours' and a resource's routes are seen together.
func (a *API) routes() []route {
	return []route{
		{"GET /api/v1/accounts", auth.ScopeRead, a.listAccounts},
		{"POST /api/v1/accounts", auth.ScopeWrite, a.createAccount},
		{"POST /api/v1/accounts/bulk", auth.ScopeWrite, bulkWrite("accounts", decodeAccountPatch, a.Store.UpsertAccounts)},
		{"GET /api/v1/accounts/by-external-id/{external_id}", auth.ScopeRead, getOne("account", "external_id", a.Store.GetAccountByExternalID)},
		{"GET /api/v1/accounts/{id}", auth.ScopeRead, getOne("account", "id", a.Store.GetAccount)},
		{"GET /api/v1/usage/accounts/{id}", auth.ScopeRead, a.accountUsage},
		{"PATCH /api/v1/accounts/{id}", auth.ScopeWrite, a.patchAccount},
		{"DELETE /api/v1/accounts/{id}", auth.ScopeWrite, deleteOne("account", a.Store.DeleteAccount)},

		{"GET /api/v1/people", auth.ScopeRead, a.listPeople},
		{"POST /api/v1/people", auth.ScopeWrite, a.createPerson},
		{"POST /api/v1/people/bulk", auth.ScopeWrite, bulkWrite("people", decodePersonPatch, a.Store.UpsertPeople)},
		{"GET /api/v1/people/{id}", auth.ScopeRead, getOne("person", "id", a.Store.GetPerson)},
		{"PATCH /api/v1/people/{id}", auth.ScopeWrite, a.patchPerson},
		{"DELETE /api/v1/people/{id}", auth.ScopeWrite, deleteOne("person", a.Store.DeletePerson)},

		{"GET /api/v1/contracts", auth.ScopeRead, a.listContracts},
		{"POST /api/v1/contracts", auth.ScopeWrite, a.createContract},
		{"GET /api/v1/contracts/{id}", auth.ScopeRead, getOne("contract", "id", a.Store.GetContract)},
		{"PUT /api/v1/contracts/{id}", auth.ScopeWrite, a.putContract},
		{"PATCH /api/v1/contracts/{id}", auth.ScopeWrite, a.patchContract},
		{"DELETE /api/v1/contracts/{id}", auth.ScopeWrite, deleteOne("contract", a.Store.DeleteContract)},

		{"GET /api/v1/mrr-movements", auth.ScopeRead, a.listMovements},
		{"POST /api/v1/mrr-movements", auth.ScopeWrite, a.createMovement},

		{"GET /api/v1/touchpoints", auth.ScopeRead, a.listTouchpoints},
		{"POST /api/v1/touchpoints", auth.ScopeWrite, a.createTouchpoint},
		{"GET /api/v1/touchpoints/{id}", auth.ScopeRead, getOne("touchpoint", "id", a.Store.GetTouchpoint)},
		{"DELETE /api/v1/touchpoints/{id}", auth.ScopeWrite, deleteOne("touchpoint", a.Store.DeleteTouchpoint)},

		{"GET /api/v1/team", auth.ScopeRead, getDoc(onePage(a.members))},
		{"POST /api/v1/team", auth.ScopeAdmin, a.createMember},
		{"GET /api/v1/api-keys", auth.ScopeAdmin, getDoc(onePage(a.Store.ListAPIKeys))},
		{"POST /api/v1/api-keys", auth.ScopeAdmin, a.createKey},
		{"DELETE /api/v1/api-keys/{id}", auth.ScopeAdmin, deleteOne("API key", a.Store.RevokeAPIKey)},

		{"GET /api/v1/feedback", auth.ScopeRead, a.listFeedback},
		{"POST /api/v1/feedback", auth.ScopeWrite, a.captureFeedback},
		{"POST /api/v1/feedback/batch", auth.ScopeWrite, a.captureBatch},
		{"GET /api/v1/feedback/{id}", auth.ScopeRead, a.getFeedback},
		{"PATCH /api/v1/feedback/{id}", auth.ScopeWrite, a.triageFeedback},
		{"POST /api/v1/feedback/{id}/tags", auth.ScopeWrite, a.tagFeedback},
		{"DELETE /api/v1/feedback/{id}/tags/{tag_id}", auth.ScopeWrite, a.untagFeedback},
		{"POST /api/v1/feedback/{id}/requests", auth.ScopeWrite, a.linkFeedback},
		{"DELETE /api/v1/feedback/{id}/requests/{request_id}", auth.ScopeWrite, a.unlinkFeedback},

		{"GET /api/v1/tags", auth.ScopeRead, a.listTags},
		{"POST /api/v1/tags", auth.ScopeWrite, a.createTag},
		{"PATCH /api/v1/tags/{id}", auth.ScopeWrite, a.patchTag},
		{"POST /api/v1/tags/{id}/merge", auth.ScopeWrite, a.mergeTag},

		{"GET /api/v1/requests", auth.ScopeRead, a.listRequests},
		{"POST /api/v1/requests", auth.ScopeWrite, a.createRequest},
		{"GET /api/v1/requests/{id}", auth.ScopeRead, a.getRequest},
		{"PATCH /api/v1/requests/{id}", auth.ScopeWrite, a.patchRequest},
		{"POST /api/v1/requests/{id}/merge", auth.ScopeWrite, a.mergeRequest},
		{"POST /api/v1/requests/{id}/unmerge", auth.ScopeWrite, a.unmergeRequest},
		{"POST /api/v1/requests/{id}/votes", auth.ScopeWrite, a.vote},
		{"DELETE /api/v1/requests/{id}/votes/{person_id}", auth.ScopeWrite, a.unvote},

		{"GET /api/v1/rankings/requests", auth.ScopeRead, a.rankRequests},
		{"GET /api/v1/rankings/tags", auth.ScopeRead, a.rankTags},

		{"GET /api/v1/settings/ranking", auth.ScopeRead, getDoc(a.rankSettings)},
		// Weights decide what the whole team sees as most important: admin, not write.
		{"PUT /api/v1/settings/ranking", auth.ScopeAdmin, a.putRankSettings},
		// Which internal hosts webhooks may reach: an admin's call, as it opens the network.
		{"GET /api/v1/settings/webhook-egress", auth.ScopeAdmin, getDoc(a.egress)},
		{"PUT /api/v1/settings/webhook-egress", auth.ScopeAdmin, a.putEgress},

		// An account's health is not under /accounts/{id}/health: Go's ServeMux finds
		// that ambiguous with /accounts/by-external-id/{external_id}, as the usage API did.
		{"GET /api/v1/health/accounts/{id}", auth.ScopeRead, a.accountHealth},
		{"GET /api/v1/health/history", auth.ScopeRead, a.healthHistoryCSV},
		{"PUT /api/v1/health/accounts/{id}/pulse", auth.ScopeWrite, a.putHealthPulse},
		{"GET /api/v1/settings/health", auth.ScopeRead, getDoc(a.Store.HealthSettings)},
		// The weights and cadence decide which accounts the whole team sees as at risk.
		// Weight sets are kept by version: a client adds a new set and makes it active
		// rather than editing the one in use, so the history keeps saying which weights
		// each day was scored with.
		{"PUT /api/v1/settings/health", auth.ScopeAdmin, putDoc(a.Store.PutHealthSettings, a.Store.HealthSettings)},

		// Tasks made by signals (and, later, by hand or playbooks), and the signals
		// firing now.
		{"GET /api/v1/tasks", auth.ScopeRead, a.listTasks},
		{"POST /api/v1/tasks/{id}/done", auth.ScopeWrite, a.completeTask},
		{"GET /api/v1/signals", auth.ScopeRead, a.listSignals},

		// A playbook's definition is admin policy, like the signal rules that start it.
		{"GET /api/v1/playbooks", auth.ScopeRead, getDoc(a.playbooks)},
		{"POST /api/v1/playbooks", auth.ScopeAdmin, a.createPlaybook},
		{"GET /api/v1/playbooks/{id}", auth.ScopeRead, a.getPlaybook},
		// Not GET /accounts/{id}/playbooks: Go's ServeMux finds it ambiguous with
		// /accounts/by-external-id/{external_id} (as health says of health).
		{"GET /api/v1/playbooks/runs", auth.ScopeRead, a.listPlaybookRuns},
		{"POST /api/v1/accounts/{id}/playbooks", auth.ScopeWrite, a.startPlaybook},

		// Each member's book against the per-tier capacity, and the coverage policy
		// (capacity and the tiers' default owners).
		{"GET /api/v1/workload", auth.ScopeRead, getDoc(a.workload)},
		{"GET /api/v1/settings/workload", auth.ScopeRead, getDoc(a.Store.WorkloadSettings)},
		// Who gets unowned accounts' tasks is the team's policy.
		{"PUT /api/v1/settings/workload", auth.ScopeAdmin, putDoc(a.putWorkloadSettings, a.Store.WorkloadSettings)},

		{"GET /api/v1/metrics/revenue", auth.ScopeRead, a.revenueMetrics},
		{"GET /api/v1/metrics/cohorts", auth.ScopeRead, a.revenueCohorts},
		{"POST /api/v1/subscriptions/bulk", auth.ScopeAdmin, a.bulkSubscriptions},

		// An account's onboarding is under /onboarding/accounts/{id}, as health is,
		// since /accounts/{id}/… is ambiguous with /accounts/by-external-id/{external_id}.
		{"GET /api/v1/metrics/onboarding", auth.ScopeRead, a.onboardingFunnel},
		{"GET /api/v1/onboarding/accounts/{id}", auth.ScopeRead, getDocOf("account", a.Store.GetAccount, a.onboarding)},
		{"GET /api/v1/settings/onboarding", auth.ScopeRead, getDoc(a.Store.ActivationSettings)},
		// The steps decide which accounts count as activated for everyone, and turn on
		// the onboarding signal rules.
		{"PUT /api/v1/settings/onboarding", auth.ScopeAdmin, putDoc(a.Store.PutActivationSettings, a.Store.ActivationSettings)},

		{"GET /api/v1/inbound/pending-accounts", auth.ScopeAdmin, getDoc(onePage(a.pendingAccounts))},

		// NPS, CSAT and CES surveys, their responses and results. A team has a handful
		// of surveys: one page.
		{"GET /api/v1/surveys", auth.ScopeRead, getDoc(onePage(a.Store.ListSurveys))},
		{"POST /api/v1/surveys", auth.ScopeWrite, a.createSurvey},
		{"GET /api/v1/surveys/{id}", auth.ScopeRead, a.getSurvey},
		{"PATCH /api/v1/surveys/{id}", auth.ScopeWrite, a.patchSurvey},
		{"GET /api/v1/surveys/{id}/results", auth.ScopeRead, a.surveyResults},
		{"GET /api/v1/surveys/{id}/responses", auth.ScopeRead, a.listSurveyResponses},
		{"POST /api/v1/surveys/{id}/responses", auth.ScopeWrite, a.createSurveyResponse},
		{"GET /api/v1/surveys/{id}/responses/{response_id}", auth.ScopeRead, a.getSurveyResponse},

		// The cancellation survey: answers, the hosted page's signed links, its option
		// lists, and the churn-reasons report.
		{"GET /api/v1/cancellations", auth.ScopeRead, a.listCancellations},
		{"POST /api/v1/cancellations", auth.ScopeWrite, a.createCancellation},
		// Minting a link resolves (and may create) the person, like capturing feedback.
		{"POST /api/v1/cancellations/links", auth.ScopeWrite, a.createCancelLink},
		{"GET /api/v1/metrics/churn-reasons", auth.ScopeRead, a.churnReasons},
		{"GET /api/v1/settings/cancellation", auth.ScopeRead, getDoc(a.Store.CancellationSettings)},
		{"PUT /api/v1/settings/cancellation", auth.ScopeAdmin, putDoc(a.Store.PutCancellationSettings, a.Store.CancellationSettings)},
	}
}
