// Package errs is closeloop's one error model: the few kinds of failure that the
// domain packages, the store and the channels report, so that every layer above them
// (the router's HTTP answers, the web forms, the CSV import's line and column) handles
// one type per kind instead of one per package. It imports nothing from the project.
//
// The kinds:
//   - *FieldError: the input is invalid, and Field names the input at fault (400).
//   - *ItemError: item Index of a batch failed; it wraps that item's error.
//   - *NotFoundError: what was asked for does not exist (404).
//   - *ConflictError: the input is valid but clashes with what is stored (409), with
//     the field to change when there is one.
//
// A domain package that wants a named rule keeps it as a value of one of these kinds
// (var ErrBackdated = errs.About("effective_at", errors.New("…"))) or as a plain
// sentinel wrapped by one (FieldError.Err), so errors.Is finds the rule and errors.As
// the kind. Anything else is an internal error.
package errs

import "fmt"

// FieldError is a validation error: the input named by Field breaks a rule.
type FieldError struct {
	// Field is the input at fault, as the API, the forms and the CSV headers name it:
	// "name", "parent_id", "effective_at".
	Field string
	// Msg says what is wrong, to show next to the field: "is required". Error() is
	// "field: msg", except for an error made by About, whose Msg is a whole sentence.
	Msg string
	// Err is the cause when the rule has a name (a sentinel such as
	// taxonomy.ErrCycle): errors.Is finds it. Optional.
	Err error

	whole bool // Msg reads on its own, so Error() does not prefix the field
}

// Invalid reports that field breaks a rule; msg is said of the field ("is required").
func Invalid(field, msg string) *FieldError { return &FieldError{Field: field, Msg: msg} }

// Invalidf is Invalid with a formatted message.
func Invalidf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// About makes err, whose text is a whole sentence ("currency differs from the
// account's billing currency: …"), a validation error of field. Its message is err's
// text, and errors.Is sees err and whatever err wraps.
func About(field string, err error) *FieldError {
	return &FieldError{Field: field, Msg: err.Error(), Err: err, whole: true}
}

func (e *FieldError) Error() string {
	if e.whole {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func (e *FieldError) Unwrap() error { return e.Err }

// ItemError says which item of a batch failed (Index counts from 0); Err is why.
type ItemError struct {
	Index int
	Err   error
}

// Item reports that item index (from 0) of a batch failed with err.
func Item(index int, err error) *ItemError { return &ItemError{Index: index, Err: err} }

func (e *ItemError) Error() string { return fmt.Sprintf("item %d: %v", e.Index+1, e.Err) }
func (e *ItemError) Unwrap() error { return e.Err }

// NotFoundError reports that what was asked for does not exist.
type NotFoundError struct {
	What string // "request", "feedback item"; "" when the caller does not say
	Err  error  // a sentinel for errors.Is, optional
}

// NotFound reports that what does not exist; what may be "".
func NotFound(what string) *NotFoundError { return &NotFoundError{What: what} }

func (e *NotFoundError) Error() string {
	if e.What == "" {
		return "not found"
	}
	return e.What + " not found"
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// ConflictError reports valid input that clashes with what is stored: a cycle, a
// merge that must be undone first, the last admin. Field, when set, is the input to
// change.
type ConflictError struct {
	Field string
	Msg   string // a whole sentence; it is Error()
	Err   error  // a sentinel for errors.Is, optional
}

// Conflict reports a clash; field may be "".
func Conflict(field, msg string) *ConflictError { return &ConflictError{Field: field, Msg: msg} }

func (e *ConflictError) Error() string { return e.Msg }
func (e *ConflictError) Unwrap() error { return e.Err }
