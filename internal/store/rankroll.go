package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Ranking roll-ups (migration 0005). Triggers mark dirty every feedback item or vote
// whose evidence may have changed, and every account whose facts did. SyncRank then,
// per dirty unit, recomputes from the raw tables which subjects it counts for and with
// which account, person and day, diffs that against what it last counted, and applies
// the difference to the per-subject counts. Unfiltered ranking reads only the results
// (rank_subjects, rank_totals): a few thousand rows at any evidence volume.

const rankBatch = 500

// Subject kinds in rank_subjects.
const (
	rankRequest = "request"
	rankTag     = "tag"
)

type rankState struct {
	asOf   int64 // feedback.Day
	window int   // renewal window, days
}

// rankUnit is one piece of evidence as counted: who, when, and for which subjects.
type rankUnit struct {
	account, person string
	day             int64
	subjects        map[string]string // subject → kind ("" when read back from rank_units)
}

func (u rankUnit) sameAttrs(o rankUnit) bool {
	return u.account == o.account && u.person == o.person && u.day == o.day
}

// SyncRank brings the roll-ups up to date with every committed change, for the day of
// now and the configured renewal window. It is cheap when nothing changed; the server
// runs it in the background so that ranking rarely finds much to do.
func (s *Store) SyncRank(ctx context.Context, now time.Time) error {
	_, err := s.syncRankWithin(ctx, now, 0)
	return err
}

// rankReadBudget bounds how long a ranking call spends catching the roll-ups up. A
// large backlog (the first build after an upgrade or a bulk import) is left to the
// background sync, and the call counts from the raw evidence instead.
const rankReadBudget = 2 * time.Second

// syncRankWithin syncs for at most budget (0: until done) and reports whether the
// roll-ups are up to date.
func (s *Store) syncRankWithin(ctx context.Context, now time.Time, budget time.Duration) (bool, error) {
	settings, err := s.RankSettings(ctx)
	if err != nil {
		return false, err
	}
	want := rankState{asOf: feedback.Day(now), window: settings.RenewalWindowDays}
	start := time.Now()
	for {
		pending, err := s.rankPending(ctx, want)
		if err != nil || !pending {
			return err == nil, err
		}
		if budget > 0 && time.Since(start) > budget {
			return false, nil
		}
		if err := s.tx(ctx, func(q q) error { return s.rankStep(ctx, q, want) }); err != nil {
			return false, fmt.Errorf("store: ranking roll-up: %w", err)
		}
	}
}

// rankPending reports, from a read connection, whether SyncRank has work.
func (s *Store) rankPending(ctx context.Context, want rankState) (bool, error) {
	var st rankState
	if err := s.read().row(ctx, `SELECT as_of_day, window_days FROM rank_state WHERE id = 1`).Scan(&st.asOf, &st.window); err != nil {
		return false, err
	}
	if st != want {
		return true, nil
	}
	var n int
	err := s.read().row(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM rank_dirty LIMIT 1) a) + (SELECT COUNT(*) FROM (SELECT 1 FROM rank_dirty_accounts LIMIT 1) b)`).Scan(&n)
	return n > 0, err
}

// rankStep does one bounded piece of work in one write transaction: move the state to
// want if needed, then one batch of dirty units, or else one batch of dirty accounts.
func (s *Store) rankStep(ctx context.Context, q q, want rankState) error {
	var st rankState
	// The row lock serialises concurrent syncs on PostgreSQL (SQLite has one writer).
	if err := q.row(ctx, `SELECT as_of_day, window_days FROM rank_state WHERE id = 1`+s.d.forUpdate()).Scan(&st.asOf, &st.window); err != nil {
		return err
	}
	if st != want {
		if err := s.rankRoll(ctx, q, st, want); err != nil {
			return err
		}
		st = want
	}
	units, err := takeDirty(ctx, q, "rank_dirty", "unit")
	if err != nil {
		return err
	}
	if len(units) > 0 {
		return s.rankUnits(ctx, q, st, units)
	}
	accounts, err := takeDirty(ctx, q, "rank_dirty_accounts", "account_id")
	if err != nil || len(accounts) == 0 {
		return err
	}
	return s.rankAccounts(ctx, q, st, accounts)
}

// takeDirty removes up to rankBatch marks and returns them. Deleting before reading
// the raw tables matters on PostgreSQL: a writer that marked a unit holds the mark's
// row until it commits, so the delete waits and the reads that follow see its change.
func takeDirty(ctx context.Context, q q, table, col string) ([]string, error) {
	ids, err := strs(ctx, q, fmt.Sprintf(`SELECT %s FROM %s ORDER BY %s LIMIT %d`, col, table, col, rankBatch))
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	in, args := placeholders(ids)
	_, err = q.exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s IN (%s)`, table, col, in), args...)
	return ids, err
}

// rankRoll moves the trend windows and the renewal window to a new day or setting.
func (s *Store) rankRoll(ctx context.Context, q q, from, to rankState) error {
	if _, err := q.exec(ctx, `UPDATE rank_state SET as_of_day = ?, window_days = ? WHERE id = 1`, to.asOf, to.window); err != nil {
		return err
	}
	if from.asOf != to.asOf {
		if _, err := q.exec(ctx, `UPDATE rank_subjects SET last30 = 0, prior30 = 0, last90 = 0 WHERE last30 <> 0 OR prior30 <> 0 OR last90 <> 0`); err != nil {
			return err
		}
		rows, err := q.query(ctx, `SELECT subject, day, n FROM rank_days WHERE day > ? AND day <= ?`, to.asOf-90, to.asOf)
		if err != nil {
			return err
		}
		win := map[string]*[3]int{}
		for rows.Next() {
			var subj string
			var day int64
			var n int
			if err := rows.Scan(&subj, &day, &n); err != nil {
				rows.Close()
				return err
			}
			w := win[subj]
			if w == nil {
				w = &[3]int{}
				win[subj] = w
			}
			l30, p30, l90 := feedback.Windows(day, to.asOf)
			w[0] += n * b2i(l30)
			w[1] += n * b2i(p30)
			w[2] += n * b2i(l90)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, subj := range sortedKeys(win) {
			w := win[subj]
			if _, err := q.exec(ctx, `UPDATE rank_subjects SET last30 = ?, prior30 = ?, last90 = ? WHERE subject = ?`, w[0], w[1], w[2], subj); err != nil {
				return err
			}
		}
	}
	// Accounts whose renewal falls in one window but not the other get recomputed.
	f0, t0 := feedback.RenewalWindow(from.asOf, from.window)
	f1, t1 := feedback.RenewalWindow(to.asOf, to.window)
	_, err := q.exec(ctx, `INSERT INTO rank_dirty_accounts (account_id) SELECT account_id FROM rank_accounts
		WHERE (renewal_date >= ? AND renewal_date <= ?) OR (renewal_date >= ? AND renewal_date <= ?)
		ON CONFLICT (account_id) DO NOTHING`, min(f0, f1), max(f0, f1), min(t0, t1), max(t0, t1))
	return err
}

// rankUnits recounts a batch of dirty units.
func (s *Store) rankUnits(ctx context.Context, q q, st rankState, units []string) error {
	cur, err := currentUnits(ctx, q, units)
	if err != nil {
		return err
	}
	old, err := countedUnits(ctx, q, units)
	if err != nil {
		return err
	}
	d := newRankDelta(st)
	var addUnits [][]any
	for _, u := range units {
		o, had := old[u]
		c, has := cur[u]
		switch {
		case had && has && o.sameAttrs(c):
			for subj := range o.subjects {
				if _, keep := c.subjects[subj]; !keep {
					d.unit(subj, "", o, -1)
					if _, err := q.exec(ctx, `DELETE FROM rank_units WHERE unit = ? AND subject = ?`, u, subj); err != nil {
						return err
					}
				}
			}
			for subj, kind := range c.subjects {
				if _, was := o.subjects[subj]; !was {
					d.unit(subj, kind, c, 1)
					addUnits = append(addUnits, []any{u, subj})
				}
			}
			continue
		case had:
			for subj := range o.subjects {
				d.unit(subj, "", o, -1)
			}
			if _, err := q.exec(ctx, `DELETE FROM rank_units WHERE unit = ?`, u); err != nil {
				return err
			}
			if _, err := q.exec(ctx, `DELETE FROM rank_items WHERE unit = ?`, u); err != nil {
				return err
			}
		}
		if has {
			for subj, kind := range c.subjects {
				d.unit(subj, kind, c, 1)
				addUnits = append(addUnits, []any{u, subj})
			}
			if _, err := q.exec(ctx, `INSERT INTO rank_items (unit, account_id, person_id, day) VALUES (?, ?, ?, ?)`, u, c.account, c.person, c.day); err != nil {
				return err
			}
		}
	}
	if err := insertRows(ctx, q, "rank_units", "unit, subject", addUnits); err != nil {
		return err
	}
	return s.rankApply(ctx, q, d)
}

// currentUnits reads what each unit should count for now, from the raw tables. A unit
// that counts for no subject (untagged, unlinked, deleted) is absent.
func currentUnits(ctx context.Context, q q, units []string) (map[string]rankUnit, error) {
	out := map[string]rankUnit{}
	var items []string
	for _, u := range units {
		if !strings.HasPrefix(u, "v:") {
			items = append(items, u)
			continue
		}
		parts := strings.SplitN(u[2:], ":", 2)
		if len(parts) != 2 {
			continue
		}
		var ru rankUnit
		var at int64
		var root string
		err := q.row(ctx, `SELECT COALESCE(v.account_id, ''), v.created_at, r.root_id FROM votes v JOIN requests r ON r.id = v.request_id
			WHERE v.request_id = ? AND v.person_id = ?`, parts[0], parts[1]).Scan(&ru.account, &at, &root)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ru.person, ru.day, ru.subjects = parts[1], feedback.Day(fromMS(at)), map[string]string{root: rankRequest}
		out[u] = ru
	}
	if len(items) == 0 {
		return out, nil
	}
	in, args := placeholders(items)
	subjects := map[string]map[string]string{}
	for _, sq := range []struct{ query, kind string }{
		{`SELECT DISTINCT ft.feedback_id, c.ancestor_id FROM feedback_tags ft JOIN tag_closure c ON c.descendant_id = ft.tag_id WHERE ft.feedback_id IN (` + in + `)`, rankTag},
		{`SELECT DISTINCT l.feedback_id, r.root_id FROM request_links l JOIN requests r ON r.id = l.request_id WHERE l.feedback_id IN (` + in + `)`, rankRequest},
	} {
		rows, err := q.query(ctx, sq.query, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var item, subj string
			if err := rows.Scan(&item, &subj); err != nil {
				rows.Close()
				return nil, err
			}
			if subjects[item] == nil {
				subjects[item] = map[string]string{}
			}
			subjects[item][subj] = sq.kind
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	rows, err := q.query(ctx, `SELECT id, COALESCE(account_id, ''), COALESCE(person_id, ''), occurred_at FROM feedback WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ru rankUnit
		var at int64
		if err := rows.Scan(&id, &ru.account, &ru.person, &at); err != nil {
			return nil, err
		}
		if ru.subjects = subjects[id]; len(ru.subjects) > 0 {
			ru.day = feedback.Day(fromMS(at))
			out[id] = ru
		}
	}
	return out, rows.Err()
}

// countedUnits reads what each unit was last counted with.
func countedUnits(ctx context.Context, q q, units []string) (map[string]rankUnit, error) {
	in, args := placeholders(units)
	out := map[string]rankUnit{}
	rows, err := q.query(ctx, `SELECT unit, account_id, person_id, day FROM rank_items WHERE unit IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u string
		ru := rankUnit{subjects: map[string]string{}}
		if err := rows.Scan(&u, &ru.account, &ru.person, &ru.day); err != nil {
			rows.Close()
			return nil, err
		}
		out[u] = ru
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.query(ctx, `SELECT unit, subject FROM rank_units WHERE unit IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u, subj string
		if err := rows.Scan(&u, &subj); err != nil {
			return nil, err
		}
		if ru, ok := out[u]; ok {
			ru.subjects[subj] = ""
		}
	}
	return out, rows.Err()
}

// rankAccounts re-applies changed account contributions to every subject counting them.
func (s *Store) rankAccounts(ctx context.Context, q q, st rankState, ids []string) error {
	d := newRankDelta(st)
	for _, id := range ids {
		oldCur, old, ok, err := storedContribution(ctx, q, id)
		if err != nil {
			return err
		}
		if !ok {
			continue // not counted anywhere
		}
		cur, c, renewal, exists, err := accountContribution(ctx, q, id, st)
		if err != nil {
			return err
		}
		subjects, err := strs(ctx, q, `SELECT subject FROM rank_members WHERE account_id = ? ORDER BY subject`, id)
		if err != nil {
			return err
		}
		if !exists && len(subjects) == 0 {
			if _, err := q.exec(ctx, `DELETE FROM rank_accounts WHERE account_id = ?`, id); err != nil {
				return err
			}
			continue
		}
		if !exists || (cur == oldCur && c == old) {
			continue
		}
		for _, subj := range subjects {
			d.money(subj, oldCur, old, -1)
			d.money(subj, cur, c, 1)
		}
		if _, err := q.exec(ctx, `UPDATE rank_accounts SET currency = ?, cab = ?, mrr = ?, churned_mrr = ?, at_risk_mrr = ?, renewal_date = ? WHERE account_id = ?`,
			cur, c.CAB, c.MRR, c.ChurnedMRR, c.AtRiskMRR, renewal, id); err != nil {
			return err
		}
	}
	return s.rankApply(ctx, q, d)
}

func storedContribution(ctx context.Context, q q, id string) (string, feedback.Contribution, bool, error) {
	c := feedback.Contribution{Accounts: 1}
	var cur string
	err := q.row(ctx, `SELECT currency, cab, mrr, churned_mrr, at_risk_mrr FROM rank_accounts WHERE account_id = ?`, id).
		Scan(&cur, &c.CAB, &c.MRR, &c.ChurnedMRR, &c.AtRiskMRR)
	if errors.Is(err, sql.ErrNoRows) {
		return "", c, false, nil
	}
	return cur, c, err == nil, err
}

// accountContribution computes an account's contribution from its current facts.
func accountContribution(ctx context.Context, q q, id string, st rankState) (cur string, c feedback.Contribution, renewal string, exists bool, err error) {
	var f feedback.AccountFacts
	var stage string
	err = q.row(ctx, `SELECT COALESCE(mrr, 0), COALESCE(churned_mrr, 0), COALESCE(currency, ''), stage, renewal_date, cab FROM accounts WHERE id = ?`, id).
		Scan(&f.MRR, &f.ChurnedMRR, &f.Currency, &stage, &f.RenewalDate, &f.CAB)
	if errors.Is(err, sql.ErrNoRows) {
		return "", feedback.Contribution{Accounts: 1}, "", false, nil
	}
	if err != nil {
		return "", c, "", false, err
	}
	f.Churned = stage == "churned"
	return f.Currency, f.Contribution(st.asOf, st.window), f.RenewalDate, true, nil
}

// rankDelta collects a batch's changes so that each key is written once.
type rankDelta struct {
	st       rankState
	kinds    map[string]string
	members  map[[2]string]int
	people   map[[2]string]int
	days     map[subjectDay]int
	subjects map[string]*[5]int // people, total, last30, prior30, last90
	sums     map[[2]string]feedback.Contribution
	contribs map[string]contribution // account → contribution this batch counts with
}

type subjectDay struct {
	subject string
	day     int64
}

type contribution struct {
	currency string
	c        feedback.Contribution
}

func newRankDelta(st rankState) *rankDelta {
	return &rankDelta{st: st, kinds: map[string]string{}, members: map[[2]string]int{}, people: map[[2]string]int{},
		days: map[subjectDay]int{}, subjects: map[string]*[5]int{}, sums: map[[2]string]feedback.Contribution{},
		contribs: map[string]contribution{}}
}

func (d *rankDelta) subject(subj string) *[5]int {
	v := d.subjects[subj]
	if v == nil {
		v = &[5]int{}
		d.subjects[subj] = v
	}
	return v
}

// unit adds (sign 1) or removes (−1) one unit's evidence for a subject.
func (d *rankDelta) unit(subj, kind string, u rankUnit, sign int) {
	if kind != "" {
		d.kinds[subj] = kind
	}
	if u.account != "" {
		d.members[[2]string{subj, u.account}] += sign
	}
	if u.person != "" {
		d.people[[2]string{subj, u.person}] += sign
	}
	d.days[subjectDay{subj, u.day}] += sign
	v := d.subject(subj)
	l30, p30, l90 := feedback.Windows(u.day, d.st.asOf)
	v[1] += sign
	v[2] += sign * b2i(l30)
	v[3] += sign * b2i(p30)
	v[4] += sign * b2i(l90)
}

func (d *rankDelta) money(subj, cur string, c feedback.Contribution, sign int) {
	k := [2]string{subj, cur}
	d.sums[k] = d.sums[k].Add(c, sign)
}

// rankApply writes a delta: counts first, then what their 0 ↔ 1 transitions imply.
func (s *Store) rankApply(ctx context.Context, q q, d *rankDelta) error {
	var errOut error
	transitions := func(table, col string, m map[[2]string]int, on func(k [2]string, sign int) error) {
		if errOut != nil {
			return
		}
		for _, k := range sortedPairs(m) {
			delta := m[k]
			if delta == 0 {
				continue
			}
			var n int
			err := q.row(ctx, fmt.Sprintf(`INSERT INTO %s (subject, %s, n) VALUES (?, ?, ?)
				ON CONFLICT (subject, %s) DO UPDATE SET n = %s.n + excluded.n RETURNING n`, table, col, col, table), k[0], k[1], delta).Scan(&n)
			if err == nil && n < 0 {
				err = fmt.Errorf("%s %v counted below zero", table, k)
			}
			if err == nil && n == 0 {
				_, err = q.exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE subject = ? AND %s = ?`, table, col), k[0], k[1])
			}
			if err == nil {
				switch before := n - delta; {
				case before == 0 && n > 0:
					err = on(k, 1)
				case before > 0 && n == 0:
					err = on(k, -1)
				}
			}
			if err != nil {
				errOut = err
				return
			}
		}
	}
	transitions("rank_members", "account_id", d.members, func(k [2]string, sign int) error {
		c, err := d.contribution(ctx, q, k[1])
		if err == nil {
			d.money(k[0], c.currency, c.c, sign)
		}
		return err
	})
	transitions("rank_people", "person_id", d.people, func(k [2]string, sign int) error {
		d.subject(k[0])[0] += sign
		return nil
	})
	if errOut != nil {
		return errOut
	}
	days := make([]subjectDay, 0, len(d.days))
	for k, n := range d.days {
		if n != 0 {
			days = append(days, k)
		}
	}
	sort.Slice(days, func(i, j int) bool {
		return days[i].subject < days[j].subject || days[i].subject == days[j].subject && days[i].day < days[j].day
	})
	for _, k := range days {
		var n int
		if err := q.row(ctx, `INSERT INTO rank_days (subject, day, n) VALUES (?, ?, ?)
			ON CONFLICT (subject, day) DO UPDATE SET n = rank_days.n + excluded.n RETURNING n`, k.subject, k.day, d.days[k]).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := q.exec(ctx, `DELETE FROM rank_days WHERE subject = ? AND day = ?`, k.subject, k.day); err != nil {
				return err
			}
		}
	}
	for _, subj := range sortedKeys(d.subjects) {
		v := d.subjects[subj]
		if *v == [5]int{} {
			continue
		}
		var total int
		if err := q.row(ctx, `INSERT INTO rank_subjects (subject, kind, people, total, last30, prior30, last90) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (subject) DO UPDATE SET people = rank_subjects.people + excluded.people, total = rank_subjects.total + excluded.total,
			last30 = rank_subjects.last30 + excluded.last30, prior30 = rank_subjects.prior30 + excluded.prior30,
			last90 = rank_subjects.last90 + excluded.last90 RETURNING total`,
			subj, d.kinds[subj], v[0], v[1], v[2], v[3], v[4]).Scan(&total); err != nil {
			return err
		}
		if total == 0 {
			if _, err := q.exec(ctx, `DELETE FROM rank_subjects WHERE subject = ?`, subj); err != nil {
				return err
			}
		}
	}
	for _, k := range sortedPairs(d.sums) {
		c := d.sums[k]
		if c == (feedback.Contribution{}) {
			continue
		}
		var accounts int
		if err := q.row(ctx, `INSERT INTO rank_totals (subject, currency, accounts, cab, mrr, churned_mrr, at_risk_mrr) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (subject, currency) DO UPDATE SET accounts = rank_totals.accounts + excluded.accounts, cab = rank_totals.cab + excluded.cab,
			mrr = rank_totals.mrr + excluded.mrr, churned_mrr = rank_totals.churned_mrr + excluded.churned_mrr,
			at_risk_mrr = rank_totals.at_risk_mrr + excluded.at_risk_mrr RETURNING accounts`,
			k[0], k[1], c.Accounts, c.CAB, c.MRR, c.ChurnedMRR, c.AtRiskMRR).Scan(&accounts); err != nil {
			return err
		}
		if accounts == 0 {
			if _, err := q.exec(ctx, `DELETE FROM rank_totals WHERE subject = ? AND currency = ?`, k[0], k[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// contribution returns the contribution an account is counted with, recording it the
// first time the account counts anywhere.
func (d *rankDelta) contribution(ctx context.Context, q q, accountID string) (contribution, error) {
	if c, ok := d.contribs[accountID]; ok {
		return c, nil
	}
	cur, c, ok, err := storedContribution(ctx, q, accountID)
	if err != nil {
		return contribution{}, err
	}
	if !ok {
		var renewal string
		if cur, c, renewal, _, err = accountContribution(ctx, q, accountID, d.st); err != nil {
			return contribution{}, err
		}
		if _, err := q.exec(ctx, `INSERT INTO rank_accounts (account_id, currency, cab, mrr, churned_mrr, at_risk_mrr, renewal_date) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			accountID, cur, c.CAB, c.MRR, c.ChurnedMRR, c.AtRiskMRR, renewal); err != nil {
			return contribution{}, err
		}
	}
	d.contribs[accountID] = contribution{cur, c}
	return d.contribs[accountID], nil
}

// rankTallies reads the roll-ups of one kind of subject in one consistent snapshot.
func (s *Store) rankTallies(ctx context.Context, kind string) ([]feedback.Tally, error) {
	tx, err := s.r.BeginTx(ctx, s.d.snapshot())
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rq := q{tx, s.d}
	rows, err := rq.query(ctx, `SELECT subject, people, total, last30, prior30, last90 FROM rank_subjects WHERE kind = ?`, kind)
	if err != nil {
		return nil, err
	}
	var out []feedback.Tally
	index := map[string]int{}
	for rows.Next() {
		t := feedback.Tally{ByCurrency: map[string]feedback.Contribution{}}
		if err := rows.Scan(&t.Subject, &t.People, &t.Total, &t.Last30, &t.Prior30, &t.Last90); err != nil {
			rows.Close()
			return nil, err
		}
		index[t.Subject] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = rq.query(ctx, `SELECT t.subject, t.currency, t.accounts, t.cab, t.mrr, t.churned_mrr, t.at_risk_mrr
		FROM rank_totals t JOIN rank_subjects s ON s.subject = t.subject WHERE s.kind = ?`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var subj, cur string
		var c feedback.Contribution
		if err := rows.Scan(&subj, &cur, &c.Accounts, &c.CAB, &c.MRR, &c.ChurnedMRR, &c.AtRiskMRR); err != nil {
			return nil, err
		}
		if i, ok := index[subj]; ok {
			out[i].ByCurrency[cur] = c
		}
	}
	return out, rows.Err()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func strs(ctx context.Context, q q, query string, args ...any) ([]string, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedPairs[V any](m map[[2]string]V) [][2]string {
	out := make([][2]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] || out[i][0] == out[j][0] && out[i][1] < out[j][1] })
	return out
}
