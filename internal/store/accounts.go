package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
)

const accountCols = `a.id, a.external_id, a.name, a.domain, a.plan, a.seats, a.company_size, a.tier, a.icp_fit,
	a.stage, COALESCE(a.owner_id, ''), COALESCE(m.name, ''), a.signup_date, a.goal, a.traits, a.cab, a.mrr, a.currency,
	a.renewal_date, a.created_at, a.updated_at`

const accountFrom = ` FROM accounts a LEFT JOIN team_members m ON m.id = a.owner_id`

// AccountRow is an account with what lists show next to it.
type AccountRow struct {
	account.Account
	OwnerName   string `json:"owner_name"`
	RenewalDate string `json:"renewal_date"`
}

func scanAccount(sc interface{ Scan(...any) error }) (AccountRow, error) {
	var a AccountRow
	var icp sql.NullInt64
	var traits string
	var created, updated int64
	err := sc.Scan(&a.ID, &a.ExternalID, &a.Name, &a.Domain, &a.Plan, &a.Seats, &a.CompanySize, &a.Tier, &icp,
		&a.Stage, &a.OwnerID, &a.OwnerName, &a.SignupDate, &a.Goal, &traits, &a.CAB, &a.MRR, &a.Currency,
		&a.RenewalDate, &created, &updated)
	if err != nil {
		return a, fmt.Errorf("scan account: %w", err)
	}
	if icp.Valid {
		v := int(icp.Int64)
		a.ICPFit = &v
	}
	a.Traits = json.RawMessage(traits)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return a, nil
}

func searchKey(a *account.Account) string {
	return strings.ToLower(a.Name + " " + a.Domain + " " + a.ExternalID)
}

func icpValue(v *int) any {
	if v == nil {
		return nil
	}
	return *v
}

// prepareAccount normalises and validates, and checks the owner exists.
func (s *Store) prepareAccount(ctx context.Context, q q, a *account.Account) error {
	a.Normalize(s.Tiers)
	if err := a.Validate(s.Tiers); err != nil {
		return err
	}
	if a.OwnerID == "" {
		return nil
	}
	return refersTo(ctx, q, "owner_id", "team_members", "team member", a.OwnerID)
}

func (s *Store) insertAccount(ctx context.Context, q q, a *account.Account) error {
	if err := s.prepareAccount(ctx, q, a); err != nil {
		return fmt.Errorf("insert account: %w", err)
	}
	now := s.Now()
	if a.ID == "" {
		a.ID = id.NewAt(now)
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	a.UpdatedAt = now
	_, err := q.exec(ctx, `INSERT INTO accounts (id, external_id, name, name_sort, domain, plan, seats, company_size, tier, icp_fit,
		stage, owner_id, signup_date, goal, traits, cab, search, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.ExternalID, a.Name, strings.ToLower(a.Name), a.Domain, a.Plan, a.Seats, a.CompanySize, a.Tier, icpValue(a.ICPFit),
		string(a.Stage), nullable(a.OwnerID), a.SignupDate, a.Goal, string(a.Traits), a.CAB, searchKey(a), ms(a.CreatedAt), ms(a.UpdatedAt))
	if s.d.isUnique(err) {
		return errs.Invalidf("external_id", "%q is already used by another account", a.ExternalID)
	}
	return wrapf(err, "insert account")
}

func (s *Store) updateAccount(ctx context.Context, q q, a *account.Account) error {
	if err := s.prepareAccount(ctx, q, a); err != nil {
		return fmt.Errorf("update account: %w", err)
	}
	a.UpdatedAt = s.Now()
	res, err := q.exec(ctx, `UPDATE accounts SET external_id = ?, name = ?, name_sort = ?, domain = ?, plan = ?, seats = ?,
		company_size = ?, tier = ?, icp_fit = ?, stage = ?, owner_id = ?, signup_date = ?, goal = ?, traits = ?, cab = ?,
		search = ?, updated_at = ? WHERE id = ?`,
		a.ExternalID, a.Name, strings.ToLower(a.Name), a.Domain, a.Plan, a.Seats, a.CompanySize, a.Tier, icpValue(a.ICPFit),
		string(a.Stage), nullable(a.OwnerID), a.SignupDate, a.Goal, string(a.Traits), a.CAB, searchKey(a), ms(a.UpdatedAt), a.ID)
	if s.d.isUnique(err) {
		return errs.Invalidf("external_id", "%q is already used by another account", a.ExternalID)
	}
	return wrapf(changed(res, err), "update account")
}

// CreateAccount validates and inserts a; it fills a.ID and the timestamps.
func (s *Store) CreateAccount(ctx context.Context, a *account.Account) error {
	return wrapf(s.tx(ctx, func(q q) error { return s.insertAccount(ctx, q, a) }), "store: create account")
}

// UpdateAccount validates and saves every field of a (MRR is changed only by movements).
func (s *Store) UpdateAccount(ctx context.Context, a *account.Account) error {
	return wrapf(s.tx(ctx, func(q q) error { return s.updateAccount(ctx, q, a) }), "store: update account")
}

// DeleteAccount removes an account and everything hanging off it.
func (s *Store) DeleteAccount(ctx context.Context, accountID string) error {
	return wrapf(s.tx(ctx, func(q q) error {
		return changed(q.exec(ctx, `DELETE FROM accounts WHERE id = ?`, accountID))
	}), "store: delete account %s", accountID)
}

// GetAccount returns one account by id.
func (s *Store) GetAccount(ctx context.Context, accountID string) (AccountRow, error) {
	return s.getAccount(ctx, s.read(), "a.id = ?", accountID)
}

// GetAccountByExternalID returns one account by its external id.
func (s *Store) GetAccountByExternalID(ctx context.Context, ext string) (AccountRow, error) {
	if ext == "" {
		return AccountRow{}, ErrNotFound
	}
	return s.getAccount(ctx, s.read(), "a.external_id = ? AND a.external_id <> ''", ext)
}

func (s *Store) getAccount(ctx context.Context, q q, where string, arg any) (AccountRow, error) {
	a, err := scanAccount(q.row(ctx, `SELECT `+accountCols+accountFrom+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, wrapf(err, "get account")
}

// AccountFilter selects and orders a page of accounts.
type AccountFilter struct {
	Tier, OwnerID, Stage, Plan string
	Unowned                    bool   // only accounts with no owner
	CadenceOverdue             bool   // only accounts not contacted within their tier's cadence (cadence.go)
	Q                          string // matches name, domain or external id, any case
	Sort                       string // name (default), mrr, renewal, signup, created
	Desc                       bool
	Cursor                     string // from the previous page's Next
	Limit                      int    // default 50, at most 500
}

// AccountPage is one page of accounts.
type AccountPage struct {
	Items []AccountRow `json:"items"`
	Next  string       `json:"next_cursor,omitempty"` // empty on the last page
	Total int          `json:"total"`                 // accounts matching the filter
}

// sortColumns maps the public sort names to columns; every column is NOT NULL so that
// keyset pagination on (column, id) is exact.
var sortColumns = map[string]struct {
	col   string
	isInt bool
}{
	"name":    {"a.name_sort", false},
	"mrr":     {"a.mrr", true},
	"renewal": {"a.renewal_date", false},
	"signup":  {"a.signup_date", false},
	"created": {"a.created_at", true},
}

// ErrBadCursor is returned for a cursor that was not made by ListAccounts with the same sort.
var ErrBadCursor = errs.About("cursor", errors.New("cursor is not valid for this list"))

// ErrBadSort is returned for an unknown sort name.
var ErrBadSort = errs.About("sort", errors.New("unknown sort: use name, mrr, renewal, signup or created"))

type cursor struct {
	S string `json:"s,omitempty"`
	N int64  `json:"n,omitempty"`
	I string `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.I == "" {
		return c, ErrBadCursor
	}
	return c, nil
}

// ListAccounts returns a page of accounts matching f, with keyset pagination.
func (s *Store) ListAccounts(ctx context.Context, f AccountFilter) (AccountPage, error) {
	if f.Sort == "" {
		f.Sort = "name"
	}
	sc, ok := sortColumns[f.Sort]
	if !ok {
		return AccountPage{}, ErrBadSort
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		f.Limit = 500
	}
	var w conds
	w.eq("a.tier = ?", f.Tier)
	w.eq("a.stage = ?", f.Stage)
	w.eq("a.plan = ?", f.Plan)
	w.eq("a.owner_id = ?", f.OwnerID)
	if f.Unowned {
		w.add("a.owner_id IS NULL")
	}
	if f.CadenceOverdue {
		cond, a, err := s.cadenceOverdueWhere(ctx, s.Now())
		if err != nil {
			return AccountPage{}, fmt.Errorf("store: list accounts: %w", err)
		}
		w.add(cond, a...)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		w.add(`a.search LIKE ? ESCAPE '\'`, likePattern(q))
	}
	q := s.read()
	var page AccountPage
	if err := q.row(ctx, `SELECT COUNT(*) FROM accounts a`+w.where(), w.args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: list accounts: %w", err)
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return page, fmt.Errorf("store: list accounts: %w", err)
		}
		op := ">"
		if f.Desc {
			op = "<"
		}
		var v any = c.S
		if sc.isInt {
			v = c.N
		}
		w.add(fmt.Sprintf("(%s %s ? OR (%s = ? AND a.id %s ?))", sc.col, op, sc.col, op), v, v, c.I)
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	query := `SELECT ` + accountCols + accountFrom + w.where() + fmt.Sprintf(" ORDER BY %s %s, a.id %s LIMIT ?", sc.col, dir, dir)
	var err error
	if page.Items, err = collect(ctx, q, scanAccount, query, append(w.args, f.Limit+1)...); err != nil {
		return page, fmt.Errorf("store: list accounts: %w", err)
	}
	if len(page.Items) > f.Limit {
		page.Items = page.Items[:f.Limit]
		last := page.Items[f.Limit-1]
		c := cursor{I: last.ID}
		switch f.Sort {
		case "name":
			c.S = strings.ToLower(last.Name)
		case "mrr":
			c.N = last.MRR
		case "renewal":
			c.S = last.RenewalDate
		case "signup":
			c.S = last.SignupDate
		case "created":
			c.N = ms(last.CreatedAt)
		}
		page.Next = encodeCursor(c)
	}
	return page, nil
}

// Plans lists the distinct plans in use, for filter menus.
func (s *Store) Plans(ctx context.Context) ([]string, error) {
	out, err := collect(ctx, s.read(), one[string], `SELECT DISTINCT plan FROM accounts WHERE plan <> '' ORDER BY plan`)
	return out, wrapf(err, "store: plans")
}

// itemFieldErr names batch item i in err when err is a refused field, so a bulk
// upsert says which row to fix; any other error is the whole batch's.
func itemFieldErr(i int, err error) error {
	var fe *errs.FieldError
	if errors.As(err, &fe) {
		return errs.Item(i, fe)
	}
	return err
}

// UpsertAccounts applies a batch of patches by external id in one transaction: all or
// nothing. A failing item is reported as an *errs.ItemError with its index, wrapping
// an *errs.FieldError.
// Patches that change nothing are counted as unchanged and write nothing.
func (s *Store) UpsertAccounts(ctx context.Context, patches []account.AccountPatch) (account.UpsertResult, error) {
	var res account.UpsertResult
	seen := map[string]int{}
	for i, p := range patches {
		ext := strings.TrimSpace(p.ExternalID)
		if ext == "" {
			return res, errs.Item(i, errs.Invalid("external_id", "is required to upsert"))
		}
		if j, dup := seen[ext]; dup {
			return res, errs.Item(i, errs.Invalidf("external_id", "%q appears twice in the batch (also item %d)", ext, j+1))
		}
		seen[ext] = i
	}
	owners := map[string]string{}
	err := s.tx(ctx, func(q q) error {
		for i := range patches {
			p := &patches[i]
			rowErr := func(err error) error { return itemFieldErr(i, err) }
			if p.OwnerEmail != nil {
				oid, err := s.ownerByEmail(ctx, q, owners, *p.OwnerEmail)
				if err != nil {
					return rowErr(err)
				}
				p.OwnerID = &oid
			}
			existing, err := s.getAccount(ctx, q, "a.external_id = ? AND a.external_id <> ''", strings.TrimSpace(p.ExternalID))
			created := false
			switch {
			case errors.Is(err, ErrNotFound):
				a := account.Account{}
				p.ApplyTo(&a)
				if err := s.insertAccount(ctx, q, &a); err != nil {
					return rowErr(err)
				}
				existing = AccountRow{Account: a}
				res.Created++
				created = true
			case err != nil:
				return err
			default:
				a := existing.Account
				p.ApplyTo(&a)
				a.Normalize(s.Tiers)
				if sameAccount(&a, &existing.Account) {
					break
				}
				if err := s.updateAccount(ctx, q, &a); err != nil {
					return rowErr(err)
				}
				existing.Account = a
				res.Updated++
				created = true // counted already
			}
			changedMRR := false
			if p.MRR != nil {
				cur := existing.Currency
				if p.Currency != nil {
					cur = strings.ToUpper(strings.TrimSpace(*p.Currency))
				}
				if cur == "" {
					return errs.Item(i, errs.Invalid("currency", "is required with mrr for an account that has no billing currency yet"))
				}
				at := s.Now()
				if p.MRRAt != nil {
					at = *p.MRRAt
				}
				_, changedMRR, err = s.setMRR(ctx, q, existing.ID, *p.MRR, cur, at, "")
				var fe *errs.FieldError
				if errors.As(err, &fe) { // a revenue rule, naming its field
					return errs.Item(i, errs.Invalid(fe.Field, err.Error()))
				} else if err != nil {
					return err
				}
			}
			if !created {
				if changedMRR {
					res.Updated++
				} else {
					res.Unchanged++
				}
			}
		}
		return nil
	})
	if err != nil {
		return account.UpsertResult{}, fmt.Errorf("store: upsert accounts: %w", err)
	}
	return res, nil
}

func (s *Store) ownerByEmail(ctx context.Context, q q, cache map[string]string, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", nil
	}
	if v, ok := cache[email]; ok {
		return v, nil
	}
	var mid string
	err := q.row(ctx, `SELECT id FROM team_members WHERE email = ?`, email).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.Invalidf("owner_email", "no team member with email %q", email)
	}
	if err != nil {
		return "", fmt.Errorf("owner by email: %w", err)
	}
	cache[email] = mid
	return mid, nil
}

func sameAccount(a, b *account.Account) bool {
	icpEq := (a.ICPFit == nil) == (b.ICPFit == nil) && (a.ICPFit == nil || *a.ICPFit == *b.ICPFit)
	return a.ExternalID == b.ExternalID && a.Name == b.Name && a.Domain == b.Domain && a.Plan == b.Plan &&
		a.Seats == b.Seats && a.CompanySize == b.CompanySize && a.Tier == b.Tier && icpEq && a.Stage == b.Stage &&
		a.OwnerID == b.OwnerID && a.SignupDate == b.SignupDate && a.Goal == b.Goal && a.CAB == b.CAB &&
		sameJSON(a.Traits, b.Traits)
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// CountAccounts returns how many accounts exist.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := s.read().row(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, wrapf(err, "store: count accounts")
}

// touchAccount bumps updated_at when something under the account changes.
func (s *Store) touchAccount(ctx context.Context, q q, accountID string, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE accounts SET updated_at = ? WHERE id = ?`, ms(at), accountID)
	return wrapf(err, "touch account")
}

// AccountBrief is what a feedback list shows about the account behind an item.
type AccountBrief struct {
	ID, Name, Tier, Currency string
	MRR                      int64
}

// AccountBriefs returns name, tier and MRR of each account id that exists.
func (s *Store) AccountBriefs(ctx context.Context, accountIDs []string) (map[string]AccountBrief, error) {
	out := map[string]AccountBrief{}
	err := eachIn(ctx, s.read(), accountIDs, func(sc scanner) error {
		var a AccountBrief
		err := sc.Scan(&a.ID, &a.Name, &a.Tier, &a.Currency, &a.MRR)
		out[a.ID] = a
		return err
	}, `SELECT id, name, tier, currency, mrr FROM accounts WHERE id IN (%s)`)
	if err != nil {
		return nil, fmt.Errorf("store: account briefs: %w", err)
	}
	return out, nil
}
