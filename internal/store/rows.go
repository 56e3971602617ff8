package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
)

// scanner is what *sql.Row and *sql.Rows have in common: a scan function
// (scanAccount, scanRequest, one[string]) reads one row from either.
type scanner = interface{ Scan(...any) error }

// collect runs query and returns its rows as read by scan: the store's one
// rows.Next / Scan / append / rows.Err loop. The rows are closed when it returns.
func collect[T any](ctx context.Context, q q, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := each(ctx, q, func(sc scanner) error {
		v, err := scan(sc)
		out = append(out, v)
		return err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// each runs query and calls fn for every row, for reads that fill a map or add up
// instead of making a list; it stops at fn's first error.
func each(ctx context.Context, q q, fn func(scanner) error, query string, args ...any) error {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// one reads a row of one column, for collect(ctx, q, one[string], …).
func one[T any](sc scanner) (T, error) {
	var v T
	err := sc.Scan(&v)
	return v, err
}

// idPage reads one keyset page of an id-ordered list: it appends "id > after" (when
// after is set), the order and a limit of one row more than asked to query, so the
// extra row says whether a next page exists; next is the cursor for it, "" at the end.
func idPage[T any](ctx context.Context, q q, scan func(scanner) (T, error), id func(T) string, query string, args []any, after string, limit int) (items []T, next string, err error) {
	return keyPage(ctx, q, scan, id, query, args, "id", false, after, limit)
}

// idPageDesc is idPage newest first: col (an id, which starts with its row's time)
// descending, before the cursor.
func idPageDesc[T any](ctx context.Context, q q, scan func(scanner) (T, error), id func(T) string, query string, args []any, col, before string, limit int) (items []T, next string, err error) {
	return keyPage(ctx, q, scan, id, query, args, col, true, before, limit)
}

func keyPage[T any](ctx context.Context, q q, scan func(scanner) (T, error), id func(T) string, query string, args []any, col string, desc bool, from string, limit int) (items []T, next string, err error) {
	op, order := " > ?", " LIMIT ?"
	if desc {
		op, order = " < ?", " DESC LIMIT ?"
	}
	if from != "" {
		query += ` AND ` + col + op
		args = append(args, from)
	}
	query += ` ORDER BY ` + col + order
	items, err = collect(ctx, q, scan, query, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		items = items[:limit]
		next = id(items[limit-1])
	}
	return items, next, nil
}

// timePage reads one page of a list ordered newest first on (timeCol, idCol), with
// the accounts list's opaque cursor: after is the previous page's, next this page's
// ("" at the end), and key gives a row's place in that order.
func timePage[T any](ctx context.Context, q q, scan func(scanner) (T, error), key func(T) cursor, query string, args []any, timeCol, idCol, after string, limit int) (items []T, next string, err error) {
	if after != "" {
		c, err := decodeCursor(after)
		if err != nil {
			return nil, "", err
		}
		query += ` AND (` + timeCol + ` < ? OR (` + timeCol + ` = ? AND ` + idCol + ` < ?))`
		args = append(args, c.N, c.N, c.I)
	}
	query += ` ORDER BY ` + timeCol + ` DESC, ` + idCol + ` DESC LIMIT ?`
	items, err = collect(ctx, q, scan, query, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		items = items[:limit]
		next = encodeCursor(key(items[limit-1]))
	}
	return items, next, nil
}

// stringMap reads a two-column query of strings into a map of the first to the second.
func stringMap(ctx context.Context, q q, query string, args ...any) (map[string]string, error) {
	out := map[string]string{}
	err := each(ctx, q, func(sc scanner) error {
		var k, v string
		err := sc.Scan(&k, &v)
		out[k] = v
		return err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// strs reads a one-column query of strings.
func strs(ctx context.Context, q q, query string, args ...any) ([]string, error) {
	out, err := collect(ctx, q, one[string], query, args...)
	return out, wrapf(err, "strs")
}

// listInto reads a two-column row of strings into into, for each and eachIn: the
// second column's values listed by the first, in row order.
func listInto(into map[string][]string) func(scanner) error {
	return func(sc scanner) error {
		var k, v string
		if err := sc.Scan(&k, &v); err != nil {
			return err
		}
		into[k] = append(into[k], v)
		return nil
	}
}

// eachIn is each over a query whose one %s is the IN list of ids; no ids read nothing
// (an empty IN list is not SQL).
func eachIn(ctx context.Context, q q, ids []string, fn func(scanner) error, query string) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := placeholders(ids)
	return each(ctx, q, fn, fmt.Sprintf(query, in), args...)
}

// exists says whether table has a row with id.
func exists(ctx context.Context, q q, table, id string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// refersTo refuses field unless id is a row of table, as "no <what> with id …": the
// check a write makes before it stores a reference.
func refersTo(ctx context.Context, q q, field, table, what, id string) error {
	ok, err := exists(ctx, q, table, id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Invalidf(field, "no %s with id %q", what, id)
	}
	return nil
}

// insertOnce runs insert unless count (a COUNT(*) over the key) finds the row there
// already: the arguments of insert are the key's and then more. Linking or tagging
// twice is a no-op.
func insertOnce(ctx context.Context, q q, count, insert string, key []any, more ...any) error {
	var n int
	if err := q.row(ctx, count, key...).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err := q.exec(ctx, insert, slices.Concat(key, more)...)
	return err
}

// placeholders returns "?, ?, …" for n values and the values as args.
func placeholders(vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return marks(len(vals)), args
}

// marks is n comma-separated placeholders, for an IN list (or, in parentheses, one
// row of VALUES: tuples).
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// tuples is n rows of width placeholders each, for a multi-row VALUES.
func tuples(n, width int) string {
	t := "(" + marks(width) + ")"
	return strings.TrimSuffix(strings.Repeat(t+", ", n), ", ")
}

// values is rows as one multi-row VALUES: its tuples of placeholders and their
// arguments, row after row.
func values(rows [][]any) (string, []any) {
	width := len(rows[0])
	args := make([]any, 0, len(rows)*width)
	for _, r := range rows {
		args = append(args, r...)
	}
	return tuples(len(rows), width), args
}

// chunked calls fn on each run of at most size items, in order: the databases bound
// how many parameters one statement takes.
func chunked[T any](items []T, size int, fn func(chunk []T) error) error {
	for len(items) > 0 {
		n := min(len(items), size)
		if err := fn(items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// changed is the error of an exec that writes one row by its key: the exec's own,
// or ErrNotFound when it changed no row.
func changed(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
