package taxonomy

// RollUp sums counts up the hierarchy: the result has an entry for every tag in the
// tree (zeros included) whose value is the tag's own count plus all its descendants'.
// Counts for ids not in the tree (say, a tag deleted since the counts were taken) are
// ignored. This adds counts of feedback items; an item tagged with both a parent and
// its child counts twice at the parent, and unique accounts do not add up at all —
// the store answers those with COUNT(DISTINCT …) over tag_closure instead.
func RollUp(t *Tree, direct map[string]int) map[string]int {
	total := make(map[string]int, len(t.order))
	// t.order has every parent before its children, so walking it backwards adds
	// each finished subtree total into its parent exactly once: O(n).
	for i := len(t.order) - 1; i >= 0; i-- {
		id := t.order[i]
		total[id] += direct[id]
		if p := t.nodes[id].tag.ParentID; p != "" {
			total[p] += total[id]
		}
	}
	return total
}
