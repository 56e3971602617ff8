package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/closeloop/closeloop/internal/auth"
)

func runAPIKey(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list" && args[0] != "revoke") {
		return fmt.Errorf("usage: closeloop apikey create --name N --scopes read,write [--owner EMAIL] | apikey list | apikey revoke --id ID")
	}
	var name, scopes, keyID, owner string
	s, _, _, err := openCommand(ctx, "apikey "+args[0]+" [flags]", `apikey create makes an API key for the JSON API and prints it once: only its hash is
stored. Scopes: read, write, ingest, admin (admin grants everything; write does not
imply read). --owner names the team member the key acts for: disabling that member
suspends the key at once, as for keys made in Settings. A key without an owner is a
service key that only revoking stops. apikey list shows keys; apikey revoke stops one.`, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "what the key is for (required for create)")
		fs.StringVar(&scopes, "scopes", "read", "comma-separated scopes")
		fs.StringVar(&keyID, "id", "", "key id (revoke)")
		fs.StringVar(&owner, "owner", "", "email of the team member the key acts for (create)")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	switch args[0] {
	case "list":
		keys, err := s.ListAPIKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		members, err := s.ListMembers(ctx)
		if err != nil {
			return err
		}
		emails := map[string]string{}
		for _, m := range members {
			emails[m.ID] = m.Email
		}
		fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tSCOPES\tOWNER\tSTATE")
		for _, k := range keys {
			var sc []string
			for _, x := range k.Scopes {
				sc = append(sc, string(x))
			}
			who := "(service key)"
			if k.CreatedBy != "" {
				who = emails[k.CreatedBy]
			}
			state := "active"
			switch {
			case k.Revoked:
				state = "revoked"
			case k.Suspended:
				state = "suspended (owner disabled)"
			}
			fmt.Fprintf(tw, "%s\t%s\tcl_%s_…\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, strings.Join(sc, ","), who, state)
		}
		return tw.Flush()
	case "revoke":
		if keyID == "" {
			return fmt.Errorf("apikey revoke: --id is required (see apikey list)")
		}
		if err := s.RevokeAPIKey(ctx, keyID); err != nil {
			return fmt.Errorf("apikey revoke: %w", err)
		}
		fmt.Fprintln(stdout, "revoked", keyID)
		return nil
	}
	sc, err := auth.ParseScopes(scopes)
	if err != nil {
		return fmt.Errorf("apikey create: --scopes: %w", err)
	}
	ownerID := ""
	if owner != "" {
		m, err := s.GetMemberByEmail(ctx, strings.TrimSpace(owner))
		if err != nil {
			return fmt.Errorf("apikey create: --owner %q: no team member with that email", owner)
		}
		if m.Disabled {
			return fmt.Errorf("apikey create: --owner %q is disabled", owner)
		}
		ownerID = m.ID
	}
	_, secret, err := s.CreateAPIKey(ctx, name, sc, ownerID)
	if err != nil {
		return fmt.Errorf("apikey create: %w", err)
	}
	fmt.Fprintf(stdout, "API key: %s\n", secret)
	fmt.Fprintln(stdout, "Store it now: it is not shown again.")
	return nil
}
