package taxonomy

import "fmt"

// The Check* methods are what the store runs, inside its write transaction and
// against a Tree built from the rows it just read, before it changes anything. They
// return an *errs.FieldError naming the tag and field (errors.Is works with the Err*
// sentinels).

// CheckCreate reports whether a new tag called name may be created under parentID
// ("" = top level).
func (t *Tree) CheckCreate(parentID, name string) error {
	if err := CheckName(name); err != nil {
		return nameErr("", err)
	}
	if parentID != "" {
		if _, ok := t.nodes[parentID]; !ok {
			return ruleErr("", "parent_id", ErrUnknownParent, fmt.Sprintf("parent %q", parentID))
		}
	}
	if other, dup := t.siblingNames(parentID)[fold(name)]; dup {
		return ruleErr("", "name", ErrDuplicateName, fmt.Sprintf("%q clashes with tag %q", name, other))
	}
	return nil
}

// CheckMove reports whether id may be moved under newParentID ("" = top level): the
// new parent must exist and not be id or one of its descendants, and no new sibling
// may share id's name. Moving to the current parent is allowed (a no-op).
func (t *Tree) CheckMove(id, newParentID string) error {
	n, ok := t.nodes[id]
	if !ok {
		return ruleErr(id, "id", ErrNotFound, "")
	}
	if newParentID == n.tag.ParentID {
		return nil
	}
	if newParentID != "" {
		if _, ok := t.nodes[newParentID]; !ok {
			return ruleErr(id, "parent_id", ErrUnknownParent, fmt.Sprintf("parent %q", newParentID))
		}
		if newParentID == id || t.IsAncestor(id, newParentID) {
			return ruleErr(id, "parent_id", ErrCycle, fmt.Sprintf("%q is %q or below it", t.PathString(newParentID), n.pathStr))
		}
	}
	if other, dup := t.siblingNames(newParentID)[fold(n.tag.Name)]; dup {
		return ruleErr(id, "name", ErrDuplicateName, fmt.Sprintf("%q already exists there", t.PathString(other)))
	}
	return nil
}

// CheckRename reports whether id may be renamed to newName. Changing only the case
// of a name ("pdf export" → "PDF export") is allowed.
func (t *Tree) CheckRename(id, newName string) error {
	n, ok := t.nodes[id]
	if !ok {
		return ruleErr(id, "id", ErrNotFound, "")
	}
	if err := CheckName(newName); err != nil {
		return nameErr(id, err)
	}
	if other, dup := t.siblingNames(n.tag.ParentID)[fold(newName)]; dup && other != id {
		return ruleErr(id, "name", ErrDuplicateName, fmt.Sprintf("%q already exists", t.PathString(other)))
	}
	return nil
}

// CheckMerge reports whether fromID may be merged into intoID: both must exist and
// into must be neither from nor below it (that would delete the target). Merging into
// an ancestor is allowed. Same-named children are merged recursively (see PlanMerge),
// so names never clash, except in the one case described inside.
func (t *Tree) CheckMerge(fromID, intoID string) error {
	if _, ok := t.nodes[fromID]; !ok {
		return ruleErr(fromID, "id", ErrNotFound, "")
	}
	if _, ok := t.nodes[intoID]; !ok {
		return ruleErr(fromID, "into", ErrNotFound, fmt.Sprintf("target %q", intoID))
	}
	if fromID == intoID {
		return ruleErr(fromID, "into", ErrMergeSelf, "")
	}
	if t.IsAncestor(fromID, intoID) {
		return ruleErr(fromID, "into", ErrMergeIntoDescendant, fmt.Sprintf("%q is below %q", t.PathString(intoID), t.PathString(fromID)))
	}
	// Merging "A › B" into "A" while B has a child "B": that child would have to move
	// up beside B before B is deleted, which the store's unique sibling-name index
	// refuses at that instant. Rare enough to ask for a rename first.
	from := t.nodes[fromID]
	if from.tag.ParentID == intoID {
		if c, ok := from.byName[fold(from.tag.Name)]; ok {
			return ruleErr(fromID, "into", ErrDuplicateName, fmt.Sprintf("%q has the same name as its parent; rename or move it first", t.PathString(c)))
		}
	}
	return nil
}

// MergePlan is what merging From into Into does, in the order the store applies it:
//
//  1. for every pair in Merge (parent pairs first), re-point feedback tagged
//     pair.From to pair.Into (an item tagged with both keeps one);
//  2. for every entry in Reparent, set the tag's parent_id to NewParentID;
//  3. delete the ids in Delete, in order (children before parents).
//
// Into keeps its own name, description and archived flag.
type MergePlan struct {
	From, Into string
	// Merge starts with {From, Into} and adds, recursively, every child of a merged
	// tag whose name (case-insensitively) matches a child of its target.
	Merge []MergePair
	// Reparent lists the children of merged-away tags with no same-named counterpart:
	// they move, with their whole subtree, under the target.
	Reparent []Reparent
	// Delete is every MergePair.From, deepest first, so no deleted row still has a
	// child when it goes.
	Delete []string
}

// MergePair merges the tag From into the tag Into.
type MergePair struct{ From, Into string }

// Reparent moves ID under NewParentID.
type Reparent struct{ ID, NewParentID string }

// PlanMerge describes merging fromID into intoID. It returns the zero MergePlan when
// CheckMerge fails, so callers run CheckMerge first for the reason.
func (t *Tree) PlanMerge(fromID, intoID string) MergePlan {
	if t.CheckMerge(fromID, intoID) != nil {
		return MergePlan{}
	}
	p := MergePlan{From: fromID, Into: intoID}
	// Breadth-first over pairs gives the parent-first Merge order; the reversed list
	// is then a valid children-first delete order.
	queue := []MergePair{{fromID, intoID}}
	for len(queue) > 0 {
		pair := queue[0]
		queue = queue[1:]
		p.Merge = append(p.Merge, pair)
		into := t.nodes[pair.Into]
		for _, c := range t.nodes[pair.From].children {
			// A child of from can never be into itself: into is not below from.
			if twin, ok := into.byName[fold(t.nodes[c].tag.Name)]; ok {
				queue = append(queue, MergePair{From: c, Into: twin})
			} else {
				p.Reparent = append(p.Reparent, Reparent{ID: c, NewParentID: pair.Into})
			}
		}
	}
	for i := len(p.Merge) - 1; i >= 0; i-- {
		p.Delete = append(p.Delete, p.Merge[i].From)
	}
	return p
}
