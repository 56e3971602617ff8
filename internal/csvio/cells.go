package csvio

import (
	"fmt"
	"strconv"
	"strings"
)

// boolean reads the yes/no cell col of row i: nil when it is empty.
func (t *table) boolean(i int, col string, fail rowFail) (*bool, error) {
	v, ok := t.cell(i, col)
	if !ok {
		return nil, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return nil, fail(col, "%q is not yes/no or true/false", v)
	}
	return &b, nil
}

// score reads the required whole-number score of survey response row i.
func (t *table) score(i int, fail rowFail) (int, error) {
	v, ok := t.cell(i, "score")
	if !ok {
		return 0, fail("score", "is required")
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fail("score", "%q is not a whole number", v)
	}
	return n, nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "y", "t":
		return true, nil
	case "0", "false", "no", "n", "f":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}
