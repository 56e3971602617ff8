package cancel

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
)

func TestTokenRoundTripAndRefusals(t *testing.T) {
	key, other := []byte("k1"), []byte("k2")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := Link{AccountID: "acc1", PersonID: "p1", Issued: now}
	tok := Token(key, l)
	if got, err := ParseToken(key, tok, now.Add(time.Hour)); err != nil || got != l {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	p, sig, _ := strings.Cut(tok, ".")
	forged := Token(key, Link{AccountID: "acc2", Issued: now})
	fp, _, _ := strings.Cut(forged, ".")
	for name, c := range map[string]struct {
		key []byte
		tok string
		at  time.Time
		err error
	}{
		"other key":          {other, tok, now, ErrBadToken},
		"another payload":    {key, fp + "." + sig, now, ErrBadToken},
		"cut":                {key, p, now, ErrBadToken},
		"signature flipped":  {key, p + "." + strings.ToUpper(sig), now, ErrBadToken},
		"older than 30 days": {key, tok, now.Add(LinkTTL + time.Second), ErrExpiredToken},
		"from the future":    {key, tok, now.Add(-time.Hour), ErrExpiredToken},
	} {
		if _, err := ParseToken(c.key, c.tok, c.at); !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", name, err, c.err)
		}
	}
}

func TestInputValidationNamesTheField(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	set := Defaults()
	for _, c := range []struct {
		in    Input
		field string
	}{
		{Input{}, "reason"},
		{Input{Reason: "bored"}, "reason"},
		{Input{Reason: "too_expensive", Liked: []string{"features", "colours"}}, "liked"},
		{Input{Reason: "too_expensive", Text: strings.Repeat("é", MaxText+1)}, "text"},
		{Input{Reason: "too_expensive", CancelledAt: now.Add(48 * time.Hour)}, "cancelled_at"},
		{Input{Reason: " too_expensive ", Liked: []string{"features", "features", " support"}, Text: strings.Repeat("é", MaxText)}, ""},
	} {
		in := c.in
		in.Normalize(now)
		err := in.Validate(set, now)
		var fe *errs.FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.in, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%+v: %v, want an error on %s", c.in, err, c.field)
		}
		if c.field == "" && (len(in.Liked) != 2 || in.Reason != "too_expensive") {
			t.Errorf("normalized %+v", in)
		}
	}
}

func TestParseOptions(t *testing.T) {
	opts, err := ParseOptions("reasons", "too_expensive: Too dear\r\n\n other : Something else \n")
	if err != nil || len(opts) != 2 || opts[1] != (Option{"other", "Something else"}) {
		t.Fatalf("%+v %v", opts, err)
	}
	if back, _ := ParseOptions("reasons", FormatOptions(opts)); len(back) != 2 || back[0] != opts[0] {
		t.Errorf("format round trip: %+v", back)
	}
	for _, text := range []string{"", "no colon here", "Bad Code: x", "a: x\na: y", "a:   "} {
		var fe *errs.FieldError
		if _, err := ParseOptions("liked", text); !errors.As(err, &fe) || fe.Field != "liked" {
			t.Errorf("%q: %v", text, err)
		}
	}
	if err := Defaults().Validate(); err != nil {
		t.Error(err)
	}
}
