package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
)

// feedbackTag tags an item from the inbox (POST /feedback/{id}/tag) and moves on to
// the next one. tag_id comes from the type-ahead or a suggestion; without
// JavaScript the typed text in "tag" is resolved here, and several matches come back
// as choices.
func (ui *Web) feedbackTag(w http.ResponseWriter, r *http.Request) error {
	it, err := ui.inboxItem(w, r, 16<<10)
	if err != nil {
		return err
	}
	after := r.PostFormValue("after")
	f := inboxForm{Tag: r.PostFormValue("tag"), Errors: map[string]string{}}
	tree, err := ui.loadTagTree(r.Context())
	if err != nil {
		return err
	}
	var tag *tagNode
	if id := r.PostFormValue("tag_id"); id != "" {
		tag = tree.byID[id]
		if tag == nil || tag.Hidden {
			f.Errors["tag"] = "That tag no longer exists or is archived. Pick another."
		}
	} else if strings.TrimSpace(f.Tag) == "" {
		f.Errors["tag"] = "Type part of a tag's name, then pick it from the list."
	} else {
		var choices []*tagNode
		tag, choices = tree.resolve(f.Tag)
		if tag == nil {
			f.TagChoices = choices
			if len(choices) == 0 {
				f.Errors["tag"] = fmt.Sprintf("No tag matches “%s”.", strings.TrimSpace(f.Tag))
			} else {
				f.Errors["tag"] = fmt.Sprintf("Several tags match “%s”: pick one.", strings.TrimSpace(f.Tag))
			}
		}
	}
	if len(f.Errors) > 0 {
		return ui.renderInbox(w, r, http.StatusUnprocessableEntity, &it, after, f)
	}
	had := false
	for _, t := range it.TagIDs {
		had = had || t == tag.ID
	}
	if err := ui.Store.TagFeedback(r.Context(), it.ID, tag.ID, router.From(r).Member.ID); err != nil {
		return err
	}
	// A suggested tag that gets applied counts as accepted (a no-op when it was not suggested).
	if err := ui.Store.SuggestionAccepted(r.Context(), it.ID, tag.ID); err != nil {
		ui.Log.Warn("recording an accepted suggestion failed", "item", it.ID, "err", err)
	}
	u := undo{Op: "tag", Label: "Tagged " + tag.Path}
	if !had {
		u.Tag = tag.ID
	}
	return ui.actedOn(w, r, it, u, "Tagged “"+tag.Path+"”.")
}

// feedbackKind sets an item's kind and counts it as triaged
// (POST /feedback/{id}/kind).
func (ui *Web) feedbackKind(w http.ResponseWriter, r *http.Request) error {
	it, err := ui.inboxItem(w, r, 4<<10)
	if err != nil {
		return err
	}
	after := r.PostFormValue("after")
	k := feedback.Kind(r.PostFormValue("kind"))
	if !k.Valid() {
		return ui.renderInbox(w, r, http.StatusUnprocessableEntity, &it, after, inboxForm{Errors: map[string]string{"kind": "Pick one of the kinds listed."}})
	}
	st := triagedStatus(it.Status)
	if err := ui.Store.Triage(r.Context(), it.ID, &k, &st); err != nil {
		return err
	}
	return ui.actedOn(w, r, it, undo{Op: "kind", Label: "Marked as " + k.Label()}, "Marked as "+k.Label()+".")
}

// triagedStatus is where an action leaves an item: a new item becomes triaged, an
// archived one stays archived.
func triagedStatus(s feedback.Status) feedback.Status {
	if s == feedback.Archived {
		return s
	}
	return feedback.Triaged
}

// feedbackArchive archives an item: noise, spam, nothing to act on
// (POST /feedback/{id}/archive).
func (ui *Web) feedbackArchive(w http.ResponseWriter, r *http.Request) error {
	it, err := ui.inboxItem(w, r, 4<<10)
	if err != nil {
		return err
	}
	st := feedback.Archived
	if err := ui.Store.Triage(r.Context(), it.ID, nil, &st); err != nil {
		return err
	}
	return ui.actedOn(w, r, it, undo{Op: "archive", Label: "Archived"}, "Archived.")
}

// inboxItem reads the form of an inbox action (at most limit bytes) and the item it
// acts on (POST /feedback/{id}/…).
func (ui *Web) inboxItem(w http.ResponseWriter, r *http.Request, limit int64) (feedback.Item, error) {
	if err := parseForm(w, r, limit); err != nil {
		return feedback.Item{}, err
	}
	return ui.getFeedback(r, r.PathValue("id"))
}

// actedOn ends an inbox action on it: the undo u (its item, and the status and kind
// to restore) and the flash are set, and the browser goes on to the next item, or
// back to the list it came from.
func (ui *Web) actedOn(w http.ResponseWriter, r *http.Request, it feedback.Item, u undo, flash string) error {
	u.Item, u.Status, u.Kind, u.After = it.ID, string(it.Status), string(it.Kind), r.PostFormValue("after")
	ui.setUndo(w, u)
	ui.setFlash(w, flash)
	return seeOther(w, r, backOr(r, inboxURL(u.After)))
}

// backOr is where an action returns to: a local "back" URL sent by the form (the
// feedback list), else the inbox.
func backOr(r *http.Request, def string) string {
	if b := r.PostFormValue("back"); b != "" {
		return safeNext(b)
	}
	return def
}
