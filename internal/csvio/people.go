package csvio

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/mail"
	"sort"
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
	for i := range t.rows {
		line := t.lines[i]
		fail := func(col, format string, args ...any) error {
			return &Error{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
		}
		var p account.PersonPatch
		ext, hasE := t.cell(i, "external_id")
		email, hasM := t.cell(i, "email")
		if !hasE && !hasM {
			return nil, nil, fail("email", "an email or an external_id is required")
		}
		if hasM {
			email = strings.ToLower(email)
			if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
				return nil, nil, fail("email", "%q is not an email address", email)
			}
			p.Email = &email
		}
		key, col := "e:"+email, "email"
		if hasE {
			key, col = "x:"+ext, "external_id"
			p.ExternalID = ext
		}
		if first, dup := seen[key]; dup {
			return nil, nil, fail(col, "%q is also on line %d", strings.TrimPrefix(strings.TrimPrefix(key, "x:"), "e:"), first)
		}
		seen[key] = line
		if v, ok := t.cell(i, "name"); ok {
			p.Name = &v
		}
		if v, ok := t.cell(i, "title"); ok {
			p.Title = &v
		}
		if v, ok := t.cell(i, "account_external_id"); ok {
			p.AccountExternalID = &v
		}
		if v, ok := t.cell(i, "champion"); ok {
			b, err := parseBool(v)
			if err != nil {
				return nil, nil, fail("champion", "%q is not yes/no or true/false", v)
			}
			p.Champion = &b
		}
		p.Traits = t.traits(i)
		patches = append(patches, p)
		lines = append(lines, line)
	}
	return patches, lines, nil
}

// ImportPeople parses r and upserts every row in one transaction.
func ImportPeople(ctx context.Context, s *store.Store, r io.Reader) (account.UpsertResult, error) {
	patches, lines, err := ParsePeople(r)
	if err != nil {
		return account.UpsertResult{}, err
	}
	if len(patches) == 0 {
		return account.UpsertResult{}, &Error{Line: 2, Msg: "no rows to import"}
	}
	res, err := s.UpsertPeople(ctx, patches)
	if err != nil {
		return res, fromRowError(err, lines, func(f string) string {
			if f == "account_id" {
				return "account_external_id"
			}
			return f
		})
	}
	return res, nil
}

// ExportPeople writes every person as CSV, in the import format.
func ExportPeople(ctx context.Context, s *store.Store, w io.Writer) (int, error) {
	accExt := map[string]string{}
	var all []account.Person
	after := ""
	traitSet := map[string]bool{}
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
			var tr map[string]any
			json.Unmarshal(p.Traits, &tr)
			for k := range tr {
				traitSet[k] = true
			}
		}
		all = append(all, items...)
		if next == "" {
			break
		}
		after = next
	}
	var traitCols []string
	for k := range traitSet {
		traitCols = append(traitCols, k)
	}
	sort.Strings(traitCols)
	cw := csv.NewWriter(w)
	header := append([]string(nil), personColumns...)
	for _, k := range traitCols {
		header = append(header, "traits."+k)
	}
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
