package csvio

import (
	"encoding/json"
	"maps"
	"slices"
)

// traitColumns are the trait names of the rows an export writes: each becomes a
// traits.<name> column, the union over every row, so that the file imports back.
type traitColumns map[string]bool

// add notes the names of one row's traits (a JSON object; anything else has none).
func (tc traitColumns) add(raw json.RawMessage) {
	var tr map[string]any
	json.Unmarshal(raw, &tr)
	for k := range tr {
		tc[k] = true
	}
}

// header is cols followed by a traits.<name> column per trait in name order, and
// those names, the order each row's trait cells follow.
func (tc traitColumns) header(cols []string) (header, names []string) {
	names = slices.Sorted(maps.Keys(tc))
	header = append([]string(nil), cols...)
	for _, k := range names {
		header = append(header, "traits."+k)
	}
	return header, names
}
