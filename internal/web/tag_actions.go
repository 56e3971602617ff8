package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// tagCreate: POST /tags adds a tag, at the top level or under parent_id. It returns
// to the parent's page, or to the tree.
func (ui *Web) tagCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 8<<10); err != nil {
		return err
	}
	parent := r.PostFormValue("parent_id")
	f := tagForm{Name: r.PostFormValue("name"), Errors: map[string]string{}}
	t := store.Tag{Name: f.Name, ParentID: parent}
	err := ui.Store.CreateTag(r.Context(), &t)
	if err == nil {
		ui.setFlash(w, "Tag “"+t.Name+"” added.")
		if parent != "" {
			return seeOther(w, r, "/tags/"+url.PathEscape(parent))
		}
		return seeOther(w, r, "/tags?q="+url.QueryEscape(t.Name))
	}
	field, msg, ok := asFieldError(err)
	if !ok {
		return err
	}
	if field == "parent_id" {
		return router.NotFound("parent tag")
	}
	f.Errors["name"] = fieldMsg("name", msg)
	if parent != "" {
		return ui.renderTag(w, r, http.StatusUnprocessableEntity, parent, f)
	}
	return ui.renderTags(w, r, http.StatusUnprocessableEntity, f)
}

// tagUpdate serves the tag page's forms: POST /tags/{id}/rename, /move, /merge and
// /archive (archived=1 or 0).
func (ui *Web) tagUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 8<<10); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	tree, err := ui.loadTagTree(ctx)
	if err != nil {
		return err
	}
	n := tree.byID[id]
	if n == nil {
		return router.NotFound("tag")
	}
	f := tagForm{Errors: map[string]string{}}
	fail := func(field, msg string) error {
		f.Errors[field] = msg
		return ui.renderTag(w, r, http.StatusUnprocessableEntity, id, f)
	}
	// refused shows the form again when the store refused a change for making a
	// cycle (cycle says why) or for a field; done is false when it was made.
	refused := func(action string, err error, cycle string) (done bool, _ error) {
		if errors.Is(err, store.ErrTagCycle) {
			return true, fail(action, cycle)
		}
		if _, msg, ok := asFieldError(err); ok {
			return true, fail(action, sentence(msg))
		}
		return err != nil, err
	}
	// pick resolves a type-ahead field: the picked id, else the typed path.
	pick := func(idField, textField string) *tagNode {
		if v := r.PostFormValue(idField); v != "" {
			return tree.byID[v]
		}
		t, _ := tree.resolve(r.PostFormValue(textField))
		return t
	}
	back := "/tags/" + url.PathEscape(id)
	switch r.PathValue("action") {
	case "rename":
		f.Name = r.PostFormValue("name")
		err := ui.Store.UpdateTag(ctx, store.Tag{ID: id, Name: f.Name, Description: n.Description, Archived: n.Archived})
		if _, msg, ok := asFieldError(err); ok {
			return fail("rename", fieldMsg("name", msg))
		}
		if err != nil {
			return err
		}
		ui.setFlash(w, "Renamed to “"+strings.TrimSpace(f.Name)+"”.")
	case "move":
		f.Parent = r.PostFormValue("parent")
		newParent := ""
		if r.PostFormValue("top") == "" {
			p := pick("parent_id", "parent")
			if p == nil {
				return fail("move", "Pick the new parent from the list, or tick “top level”.")
			}
			newParent = p.ID
		}
		err := ui.Store.MoveTag(ctx, id, newParent)
		if done, err := refused("move", err, "A tag cannot move under itself or one of its own children."); done {
			return err
		}
		ui.setFlash(w, "Moved.")
	case "merge":
		f.Into = r.PostFormValue("into")
		into := pick("into_id", "into")
		if into == nil {
			return fail("merge", "Pick the tag to merge into from the list.")
		}
		err := ui.Store.MergeTag(ctx, id, into.ID)
		if done, err := refused("merge", err, "A tag cannot merge into one of its own children."); done {
			return err
		}
		ui.setFlash(w, "Merged “"+n.Path+"” into “"+into.Path+"”.")
		back = "/tags/" + url.PathEscape(into.ID)
	case "archive":
		archived := r.PostFormValue("archived") == "1"
		if err := ui.Store.UpdateTag(ctx, store.Tag{ID: id, Name: n.Name, Description: n.Description, Archived: archived}); err != nil {
			return err
		}
		if archived {
			ui.setFlash(w, "Archived: it and its children no longer show in pickers.")
		} else {
			ui.setFlash(w, "Unarchived.")
		}
	default:
		return router.NotFound("action")
	}
	return seeOther(w, r, back)
}
