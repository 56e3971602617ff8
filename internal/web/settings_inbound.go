package web

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

type inboundData struct {
	Source  string
	Sources []feedback.Source
	Ignored []store.IgnoredDelivery
	Pending []store.PendingAccount
}

// inboundChannels are the channels that can ignore a delivery.
var inboundChannels = []feedback.Source{feedback.SourceEmail, feedback.SourceIntercom, feedback.SourceZendesk,
	feedback.SourceHelpScout, feedback.SourceFreshdesk, feedback.SourceSlack}

// inboundPage: GET /settings/inbound shows what the inbound channels answered but did
// not store as feedback (automated mail, agents' and bots' messages), with why, and the
// items waiting for an account that does not exist yet — so an admin can see that no
// customer's words were dropped.
func (ui *Web) inboundPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := inboundData{Sources: inboundChannels}
	for _, src := range inboundChannels {
		if string(src) == r.URL.Query().Get("source") {
			d.Source = string(src)
		}
	}
	var err error
	if d.Ignored, err = ui.Store.ListIgnored(ctx, d.Source, 200); err != nil {
		return err
	}
	if d.Pending, err = ui.Store.PendingAccounts(ctx, 200); err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_inbound", "Inbound", "settings", d)
}
