package csvio

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/store"
)

// accountColumns are the account CSV columns, in export order. mrr is in major units
// of currency ("1234.50"); owner_email names a team member; traits.<name> columns
// become string traits.
var accountColumns = []string{"external_id", "name", "domain", "plan", "seats", "company_size", "tier", "icp_fit",
	"stage", "owner_email", "signup_date", "goal", "cab", "mrr", "currency"}

var knownAccount = set(map[string]bool{}, accountColumns)

// ParseAccounts reads an account CSV into patches, checking every cell it can check
// without the database. lines[i] is the source line of patches[i].
func ParseAccounts(r io.Reader) (patches []account.AccountPatch, lines []int, err error) {
	t, err := readTable(r, knownAccount, []string{"external_id"}, true)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]int{}
	return parseRows(t, func(i int, fail rowFail) (account.AccountPatch, error) {
		var p account.AccountPatch
		ext, ok := t.cell(i, "external_id")
		if !ok {
			return p, fail("external_id", "is required")
		}
		if first, dup := seen[ext]; dup {
			return p, fail("external_id", "%q is also on line %d", ext, first)
		}
		seen[ext] = t.lines[i]
		p.ExternalID = ext
		str := func(col string, dst **string) {
			if v, ok := t.cell(i, col); ok {
				*dst = &v
			}
		}
		str("name", &p.Name)
		str("domain", &p.Domain)
		str("plan", &p.Plan)
		str("tier", &p.Tier)
		str("owner_email", &p.OwnerEmail)
		str("goal", &p.Goal)
		for _, c := range []struct {
			col string
			dst **int
		}{{"seats", &p.Seats}, {"company_size", &p.CompanySize}} {
			if v, ok := t.cell(i, c.col); ok {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return p, fail(c.col, "%q is not a whole number", v)
				}
				*c.dst = &n
			}
		}
		if v, ok := t.cell(i, "icp_fit"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				return p, fail("icp_fit", "%q is not a whole number from 0 to 100", v)
			}
			np := &n
			p.ICPFit = &np
		}
		if v, ok := t.cell(i, "stage"); ok {
			st := account.Stage(strings.ReplaceAll(strings.ToLower(v), " ", "_"))
			if !st.Valid() {
				return p, fail("stage", "%q is not one of trial, onboarding, active, at_risk, churned", v)
			}
			p.Stage = &st
		}
		if v, ok := t.cell(i, "signup_date"); ok {
			if !account.ValidDate(v) {
				return p, fail("signup_date", "%q is not a date in the form YYYY-MM-DD", v)
			}
			p.SignupDate = &v
		}
		var err error
		if p.CAB, err = t.boolean(i, "cab", fail); err != nil {
			return p, err
		}
		cur, hasCur := t.cell(i, "currency")
		if hasCur {
			cur = strings.ToUpper(cur)
			if len(cur) != 3 {
				return p, fail("currency", "%q is not a three-letter code such as USD", cur)
			}
			p.Currency = &cur
		}
		if v, ok := t.cell(i, "mrr"); ok {
			c := cur
			if c == "" {
				c = "USD" // only decides decimal places; the store refuses a missing currency for new revenue
			}
			n, err := money.ParseMajor(v, c)
			if err != nil {
				return p, fail("mrr", "%s", err) // names the bound (money.MaxAmount) when it is passed
			}
			if n < 0 {
				return p, fail("mrr", "%q is not an amount such as 1234.50", v)
			}
			p.MRR = &n
		}
		p.Traits = t.traits(i)
		return p, nil
	})
}

// ImportAccounts parses r and upserts every row in one transaction.
func ImportAccounts(ctx contextT, s *store.Store, r io.Reader) (account.UpsertResult, error) {
	return importRows(ctx, r, ParseAccounts, s.UpsertAccounts, func(f string) string {
		switch f {
		case "owner_id":
			return "owner_email"
		case "traits":
			return "traits.*"
		}
		return f
	})
}

// ExportAccounts writes every account as CSV, in the import format. Traits become
// traits.<name> columns (the union over all accounts).
func ExportAccounts(ctx contextT, s *store.Store, w io.Writer) (int, error) {
	members, err := s.ListMembers(ctx)
	if err != nil {
		return 0, err
	}
	email := map[string]string{}
	for _, m := range members {
		email[m.ID] = m.Email
	}
	var all []store.AccountRow
	f := store.AccountFilter{Sort: "created", Limit: 500}
	traitSet := traitColumns{}
	for {
		page, err := s.ListAccounts(ctx, f)
		if err != nil {
			return 0, err
		}
		for _, a := range page.Items {
			traitSet.add(a.Traits)
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	header, traitCols := traitSet.header(accountColumns)
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, a := range all {
		icp := ""
		if a.ICPFit != nil {
			icp = strconv.Itoa(*a.ICPFit)
		}
		mrr := ""
		if a.Currency != "" {
			mrr = money.FormatMajor(a.MRR, a.Currency)
		}
		rec := []string{a.ExternalID, a.Name, a.Domain, a.Plan, strconv.Itoa(a.Seats), strconv.Itoa(a.CompanySize), a.Tier, icp,
			string(a.Stage), email[a.OwnerID], a.SignupDate, a.Goal, strconv.FormatBool(a.CAB), mrr, a.Currency}
		var tr map[string]any
		json.Unmarshal(a.Traits, &tr)
		for _, k := range traitCols {
			v := ""
			if x, ok := tr[k]; ok {
				if s, ok := x.(string); ok {
					v = s
				} else {
					b, _ := json.Marshal(x)
					v = string(b)
				}
			}
			rec = append(rec, v)
		}
		if err := cw.Write(defuse(rec)); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	return len(all), cw.Error()
}
