package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/router"
)

// Settings → Slack (admins): the optional incoming-webhook URL that gets a message
// when an account turns red. The URL is a credential: the page shows only its host
// and last characters, and a new one replaces it.

type slackData struct {
	Current string // the masked URL; "" when none is set
	Error   string
}

func (ui *Web) slackPage(w http.ResponseWriter, r *http.Request) error {
	s, err := notify.LoadSlack(r.Context(), ui.Store)
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_slack", "Slack", "settings", slackData{Current: s.Masked()})
}

// slackSave: POST /settings/slack sets the URL (url) or removes it (remove=1).
func (ui *Web) slackSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 8<<10); err != nil {
		return err
	}
	raw := strings.TrimSpace(r.PostFormValue("url"))
	remove := r.PostFormValue("remove") != ""
	if !remove && raw == "" {
		return ui.slackAgain(w, r, "Paste the incoming-webhook URL Slack gave you.")
	}
	if remove {
		raw = ""
	}
	err := notify.SaveSlack(r.Context(), ui.Store, raw)
	var fe *errs.FieldError
	switch {
	case errors.As(err, &fe):
		return ui.slackAgain(w, r, fe.Msg)
	case err != nil:
		return err
	}
	ui.Log.Info("slack webhook changed", "removed", remove, "by", router.From(r).Member.ID)
	if remove {
		ui.setFlash(w, "Slack alerts are off.")
	} else {
		ui.setFlash(w, "Slack alerts are on: accounts turning red are posted to the channel.")
	}
	return seeOther(w, r, "/settings/slack")
}

func (ui *Web) slackAgain(w http.ResponseWriter, r *http.Request, msg string) error {
	s, err := notify.LoadSlack(r.Context(), ui.Store)
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusUnprocessableEntity, "settings_slack", "Slack", "settings", slackData{Current: s.Masked(), Error: msg})
}
