package main_test

import (
	"context"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// A key made with the CLI for a team member is suspended when that member is
// disabled, exactly like a key made in Settings; a key without --owner is a service
// key, and the list says which is which.
func TestAPIKeyCommandOwner(t *testing.T) {
	eachBinary(t, "warn", func(t *testing.T, b binaryDB) {
		e := b.env
		ctx := context.Background()
		st := b.migrated(t)
		m := auth.Member{Email: "ops@example.com", Name: "Ops", Role: auth.RoleMember}
		storetest.Members(t, st, &m)

		if out, err := run(t, e, "", "apikey", "create", "--name", "x", "--owner", "nobody@example.com"); err == nil || !strings.Contains(out, "no team member with that email") {
			t.Fatalf("unknown owner: %v\n%s", err, out)
		}
		secret := apiKey(t, e, "--name", "deploy", "--scopes", "read", "--owner", "ops@example.com")
		mustRun(t, e, "apikey", "create", "--name", "cron", "--scopes", "read")

		out := mustRun(t, e, "apikey", "list")
		if !lineWith(out, "deploy", "ops@example.com", "active") || !lineWith(out, "cron", "(service key)", "active") {
			t.Fatalf("apikey list before disabling:\n%s", out)
		}
		if _, err := st.AuthenticateAPIKey(ctx, secret); err != nil {
			t.Fatalf("owned key refused while its owner is active: %v", err)
		}

		m.Disabled = true
		if err := st.UpdateMember(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AuthenticateAPIKey(ctx, secret); err == nil {
			t.Fatal("a disabled member's CLI key still authenticates")
		}
		out = mustRun(t, e, "apikey", "list")
		if !lineWith(out, "deploy", "suspended (owner disabled)") || !lineWith(out, "cron", "active") {
			t.Fatalf("apikey list after disabling:\n%s", out)
		}
		if out, err := run(t, e, "", "apikey", "create", "--name", "y", "--owner", "ops@example.com"); err == nil || !strings.Contains(out, "is disabled") {
			t.Fatalf("disabled owner: %v\n%s", err, out)
		}
	})
}

// lineWith reports whether one line of out contains every one of want.
func lineWith(out string, want ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		all := true
		for _, w := range want {
			all = all && strings.Contains(l, w)
		}
		if all {
			return true
		}
	}
	return false
}
