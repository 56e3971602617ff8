package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
)

// CreateAccountFromPatch inserts a new account built from p and, when p carries mrr,
// records the movement to it, in one transaction: a create with a refused MRR (say a
// bad currency) leaves no account behind.
func (s *Store) CreateAccountFromPatch(ctx context.Context, p account.AccountPatch) (AccountRow, error) {
	var row AccountRow
	err := s.tx(ctx, func(q q) error {
		if err := s.resolveOwnerEmail(ctx, q, &p); err != nil {
			return err
		}
		var a account.Account
		p.ApplyTo(&a)
		if err := s.insertAccount(ctx, q, &a); err != nil {
			return err
		}
		if err := s.applyPatchMRR(ctx, q, &a, &p); err != nil {
			return err
		}
		var err error
		row, err = s.getAccount(ctx, q, "a.id = ?", a.ID)
		return err
	})
	return row, wrapf(err, "store: create account from patch")
}

// PatchAccount applies p to the account with id accountID in one transaction: only
// the fields set in p change, and an mrr in p records the movement that gets there.
// A patch that changes nothing writes nothing.
func (s *Store) PatchAccount(ctx context.Context, accountID string, p account.AccountPatch) (AccountRow, error) {
	var row AccountRow
	err := s.tx(ctx, func(q q) error {
		existing, err := s.getAccount(ctx, q, "a.id = ?", accountID)
		if err != nil {
			return err
		}
		if err := s.resolveOwnerEmail(ctx, q, &p); err != nil {
			return err
		}
		a := existing.Account
		p.ApplyTo(&a)
		a.Normalize(s.Tiers)
		if !sameAccount(&a, &existing.Account) {
			if err := s.updateAccount(ctx, q, &a); err != nil {
				return err
			}
		}
		if err := s.applyPatchMRR(ctx, q, &a, &p); err != nil {
			return err
		}
		row, err = s.getAccount(ctx, q, "a.id = ?", accountID)
		return err
	})
	return row, wrapf(err, "store: patch account %s", accountID)
}

func (s *Store) resolveOwnerEmail(ctx context.Context, q q, p *account.AccountPatch) error {
	if p.OwnerEmail == nil {
		return nil
	}
	oid, err := s.ownerByEmail(ctx, q, map[string]string{}, *p.OwnerEmail)
	if err != nil {
		return fmt.Errorf("resolve owner email: %w", err)
	}
	p.OwnerID = &oid
	return nil
}

// applyPatchMRR records the movement for p.MRR; the currency defaults to the one the
// account already bills in, as in UpsertAccounts.
func (s *Store) applyPatchMRR(ctx context.Context, q q, a *account.Account, p *account.AccountPatch) error {
	if p.MRR == nil {
		return nil
	}
	var cur string
	if err := q.row(ctx, `SELECT currency FROM accounts WHERE id = ?`, a.ID).Scan(&cur); err != nil {
		return wrapf(notFound(err), "apply patch mrr")
	}
	if p.Currency != nil {
		cur = strings.ToUpper(strings.TrimSpace(*p.Currency))
	}
	if cur == "" {
		return errs.Invalid("currency", "is required with mrr for an account that has no billing currency yet")
	}
	at := s.Now()
	if p.MRRAt != nil {
		at = *p.MRRAt
	}
	_, _, err := s.setMRR(ctx, q, a.ID, *p.MRR, cur, at, "")
	return wrapf(err, "apply patch mrr")
}
