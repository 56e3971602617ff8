package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
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
	subjects        map[string]string // subject → kind ("" when read back from rank_items)
}

func (u rankUnit) sameAttrs(o rankUnit) bool {
	return u.account == o.account && u.person == o.person && u.day == o.day
}

// rankDerivation is the ranking roll-ups as a derivation (derive.go), for the day and
// renewal window in want.
type rankDerivation struct {
	s    *Store
	want rankState
}

func (s *Store) rankDerivation(ctx context.Context, now time.Time) (*rankDerivation, error) {
	settings, err := s.RankSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("rank derivation: %w", err)
	}
	return &rankDerivation{s, rankState{asOf: feedback.Day(now), window: settings.RenewalWindowDays}}, nil
}

func (d *rankDerivation) name() string { return "ranking" }

func (d *rankDerivation) marks() []markTable {
	return []markTable{{"rank_dirty", "unit"}, {"rank_dirty_accounts", "account_id"}}
}

func (d *rankDerivation) stale(ctx context.Context, rq q) (bool, error) {
	var st rankState
	err := rq.row(ctx, `SELECT as_of_day, window_days FROM rank_state WHERE id = 1`).Scan(&st.asOf, &st.window)
	return st != d.want, wrapf(err, "stale")
}

func (d *rankDerivation) prepare(ctx context.Context, q q) error {
	var st rankState
	// The row lock serialises concurrent syncs on PostgreSQL (SQLite has one writer).
	if err := q.row(ctx, `SELECT as_of_day, window_days FROM rank_state WHERE id = 1`+d.s.d.forUpdate()).Scan(&st.asOf, &st.window); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if st == d.want {
		return nil
	}
	return wrapf(d.s.rankRoll(ctx, q, st, d.want), "prepare")
}

func (d *rankDerivation) recompute(ctx context.Context, q q, table int, keys []string) error {
	if table == 0 {
		return wrapf(d.s.rankUnits(ctx, q, d.want, keys), "recompute")
	}
	return wrapf(d.s.rankAccounts(ctx, q, d.want, keys), "recompute")
}

func (d *rankDerivation) reset(ctx context.Context, q q) error {
	for _, t := range []string{"rank_items", "rank_members", "rank_people", "rank_days", "rank_totals", "rank_subjects", "rank_accounts", "rank_dirty_accounts", "rank_keys"} {
		if _, err := q.exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	_, err := q.exec(ctx, `INSERT INTO rank_dirty (unit)
		SELECT feedback_id FROM feedback_tags
		UNION SELECT feedback_id FROM request_links
		UNION SELECT 'v:' || request_id || ':' || person_id FROM votes WHERE true
		ON CONFLICT (unit) DO NOTHING`)
	return wrapf(err, "reset")
}

func (d *rankDerivation) results() []string {
	return []string{"rank_items", "rank_members", "rank_people", "rank_days", "rank_subjects", "rank_totals"}
}

// SyncRank brings the roll-ups up to date with every committed change, for the day of
// now and the configured renewal window. It is cheap when nothing changed; the server
// runs it in the background so that ranking rarely finds much to do.
func (s *Store) SyncRank(ctx context.Context, now time.Time) error {
	_, err := s.syncRankWithin(ctx, now, 0)
	return wrapf(err, "store: sync rank")
}

// rankReadBudget bounds how long a ranking call spends catching the roll-ups up. A
// large backlog (the first build after an upgrade or a bulk import) is left to the
// background sync, and the call counts from the raw evidence instead.
const rankReadBudget = 2 * time.Second

// syncRankWithin syncs for at most budget (0: until done) and reports whether the
// roll-ups are up to date for the day of now.
func (s *Store) syncRankWithin(ctx context.Context, now time.Time, budget time.Duration) (bool, error) {
	return syncBuilt(ctx, s, budget, func() (*rankDerivation, error) { return s.rankDerivation(ctx, now) },
		"sync rank within", "store: ranking roll-up")
}

// rankRoll moves the trend windows and the renewal window to a new day or setting.
func (s *Store) rankRoll(ctx context.Context, q q, from, to rankState) error {
	if _, err := q.exec(ctx, `UPDATE rank_state SET as_of_day = ?, window_days = ? WHERE id = 1`, to.asOf, to.window); err != nil {
		return fmt.Errorf("rank roll: %w", err)
	}
	if from.asOf != to.asOf {
		if _, err := q.exec(ctx, `UPDATE rank_subjects SET last30 = 0, prior30 = 0, last90 = 0 WHERE last30 <> 0 OR prior30 <> 0 OR last90 <> 0`); err != nil {
			return fmt.Errorf("rank roll: %w", err)
		}
		rows, err := q.query(ctx, `SELECT subject, day, n FROM rank_days WHERE day > ? AND day <= ?`, to.asOf-90, to.asOf)
		if err != nil {
			return fmt.Errorf("rank roll: %w", err)
		}
		win := map[int64]*[3]int{}
		for rows.Next() {
			var subj int64
			var day int64
			var n int
			if err := rows.Scan(&subj, &day, &n); err != nil {
				rows.Close()
				return fmt.Errorf("rank roll: %w", err)
			}
			w := win[subj]
			if w == nil {
				w = &[3]int{}
				win[subj] = w
			}
			l30, p30, l90 := feedback.Windows(day, to.asOf)
			w[0] += n * l30
			w[1] += n * p30
			w[2] += n * l90
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("rank roll: %w", err)
		}
		for _, subj := range slices.Sorted(maps.Keys(win)) {
			w := win[subj]
			if _, err := q.exec(ctx, `UPDATE rank_subjects SET last30 = ?, prior30 = ?, last90 = ? WHERE subject = ?`, w[0], w[1], w[2], subj); err != nil {
				return fmt.Errorf("rank roll: %w", err)
			}
		}
	}
	// Units whose day enters or leaves a "last N days" view get recounted.
	for _, n := range rankWindows {
		for _, r := range windowMoves(from.asOf, to.asOf, n) {
			if _, err := q.exec(ctx, `INSERT INTO rank_dirty (unit) SELECT unit FROM rank_items WHERE day >= ? AND day <= ?
				ON CONFLICT (unit) DO NOTHING`, r[0], r[1]); err != nil {
				return fmt.Errorf("rank roll: %w", err)
			}
		}
	}
	// Accounts whose renewal falls in one window but not the other get recomputed.
	f0, t0 := feedback.RenewalWindow(from.asOf, from.window)
	f1, t1 := feedback.RenewalWindow(to.asOf, to.window)
	_, err := q.exec(ctx, `INSERT INTO rank_dirty_accounts (account_id) SELECT account_id FROM rank_accounts
		WHERE (renewal_date >= ? AND renewal_date <= ?) OR (renewal_date >= ? AND renewal_date <= ?)
		ON CONFLICT (account_id) DO NOTHING`, min(f0, f1), max(f0, f1), min(t0, t1), max(t0, t1))
	return wrapf(err, "rank roll")
}

// rankUnits recounts a batch of dirty units.
func (s *Store) rankUnits(ctx context.Context, q q, st rankState, units []string) error {
	cur, err := currentUnits(ctx, q, units, st.asOf)
	if err != nil {
		return fmt.Errorf("rank units: %w", err)
	}
	d := newRankDelta(st)
	old, err := countedUnits(ctx, q, d.keys, units)
	if err != nil {
		return fmt.Errorf("rank units: %w", err)
	}
	var names []string
	for _, c := range cur {
		names = append(names, c.account, c.person)
		for subj := range c.subjects {
			names = append(names, subj)
		}
	}
	if err := d.keys.add(ctx, q, names); err != nil {
		return fmt.Errorf("rank units: %w", err)
	}
	var stale []string // units whose stored row is rewritten or removed
	var rows [][]any
	for _, u := range units {
		o, had := old[u]
		c, has := cur[u]
		if had && has && o.sameAttrs(c) {
			changed := false
			for subj := range o.subjects {
				if _, keep := c.subjects[subj]; !keep {
					d.unit(subj, "", o, -1)
					changed = true
				}
			}
			for subj, kind := range c.subjects {
				if _, was := o.subjects[subj]; !was {
					d.unit(subj, kind, c, 1)
					changed = true
				}
			}
			if !changed {
				continue
			}
		} else {
			for subj := range o.subjects {
				d.unit(subj, "", o, -1)
			}
			for subj, kind := range c.subjects {
				d.unit(subj, kind, c, 1)
			}
		}
		if had {
			stale = append(stale, u)
		}
		if has {
			subjects := make([]int64, 0, len(c.subjects))
			for subj := range c.subjects {
				subjects = append(subjects, d.keys.id(subj))
			}
			slices.Sort(subjects)
			rows = append(rows, []any{u, d.keys.id(c.account), d.keys.id(c.person), c.day, joinKeys(subjects)})
		}
	}
	for len(stale) > 0 {
		chunk := stale[:min(len(stale), 5000)]
		stale = stale[len(chunk):]
		in, args := placeholders(chunk)
		if _, err := q.exec(ctx, `DELETE FROM rank_items WHERE unit IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("rank units: %w", err)
		}
	}
	if err := insertRows(ctx, q, "rank_items", "unit, account, person, day, subjects", rows); err != nil {
		return fmt.Errorf("rank units: %w", err)
	}
	return wrapf(s.rankApply(ctx, q, d), "rank units")
}

// currentUnits reads what each unit should count for now, from the raw tables. A unit
// that counts for no subject (untagged, unlinked, deleted) is absent.
func currentUnits(ctx context.Context, q q, units []string, asOf int64) (map[string]rankUnit, error) {
	return inChunks(units, func(chunk []string) (map[string]rankUnit, error) { return currentUnitsChunk(ctx, q, chunk, asOf) })
}

// inChunks calls read for slices of keys small enough for one statement's
// parameters and merges what it returns.
func inChunks[V any](keys []string, read func([]string) (map[string]V, error)) (map[string]V, error) {
	out := map[string]V{}
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), 5000)]
		keys = keys[len(chunk):]
		m, err := read(chunk)
		if err != nil {
			return nil, fmt.Errorf("in chunks: %w", err)
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

func currentUnitsChunk(ctx context.Context, q q, units []string, asOf int64) (map[string]rankUnit, error) {
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
		var root, tier string
		err := q.row(ctx, `SELECT COALESCE(v.account_id, ''), v.created_at, r.root_id, COALESCE(a.tier, '') FROM votes v
			JOIN requests r ON r.id = v.request_id LEFT JOIN accounts a ON a.id = v.account_id
			WHERE v.request_id = ? AND v.person_id = ?`, parts[0], parts[1]).Scan(&ru.account, &at, &root, &tier)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("current units chunk: %w", err)
		}
		ru.person, ru.day, ru.subjects = parts[1], feedback.Day(fromMS(at)), map[string]string{root: rankRequest}
		addSegments(ru.subjects, tier, "")
		addWindows(ru.subjects, ru.day, asOf)
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
			return nil, fmt.Errorf("current units chunk: %w", err)
		}
		for rows.Next() {
			var item, subj string
			if err := rows.Scan(&item, &subj); err != nil {
				rows.Close()
				return nil, fmt.Errorf("current units chunk: %w", err)
			}
			if subjects[item] == nil {
				subjects[item] = map[string]string{}
			}
			subjects[item][subj] = sq.kind
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("current units chunk: %w", err)
		}
	}
	rows, err := q.query(ctx, `SELECT fb.id, COALESCE(fb.account_id, ''), COALESCE(fb.person_id, ''), fb.occurred_at, fb.kind, COALESCE(a.tier, '')
		FROM feedback fb LEFT JOIN accounts a ON a.id = fb.account_id WHERE fb.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("current units chunk: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, tier string
		var ru rankUnit
		var at int64
		if err := rows.Scan(&id, &ru.account, &ru.person, &at, &kind, &tier); err != nil {
			return nil, fmt.Errorf("current units chunk: %w", err)
		}
		if ru.subjects = subjects[id]; len(ru.subjects) > 0 {
			ru.day = feedback.Day(fromMS(at))
			addSegments(ru.subjects, tier, kind)
			addWindows(ru.subjects, ru.day, asOf)
			out[id] = ru
		}
	}
	return out, wrapf(rows.Err(), "current units chunk")
}

// Segments: each subject is also counted per account tier and per feedback kind, under
// "tier=<tier>/<subject>" with kind "<kind> tier=<tier>" (and likewise kind=), so a
// ranking filtered by one tier or one kind reads roll-ups as well. Evidence from the
// last 30 or 90 days also counts, for every one of those, under "last=30/<subject>"
// with kind "<kind> last=30": the UI's date control reads roll-ups too. Those depend
// on the day, so rankRoll recounts the units that enter or leave a window.

func segmentSubject(dim, value, subject string) string { return dim + "=" + value + "/" + subject }

func segmentKind(kind, dim, value string) string { return kind + " " + dim + "=" + value }

func addSegments(subjects map[string]string, tier, kind string) {
	for _, dv := range [][2]string{{"tier", tier}, {"kind", kind}} {
		if dv[1] == "" {
			continue
		}
		for subj, k := range subjects {
			if !strings.Contains(k, " ") { // a base subject, not a segment added just now
				subjects[segmentSubject(dv[0], dv[1], subj)] = segmentKind(k, dv[0], dv[1])
			}
		}
	}
}

// rankWindows are the "last N days" views kept as roll-ups.
var rankWindows = []int{30, 90}

// inWindow says whether evidence from day is in the last n days on day today (today
// and the n−1 before it, as feedback.Windows counts).
func inWindow(day, today int64, n int) bool { return day <= today && day > today-int64(n) }

func addWindows(subjects map[string]string, day, today int64) {
	base := make(map[string]string, len(subjects))
	for subj, k := range subjects {
		base[subj] = k
	}
	for _, n := range rankWindows {
		if !inWindow(day, today, n) {
			continue
		}
		v := strconv.Itoa(n)
		for subj, k := range base {
			subjects[segmentSubject("last", v, subj)] = segmentKind(k, "last", v)
		}
	}
}

// windowOf splits a "last N days" subject into the subject it narrows and its window's
// place in rankWindows plus one; any other subject is itself and 0.
func windowOf(subj string) (string, int) {
	if !strings.HasPrefix(subj, "last=") {
		return subj, 0
	}
	for i, n := range rankWindows {
		if rest, ok := strings.CutPrefix(subj, segmentSubject("last", strconv.Itoa(n), "")); ok {
			return rest, i + 1
		}
	}
	return subj, 0
}

// windowSubject is windowOf's inverse.
func windowSubject(subj string, w int) string {
	if w == 0 {
		return subj
	}
	return segmentSubject("last", strconv.Itoa(rankWindows[w-1]), subj)
}

// windowMoves are the day ranges whose evidence enters or leaves the last n days when
// the day moves from one to the other: the two windows' symmetric difference.
func windowMoves(from, to int64, n int) [][2]int64 {
	if from == to {
		return nil
	}
	w := int64(n)
	old, cur := [2]int64{from - w + 1, from}, [2]int64{to - w + 1, to}
	var out [][2]int64
	for _, p := range [][2][2]int64{{old, cur}, {cur, old}} {
		a, c := p[0], p[1]
		if lo, hi := a[0], min(a[1], c[0]-1); lo <= hi {
			out = append(out, [2]int64{lo, hi})
		}
		if lo, hi := max(a[0], c[1]+1), a[1]; lo <= hi {
			out = append(out, [2]int64{lo, hi})
		}
	}
	return out
}

// countedUnits reads what each unit was last counted with, by name.
func countedUnits(ctx context.Context, q q, keys *rankKeys, units []string) (map[string]rankUnit, error) {
	return inChunks(units, func(chunk []string) (map[string]rankUnit, error) { return countedUnitsChunk(ctx, q, keys, chunk) })
}

func countedUnitsChunk(ctx context.Context, q q, keys *rankKeys, units []string) (map[string]rankUnit, error) {
	in, args := placeholders(units)
	rows, err := q.query(ctx, `SELECT unit, account, person, day, subjects FROM rank_items WHERE unit IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("counted units chunk: %w", err)
	}
	type counted struct {
		unit            string
		account, person int64
		day             int64
		subjects        []int64
	}
	var got []counted
	var ids []int64
	for rows.Next() {
		var c counted
		var subjects string
		if err := rows.Scan(&c.unit, &c.account, &c.person, &c.day, &subjects); err != nil {
			rows.Close()
			return nil, fmt.Errorf("counted units chunk: %w", err)
		}
		if c.subjects, err = splitKeys(subjects); err != nil {
			rows.Close()
			return nil, fmt.Errorf("counted units chunk: %w", err)
		}
		got = append(got, c)
		ids = append(append(ids, c.account, c.person), c.subjects...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counted units chunk: %w", err)
	}
	if err := keys.resolve(ctx, q, ids); err != nil {
		return nil, fmt.Errorf("counted units chunk: %w", err)
	}
	out := make(map[string]rankUnit, len(got))
	for _, c := range got {
		ru := rankUnit{account: keys.name(c.account), person: keys.name(c.person), day: c.day, subjects: make(map[string]string, len(c.subjects))}
		for _, s := range c.subjects {
			ru.subjects[keys.name(s)] = ""
		}
		out[c.unit] = ru
	}
	return out, nil
}

// rankAccounts re-applies changed account contributions to every subject counting them.
func (s *Store) rankAccounts(ctx context.Context, q q, st rankState, ids []string) error {
	d := newRankDelta(st)
	stored, err := storedContributions(ctx, q, ids)
	if err != nil {
		return fmt.Errorf("rank accounts: %w", err)
	}
	facts, err := accountFacts(ctx, q, ids)
	if err != nil {
		return fmt.Errorf("rank accounts: %w", err)
	}
	if err := d.keys.byName(ctx, q, ids); err != nil {
		return fmt.Errorf("rank accounts: %w", err)
	}
	for _, id := range ids {
		old, ok := stored[id]
		if !ok {
			continue // not counted anywhere
		}
		f, exists := facts[id]
		subjects, err := d.accountSubjects(ctx, q, id)
		if err != nil {
			return fmt.Errorf("rank accounts: %w", err)
		}
		if !exists && len(subjects) == 0 {
			if _, err := q.exec(ctx, `DELETE FROM rank_accounts WHERE account_id = ?`, id); err != nil {
				return fmt.Errorf("rank accounts: %w", err)
			}
			continue
		}
		if !exists {
			continue
		}
		c := contribution{f.Currency, f.Contribution(st.asOf, st.window)}
		if c == old {
			continue
		}
		for _, subj := range subjects {
			d.money(subj, old.currency, old.c, -1)
			d.money(subj, c.currency, c.c, 1)
		}
		if _, err := q.exec(ctx, `UPDATE rank_accounts SET currency = ?, cab = ?, mrr = ?, churned_mrr = ?, at_risk_mrr = ?, renewal_date = ? WHERE account_id = ?`,
			c.currency, c.c.CAB, c.c.MRR, c.c.ChurnedMRR, c.c.AtRiskMRR, f.RenewalDate, id); err != nil {
			return fmt.Errorf("rank accounts: %w", err)
		}
	}
	return wrapf(s.rankApply(ctx, q, d), "rank accounts")
}

// accountSubjects are the names of the subjects counting an account.
func (d *rankDelta) accountSubjects(ctx context.Context, q q, account string) ([]string, error) {
	key, ok := d.keys.ids[account]
	if !ok {
		return nil, nil // never counted under any subject
	}
	rows, err := q.query(ctx, `SELECT subject, n30, n90 FROM rank_members WHERE account = ?`, key)
	if err != nil {
		return nil, fmt.Errorf("account subjects: %w", err)
	}
	type member struct {
		subject int64
		n       [3]int
	}
	var ms []member
	var ids []int64
	for rows.Next() {
		m := member{n: [3]int{1}}
		if err := rows.Scan(&m.subject, &m.n[1], &m.n[2]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("account subjects: %w", err)
		}
		ms, ids = append(ms, m), append(ids, m.subject)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account subjects: %w", err)
	}
	if err := d.keys.resolve(ctx, q, ids); err != nil {
		return nil, fmt.Errorf("account subjects: %w", err)
	}
	var out []string
	for _, m := range ms {
		for w, n := range m.n {
			if n > 0 {
				out = append(out, windowSubject(d.keys.name(m.subject), w))
			}
		}
	}
	return out, nil
}

// storedContributions reads the contributions accounts are counted with (rank_accounts).
func storedContributions(ctx context.Context, q q, ids []string) (map[string]contribution, error) {
	out := map[string]contribution{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		in, args := placeholders(chunk)
		rows, err := q.query(ctx, `SELECT account_id, currency, cab, mrr, churned_mrr, at_risk_mrr FROM rank_accounts WHERE account_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("stored contributions: %w", err)
		}
		for rows.Next() {
			var id string
			c := contribution{c: feedback.Contribution{Accounts: 1}}
			if err := rows.Scan(&id, &c.currency, &c.c.CAB, &c.c.MRR, &c.c.ChurnedMRR, &c.c.AtRiskMRR); err != nil {
				rows.Close()
				return nil, fmt.Errorf("stored contributions: %w", err)
			}
			out[id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("stored contributions: %w", err)
		}
	}
	return out, nil
}

// accountFacts reads what ranking needs to know about accounts; deleted ones are absent.
func accountFacts(ctx context.Context, q q, ids []string) (map[string]feedback.AccountFacts, error) {
	out := map[string]feedback.AccountFacts{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		in, args := placeholders(chunk)
		rows, err := q.query(ctx, `SELECT id, COALESCE(mrr, 0), COALESCE(churned_mrr, 0), COALESCE(currency, ''), stage, renewal_date, cab FROM accounts WHERE id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("account facts: %w", err)
		}
		for rows.Next() {
			var id, stage string
			var f feedback.AccountFacts
			if err := rows.Scan(&id, &f.MRR, &f.ChurnedMRR, &f.Currency, &stage, &f.RenewalDate, &f.CAB); err != nil {
				rows.Close()
				return nil, fmt.Errorf("account facts: %w", err)
			}
			f.Churned = stage == "churned"
			out[id] = f
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("account facts: %w", err)
		}
	}
	return out, nil
}

// rankDelta collects a batch's changes so that each key is written once.
type rankDelta struct {
	st       rankState
	keys     *rankKeys
	kinds    map[string]string
	members  map[[2]string][3]int // (subject, account) → units overall, in the last 30, in the last 90 days
	people   map[[2]string][3]int // (subject, person) → likewise
	days     map[subjectDay][3]int
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
	return &rankDelta{st: st, keys: newRankKeys(), kinds: map[string]string{}, members: map[[2]string][3]int{}, people: map[[2]string][3]int{},
		days: map[subjectDay][3]int{}, subjects: map[string]*[5]int{}, sums: map[[2]string]feedback.Contribution{},
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
	// A "last N days" subject has no members or people of its own: they are those of
	// the subject it narrows, counted in that subject's row for the window.
	base, w := windowOf(subj)
	if u.account != "" {
		k := [2]string{base, u.account}
		v := d.members[k]
		v[w] += sign
		d.members[k] = v
	}
	if u.person != "" {
		k := [2]string{base, u.person}
		v := d.people[k]
		v[w] += sign
		d.people[k] = v
	}
	k := subjectDay{subj, u.day}
	v0 := d.days[k]
	v0[0] += sign
	d.days[k] = v0
	v := d.subject(subj)
	l30, p30, l90 := feedback.Windows(u.day, d.st.asOf)
	v[1] += sign
	v[2] += sign * l30
	v[3] += sign * p30
	v[4] += sign * l90
}

func (d *rankDelta) money(subj, cur string, c feedback.Contribution, sign int) {
	k := [2]string{subj, cur}
	d.sums[k] = d.sums[k].Add(c, sign)
}

// rankApply writes a delta: counts first, then what their 0 ↔ 1 transitions imply.
// Every table is written with multi-row upserts that return the new values, so a
// batch costs a handful of round trips rather than one per key.
func (s *Store) rankApply(ctx context.Context, q q, d *rankDelta) error {
	if err := d.keys.add(ctx, q, d.names()); err != nil {
		return fmt.Errorf("rank apply: %w", err)
	}
	members, err := addCounts(ctx, q, d.keys, "rank_members", "account", windowCounts, d.members)
	if err != nil {
		return fmt.Errorf("rank apply: %w", err)
	}
	var counted []string
	for k, ch := range members {
		for _, c := range ch {
			if c.transition() != 0 {
				counted = append(counted, k[1])
			}
		}
	}
	if err := d.prefetch(ctx, q, counted); err != nil {
		return fmt.Errorf("rank apply: %w", err)
	}
	for _, k := range sortedPairs(members) {
		for w, ch := range members[k] {
			if sign := ch.transition(); sign != 0 {
				c := d.contribs[k[1]] // prefetched above
				d.money(windowSubject(k[0], w), c.currency, c.c, sign)
			}
		}
	}
	people, err := addCounts(ctx, q, d.keys, "rank_people", "person", windowCounts, d.people)
	if err != nil {
		return fmt.Errorf("rank apply: %w", err)
	}
	for k, ch := range people {
		for w, c := range ch {
			if t := c.transition(); t != 0 {
				d.subject(windowSubject(k[0], w))[0] += t
			}
		}
	}
	if _, err := addCounts(ctx, q, d.keys, "rank_days", "day", []string{"n"}, d.days); err != nil {
		return fmt.Errorf("rank apply: %w", err)
	}
	var subjects [][]any
	for subj, v := range d.subjects {
		if *v != [5]int{} {
			subjects = append(subjects, []any{d.keys.id(subj), d.kinds[subj], v[0], v[1], v[2], v[3], v[4]})
		}
	}
	sort.Slice(subjects, func(i, j int) bool { return keyLess(subjects[i], subjects[j]) })
	if err := upsertReturning(ctx, q, "rank_subjects", "subject, kind, people, total, last30, prior30, last90", "subject",
		`people = rank_subjects.people + excluded.people, total = rank_subjects.total + excluded.total,
		last30 = rank_subjects.last30 + excluded.last30, prior30 = rank_subjects.prior30 + excluded.prior30,
		last90 = rank_subjects.last90 + excluded.last90`, "total", "subject", subjects); err != nil {
		return fmt.Errorf("rank apply: %w", err)
	}
	var totals [][]any
	for k, c := range d.sums {
		if c != (feedback.Contribution{}) {
			totals = append(totals, []any{d.keys.id(k[0]), k[1], c.Accounts, c.CAB, c.MRR, c.ChurnedMRR, c.AtRiskMRR})
		}
	}
	sort.Slice(totals, func(i, j int) bool { return keyLess(totals[i], totals[j]) })
	return wrapf(upsertReturning(ctx, q, "rank_totals", "subject, currency, accounts, cab, mrr, churned_mrr, at_risk_mrr", "subject, currency",
		`accounts = rank_totals.accounts + excluded.accounts, cab = rank_totals.cab + excluded.cab,
		mrr = rank_totals.mrr + excluded.mrr, churned_mrr = rank_totals.churned_mrr + excluded.churned_mrr,
		at_risk_mrr = rank_totals.at_risk_mrr + excluded.at_risk_mrr`, "accounts", "subject, currency", totals), "rank apply")
}

// names are every subject, account and person the delta counts under.
func (d *rankDelta) names() []string {
	var out []string
	for k := range d.members {
		out = append(out, k[0], k[1])
	}
	for k := range d.people {
		out = append(out, k[0], k[1])
	}
	for k := range d.days {
		out = append(out, k.subject)
	}
	for k := range d.subjects {
		out = append(out, k)
	}
	for k := range d.sums {
		out = append(out, k[0])
	}
	return out
}

// change is a counter before and after a batch.
type change struct{ before, after int }

// transition is 1 when a counter went from zero to positive, −1 when back to zero.
func (c change) transition() int {
	switch {
	case c.before == 0 && c.after > 0:
		return 1
	case c.before > 0 && c.after == 0:
		return -1
	}
	return 0
}

// windowCounts are the counter columns of rank_members and rank_people: units
// overall and, for the "last N days" subjects, those in each of rankWindows.
var windowCounts = []string{"n", "n30", "n90"}

// addCounts adds deltas to the counters (subject, col) → counts (the first len(counts)
// of each delta) of table, deleting rows whose first counter reaches zero, and returns
// each counter's change. Names are written as their keys.
func addCounts[K comparable](ctx context.Context, q q, keys *rankKeys, table, col string, counts []string, deltas map[K][3]int) (map[K][3]change, error) {
	out := make(map[K][3]change, len(deltas))
	byKeys := make(map[[2]int64]K, len(deltas))
	width := len(counts)
	var rows [][]any
	for k, n := range deltas {
		if n == ([3]int{}) {
			continue
		}
		var kk [2]int64
		switch k := any(k).(type) {
		case [2]string:
			kk = [2]int64{keys.id(k[0]), keys.id(k[1])}
		case subjectDay:
			kk = [2]int64{keys.id(k.subject), k.day}
		}
		byKeys[kk] = k
		row := []any{kk[0], kk[1]}
		for i := range width {
			row = append(row, n[i])
		}
		rows = append(rows, row)
	}
	// In key order, so that the B-tree is walked forwards rather than paged in at random.
	sort.Slice(rows, func(i, j int) bool { return keyLess(rows[i], rows[j]) })
	var set []string
	for _, c := range counts {
		set = append(set, fmt.Sprintf("%s = %s.%s + excluded.%s", c, table, c, c))
	}
	cols := strings.Join(counts, ", ")
	var zero [][2]int64
	err := chunked(rows, 300, func(chunk [][]any) error {
		vals, args := values(chunk)
		return each(ctx, q, func(sc scanner) error {
			var kk [2]int64
			var n [3]int
			dst := []any{&kk[0], &kk[1]}
			for i := range width {
				dst = append(dst, &n[i])
			}
			if err := sc.Scan(dst...); err != nil {
				return err
			}
			k := byKeys[kk]
			var ch [3]change
			for i := range width {
				if n[i] < 0 || n[i] > n[0] {
					return fmt.Errorf("%s %v counted %v", table, k, n)
				}
				ch[i] = change{before: n[i] - deltas[k][i], after: n[i]}
			}
			out[k] = ch
			if n[0] == 0 {
				zero = append(zero, kk)
			}
			return nil
		}, fmt.Sprintf(`INSERT INTO %s (subject, %s, %s) VALUES %s
			ON CONFLICT (subject, %s) DO UPDATE SET %s RETURNING subject, %s, %s`,
			table, col, cols, vals, col, strings.Join(set, ", "), col, cols), args...)
	})
	if err != nil {
		return nil, fmt.Errorf("add counts: %w", err)
	}
	for _, z := range zero {
		if _, err := q.exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE subject = ? AND %s = ? AND n = 0`, table, col), z[0], z[1]); err != nil {
			return nil, fmt.Errorf("add counts: %w", err)
		}
	}
	return out, nil
}

// upsertReturning upserts rows (in chunks) and deletes those whose check column ends
// at zero.
func upsertReturning(ctx context.Context, q q, table, cols, conflict, set, check, keyCols string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	nkeys := strings.Count(keyCols, ",") + 1
	var zero [][]any
	err := chunked(rows, 300, func(chunk [][]any) error {
		vals, args := values(chunk)
		return each(ctx, q, func(sc scanner) error {
			key := make([]any, nkeys)
			dst := make([]any, 0, nkeys+1)
			for i := range key {
				dst = append(dst, &key[i])
			}
			var v int
			if err := sc.Scan(append(dst, &v)...); err != nil {
				return err
			}
			if v == 0 {
				zero = append(zero, key)
			}
			return nil
		}, fmt.Sprintf(`INSERT INTO %s (%s) VALUES %s ON CONFLICT (%s) DO UPDATE SET %s RETURNING %s, %s`,
			table, cols, vals, conflict, set, keyCols, check), args...)
	})
	if err != nil {
		return fmt.Errorf("upsert returning: %w", err)
	}
	where := strings.ReplaceAll(keyCols, ",", " = ? AND") + " = ?"
	for _, z := range zero {
		if _, err := q.exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s AND %s = 0`, table, where, check), z...); err != nil {
			return fmt.Errorf("upsert returning: %w", err)
		}
	}
	return nil
}

// keyLess orders rows by their leading string and int64 columns.
func keyLess(a, b []any) bool {
	for i := range min(len(a), len(b)) {
		switch x := a[i].(type) {
		case string:
			if y := b[i].(string); x != y {
				return x < y
			}
		case int64:
			if y := b[i].(int64); x != y {
				return x < y
			}
		default:
			return false
		}
	}
	return false
}

// prefetch loads the contributions accounts are counted with, computing and recording
// them for accounts counted for the first time, with a few multi-row statements.
func (d *rankDelta) prefetch(ctx context.Context, q q, ids []string) error {
	var need []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := d.contribs[id]; !ok && !seen[id] {
			seen[id] = true
			need = append(need, id)
		}
	}
	if len(need) == 0 {
		return nil
	}
	stored, err := storedContributions(ctx, q, need)
	if err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	var missing []string
	for _, id := range need {
		if c, ok := stored[id]; ok {
			d.contribs[id] = c
		} else {
			missing = append(missing, id)
		}
	}
	facts, err := accountFacts(ctx, q, missing)
	if err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	var add [][]any
	for _, id := range missing {
		f, ok := facts[id]
		if !ok { // deleted meanwhile: counted as an account with nothing to add
			d.contribs[id] = contribution{c: feedback.Contribution{Accounts: 1}}
			continue
		}
		c := contribution{f.Currency, f.Contribution(d.st.asOf, d.st.window)}
		d.contribs[id] = c
		add = append(add, []any{id, c.currency, c.c.CAB, c.c.MRR, c.c.ChurnedMRR, c.c.AtRiskMRR, f.RenewalDate})
	}
	return wrapf(insertRows(ctx, q, "rank_accounts", "account_id, currency, cab, mrr, churned_mrr, at_risk_mrr, renewal_date", add), "prefetch")
}

// rankTallies reads the roll-ups of one kind of subject in one consistent snapshot.
func (s *Store) rankTallies(ctx context.Context, kind string) ([]feedback.Tally, error) {
	rq, end, err := s.readSnapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("rank tallies: %w", err)
	}
	defer end()
	rows, err := rq.query(ctx, `SELECT s.subject, k.name, s.people, s.total, s.last30, s.prior30, s.last90
		FROM rank_subjects s JOIN rank_keys k ON k.id = s.subject WHERE s.kind = ?`, kind)
	if err != nil {
		return nil, fmt.Errorf("rank tallies: %w", err)
	}
	var out []feedback.Tally
	index := map[int64]int{}
	for rows.Next() {
		t := feedback.Tally{ByCurrency: map[string]feedback.Contribution{}}
		var key int64
		if err := rows.Scan(&key, &t.Subject, &t.People, &t.Total, &t.Last30, &t.Prior30, &t.Last90); err != nil {
			rows.Close()
			return nil, fmt.Errorf("rank tallies: %w", err)
		}
		index[key] = len(out)
		if i := strings.LastIndexByte(t.Subject, '/'); i >= 0 { // a segment: report its subject
			t.Subject = t.Subject[i+1:]
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rank tallies: %w", err)
	}
	rows, err = rq.query(ctx, `SELECT t.subject, t.currency, t.accounts, t.cab, t.mrr, t.churned_mrr, t.at_risk_mrr
		FROM rank_totals t JOIN rank_subjects s ON s.subject = t.subject WHERE s.kind = ?`, kind)
	if err != nil {
		return nil, fmt.Errorf("rank tallies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var subj int64
		var cur string
		var c feedback.Contribution
		if err := rows.Scan(&subj, &cur, &c.Accounts, &c.CAB, &c.MRR, &c.ChurnedMRR, &c.AtRiskMRR); err != nil {
			return nil, fmt.Errorf("rank tallies: %w", err)
		}
		if i, ok := index[subj]; ok {
			out[i].ByCurrency[cur] = c
		}
	}
	return out, wrapf(rows.Err(), "rank tallies")
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func sortedPairs[V any](m map[[2]string]V) [][2]string {
	out := make([][2]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] || out[i][0] == out[j][0] && out[i][1] < out[j][1] })
	return out
}
