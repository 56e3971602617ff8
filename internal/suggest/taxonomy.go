package suggest

// Taxonomy describes the team's tag tree as it is now. It is a plain value so
// callers can build it from whatever store they use; the zero value is a flat
// taxonomy with no archived or merged tags.
type Taxonomy struct {
	// Parent maps a tag to its parent tag ("" or absent for a root).
	Parent map[string]string
	// Archived tags are never suggested; their predicted mass moves to the
	// nearest non-archived ancestor (which is still correct, because a
	// child implies its ancestors).
	Archived map[string]bool
	// MergedInto maps a tag that was renamed or merged to the tag that
	// survives. Chains (a→b→c) are followed.
	MergedInto map[string]string
}

// maxChain bounds merge-chain and ancestor walks so that a cyclic taxonomy
// (a data-entry mistake we cannot rule out) cannot hang training.
const maxChain = 64

// Resolve follows MergedInto until it reaches a surviving tag.
func (t Taxonomy) Resolve(tag string) string {
	for i := 0; i < maxChain; i++ {
		next, ok := t.MergedInto[tag]
		if !ok || next == "" || next == tag {
			return tag
		}
		tag = next
	}
	return tag
}

// parentOf returns the resolved parent of a (resolved) tag.
func (t Taxonomy) parentOf(tag string) (string, bool) {
	p, ok := t.Parent[tag]
	if !ok || p == "" {
		return "", false
	}
	p = t.Resolve(p)
	if p == tag {
		return "", false
	}
	return p, true
}

// IsAncestor reports whether anc is a strict ancestor of tag.
func (t Taxonomy) IsAncestor(anc, tag string) bool {
	cur := tag
	for i := 0; i < maxChain; i++ {
		p, ok := t.parentOf(cur)
		if !ok {
			return false
		}
		if p == anc {
			return true
		}
		cur = p
	}
	return false
}

// liveTag maps a tag the model knows to the tag that should be suggested for
// it today: merges are followed, and an archived tag hands over to its
// nearest non-archived ancestor. ok is false when nothing is left.
func (t Taxonomy) liveTag(tag string) (string, bool) {
	tag = t.Resolve(tag)
	for i := 0; i < maxChain; i++ {
		if !t.Archived[tag] {
			return tag, true
		}
		p, ok := t.parentOf(tag)
		if !ok {
			return "", false
		}
		tag = p
	}
	return "", false
}

// Labels turns the tags a team applied to one text into training labels:
// merges are resolved, duplicates removed, and any tag that is an ancestor of
// another tag in the set is dropped, because the deepest tag implies it.
// Archived tags are kept at training time on purpose: their examples still
// teach the model about their ancestors' vocabulary, and Predict remaps them.
func (t Taxonomy) Labels(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, tag := range tags {
		if tag == "" {
			continue
		}
		r := t.Resolve(tag)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) < 2 || len(t.Parent) == 0 {
		return out
	}
	leaves := out[:0:0]
	for i, a := range out {
		implied := false
		for j, b := range out {
			if i != j && t.IsAncestor(a, b) {
				implied = true
				break
			}
		}
		if !implied {
			leaves = append(leaves, a)
		}
	}
	return leaves
}
