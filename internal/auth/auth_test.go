package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Fatal("right password refused")
	}
	if CheckPassword(h, "correct horse batterY") || CheckPassword(h, "") || CheckPassword("garbage", "x") {
		t.Fatal("wrong password accepted")
	}
	if _, err := HashPassword("short"); err != ErrBadPassword {
		t.Fatalf("short password: %v", err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("hash is not salted")
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		have, need Role
		want       bool
	}{
		{RoleAdmin, RoleAdmin, true}, {RoleAdmin, RoleMember, true}, {RoleAdmin, RoleViewer, true},
		{RoleMember, RoleAdmin, false}, {RoleMember, RoleMember, true}, {RoleMember, RoleViewer, true},
		{RoleViewer, RoleAdmin, false}, {RoleViewer, RoleMember, false}, {RoleViewer, RoleViewer, true},
		{"", RoleViewer, false}, {"root", RoleViewer, false},
	}
	for _, c := range cases {
		if got := c.have.AtLeast(c.need); got != c.want {
			t.Errorf("%q.AtLeast(%q) = %v", c.have, c.need, got)
		}
	}
}

func TestScopes(t *testing.T) {
	if _, err := ParseScopes("read, bogus"); err == nil {
		t.Fatal("bogus scope accepted")
	}
	s, err := ParseScopes("write,ingest")
	if err != nil {
		t.Fatal(err)
	}
	if Grants(s, ScopeRead) || !Grants(s, ScopeWrite) || !Grants(s, ScopeIngest) || Grants(s, ScopeAdmin) {
		t.Fatalf("grants wrong for %v", s)
	}
	if !Grants([]Scope{ScopeAdmin}, ScopeRead) {
		t.Fatal("admin must grant read")
	}
}

func TestAPIKeyFormat(t *testing.T) {
	key, prefix, hash := NewAPIKey()
	if APIKeyPrefix(key) != prefix || HashToken(key) != hash || strings.Contains(hash, key) {
		t.Fatalf("key=%q prefix=%q", key, prefix)
	}
	for _, bad := range []string{"", "cl_", "cl__x", "Bearer x", "xx_abc_def"} {
		if APIKeyPrefix(bad) != "" {
			t.Errorf("prefix of %q should be empty", bad)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(3, time.Minute)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if !l.Allow("ip") {
			t.Fatalf("request %d refused inside the burst", i)
		}
	}
	if l.Allow("ip") {
		t.Fatal("4th request allowed")
	}
	if !l.Allow("other") {
		t.Fatal("keys are not independent")
	}
	now = now.Add(time.Minute)
	if !l.Allow("ip") || l.Allow("ip") {
		t.Fatal("one token should refill per minute")
	}
}

// An unreadable hash costs one real derivation (against the dummy hash) and never
// matches, so it is as slow as a real check; see TestSignInDoesOnePasswordCheckWhoeverAsks.
func TestCheckPasswordAlwaysDerivesOneKey(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		hash, pw string
		ok       bool
	}{
		{h, "correct horse battery", true},
		{h, "wrong", false},
		{"", "correct horse battery", false},
		{"$argon2id$v=19$garbage", "x", false},
		{dummyHash, "not-a-real-password-ever", true},
	} {
		before := PasswordChecks()
		if got := CheckPassword(c.hash, c.pw); got != c.ok {
			t.Errorf("CheckPassword(%q, %q) = %v, want %v", c.hash, c.pw, got, c.ok)
		}
		if n := PasswordChecks() - before; n != 1 {
			t.Errorf("CheckPassword(%q): %d derivations, want 1", c.hash, n)
		}
	}
}
