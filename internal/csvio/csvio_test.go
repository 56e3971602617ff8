package csvio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

const goodAccounts = `external_id,name,domain,plan,seats,tier,stage,owner_email,signup_date,cab,mrr,currency,traits.region
acme,Acme Inc,acme.com,pro,25,strategic,active,csm@team.io,2025-02-01,yes,1200.50,USD,emea
globex,Globex,globex.com,starter,3,standard,trial,,2025-06-15,no,,,
initech,Initech,initech.io,growth,10,important,onboarding,csm@team.io,,,450,EUR,amer
`

func TestImportAccountsAllOrNothing(t *testing.T) {
	bad := []badFile{
		{"wrong type", strings.Replace(goodAccounts, "globex.com,starter,3,", "globex.com,starter,three,", 1), 3, "seats"},
		{"unknown column", strings.Replace(goodAccounts, "traits.region", "colour", 1), 1, "colour"},
		{"duplicate external id", strings.Replace(goodAccounts, "initech,Initech", "acme,Initech", 1), 4, "external_id"},
		{"bad date", strings.Replace(goodAccounts, "2025-06-15", "15/06/2025", 1), 3, "signup_date"},
		{"bad tier (checked by the store)", strings.Replace(goodAccounts, "important", "gold", 1), 4, "tier"},
		{"unknown owner (checked by the store)", strings.Replace(goodAccounts, "growth,10,important,onboarding,csm@team.io", "growth,10,important,onboarding,nobody@team.io", 1), 4, "owner_email"},
		{"ragged row", strings.Replace(goodAccounts, ",emea", "", 1), 2, ""},
		{"bad quoting", strings.Replace(goodAccounts, "Acme Inc", `Acme "Inc`, 1), 2, ""},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		csm := auth.Member{Email: "csm@team.io", Name: "Casey", Role: auth.RoleMember}
		storetest.Members(t, s, &csm)
		wantRefused(t, bad, func(r io.Reader) error {
			_, err := csvio.ImportAccounts(ctx, s, r)
			return err
		}, func() int {
			n, _ := s.CountAccounts(ctx)
			return n
		}, "accounts")
		res, err := csvio.ImportAccounts(ctx, s, strings.NewReader(goodAccounts))
		if err != nil || res.Created != 3 {
			t.Fatalf("good file: %+v %v", res, err)
		}
		acme, err := s.GetAccountByExternalID(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if acme.MRR != 120050 || acme.Currency != "USD" || acme.OwnerID != csm.ID || !acme.CAB || string(acme.Traits) != `{"region":"emea"}` {
			t.Fatalf("acme imported as %+v", acme)
		}
		res, err = csvio.ImportAccounts(ctx, s, strings.NewReader(goodAccounts))
		if err != nil || res.Created != 0 || res.Updated != 0 || res.Unchanged != 3 {
			t.Fatalf("second import changed something: %+v %v", res, err)
		}
		movements, err := s.ListMovements(ctx, store.MovementFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(movements) != 2 {
			t.Fatalf("movements after two imports: %d, want 2", len(movements))
		}
		// Export, then import the export: nothing changes.
		var buf bytes.Buffer
		if n, err := csvio.ExportAccounts(ctx, s, &buf); err != nil || n != 3 {
			t.Fatalf("export: %d %v", n, err)
		}
		res, err = csvio.ImportAccounts(ctx, s, bytes.NewReader(buf.Bytes()))
		if err != nil || res.Unchanged != 3 {
			t.Fatalf("re-importing the export: %+v %v\n%s", res, err, buf.String())
		}
	})
}

const goodPeople = `email,name,title,champion,account_external_id,external_id
ann@acme.com,Ann Lee,VP Ops,yes,acme,u-1
bo@acme.com,Bo Diaz,,no,acme,
`

func TestImportPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := csvio.ImportAccounts(ctx, s, strings.NewReader("external_id,name\nacme,Acme\n")); err != nil {
			t.Fatal(err)
		}
		_, err := csvio.ImportPeople(ctx, s, strings.NewReader(strings.Replace(goodPeople, ",acme,\n", ",nope,\n", 1)))
		if !errorAt(err, 3, "account_external_id") {
			t.Fatalf("unknown account: %v", err)
		}
		_, err = csvio.ImportPeople(ctx, s, strings.NewReader(strings.Replace(goodPeople, "bo@acme.com", "bo-at-acme", 1)))
		if !errorAt(err, 3, "email") {
			t.Fatalf("bad email: %v", err)
		}
		if ps, _, _ := s.ListPeople(ctx, store.PersonFilter{}); len(ps) != 0 {
			t.Fatal("failed import wrote people")
		}
		res, err := csvio.ImportPeople(ctx, s, strings.NewReader(goodPeople))
		if err != nil || res.Created != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		res, err = csvio.ImportPeople(ctx, s, strings.NewReader(goodPeople))
		if err != nil || res.Unchanged != 2 {
			t.Fatalf("second: %+v %v", res, err)
		}
		var buf bytes.Buffer
		csvio.ExportPeople(ctx, s, &buf)
		res, err = csvio.ImportPeople(ctx, s, &buf)
		if err != nil || res.Unchanged != 2 {
			t.Fatalf("export round trip: %+v %v", res, err)
		}
	})
}

func FuzzParseAccounts(f *testing.F) {
	fuzzParse(f, csvio.ParseAccounts, func(t *testing.T, p account.AccountPatch) {
		if p.ExternalID == "" {
			t.Fatal("patch without external id")
		}
	}, goodAccounts, "external_id\n\"", "external_id,mrr,currency\nx,1.5,JPY\n")
}

func FuzzParsePeople(f *testing.F) {
	fuzzParse(f, csvio.ParsePeople, func(*testing.T, account.PersonPatch) {}, goodPeople, "email\n\n")
}

// fuzzParse holds parse to what every parser promises: a refusal names a line, and
// each row read has its line; check is what this parser promises of a row.
func fuzzParse[T any](f *testing.F, parse func(io.Reader) ([]T, []int, error), check func(*testing.T, T), seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rows, lines, err := parse(strings.NewReader(in))
		if err != nil {
			if !namesLine(err) {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		if len(rows) != len(lines) {
			t.Fatal("lines do not match patches")
		}
		for _, r := range rows {
			check(t, r)
		}
	})
}

// errorAt reports whether err is an import refusal naming line and column.
func errorAt(err error, line int, column string) bool {
	var ce *csvio.Error
	return errors.As(err, &ce) && ce.Line == line && ce.Column == column
}

// namesLine reports whether err is an import refusal naming a line, as every refusal must.
func namesLine(err error) bool {
	var ce *csvio.Error
	return errors.As(err, &ce) && ce.Line >= 1
}
