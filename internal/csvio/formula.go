package csvio

import "strings"

// Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return
// before one) as a formula, so customer text in an export could execute when a team
// member opens the file ("CSV injection"). Exports prefix such cells with an
// apostrophe, which spreadsheets show as text and hide; imports remove exactly that
// prefix again, so an export still reads back unchanged.

func formulaLead(v string) bool {
	return v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0]))
}

// defuse returns rec with every formula-like cell prefixed by an apostrophe.
func defuse(rec []string) []string {
	for i, v := range rec {
		if formulaLead(v) {
			rec[i] = "'" + v
		}
	}
	return rec
}

// restore undoes defuse for one cell.
func restore(v string) string {
	if rest, ok := strings.CutPrefix(v, "'"); ok && formulaLead(rest) {
		return rest
	}
	return v
}

// Defuse is defuse for exports written outside this package (web's report CSVs).
func Defuse(rec []string) []string { return defuse(rec) }
