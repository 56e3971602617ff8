package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
)

// identities applies identify, group and alias calls inside a CommitUsage transaction
// and attributes events to accounts. Caches live for one commit.
type identities struct {
	s        *Store
	q        q
	accounts map[string]string // external id → account id ("" = none)
}

func newIdentities(s *Store, q q) *identities {
	return &identities{s: s, q: q, accounts: map[string]string{}}
}

// apply runs one identity call under a savepoint, so that a call the account rules
// refuse (a bad email, traits over the size limit) undoes only itself.
func (u *identities) apply(ctx context.Context, e *UsageEvent) error {
	if _, err := u.q.exec(ctx, "SAVEPOINT usage_identity"); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	var err error
	switch e.Type {
	case "identify":
		err = u.identify(ctx, e)
	case "group":
		err = u.group(ctx, e)
	case "alias":
		err = u.alias(ctx, e)
	}
	if err != nil {
		u.accounts = map[string]string{} // may hold an account the rollback removes
		if _, rerr := u.q.exec(ctx, "ROLLBACK TO SAVEPOINT usage_identity"); rerr != nil {
			return rerr
		}
	}
	if _, rerr := u.q.exec(ctx, "RELEASE SAVEPOINT usage_identity"); rerr != nil {
		return rerr
	}
	return wrapf(err, "apply")
}

func userKey(userID string) string { return "u:" + userID }
func anonKey(anonID string) string { return "a:" + anonID }

// traitsMap reads a traits object; ingest has checked it is one.
func traitsMap(raw json.RawMessage) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	if len(raw) > 0 {
		json.Unmarshal(raw, &m)
	}
	return m
}

func traitString(m map[string]json.RawMessage, key string) (string, bool) {
	raw, ok := m[key]
	if !ok {
		return "", false
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return strings.TrimSpace(v), true
}

// mergeTraits adds the custom traits to the stored ones (a later call overrides a
// key, as Segment profiles do), leaving out the keys mapped to fields.
func mergeTraits(stored json.RawMessage, m map[string]json.RawMessage, mapped ...string) json.RawMessage {
	out := traitsMap(stored)
	changed := false
	for k, v := range m {
		if slices.Contains(mapped, k) {
			continue
		}
		out[k] = v
		changed = true
	}
	if !changed {
		return stored
	}
	b, _ := json.Marshal(out)
	return b
}

// accountByExternal finds an account by external id; with create, an unknown one is
// created, named name (else the external id).
func (u *identities) accountByExternal(ctx context.Context, ext, name string, create bool) (string, error) {
	if id, ok := u.accounts[ext]; ok && (id != "" || !create) {
		return id, nil
	}
	var id string
	err := u.q.row(ctx, `SELECT id FROM accounts WHERE external_id = ?`, ext).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if !create {
			u.accounts[ext] = ""
			return "", nil
		}
		if name == "" {
			name = ext
		}
		a := account.Account{ExternalID: ext, Name: name}
		if err := u.s.insertAccount(ctx, u.q, &a); err != nil {
			return "", fmt.Errorf("account by external: %w", err)
		}
		id = a.ID
	} else if err != nil {
		return "", fmt.Errorf("account by external: %w", err)
	}
	u.accounts[ext] = id
	return id, nil
}

// ensureUser makes sure the identity row exists (canonical to itself when new) and
// returns its canonical id.
func (u *identities) ensureUser(ctx context.Context, key string) (string, error) {
	if _, err := u.q.exec(ctx, `INSERT INTO usage_users (id, canonical, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		key, key, ms(u.s.Now())); err != nil {
		return "", fmt.Errorf("ensure user: %w", err)
	}
	var c string
	err := u.q.row(ctx, `SELECT canonical FROM usage_users WHERE id = ?`, key).Scan(&c)
	return c, wrapf(err, "ensure user")
}

func (u *identities) userAccount(ctx context.Context, canonical string) (accountID, personID string, err error) {
	var a, p sql.NullString
	err = u.q.row(ctx, `SELECT account_id, person_id FROM usage_users WHERE id = ?`, canonical).Scan(&a, &p)
	return a.String, p.String, wrapf(notFound(err), "user account")
}

// linkUser sets the canonical user's account (and person, when given) and attributes
// the events waiting for it.
func (u *identities) linkUser(ctx context.Context, canonical, accountID, personID string) error {
	if personID != "" {
		if _, err := u.q.exec(ctx, `UPDATE usage_users SET person_id = ?, updated_at = ? WHERE id = ?`, personID, ms(u.s.Now()), canonical); err != nil {
			return fmt.Errorf("link user: %w", err)
		}
	}
	if accountID == "" {
		return nil
	}
	if _, err := u.q.exec(ctx, `UPDATE usage_users SET account_id = ?, updated_at = ? WHERE id = ?`, accountID, ms(u.s.Now()), canonical); err != nil {
		return fmt.Errorf("link user: %w", err)
	}
	return wrapf(u.attributeUser(ctx, canonical, accountID), "link user")
}

// attributeUser gives the events of every identity resolving to canonical that name no
// group, and have no account yet, the account.
func (u *identities) attributeUser(ctx context.Context, canonical, accountID string) error {
	rows, err := u.q.query(ctx, `SELECT id FROM usage_users WHERE canonical = ? OR id = ?`, canonical, canonical)
	if err != nil {
		return fmt.Errorf("attribute user: %w", err)
	}
	var users, anons []any
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return fmt.Errorf("attribute user: %w", err)
		}
		if v, ok := strings.CutPrefix(k, "u:"); ok {
			users = append(users, v)
		} else if v, ok := strings.CutPrefix(k, "a:"); ok {
			anons = append(anons, v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("attribute user: %w", err)
	}
	// The "<> ''" terms repeat the partial indexes' conditions so both planners use them.
	for _, set := range []struct {
		col string
		ids []any
	}{{"user_id", users}, {"anonymous_id", anons}} {
		err := chunked(set.ids, dedupChunk, func(chunk []any) error {
			_, err := u.q.exec(ctx, `UPDATE usage_events SET account_id = ? WHERE account_id = '' AND group_id = '' AND `+
				set.col+` <> '' AND `+set.col+` IN (`+marks(len(chunk))+`)`, append([]any{accountID}, chunk...)...)
			return err
		})
		if err != nil {
			return fmt.Errorf("attribute user: %w", err)
		}
	}
	return nil
}

func (u *identities) attributeGroup(ctx context.Context, ext, accountID string) error {
	_, err := u.q.exec(ctx, `UPDATE usage_events SET account_id = ? WHERE account_id = '' AND group_id <> '' AND group_id = ?`, accountID, ext)
	return wrapf(err, "attribute group")
}

// group: groupId is the account's external id; an unknown one creates the account.
// Traits name, plan, employees and website set those fields; the rest are custom
// traits. A userId on the call attaches the user (and their person) to the account.
func (u *identities) group(ctx context.Context, e *UsageEvent) error {
	tr := traitsMap(e.Traits)
	name, _ := traitString(tr, "name")
	aid, err := u.accountByExternal(ctx, e.GroupID, name, true)
	if err != nil {
		return fmt.Errorf("group: %w", err)
	}
	row, err := u.s.getAccount(ctx, u.q, "a.id = ?", aid)
	if err != nil {
		return fmt.Errorf("group: %w", err)
	}
	a := row.Account
	before := a
	if name != "" {
		a.Name = name
	}
	if v, ok := traitString(tr, "plan"); ok {
		a.Plan = v
	}
	var employees float64
	if raw, ok := tr["employees"]; ok && json.Unmarshal(raw, &employees) == nil && employees >= 0 && employees < 1e9 {
		a.CompanySize = int(employees)
	}
	if v, ok := traitString(tr, "website"); ok {
		if d := websiteDomain(v); d != "" {
			a.Domain = d
		}
	}
	a.Traits = mergeTraits(a.Traits, tr, "name", "plan", "employees", "website")
	a.Normalize(u.s.Tiers)
	if !sameAccount(&a, &before) {
		if err := u.s.updateAccount(ctx, u.q, &a); err != nil {
			return fmt.Errorf("group: %w", err)
		}
	}
	if err := u.attributeGroup(ctx, e.GroupID, aid); err != nil {
		return fmt.Errorf("group: %w", err)
	}
	if e.UserID == "" && e.AnonymousID == "" {
		return nil
	}
	key := userKey(e.UserID)
	if e.UserID == "" {
		key = anonKey(e.AnonymousID)
	}
	canonical, err := u.ensureUser(ctx, key)
	if err != nil {
		return fmt.Errorf("group: %w", err)
	}
	_, pid, err := u.userAccount(ctx, canonical)
	if err != nil {
		return fmt.Errorf("group: %w", err)
	}
	if pid != "" {
		if _, err := u.q.exec(ctx, `UPDATE people SET account_id = ?, updated_at = ? WHERE id = ? AND (account_id IS NULL OR account_id <> ?)`,
			aid, ms(u.s.Now()), pid, aid); err != nil {
			return fmt.Errorf("group: %w", err)
		}
	}
	return wrapf(u.linkUser(ctx, canonical, aid, ""), "group")
}

// websiteDomain turns "https://www.example.com/x" into "example.com"; "" when it is
// not a domain name the account rules accept.
func websiteDomain(v string) string {
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	p, err := url.Parse(v)
	if err != nil {
		return ""
	}
	h := strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
	a := account.Account{Name: "x", Domain: h, Tier: "x", Stage: account.Active}
	if a.Validate([]string{"x"}) != nil {
		return ""
	}
	return h
}

// identify: userId is the person's external id (else the email finds them); traits
// email, name (or firstName + lastName) and title set those fields, the rest are custom
// traits. context.groupId, else a company trait ({"id", "name"}), attaches the person
// to that account, created when unknown. An anonymousId on the call resolves to the
// user from then on.
func (u *identities) identify(ctx context.Context, e *UsageEvent) error {
	tr := traitsMap(e.Traits)
	email, _ := traitString(tr, "email")
	email = strings.ToLower(email)
	name, _ := traitString(tr, "name")
	if name == "" {
		first, _ := traitString(tr, "firstName")
		last, _ := traitString(tr, "lastName")
		name = strings.TrimSpace(first + " " + last)
	}
	title, hasTitle := traitString(tr, "title")

	accountID := ""
	ext, companyName := e.GroupID, ""
	if ext == "" {
		if raw, ok := tr["company"]; ok {
			var c struct {
				ID   json.RawMessage `json:"id"`
				Name string          `json:"name"`
			}
			if json.Unmarshal(raw, &c) == nil {
				ext, companyName = idText(c.ID), strings.TrimSpace(c.Name)
			}
		}
	}
	if ext != "" {
		var err error
		if accountID, err = u.accountByExternal(ctx, ext, companyName, true); err != nil {
			return fmt.Errorf("identify: %w", err)
		}
	}

	var canonical string
	if e.UserID != "" {
		var err error
		if canonical, err = u.ensureUser(ctx, userKey(e.UserID)); err != nil {
			return fmt.Errorf("identify: %w", err)
		}
		if e.AnonymousID != "" {
			if err := u.ensureAlias(ctx, anonKey(e.AnonymousID), canonical); err != nil {
				return fmt.Errorf("identify: %w", err)
			}
		}
	}
	personID := ""
	if e.UserID != "" || email != "" {
		var p account.Person
		var err error
		found := false
		if e.UserID != "" {
			p, err = scanPerson(u.q.row(ctx, `SELECT `+personCols+` FROM people WHERE external_id = ?`, e.UserID))
			found = err == nil
		}
		if !found && email != "" {
			p, err = scanPerson(u.q.row(ctx, `SELECT `+personCols+` FROM people WHERE email = ?`, email))
			found = err == nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("identify: %w", err)
		}
		before := p
		if p.ExternalID == "" {
			p.ExternalID = e.UserID
		}
		if email != "" {
			p.Email = email
		}
		if name != "" {
			p.Name = name
		}
		if hasTitle {
			p.Title = title
		}
		if accountID != "" {
			p.AccountID = accountID
		}
		p.Traits = mergeTraits(p.Traits, tr, "email", "name", "firstName", "lastName", "title", "company")
		if !found {
			if err := u.s.insertPerson(ctx, u.q, &p); err != nil {
				return fmt.Errorf("identify: %w", err)
			}
		} else {
			p.Normalize()
			if p.ExternalID != before.ExternalID || p.Email != before.Email || p.Name != before.Name || p.Title != before.Title ||
				p.AccountID != before.AccountID || !sameJSON(p.Traits, before.Traits) {
				if err := u.s.updatePerson(ctx, u.q, &p); err != nil {
					return fmt.Errorf("identify: %w", err)
				}
			}
		}
		personID = p.ID
		if accountID == "" {
			accountID = p.AccountID
		}
	}
	if canonical == "" && e.AnonymousID != "" {
		var err error
		if canonical, err = u.ensureUser(ctx, anonKey(e.AnonymousID)); err != nil {
			return fmt.Errorf("identify: %w", err)
		}
	}
	if canonical == "" {
		return nil
	}
	return wrapf(u.linkUser(ctx, canonical, accountID, personID), "identify")
}

// ensureAlias makes key resolve to canonical (creating it if new).
func (u *identities) ensureAlias(ctx context.Context, key, canonical string) error {
	_, err := u.q.exec(ctx, `INSERT INTO usage_users (id, canonical, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET canonical = excluded.canonical, updated_at = excluded.updated_at`, key, canonical, ms(u.s.Now()))
	return wrapf(err, "ensure alias")
}

// alias merges previousId into userId: every identity that resolved to the previous
// user resolves to userId's canonical user from now on; when only the previous user
// had an account (or person), the merged user takes it.
func (u *identities) alias(ctx context.Context, e *UsageEvent) error {
	target, err := u.ensureUser(ctx, userKey(e.UserID))
	if err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	prevCanonical, err := u.ensureUser(ctx, userKey(e.PreviousID))
	if err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	if prevCanonical == target {
		return nil
	}
	pa, pp, err := u.userAccount(ctx, prevCanonical)
	if err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	now := ms(u.s.Now())
	if _, err := u.q.exec(ctx, `UPDATE usage_users SET canonical = ?, updated_at = ? WHERE canonical = ? OR id = ?`,
		target, now, prevCanonical, prevCanonical); err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	// previousId is often the anonymousId the user had before signing up.
	if err := u.ensureAlias(ctx, anonKey(e.PreviousID), target); err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	ta, tp, err := u.userAccount(ctx, target)
	if err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	if ta == "" {
		ta = pa
	}
	if tp == "" {
		tp = pp
	}
	return wrapf(u.linkUser(ctx, target, ta, tp), "alias")
}

// idText is a JSON id (string or number) as text.
func idText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// attribute returns the account of each fresh event (by position in fresh): a group
// call's group; else the account named by context.groupId; else the account of the
// user (then the anonymous id) the event resolves to; "" when none is known yet.
func (u *identities) attribute(ctx context.Context, evs []UsageEvent, fresh []int) ([]string, error) {
	var groups, keys []string
	seenG, seenK := map[string]bool{}, map[string]bool{}
	for _, i := range fresh {
		e := &evs[i]
		if e.GroupID != "" {
			if _, cached := u.accounts[e.GroupID]; !cached && !seenG[e.GroupID] {
				seenG[e.GroupID] = true
				groups = append(groups, e.GroupID)
			}
			continue
		}
		for _, k := range []string{userKey(e.UserID), anonKey(e.AnonymousID)} {
			if len(k) > 2 && !seenK[k] {
				seenK[k] = true
				keys = append(keys, k)
			}
		}
	}
	for _, g := range groups {
		u.accounts[g] = ""
	}
	err := chunked(groups, dedupChunk, func(chunk []string) error {
		return u.scanPairs(ctx, `SELECT external_id, id FROM accounts WHERE external_id IN (`+marks(len(chunk))+`)`, chunk,
			func(k, v string) { u.accounts[k] = v })
	})
	if err != nil {
		return nil, fmt.Errorf("attribute: %w", err)
	}
	users := map[string]string{}
	err = chunked(keys, dedupChunk, func(chunk []string) error {
		return u.scanPairs(ctx, `SELECT x.id, COALESCE(c.account_id, '') FROM usage_users x JOIN usage_users c ON c.id = x.canonical
			WHERE x.id IN (`+marks(len(chunk))+`)`, chunk, func(k, v string) { users[k] = v })
	})
	if err != nil {
		return nil, fmt.Errorf("attribute: %w", err)
	}
	out := make([]string, len(fresh))
	for k, i := range fresh {
		e := &evs[i]
		switch {
		case e.GroupID != "":
			out[k] = u.accounts[e.GroupID]
		case e.UserID != "" && users[userKey(e.UserID)] != "":
			out[k] = users[userKey(e.UserID)]
		case e.AnonymousID != "":
			out[k] = users[anonKey(e.AnonymousID)]
		}
	}
	return out, nil
}

func (u *identities) scanPairs(ctx context.Context, query string, args []string, fn func(k, v string)) error {
	a := make([]any, len(args))
	for i, v := range args {
		a[i] = v
	}
	err := each(ctx, u.q, func(sc scanner) error {
		var k, v string
		if err := sc.Scan(&k, &v); err != nil {
			return err
		}
		fn(k, v)
		return nil
	}, query, a...)
	return wrapf(err, "scan pairs")
}
