package store

import (
	"context"
	"database/sql"
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
	if err := clean(p); err != nil {
		return err
	}
	if p.AccountID == "" {
		return nil
	}
	return s.checkAccount(ctx, q, p.AccountID)
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
	return wrapf(changed(res, s.personConflict(err)), "update person")
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
	return wrapf(changed(s.writer().exec(ctx, `DELETE FROM people WHERE id = ?`, personID)), "store: delete person %s", personID)
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
	var c conds
	c.eq(`account_id = ?`, f.AccountID)
	if f.Q != "" {
		c.add(`(LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`, likePattern(f.Q), likePattern(f.Q))
	}
	items, next, err = idPage(ctx, s.read(), scanPerson, func(p account.Person) string { return p.ID },
		`SELECT `+personCols+` FROM people WHERE 1=1`+c.and(), c.args, f.After, f.Limit)
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
			rowErr := func(err error) error { return itemFieldErr(i, err) }
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

// PersonHit is a type-ahead result for people.
type PersonHit struct {
	ID, Name, Email, AccountID, AccountName string
}

// SearchPeople finds people by name, email or account name, for pickers (a team vote
// on a customer's behalf). Names starting with the text come first.
func (s *Store) SearchPeople(ctx context.Context, text string, limit int) ([]PersonHit, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	like := likePattern(text)
	prefix := strings.TrimSuffix(like, "%")[1:] + "%"
	out, err := collect(ctx, s.read(), func(sc scanner) (PersonHit, error) {
		var h PersonHit
		err := sc.Scan(&h.ID, &h.Name, &h.Email, &h.AccountID, &h.AccountName)
		return h, err
	}, `SELECT p.id, p.name, p.email, COALESCE(p.account_id, ''), COALESCE(a.name, '')
		FROM people p LEFT JOIN accounts a ON a.id = p.account_id
		WHERE LOWER(p.name) LIKE ? ESCAPE '\' OR p.email LIKE ? ESCAPE '\' OR LOWER(a.name) LIKE ? ESCAPE '\'
		ORDER BY CASE WHEN LOWER(p.name) LIKE ? ESCAPE '\' OR p.email LIKE ? ESCAPE '\' THEN 0 ELSE 1 END, p.name, p.email, p.id LIMIT ?`,
		like, like, like, prefix, prefix, limit)
	return out, wrapf(err, "store: search people")
}

// ResolvePerson finds or creates the person a portal sign-in names, the way Capture
// resolves a sender: by externalID, else by email. A new person is attached to the
// account with accountExternalID, else to the account whose domain is the email's.
// Unlike Capture, an unknown accountExternalID is not an error: a customer must still
// be able to sign in when the host product knows an account closeloop does not.
//
// An existing person only has blanks filled (name, external id, email, account): the
// team's edits win over what the host product says.
func (s *Store) ResolvePerson(ctx context.Context, email, name, externalID, accountExternalID string) (p account.Person, created bool, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	name = strings.TrimSpace(name)
	externalID = strings.TrimSpace(externalID)
	accountExternalID = strings.TrimSpace(accountExternalID)
	if len(name) > 200 {
		name = name[:200]
	}
	err = s.tx(ctx, func(q q) error {
		accountID := ""
		if accountExternalID != "" {
			err := q.row(ctx, `SELECT id FROM accounts WHERE external_id = ? AND external_id <> ''`, accountExternalID).Scan(&accountID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if accountID == "" && email != "" {
			if dom := account.EmailDomain(email); dom != "" {
				err := q.row(ctx, `SELECT id FROM accounts WHERE domain = ? ORDER BY created_at, id LIMIT 1`, dom).Scan(&accountID)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
		}

		var err error = ErrNotFound
		if externalID != "" {
			p, err = scanPerson(q.row(ctx, `SELECT `+personCols+` FROM people WHERE external_id = ? AND external_id <> ''`, externalID))
		}
		if errors.Is(err, ErrNotFound) && email != "" {
			p, err = scanPerson(q.row(ctx, `SELECT `+personCols+` FROM people WHERE email = ?`, email))
		}
		switch {
		case errors.Is(err, ErrNotFound):
			p = account.Person{Email: email, Name: name, ExternalID: externalID, AccountID: accountID}
			created = true
			return s.insertPerson(ctx, q, &p)
		case err != nil:
			return err
		}

		changed := false
		if p.Name == "" && name != "" {
			p.Name, changed = name, true
		}
		if p.AccountID == "" && accountID != "" {
			p.AccountID, changed = accountID, true
		}
		if p.ExternalID == "" && externalID != "" {
			// We got here by email, so nobody holds externalID.
			p.ExternalID, changed = externalID, true
		}
		if p.Email == "" && email != "" {
			// Found by external id: take the email only if no other person has it.
			var n int
			if err := q.row(ctx, `SELECT COUNT(*) FROM people WHERE email = ?`, email).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				p.Email, changed = email, true
			}
		}
		if !changed {
			return nil
		}
		return s.updatePerson(ctx, q, &p)
	})
	return p, created, wrapf(err, "store: resolve person externalID=%v accountExternalID=%v", externalID, accountExternalID)
}
