package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// suggestK is how many suggested tags the inbox shows (Alt+1…3 accept them).
const suggestK = 3

// inboxForm is the inbox's action forms as typed, with the error of the one that
// failed and, when typed text matched several tags or requests, the candidates.
type inboxForm struct {
	Tag, Request   string
	Errors         map[string]string
	TagChoices     []*tagNode
	RequestChoices []feedback.Request
}

// minSuggestScore is the least confidence worth showing a suggestion for.
const minSuggestScore = 0.05

type suggestionView struct {
	TagID string
	Path  string
	Score float64
	Key   int
}

type inboxData struct {
	Item        *feedback.Item
	Survey      string // "NPS 3" when the item is a survey comment
	Account     *store.AccountRow
	Person      *account.Person
	Left        int
	After       string
	NextHref    string // skip this item
	StartHref   string // back to the oldest, after skipping past the rest
	Tags        []string
	Requests    []feedback.Request
	Kinds       []kindOption
	Similar     []similarRequestView // requests like this item: link instead of duplicating
	Suggest     bool                 // a suggester is configured
	Suggestions []suggestionView
	SuggestErr  bool
	Form        inboxForm
	Undo        *undo
	Submitter   string
	Original    string // the whole message the item was cut from, if kept
}

// inbox shows the oldest untriaged item (after the ones skipped past) and the actions
// that triage it.
func (ui *Web) inbox(w http.ResponseWriter, r *http.Request) error {
	after := r.URL.Query().Get("after")
	it, err := ui.Store.NextUntriaged(r.Context(), after)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ui.renderInbox(w, r, http.StatusOK, nil, after, inboxForm{})
	case err != nil:
		return err
	}
	return ui.renderInbox(w, r, http.StatusOK, &it, after, inboxForm{})
}

func (ui *Web) renderInbox(w http.ResponseWriter, r *http.Request, status int, it *feedback.Item, after string, f inboxForm) error {
	ctx := r.Context()
	d := inboxData{Item: it, After: after, Form: f, Undo: readUndo(r), Suggest: ui.Suggest != nil}
	var err error
	if d.Left, err = ui.Store.CountFeedback(ctx, feedback.New); err != nil {
		return err
	}
	if it == nil {
		if after != "" && d.Left > 0 {
			d.StartHref = inboxURL("")
		}
		return ui.render(w, r, status, "inbox", "Inbox", "inbox", d)
	}
	if d.Original, err = ui.Store.FeedbackOriginal(ctx, it.ID); err != nil {
		return err
	}
	scores, err := ui.surveyScores(ctx, []feedback.Item{*it})
	if err != nil {
		return err
	}
	d.Survey = scores[it.ID]
	d.Kinds = kindOptions(it.Kind)
	if _, err := ui.Store.NextUntriaged(ctx, it.ID); err == nil {
		d.NextHref = inboxURL(it.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	} else if after != "" {
		d.NextHref = inboxURL("")
	}
	if it.AccountID != "" {
		if d.Account, err = optional(ui.Store.GetAccount(ctx, it.AccountID)); err != nil {
			return err
		}
	}
	if it.PersonID != "" {
		if d.Person, err = optional(ui.Store.GetPerson(ctx, it.PersonID)); err != nil {
			return err
		}
	}
	if it.SubmittedBy != "" {
		if m, err := ui.Store.GetMember(ctx, it.SubmittedBy); err == nil {
			d.Submitter = m.Name
		}
	}
	tree, err := ui.loadTagTree(ctx)
	if err != nil {
		return err
	}
	for _, t := range it.TagIDs {
		d.Tags = append(d.Tags, tree.path(t))
	}
	for _, id := range it.RequestIDs {
		if rq, err := ui.Store.GetRequest(ctx, id); err == nil {
			d.Requests = append(d.Requests, rq)
		}
	}
	d.Similar = ui.similarRequests(r, *it, 3)
	if ui.Suggest != nil {
		ss, err := ui.Suggest.Suggest(ctx, it.Text, suggestK+len(it.TagIDs))
		if err != nil {
			// Suggestions help but are never needed: triage goes on without them.
			ui.Log.Warn("tag suggestions failed", "item", it.ID, "err", err)
			d.SuggestErr = true
		}
		has := map[string]bool{}
		for _, t := range it.TagIDs {
			has[t] = true
		}
		for _, s := range ss {
			n := tree.byID[s.TagID]
			// Near-zero scores are noise next to a confident suggestion: leave them out.
			if n == nil || n.Hidden || has[s.TagID] || len(d.Suggestions) == suggestK || s.Score < minSuggestScore {
				continue
			}
			d.Suggestions = append(d.Suggestions, suggestionView{TagID: s.TagID, Path: n.Path, Score: s.Score, Key: len(d.Suggestions) + 1})
		}
		// Remember what was offered, so the acceptance rate per tag can be shown.
		if len(d.Suggestions) > 0 {
			ids, scores := make([]string, len(d.Suggestions)), make([]float64, len(d.Suggestions))
			for i, sv := range d.Suggestions {
				ids[i], scores[i] = sv.TagID, sv.Score
			}
			if err := ui.Store.SuggestionsShown(ctx, it.ID, ids, scores); err != nil {
				ui.Log.Warn("recording shown suggestions failed", "item", it.ID, "err", err)
			}
		}
	}
	// Until the model has learned something (too few tagged items yet) there is
	// nothing to show: keep the inbox uncluttered rather than show an empty section.
	d.Suggest = d.Suggest && (len(d.Suggestions) > 0 || d.SuggestErr)
	return ui.render(w, r, status, "inbox", "Inbox", "inbox", d)
}
