package store

import "strings"

// conds gathers a list query's WHERE conditions with their arguments: each filter
// field that is set adds one, and a field left blank matches everything.
type conds struct {
	sql  []string
	args []any
}

// add appends cond and the arguments of its placeholders.
func (c *conds) add(cond string, args ...any) {
	c.sql = append(c.sql, cond)
	c.args = append(c.args, args...)
}

// eq adds cond, which holds one placeholder, with v when v is set.
func (c *conds) eq(cond, v string) {
	if v != "" {
		c.add(cond, v)
	}
}

// where is the conditions as a WHERE clause, "" when there are none.
func (c *conds) where() string {
	if len(c.sql) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.sql, " AND ")
}

// and is the conditions as " AND …" clauses, to follow a query's "WHERE 1=1".
func (c *conds) and() string {
	var b strings.Builder
	for _, s := range c.sql {
		b.WriteString(" AND ")
		b.WriteString(s)
	}
	return b.String()
}
