package store

import "fmt"

// wrapf names the operation that failed in err ("store: list requests: …"), so that
// an internal error in the log says which query it came from; a nil err stays nil,
// so a function can end with `return out, wrapf(rows.Err(), "…")`. errors.Is and
// errors.As see through it (ErrNotFound, the errs kinds).
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
