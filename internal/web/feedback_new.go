package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// feedbackForm is the quick-add form as typed. The same form is the dialog that "f"
// opens on every page and the /feedback/new page it falls back to.
type feedbackForm struct {
	Text, Quote, Kind, Email string
	Account, AccountID       string
	Tag                      string
	TagIDs                   []string
	TagPaths                 []string
	Next                     string
	Errors                   map[string]string
}

type feedbackNewData struct {
	F     feedbackForm
	Kinds []kindOption
}

// feedbackNewPage: GET /feedback/new, optionally for an account (?account_id=).
func (ui *Web) feedbackNewPage(w http.ResponseWriter, r *http.Request) error {
	f := feedbackForm{Kind: string(feedback.Other), Next: safeNext(r.URL.Query().Get("next"))}
	if id := r.URL.Query().Get("account_id"); id != "" {
		a, err := ui.getAccount(r.Context(), id)
		if err != nil {
			return err
		}
		f.AccountID, f.Account = a.ID, a.Name
		if r.URL.Query().Get("next") == "" {
			f.Next = "/accounts/" + url.PathEscape(a.ID)
		}
	}
	return ui.renderFeedbackNew(w, r, http.StatusOK, f)
}

func (ui *Web) renderFeedbackNew(w http.ResponseWriter, r *http.Request, status int, f feedbackForm) error {
	return ui.render(w, r, status, "feedback_new", "Log feedback", "inbox", feedbackNewData{F: f, Kinds: kindOptions(feedback.Kind(f.Kind))})
}

// feedbackCreate: POST /feedback logs feedback typed by a team member. It goes
// through store.Capture like every other channel, with source web and the member as
// the submitter.
func (ui *Web) feedbackCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 256<<10); err != nil {
		return err
	}
	ctx := r.Context()
	v := r.PostForm
	f := feedbackForm{Text: v.Get("text"), Quote: v.Get("quote"), Kind: v.Get("kind"), Email: strings.TrimSpace(v.Get("email")),
		Account: strings.TrimSpace(v.Get("account")), AccountID: v.Get("account_id"), Tag: v.Get("tag"),
		Next: safeNext(v.Get("next")), Errors: map[string]string{}}
	if v.Get("next") == "" {
		f.Next = "/feedback"
	}
	tree, err := ui.loadTagTree(ctx)
	if err != nil {
		return err
	}
	for _, id := range v["tag_id"] {
		if n := tree.byID[id]; n != nil && !n.Hidden {
			f.TagIDs, f.TagPaths = append(f.TagIDs, id), append(f.TagPaths, n.Path)
		}
	}
	if strings.TrimSpace(f.Tag) != "" {
		if n, _ := tree.resolve(f.Tag); n != nil {
			f.TagIDs, f.TagPaths = append(f.TagIDs, n.ID), append(f.TagPaths, n.Path)
			f.Tag = ""
		} else {
			f.Errors["tag"] = "No single tag matches “" + strings.TrimSpace(f.Tag) + "”. Type more of its name."
		}
	}
	if f.AccountID == "" && f.Account != "" {
		page, err := ui.Store.ListAccounts(ctx, store.AccountFilter{Q: f.Account, Limit: 2})
		if err != nil {
			return err
		}
		if len(page.Items) == 1 {
			f.AccountID = page.Items[0].ID
		} else {
			f.Errors["account"] = "No single account matches “" + f.Account + "”. Type more of its name."
		}
	}
	if len(f.Errors) == 0 {
		c := feedback.Capture{Text: f.Text, Quote: f.Quote, Source: feedback.SourceWeb, Kind: feedback.Kind(f.Kind),
			Email: f.Email, AccountID: f.AccountID, SubmittedBy: router.From(r).Member.ID, TagIDs: f.TagIDs}
		_, _, err := ui.Store.Capture(ctx, c)
		if err == nil {
			ui.setFlash(w, "Feedback logged.")
			return seeOther(w, r, f.Next)
		}
		field, msg, ok := asFieldError(err)
		switch {
		case errors.Is(err, store.ErrNotFound) || ok && field == "account_id":
			f.Errors["account"] = "That account no longer exists."
		case ok:
			f.Errors[field] = fieldMsg(field, msg)
		default:
			return err
		}
	}
	return ui.renderFeedbackNew(w, r, http.StatusUnprocessableEntity, f)
}
