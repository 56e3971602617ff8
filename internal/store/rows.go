package store

import (
	"context"
	"strings"
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
	if after != "" {
		query += ` AND id > ?`
		args = append(args, after)
	}
	query += ` ORDER BY id LIMIT ?`
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

// stringLists reads a two-column query of strings into into: the second column's
// values listed by the first, in row order.
func stringLists(ctx context.Context, q q, into map[string][]string, query string, args ...any) error {
	return each(ctx, q, func(sc scanner) error {
		var k, v string
		if err := sc.Scan(&k, &v); err != nil {
			return err
		}
		into[k] = append(into[k], v)
		return nil
	}, query, args...)
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
