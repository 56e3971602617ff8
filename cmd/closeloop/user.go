package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/closeloop/closeloop/internal/auth"
)

func runUser(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		return fmt.Errorf("usage: closeloop user create --email E --name N [--role admin|member|viewer] [--password P] | closeloop user list")
	}
	var email, name, role, password string
	s, _, _, err := openCommand(ctx, "user "+args[0]+" [flags]", `user create adds a team member who can sign in to the web UI. Without --password a
random one is generated and printed once. user list shows the team.`, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email address (required for create)")
		fs.StringVar(&name, "name", "", "display name")
		fs.StringVar(&role, "role", "member", "admin, member or viewer")
		fs.StringVar(&password, "password", "", "initial password, at least 10 characters (generated when empty)")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	if args[0] == "list" {
		ms, err := s.ListMembers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tDISABLED")
		for _, m := range ms {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", m.Email, m.Name, m.Role, m.Disabled)
		}
		return tw.Flush()
	}
	if email == "" {
		return fmt.Errorf("user create: --email is required")
	}
	generated := password == ""
	if generated {
		password = auth.NewPassword()
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("user create: --password: %w", err)
	}
	m := auth.Member{Email: email, Name: name, Role: auth.Role(role), PasswordHash: hash}
	if err := s.CreateMember(ctx, &m); err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	fmt.Fprintf(stdout, "created %s (%s)\n", m.Email, m.Role)
	if generated {
		fmt.Fprintf(stdout, "Password: %s\n", password)
	}
	return nil
}
