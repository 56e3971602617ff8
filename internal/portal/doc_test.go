package portal_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/portal"
)

// docBlock returns the fenced code block after <!-- name --> in docs/portal-sso.md.
func docBlock(t *testing.T, doc, name string) string {
	t.Helper()
	m := regexp.MustCompile("(?s)<!-- " + regexp.QuoteMeta(name) + " -->\n```[a-z]*\n(.*?)\n```").FindStringSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/portal-sso.md has no %s block", name)
	}
	return m[1]
}

// TestDocExampleToken checks the worked example in docs/portal-sso.md step by step,
// so the document integrators copy from cannot drift from what the portal accepts.
func TestDocExampleToken(t *testing.T) {
	raw, err := os.ReadFile("../../docs/portal-sso.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	secret := docBlock(t, doc, "example-secret")
	header := docBlock(t, doc, "example-header")
	claims := docBlock(t, doc, "example-claims")
	input := docBlock(t, doc, "example-signing-input")
	sig := docBlock(t, doc, "example-signature")
	tok := docBlock(t, doc, "example-token")

	b64 := base64.RawURLEncoding
	if want := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(claims)); input != want {
		t.Fatalf("signing input is wrong:\n got %s\nwant %s", input, want)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(input))
	if want := b64.EncodeToString(m.Sum(nil)); sig != want {
		t.Fatalf("signature is wrong: got %s want %s", sig, want)
	}
	if tok != input+"."+sig {
		t.Fatal("token is not signing input . signature")
	}

	issued := time.Unix(1767225600, 0)
	c, err := portal.VerifyToken(tok, secret, issued.Add(time.Minute))
	if err != nil {
		t.Fatalf("the example is refused at its issue time: %v", err)
	}
	if c.Email != "ann@acme.com" || c.Name != "Ann Lee" || c.ExternalID != "user_8812" || c.AccountExternalID != "acct_acme" || c.Company != "Acme Inc." {
		t.Fatalf("claims: %+v", c)
	}
	if _, err := portal.VerifyToken(tok, secret, issued.Add(10*time.Minute)); err == nil {
		t.Fatal("the example is accepted after it expired")
	}
	if len(secret) < portal.MinSSOSecretLen {
		t.Fatal("the example secret is shorter than closeloop accepts")
	}
	// The snippets make tokens the way the steps describe.
	for _, block := range []string{"example-go", "example-node"} {
		code := docBlock(t, doc, block)
		for _, must := range []string{`"alg":"HS256"`, "closeloop-portal", "/portal/sso?token="} {
			if !strings.Contains(strings.ReplaceAll(strings.ReplaceAll(code, " ", ""), `alg:"HS256"`, `"alg":"HS256"`), strings.ReplaceAll(must, " ", "")) {
				t.Errorf("%s lacks %s", block, must)
			}
		}
	}
}
