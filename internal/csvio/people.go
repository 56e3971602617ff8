package csvio

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/mail"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/store"
)

type contextT = context.Context

// personColumns are the people CSV columns, in export order.
var personColumns = []string{"external_id", "email", "name", "title", "champion", "account_external_id"}

var knownPerson = set(map[string]bool{}, personColumns)

// ParsePeople reads a people CSV into patches. A person needs an email or an external id.
func ParsePeople(r io.Reader) (patches []account.PersonPatch, lines []int, err error) {
	t, err := readTable(r, knownPerson, nil, true)
	if err != nil {
		return nil, nil, err
	}
	_, hasEmail := t.index["email"]
	_, hasExt := t.index["external_id"]
	if !hasEmail && !hasExt {
		return nil, nil, &Error{Line: 1, Column: "email", Msg: "an email or an external_id column is required"}
	}
	seen := map[string]int{}
	return parseRows(t, func(i int, fail rowFail) (account.PersonPatch, error) {
		var p account.PersonPatch
		ext, hasE := t.cell(i, "external_id")
		email, hasM := t.cell(i, "email")
		if !hasE && !hasM {
			return p, fail("email", "an email or an external_id is required")
		}
		if hasM {
			email = strings.ToLower(email)
			if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
				return p, fail("email", "%q is not an email address", email)
			}
			p.Email = &email
		}
		key, col := "e:"+email, "email"
		if hasE {
			key, col = "x:"+ext, "external_id"
			p.ExternalID = ext
		}
		if first, dup := seen[key]; dup {
			return p, fail(col, "%q is also on line %d", strings.TrimPrefix(strings.TrimPrefix(key, "x:"), "e:"), first)
		}
		seen[key] = t.lines[i]
		if v, ok := t.cell(i, "name"); ok {
			p.Name = &v
		}
		if v, ok := t.cell(i, "title"); ok {
			p.Title = &v
		}
		if v, ok := t.cell(i, "account_external_id"); ok {
			p.AccountExternalID = &v
		}
		var err error
		if p.Champion, err = t.boolean(i, "champion", fail); err != nil {
			return p, err
		}
		p.Traits = t.traits(i)
		return p, nil
	})
}

// ImportPeople parses r and upserts every row in one transaction.
func ImportPeople(ctx context.Context, s *store.Store, r io.Reader) (account.UpsertResult, error) {
	return importRows(ctx, r, ParsePeople, s.UpsertPeople, func(f string) string {
		if f == "account_id" {
			return "account_external_id"
		}
		return f
	})
}

// ExportPeople writes every person as CSV, in the import format.
func ExportPeople(ctx context.Context, s *store.Store, w io.Writer) (int, error) {
	accExt := map[string]string{}
	var all []account.Person
	after := ""
	traitSet := traitColumns{}
	for {
		items, next, err := s.ListPeople(ctx, store.PersonFilter{After: after, Limit: 500})
		if err != nil {
			return 0, err
		}
		for _, p := range items {
			if _, ok := accExt[p.AccountID]; !ok && p.AccountID != "" {
				a, err := s.GetAccount(ctx, p.AccountID)
				if err != nil {
					return 0, err
				}
				accExt[p.AccountID] = a.ExternalID
			}
			traitSet.add(p.Traits)
		}
		all = append(all, items...)
		if next == "" {
			break
		}
		after = next
	}
	header, traitCols := traitSet.header(personColumns)
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, p := range all {
		rec := []string{p.ExternalID, p.Email, p.Name, p.Title, strconv.FormatBool(p.Champion), accExt[p.AccountID]}
		var tr map[string]any
		json.Unmarshal(p.Traits, &tr)
		for _, k := range traitCols {
			v, _ := tr[k].(string)
			rec = append(rec, v)
		}
		cw.Write(defuse(rec))
	}
	cw.Flush()
	return len(all), cw.Error()
}
