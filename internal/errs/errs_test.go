package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestTexts(t *testing.T) {
	rule := errors.New("effective date is before the account's latest movement")
	backdated := About("effective_at", rule)
	cases := []struct {
		err  error
		want string
	}{
		{Invalid("name", "is required"), "name: is required"},
		{Invalidf("tier", "%q is not one of %s", "gold", "a, b"), `tier: "gold" is not one of a, b`},
		{backdated, "effective date is before the account's latest movement"},
		{About("effective_at", fmt.Errorf("%w (2025-01-02)", backdated)), "effective date is before the account's latest movement (2025-01-02)"},
		{Item(1, Invalid("seats", "cannot be negative")), "item 2: seats: cannot be negative"},
		{NotFound(""), "not found"},
		{NotFound("request"), "request not found"},
		{Conflict("role", "this is the last admin"), "this is the last admin"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%#v: %q, want %q", c.err, got, c.want)
		}
	}
}

func TestKindsWrap(t *testing.T) {
	rule := errors.New("would make a cycle")
	sentinel := errors.New("not found")
	err := fmt.Errorf("op: %w", Item(3, &FieldError{Field: "parent_id", Msg: "is below itself", Err: rule}))
	var ie *ItemError
	var fe *FieldError
	if !errors.As(err, &ie) || ie.Index != 3 || !errors.As(err, &fe) || fe.Field != "parent_id" || !errors.Is(err, rule) {
		t.Fatalf("%v: item %+v field %+v", err, ie, fe)
	}
	if nf := (&NotFoundError{Err: sentinel}); !errors.Is(nf, sentinel) || nf.Error() != "not found" {
		t.Fatalf("not found wrapping a sentinel: %v", nf)
	}
	if ce := (&ConflictError{Msg: "taken", Err: sentinel}); !errors.Is(ce, sentinel) {
		t.Fatal("conflict does not unwrap")
	}
	if a := About("currency", rule); !errors.Is(a, rule) || a.Msg != rule.Error() {
		t.Fatalf("About: %+v", a)
	}
}
