package taxonomy

import "strings"

// ImportPlan is what an import changes. The store applies it in one transaction:
// insert New in order (each parent comes before its children), then apply Updated.
type ImportPlan struct {
	New       []NewTag
	Updated   []UpdatedTag
	Unchanged []string // ids of existing tags the file names and already matches
}

// NewTag is a tag to insert with a fresh id. Its parent is ParentID when the parent
// already exists, or the tag at New[ParentIndex] when it is new too; a top-level tag
// has ParentID "" and ParentIndex -1.
type NewTag struct {
	Path        []string
	Name        string
	ParentID    string
	ParentIndex int
	Description string
	Archived    bool
	Implied     bool // no row names it; created only because a row below needs it
	Line        int  // CSV line of the row that named or first implied it
}

// UpdatedTag carries the full new values for an existing tag (write both columns).
type UpdatedTag struct {
	ID                                  string
	Path                                []string
	Description                         string
	Archived                            bool
	DescriptionChanged, ArchivedChanged bool
	Line                                int
}

// Plan compares import rows with the tree. Paths are matched case-insensitively, so
// "editor › tables" is the existing "Editor › Tables" and is not renamed. A row's
// description and archived flag replace the tag's only when the file gave them
// (ImportRow.Has*); descriptions are compared ignoring outer spaces and CRLF/LF, the
// differences a CSV round trip can introduce. When rows repeat a path (only possible
// for rows not from ParseCSV/ParseJSON, which refuse that) the last one wins.
// Applying the plan and planning the same rows again gives New and Updated empty.
func Plan(t *Tree, rows []ImportRow) ImportPlan {
	last := make(map[string]int, len(rows)) // pathKey -> index of the row that wins
	for i, r := range rows {
		if len(r.Path) > 0 {
			last[pathKey(r.Path)] = i
		}
	}
	var p ImportPlan
	newAt := map[string]int{} // pathKey -> index in p.New
	for ri, r := range rows {
		if len(r.Path) == 0 || last[pathKey(r.Path)] != ri {
			continue
		}
		// Walk the path from the root: existing tags are followed, missing ones are
		// planned (or found among those already planned), parent first.
		parentID, parentIdx, existing := "", -1, true
		for depth := 1; depth <= len(r.Path); depth++ {
			name := strings.TrimSpace(r.Path[depth-1])
			if existing {
				if c, ok := t.siblingNames(parentID)[fold(name)]; ok {
					parentID = c
					continue
				}
				existing = false
			}
			k := pathKey(r.Path[:depth])
			i, ok := newAt[k]
			if !ok {
				i = len(p.New)
				newAt[k] = i
				p.New = append(p.New, NewTag{
					Path: append([]string(nil), r.Path[:depth]...), Name: name, ParentID: parentID,
					ParentIndex: parentIdx, Implied: true, Line: r.Line,
				})
			}
			parentID, parentIdx = "", i
		}
		if !existing {
			nt := &p.New[parentIdx]
			nt.Implied, nt.Line = false, r.Line
			if r.HasDescription {
				nt.Description = strings.TrimSpace(r.Description)
			}
			if r.HasArchived {
				nt.Archived = r.Archived
			}
			continue
		}
		id := parentID
		tag := t.nodes[id].tag
		u := UpdatedTag{ID: id, Path: t.Path(id), Description: tag.Description, Archived: tag.Archived, Line: r.Line}
		if r.HasDescription && normDesc(r.Description) != normDesc(tag.Description) {
			u.Description, u.DescriptionChanged = strings.TrimSpace(r.Description), true
		}
		if r.HasArchived && r.Archived != tag.Archived {
			u.Archived, u.ArchivedChanged = r.Archived, true
		}
		if u.DescriptionChanged || u.ArchivedChanged {
			p.Updated = append(p.Updated, u)
		} else {
			p.Unchanged = append(p.Unchanged, id)
		}
	}
	return p
}

// normDesc is the form descriptions are compared in.
func normDesc(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
