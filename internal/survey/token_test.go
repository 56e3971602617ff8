package survey

import (
	"errors"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

func hasField(err error, field string) bool {
	var fe *errs.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := Token(key, "send-1", 9)
	id, score, err := ParseToken(key, tok)
	if err != nil || id != "send-1" || score != 9 {
		t.Fatalf("round trip: %q %d %v", id, score, err)
	}
	payload, sig, _ := strings.Cut(tok, ".")
	other := Token(key, "send-1", 0)
	otherPayload, _, _ := strings.Cut(other, ".")
	for name, bad := range map[string]string{
		"score swapped into the payload": otherPayload + "." + sig,
		"signature of another score":     payload + "." + strings.SplitN(other, ".", 2)[1],
		"other key":                      Token([]byte("another key, also 32 bytes long!"), "send-1", 9),
		"signature cut":                  tok[:len(tok)-2],
		"no signature":                   payload,
		"empty":                          "",
		"too long":                       tok + strings.Repeat("A", 600),
	} {
		if _, _, err := ParseToken(key, bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
}

func TestEmailEscapes(t *testing.T) {
	_, text, html, err := Email(EmailFields{Kind: NPS, Question: `Rate <script>alert(1)</script>`, FirstName: `"><img src=x onerror=alert(1)>`,
		Links: []Link{{0, "https://cl.example.com/survey/a"}, {10, "https://cl.example.com/survey/b"}}, UnsubscribeURL: "https://cl.example.com/unsubscribe/x"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<img") || !strings.Contains(html, "&lt;script&gt;") {
		t.Fatalf("markup got through: %s", html)
	}
	if !strings.Contains(text, "0 (Not at all likely): https://cl.example.com/survey/a") || !strings.Contains(text, "10 (Extremely likely): https://cl.example.com/survey/b") {
		t.Fatalf("text: %s", text)
	}
}
