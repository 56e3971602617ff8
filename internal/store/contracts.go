package store

import (
	"context"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/id"
)

const contractCols = `id, account_id, start_date, term_months, renewal_date, auto_renew, cancellation_window, value, currency, created_at, updated_at`

func scanContract(sc interface{ Scan(...any) error }) (account.Contract, error) {
	var c account.Contract
	var created, updated int64
	err := sc.Scan(&c.ID, &c.AccountID, &c.StartDate, &c.TermMonths, &c.RenewalDate, &c.AutoRenew, &c.CancellationWindow, &c.Value, &c.Currency, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return c, wrapf(notFound(err), "scan contract")
}

// syncRenewal mirrors the latest contract's renewal date onto the account.
func (s *Store) syncRenewal(ctx context.Context, q q, accountID string) error {
	_, err := q.exec(ctx, `UPDATE accounts SET renewal_date = COALESCE((SELECT renewal_date FROM contracts
		WHERE account_id = ? ORDER BY start_date DESC, id DESC LIMIT 1), '') WHERE id = ?`, accountID, accountID)
	return wrapf(err, "sync renewal")
}

func (s *Store) checkAccount(ctx context.Context, q q, accountID string) error {
	return refersTo(ctx, q, "account_id", "accounts", "account", accountID)
}

// SaveContract inserts c (no ID) or updates it, and refreshes the account's renewal date.
func (s *Store) SaveContract(ctx context.Context, c *account.Contract) error {
	if err := clean(c); err != nil {
		return err
	}
	return wrapf(s.tx(ctx, func(q q) error {
		if err := s.checkAccount(ctx, q, c.AccountID); err != nil {
			return err
		}
		now := s.Now()
		c.UpdatedAt = now
		if c.ID == "" {
			c.ID, c.CreatedAt = id.NewAt(now), now
			if _, err := q.exec(ctx, `INSERT INTO contracts (`+contractCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				c.ID, c.AccountID, c.StartDate, c.TermMonths, c.RenewalDate, c.AutoRenew, c.CancellationWindow, c.Value, c.Currency, ms(now), ms(now)); err != nil {
				return err
			}
		} else {
			err := changed(q.exec(ctx, `UPDATE contracts SET start_date = ?, term_months = ?, renewal_date = ?, auto_renew = ?, cancellation_window = ?,
				value = ?, currency = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
				c.StartDate, c.TermMonths, c.RenewalDate, c.AutoRenew, c.CancellationWindow, c.Value, c.Currency, ms(now), c.ID, c.AccountID))
			if err != nil {
				return err
			}
		}
		return s.syncRenewal(ctx, q, c.AccountID)
	}), "store: save contract")
}

// GetContract returns one contract.
func (s *Store) GetContract(ctx context.Context, contractID string) (account.Contract, error) {
	return scanContract(s.read().row(ctx, `SELECT `+contractCols+` FROM contracts WHERE id = ?`, contractID))
}

// DeleteContract removes a contract and refreshes the account's renewal date.
func (s *Store) DeleteContract(ctx context.Context, contractID string) error {
	return wrapf(s.tx(ctx, func(q q) error {
		var accountID string
		if err := q.row(ctx, `SELECT account_id FROM contracts WHERE id = ?`, contractID).Scan(&accountID); err != nil {
			return notFound(err)
		}
		if _, err := q.exec(ctx, `DELETE FROM contracts WHERE id = ?`, contractID); err != nil {
			return err
		}
		return s.syncRenewal(ctx, q, accountID)
	}), "store: delete contract %s", contractID)
}

// ContractFilter selects contracts.
type ContractFilter struct {
	AccountID     string
	RenewalFrom   string // YYYY-MM-DD inclusive
	RenewalBefore string // YYYY-MM-DD exclusive
	After         string // cursor
	Limit         int
}

// ListContracts returns contracts ordered by id (creation time), with a cursor when more remain.
func (s *Store) ListContracts(ctx context.Context, f ContractFilter) ([]account.Contract, string, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var c conds
	c.eq(`account_id = ?`, f.AccountID)
	c.eq(`renewal_date >= ?`, f.RenewalFrom)
	c.eq(`renewal_date < ?`, f.RenewalBefore)
	out, next, err := idPage(ctx, s.read(), scanContract, func(x account.Contract) string { return x.ID },
		`SELECT `+contractCols+` FROM contracts WHERE 1=1`+c.and(), c.args, f.After, f.Limit)
	return out, next, wrapf(err, "store: list contracts")
}
