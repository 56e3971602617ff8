package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// pathSep joins tag names into a path ("Editor › Tables"); tag names cannot contain it.
const pathSep = " › "

// tagOut is a tag with its path. Paths are computed from the tree on every read
// rather than stored, so a rename or move is reflected everywhere at once.
type tagOut struct {
	store.Tag
	Path string `json:"path"`
}

// tagTree is every tag by id, for computing paths.
type tagTree map[string]store.Tag

func (a *API) tagTree(ctx context.Context) (tagTree, []store.Tag, error) {
	tags, err := a.Store.ListTags(ctx)
	if err != nil {
		return nil, nil, err
	}
	tree := make(tagTree, len(tags))
	for _, t := range tags {
		tree[t.ID] = t
	}
	return tree, tags, nil
}

// path walks up to the root. The walk is bounded by the number of tags so that a
// corrupt parent loop cannot hang a request.
func (tr tagTree) path(id string) string {
	var names []string
	for cur, n := id, 0; cur != "" && n <= len(tr); n++ {
		t, ok := tr[cur]
		if !ok {
			break
		}
		names = append(names, t.Name)
		cur = t.ParentID
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return strings.Join(names, pathSep)
}

func (tr tagTree) out(t store.Tag) tagOut { return tagOut{Tag: t, Path: tr.path(t.ID)} }

func (a *API) listTags(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	tree, tags, err := a.tagTree(r.Context())
	if err != nil {
		return err
	}
	out := make([]tagOut, len(tags))
	for i, t := range tags {
		out[i] = tree.out(t)
	}
	// The taxonomy is hundreds of rows, not millions: one page, so clients can build
	// the tree without paging.
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

// writeTag answers with one tag and its freshly computed path.
func (a *API) writeTag(w http.ResponseWriter, r *http.Request, status int, id string) error {
	tree, _, err := a.tagTree(r.Context())
	if err != nil {
		return err
	}
	t, ok := tree[id]
	if !ok {
		return router.NotFound("tag")
	}
	return writeJSON(w, status, tree.out(t))
}

type tagInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Archived    *bool   `json:"archived"`
	ParentID    *string `json:"parent_id"` // PATCH: null or "" moves the tag to the root
}

func readTagInput(w http.ResponseWriter, r *http.Request) (tagInput, object, error) {
	var in tagInput
	b, err := readBody(w, r, maxBody)
	if err != nil {
		return in, object{}, err
	}
	o, err := parseObject(b)
	if err != nil {
		return in, o, err
	}
	if err := o.rejectNulls("parent_id"); err != nil {
		return in, o, err
	}
	return in, o, o.decode(&in)
}

func (a *API) createTag(w http.ResponseWriter, r *http.Request) error {
	in, _, err := readTagInput(w, r)
	if err != nil {
		return err
	}
	var t store.Tag
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.Description != nil {
		t.Description = strings.TrimSpace(*in.Description)
	}
	if in.Archived != nil {
		t.Archived = *in.Archived
	}
	if in.ParentID != nil {
		t.ParentID = strings.TrimSpace(*in.ParentID)
	}
	if err := a.Store.CreateTag(r.Context(), &t); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tags/"+t.ID)
	return a.writeTag(w, r, http.StatusCreated, t.ID)
}

func (a *API) patchTag(w http.ResponseWriter, r *http.Request) error {
	in, o, err := readTagInput(w, r)
	if err != nil {
		return err
	}
	p := store.TagPatch{Name: in.Name, Archived: in.Archived, ParentID: in.ParentID}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		p.Description = &d
	}
	if o.isNull("parent_id") {
		root := ""
		p.ParentID = &root
	}
	t, err := a.Store.PatchTag(r.Context(), r.PathValue("id"), p)
	if errors.Is(err, store.ErrTagCycle) {
		return router.FieldErr("parent_id", "names the tag itself or one of its descendants: a tag cannot move under itself")
	}
	if err != nil {
		return notFound(err, "tag")
	}
	return a.writeTag(w, r, http.StatusOK, t.ID)
}

func (a *API) mergeTag(w http.ResponseWriter, r *http.Request) error {
	from, into, err := mergeIDs(w, r, "tag", a.Store.GetTag)
	if err != nil {
		return err
	}
	err = a.Store.MergeTag(r.Context(), from, into)
	if errors.Is(err, store.ErrTagCycle) {
		return router.FieldErr("into", "is a descendant of the tag being merged: move it out first, or merge the other way")
	}
	if err != nil {
		return notFound(err, "tag")
	}
	// The merged tag is gone; answer with where its feedback went.
	return a.writeTag(w, r, http.StatusOK, into)
}
