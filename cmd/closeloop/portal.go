package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/portal"
)

func runPortal(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "sso-secret" {
		return fmt.Errorf("usage: closeloop portal sso-secret [--rotate | --disable]")
	}
	var rotate, disable bool
	s, _, _, err := openCommand(ctx, "portal sso-secret [flags]", `Shows whether customer-portal single sign-on is on. --rotate makes a new shared
secret and prints it once (the host product signs its HS256 tokens with it; see
docs/portal-sso.md); the old one stops working at once. --disable turns SSO off.`, args[1:], func(fs *flag.FlagSet) {
		fs.BoolVar(&rotate, "rotate", false, "make and print a new secret")
		fs.BoolVar(&disable, "disable", false, "turn single sign-on off")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case disable:
		if err := portal.SaveSSOSecret(ctx, s, ""); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "portal single sign-on is off")
	case rotate:
		secret := portal.GenerateSSOSecret()
		if err := portal.SaveSSOSecret(ctx, s, secret); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "SSO secret: %s\nStore it in the host product now: it is not shown again.\n", secret)
	default:
		cur, err := portal.LoadSSOSecret(ctx, s)
		if err != nil {
			return err
		}
		if cur == "" {
			fmt.Fprintln(stdout, "portal single sign-on is off; run with --rotate to turn it on")
		} else {
			fmt.Fprintln(stdout, "portal single sign-on is on; --rotate replaces the secret, --disable turns it off")
		}
	}
	return nil
}
