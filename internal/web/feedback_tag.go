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
	if err := parseForm(w, r, 16<<10); err != nil {
		return err
	}
	it, err := ui.getFeedback(r, r.PathValue("id"))
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
	u := undo{Op: "tag", Item: it.ID, Status: string(it.Status), Kind: string(it.Kind), After: after, Label: "Tagged " + tag.Path}
	if !had {
		u.Tag = tag.ID
	}
	ui.setUndo(w, u)
	ui.setFlash(w, "Tagged “"+tag.Path+"”.")
	return seeOther(w, r, backOr(r, inboxURL(after)))
}

// feedbackKind sets an item's kind and counts it as triaged
// (POST /feedback/{id}/kind).
func (ui *Web) feedbackKind(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 4<<10); err != nil {
		return err
	}
	it, err := ui.getFeedback(r, r.PathValue("id"))
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
	ui.setUndo(w, undo{Op: "kind", Item: it.ID, Status: string(it.Status), Kind: string(it.Kind), After: after, Label: "Marked as " + k.Label()})
	ui.setFlash(w, "Marked as "+k.Label()+".")
	return seeOther(w, r, backOr(r, inboxURL(after)))
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
	if err := parseForm(w, r, 4<<10); err != nil {
		return err
	}
	it, err := ui.getFeedback(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	after := r.PostFormValue("after")
	st := feedback.Archived
	if err := ui.Store.Triage(r.Context(), it.ID, nil, &st); err != nil {
		return err
	}
	ui.setUndo(w, undo{Op: "archive", Item: it.ID, Status: string(it.Status), Kind: string(it.Kind), After: after, Label: "Archived"})
	ui.setFlash(w, "Archived.")
	return seeOther(w, r, backOr(r, inboxURL(after)))
}

// backOr is where an action returns to: a local "back" URL sent by the form (the
// feedback list), else the inbox.
func backOr(r *http.Request, def string) string {
	if b := r.PostFormValue("back"); b != "" {
		return safeNext(b)
	}
	return def
}
