package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
)

const personCols = `id, external_id, COALESCE(account_id, ''), email, name, title, champion, traits, created_at, updated_at`

func scanPerson(sc interface{ Scan(...any) error }) (account.Person, error) {
	var p account.Person
	var traits string
	var created, updated int64
	err := sc.Scan(&p.ID, &p.ExternalID, &p.AccountID, &p.Email, &p.Name, &p.Title, &p.Champion, &traits, &created, &updated)
	p.Traits = json.RawMessage(traits)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, wrapf(notFound(err), "scan person")
}

func (s *Store) preparePerson(ctx context.Context, q q, p *account.Person) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if p.AccountID != "" {
		var n int
		if err := q.row(ctx, `SELECT COUNT(*) FROM accounts WHERE id = ?`, p.AccountID).Scan(&n); err != nil {
			return fmt.Errorf("prepare person: %w", err)
		}
		if n == 0 {
			return errs.Invalidf("account_id", "no account with id %q", p.AccountID)
		}
	}
	return nil
}

// errPersonTaken is one value so that callers can tell a lost race (errors.Is) from
// other field errors.
var errPersonTaken = errs.Invalid("email", "another person already has this email or external_id")

func (s *Store) personConflict(err error) error {
	if s.d.isUnique(err) {
		return errPersonTaken
	}
	return wrapf(err, "person conflict")
}

func (s *Store) insertPerson(ctx context.Context, q q, p *account.Person) error {
	if err := s.preparePerson(ctx, q, p); err != nil {
		return fmt.Errorf("insert person: %w", err)
	}
	now := s.Now()
	p.ID, p.CreatedAt, p.UpdatedAt = id.NewAt(now), now, now
	_, err := q.exec(ctx, `INSERT INTO people (id, external_id, account_id, email, name, title, champion, traits, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ExternalID, nullable(p.AccountID), p.Email, p.Name, p.Title, p.Champion, string(p.Traits), ms(now), ms(now))
	return wrapf(s.personConflict(err), "insert person")
}

func (s *Store) updatePerson(ctx context.Context, q q, p *account.Person) error {
	if err := s.preparePerson(ctx, q, p); err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	p.UpdatedAt = s.Now()
	res, err := q.exec(ctx, `UPDATE people SET external_id = ?, account_id = ?, email = ?, name = ?, title = ?, champion = ?, traits = ?, updated_at = ? WHERE id = ?`,
		p.ExternalID, nullable(p.AccountID), p.Email, p.Name, p.Title, p.Champion, string(p.Traits), ms(p.UpdatedAt), p.ID)
	if err != nil {
		return wrapf(s.personConflict(err), "update person")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreatePerson validates and inserts p.
func (s *Store) CreatePerson(ctx context.Context, p *account.Person) error {
	return wrapf(s.tx(ctx, func(q q) error { return s.insertPerson(ctx, q, p) }), "store: create person")
}

// UpdatePerson validates and saves p.
func (s *Store) UpdatePerson(ctx context.Context, p *account.Person) error {
	return wrapf(s.tx(ctx, func(q q) error { return s.updatePerson(ctx, q, p) }), "store: update person")
}

// DeletePerson removes a person; their touchpoints stay with the account.
func (s *Store) DeletePerson(ctx context.Context, personID string) error {
	res, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM people WHERE id = ?`), personID)
	if err != nil {
		return fmt.Errorf("store: delete person %s: %w", personID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// GetPerson returns one person.
func (s *Store) GetPerson(ctx context.Context, personID string) (account.Person, error) {
	return scanPerson(s.read().row(ctx, `SELECT `+personCols+` FROM people WHERE id = ?`, personID))
}

// GetPersonByEmail returns the person with this email (any case).
func (s *Store) GetPersonByEmail(ctx context.Context, email string) (account.Person, error) {
	return scanPerson(s.read().row(ctx, `SELECT `+personCols+` FROM people WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))))
}

// PersonFilter selects people.
type PersonFilter struct {
	AccountID string
	Q         string // matches name or email
	After     string // cursor: people with id > After
	Limit     int    // default 50, at most 500
}

// ListPeople returns people ordered by id (creation time), with Next set when more remain.
func (s *Store) ListPeople(ctx context.Context, f PersonFilter) (items []account.Person, next string, err error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		f.Limit = 500
	}
	query := `SELECT ` + personCols + ` FROM people WHERE 1=1`
	var args []any
	if f.AccountID != "" {
		query += ` AND account_id = ?`
		args = append(args, f.AccountID)
	}
	if f.Q != "" {
		query += ` AND (LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`
		args = append(args, likePattern(f.Q), likePattern(f.Q))
	}
	items, next, err = idPage(ctx, s.read(), scanPerson, func(p account.Person) string { return p.ID }, query, args, f.After, f.Limit)
	return items, next, wrapf(err, "store: list people")
}

// UpsertPeople applies person patches in one transaction, matching by external id,
// else by email. Accounts are found by account_external_id or account_id.
func (s *Store) UpsertPeople(ctx context.Context, patches []account.PersonPatch) (account.UpsertResult, error) {
	var res account.UpsertResult
	seen := map[string]int{}
	for i, p := range patches {
		key := personKey(&p)
		if key == "" {
			return res, errs.Item(i, errs.Invalid("email", "an email or an external_id is required to upsert"))
		}
		if j, dup := seen[key]; dup {
			return res, errs.Item(i, errs.Invalidf(strings.SplitN(key, ":", 2)[0], "%q appears twice in the batch (also item %d)", strings.SplitN(key, ":", 2)[1], j+1))
		}
		seen[key] = i
	}
	accounts := map[string]string{}
	err := s.tx(ctx, func(q q) error {
		for i := range patches {
			pp := &patches[i]
			rowErr := func(err error) error {
				var fe *errs.FieldError
				if errors.As(err, &fe) {
					return errs.Item(i, fe)
				}
				return err
			}
			if pp.AccountExternalID != nil {
				ext := strings.TrimSpace(*pp.AccountExternalID)
				aid, ok := accounts[ext]
				if !ok && ext != "" {
					if err := q.row(ctx, `SELECT id FROM accounts WHERE external_id = ? AND external_id <> ''`, ext).Scan(&aid); err != nil {
						if errors.Is(notFound(err), ErrNotFound) {
							return errs.Item(i, errs.Invalidf("account_external_id", "no account with external_id %q", ext))
						}
						return err
					}
					accounts[ext] = aid
				}
				pp.AccountID = &aid
			}
			var existing account.Person
			var err error
			if pp.ExternalID != "" {
				existing, err = scanPerson(q.row(ctx, `SELECT `+personCols+` FROM people WHERE external_id = ? AND external_id <> ''`, strings.TrimSpace(pp.ExternalID)))
			} else {
				existing, err = scanPerson(q.row(ctx, `SELECT `+personCols+` FROM people WHERE email = ?`, strings.ToLower(strings.TrimSpace(*pp.Email))))
			}
			switch {
			case errors.Is(err, ErrNotFound):
				var p account.Person
				pp.ApplyTo(&p)
				if err := s.insertPerson(ctx, q, &p); err != nil {
					return rowErr(err)
				}
				res.Created++
			case err != nil:
				return err
			default:
				p := existing
				pp.ApplyTo(&p)
				p.Normalize()
				if p.ExternalID == existing.ExternalID && p.Email == existing.Email && p.Name == existing.Name && p.Title == existing.Title &&
					p.Champion == existing.Champion && p.AccountID == existing.AccountID && sameJSON(p.Traits, existing.Traits) {
					res.Unchanged++
					continue
				}
				if err := s.updatePerson(ctx, q, &p); err != nil {
					return rowErr(err)
				}
				res.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return account.UpsertResult{}, fmt.Errorf("store: upsert people: %w", err)
	}
	return res, nil
}

func personKey(p *account.PersonPatch) string {
	if e := strings.TrimSpace(p.ExternalID); e != "" {
		return "external_id:" + e
	}
	if p.Email != nil && strings.TrimSpace(*p.Email) != "" {
		return "email:" + strings.ToLower(strings.TrimSpace(*p.Email))
	}
	return ""
}
