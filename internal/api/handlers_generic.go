package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// getOne is the handler of a "get one" route: what get finds by the path value param,
// or a 404 naming what.
func getOne[T any](what, param string, get func(context.Context, string) (T, error)) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := get(r.Context(), r.PathValue(param))
		return found(w, what, v, err)
	}
}

// deleteOne is the handler of a DELETE of one resource by its path value "id": 204,
// or a 404 naming what.
func deleteOne(what string, del func(context.Context, string) error) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return deleted(w, what, del(r.Context(), r.PathValue("id")))
	}
}

// getDoc is the handler of a GET of one document (a setting, a report, a short list)
// that takes no query parameters: what get returns, as JSON.
func getDoc[T any](get func(context.Context) (T, error)) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := queryParams(r); err != nil {
			return err
		}
		v, err := get(r.Context())
		return answer(w, v, err)
	}
}

// getDocOf is the handler of a GET of a document of the URL's {id} (an account's
// health, its onboarding) that takes no query parameters: a 404 naming what when
// exists finds no such resource, else what get returns for it.
func getDocOf[E, T any](what string, exists func(context.Context, string) (E, error), get func(context.Context, string) (T, error)) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := queryParams(r); err != nil {
			return err
		}
		id, err := pathExists(r, what, exists)
		if err != nil {
			return err
		}
		v, err := get(r.Context(), id)
		return answer(w, v, err)
	}
}

// putDoc is the handler of a PUT that replaces a whole document: the body, decoded
// strictly, is stored by put, and the answer is the document as its GET shows it
// after, so the client sees what was stored rather than what it sent.
func putDoc[T any](put func(context.Context, T) error, get func(context.Context) (T, error)) router.Handler {
	show := getDoc(get)
	return func(w http.ResponseWriter, r *http.Request) error {
		var in T
		if _, err := decodeBody(w, r, &in); err != nil {
			return err
		}
		if err := put(r.Context(), in); err != nil {
			return err
		}
		return show(w, r)
	}
}

// onePage turns a read of a whole list into the list envelope with no next cursor,
// for lists short enough never to need a second page.
func onePage[T any](get func(context.Context) ([]T, error)) func(context.Context) (list[T], error) {
	return func(ctx context.Context) (list[T], error) {
		items, err := get(ctx)
		return newList(items, ""), err
	}
}

// pageOf answers one page of a keyset-paginated list: the page size the query asks
// for (def when it names none) and its cursor are set in the filter f through limit
// and cursor, which point into f; list reads the page, and the next cursor is tagged
// with tag, so that one list's cursor is refused by another.
func pageOf[F, T any](w http.ResponseWriter, r *http.Request, p params, tag string, def int, f *F, limit *int, cursor *string, list func(context.Context, F) ([]T, string, error)) error {
	var err error
	if *limit, *cursor, err = p.page(def, tag); err != nil {
		return err
	}
	items, next, err := list(r.Context(), *f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(items, encodeCursor(tag, next)))
}

// readBulk reads a bulk body {"<key>": [item, ...]} under the bulk size limit, each
// item decoded by decode.
func readBulk[T any](w http.ResponseWriter, r *http.Request, key string, decode func(object) (T, error)) ([]T, error) {
	b, err := readBody(w, r, maxBulkBody)
	if err != nil {
		return nil, err
	}
	return decodeBulkItems(b, key, decode)
}

// bulkWrite is the handler of a bulk upsert: the items read by readBulk, saved in one
// call, and save's result as the answer.
func bulkWrite[T, R any](key string, decode func(object) (T, error), save func(context.Context, []T) (R, error)) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		items, err := readBulk(w, r, key, decode)
		if err != nil {
			return err
		}
		res, err := save(r.Context(), items)
		return answer(w, res, err)
	}
}

// pathExists gives a 404 naming what when get finds nothing for the URL's {id}, before
// a write that would otherwise trip a foreign key (a 500) or silently do nothing.
func pathExists[T any](r *http.Request, what string, get func(context.Context, string) (T, error)) (string, error) {
	id := r.PathValue("id")
	if _, err := get(r.Context(), id); err != nil {
		return "", notFound(err, what)
	}
	return id, nil
}

// mergeIDs reads a merge's body {"into": id} and checks that both the URL's {id} and
// into exist: the store reports either missing as one not-found, and the client needs
// to know whether the URL (a 404) or the body (a 400 naming into) is wrong.
func mergeIDs[T any](w http.ResponseWriter, r *http.Request, what string, get func(context.Context, string) (T, error)) (from, into string, err error) {
	if into, err = readID(w, r, "into"); err != nil {
		return "", "", err
	}
	if from, err = pathExists(r, what, get); err != nil {
		return "", "", err
	}
	if _, err := refersTo(r.Context(), "into", what, into, get); err != nil {
		return "", "", err
	}
	return from, into, nil
}

// refersTo finds what id, sent in a body's field, names: a 400 naming the field when
// get finds nothing, since the write would otherwise trip a foreign key (a 500) or
// say "not found" of the URL's resource instead of the body's.
func refersTo[T any](ctx context.Context, field, what, id string, get func(context.Context, string) (T, error)) (T, error) {
	v, err := get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return v, router.FieldErr(field, fmt.Sprintf("names no %s (%q)", what, id))
	}
	return v, err
}

// mapAll is f of every element of in, in order.
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
