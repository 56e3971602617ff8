package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
)

// The ranking roll-ups rebuilt in one pass (derive.go, bulkDerivation). The marked path
// upserts ~19 subject rows per unit into B-trees keyed by text in random order, so a
// rebuild of 1M items rewrote the same pages hundreds of times (28 minutes, ~270 GB
// written). Here every unit is read once from one snapshot, each unit's subjects are
// worked out by the same functions the marked path uses (addSegments, addWindows), the
// counts are made in memory over integer keys, and each result table is written once,
// sorted by its primary key, into an emptied table whose secondary indexes are built
// after the rows are in.

// rankBulk is everything a ranking rebuild writes.
type rankBulk struct {
	st       rankState
	subjects []string // subject names, sorted; the keys below index into them
	kinds    []string // per subject
	accounts []string // account ids counted, sorted
	people   []string // person ids counted, sorted
	items    []bulkItem
	members  []keyCount // subject × account
	persons  []keyCount // subject × person
	days     []keyCount // subject × (day + dayBias)
	figures  [][5]int   // per subject: people, total, last30, prior30, last90
	contribs []contribution
	totals   [][]any                          // rank_totals rows, sorted
	facts    map[string]feedback.AccountFacts // accounts that exist
	units    int
}

type bulkItem struct {
	unit, account, person, subjects string
	day                             int64
}

// keyCount is a (subject, other) key packed into one integer, and its count.
type keyCount struct {
	key uint64
	n   int
}

// dayBias makes a signed day an unsigned 32-bit key that sorts the same way.
const dayBias = 1 << 31

func packKey(subj, other uint32) uint64 { return uint64(subj)<<32 | uint64(other) }

func unpackKey(k uint64) (subj, other uint32) { return uint32(k >> 32), uint32(k) }

// interner gives each distinct string a small integer, in order of first sight.
type interner struct {
	ids   map[string]uint32
	names []string
}

func newInterner() *interner { return &interner{ids: map[string]uint32{}} }

func (in *interner) id(s string) uint32 {
	if v, ok := in.ids[s]; ok {
		return v
	}
	v := uint32(len(in.names))
	in.ids[s] = v
	in.names = append(in.names, s)
	return v
}

// sorted returns the names in order and, for every id, its position in that order.
func (in *interner) sorted() ([]string, []uint32) {
	order := make([]uint32, len(in.names))
	for i := range order {
		order[i] = uint32(i)
	}
	sort.Slice(order, func(a, b int) bool { return in.names[order[a]] < in.names[order[b]] })
	names := make([]string, len(order))
	rank := make([]uint32, len(order))
	for pos, id := range order {
		names[pos] = in.names[id]
		rank[id] = uint32(pos)
	}
	return names, rank
}

// countKeys sorts keys (after renumbering both halves with subj and other, when set)
// and counts each distinct one.
func countKeys(keys []uint64, subj, other []uint32) []keyCount {
	for i, k := range keys {
		s, o := unpackKey(k)
		if other != nil {
			o = other[o]
		}
		keys[i] = packKey(subj[s], o)
	}
	slices.Sort(keys)
	var out []keyCount
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		out = append(out, keyCount{keys[i], j - i})
		i = j
	}
	return out
}

// bulkCount reads the evidence from rq, one snapshot, and counts every result table.
// progress is told how many of the evidence rows have been read.
func (d *rankDerivation) bulkCount(ctx context.Context, rq q, progress func(done, total int)) (bulkResult, error) {
	st := d.want
	var nItems, nVotes int
	if err := rq.row(ctx, `SELECT (SELECT COUNT(*) FROM feedback), (SELECT COUNT(*) FROM votes)`).Scan(&nItems, &nVotes); err != nil {
		return nil, fmt.Errorf("count evidence: %w", err)
	}
	total := nItems + nVotes
	facts, tiers, err := bulkAccounts(ctx, rq)
	if err != nil {
		return nil, err
	}
	closure, err := stringLists(ctx, rq, `SELECT descendant_id, ancestor_id FROM tag_closure`)
	if err != nil {
		return nil, fmt.Errorf("read tag closure: %w", err)
	}
	roots := map[string]string{}
	rootRows, err := stringLists(ctx, rq, `SELECT id, root_id FROM requests`)
	if err != nil {
		return nil, fmt.Errorf("read requests: %w", err)
	}
	for id, r := range rootRows {
		roots[id] = r[0]
	}
	itemTags, err := stringLists(ctx, rq, `SELECT feedback_id, tag_id FROM feedback_tags`)
	if err != nil {
		return nil, fmt.Errorf("read feedback tags: %w", err)
	}
	itemLinks, err := stringLists(ctx, rq, `SELECT feedback_id, request_id FROM request_links`)
	if err != nil {
		return nil, fmt.Errorf("read request links: %w", err)
	}

	subjIn, acctIn, personIn := newInterner(), newInterner(), newInterner()
	var kinds []string
	var figures [][5]int
	var members, persons, days []uint64
	var items []bulkItem
	// add counts one unit, exactly as rankDelta.unit would one by one.
	add := func(unit string, u rankUnit) {
		names := sortedKeys(u.subjects)
		items = append(items, bulkItem{unit: unit, account: u.account, person: u.person, day: u.day, subjects: strings.Join(names, ",")})
		l30, p30, l90 := feedback.Windows(u.day, st.asOf)
		var acct, person uint32
		if u.account != "" {
			acct = acctIn.id(u.account)
		}
		if u.person != "" {
			person = personIn.id(u.person)
		}
		for _, subj := range names {
			s := subjIn.id(subj)
			if int(s) == len(kinds) {
				kinds = append(kinds, u.subjects[subj])
				figures = append(figures, [5]int{})
			}
			if u.account != "" {
				members = append(members, packKey(s, acct))
			}
			if u.person != "" {
				persons = append(persons, packKey(s, person))
			}
			days = append(days, packKey(s, uint32(u.day+dayBias)))
			f := &figures[s]
			f[1]++
			f[2] += l30
			f[3] += p30
			f[4] += l90
		}
	}

	// Feedback items, with their subjects as currentUnitsChunk finds them.
	rows, err := rq.query(ctx, `SELECT id, COALESCE(account_id, ''), COALESCE(person_id, ''), occurred_at, kind FROM feedback`)
	if err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}
	done := 0
	for rows.Next() {
		var id, kind string
		var ru rankUnit
		var at int64
		if err := rows.Scan(&id, &ru.account, &ru.person, &at, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		if done++; done%50000 == 0 && progress != nil {
			progress(done, total)
		}
		tags, links := itemTags[id], itemLinks[id]
		if len(tags) == 0 && len(links) == 0 {
			continue
		}
		ru.subjects = map[string]string{}
		for _, t := range tags {
			for _, anc := range closure[t] {
				ru.subjects[anc] = rankTag
			}
		}
		for _, r := range links {
			if root, ok := roots[r]; ok {
				ru.subjects[root] = rankRequest
			}
		}
		if len(ru.subjects) == 0 {
			continue
		}
		ru.day = feedback.Day(fromMS(at))
		addSegments(ru.subjects, tiers[ru.account], kind)
		addWindows(ru.subjects, ru.day, st.asOf)
		add(id, ru)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}

	// Votes, as currentUnitsChunk reads a "v:request:person" unit.
	rows, err = rq.query(ctx, `SELECT request_id, person_id, COALESCE(account_id, ''), created_at FROM votes`)
	if err != nil {
		return nil, fmt.Errorf("read votes: %w", err)
	}
	for rows.Next() {
		var req string
		var ru rankUnit
		var at int64
		if err := rows.Scan(&req, &ru.person, &ru.account, &at); err != nil {
			rows.Close()
			return nil, err
		}
		done++
		root, ok := roots[req]
		if !ok {
			continue
		}
		ru.day, ru.subjects = feedback.Day(fromMS(at)), map[string]string{root: rankRequest}
		addSegments(ru.subjects, tiers[ru.account], "")
		addWindows(ru.subjects, ru.day, st.asOf)
		add("v:"+req+":"+ru.person, ru)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read votes: %w", err)
	}
	if progress != nil {
		progress(done, total)
	}

	// Renumber every key in text order, so that sorting the integers sorts the rows by
	// their primary keys, then count.
	b := &rankBulk{st: st, facts: facts, items: items, units: len(items)}
	var subjRank, acctRank, personRank []uint32
	b.subjects, subjRank = subjIn.sorted()
	b.accounts, acctRank = acctIn.sorted()
	b.people, personRank = personIn.sorted()
	b.kinds = make([]string, len(kinds))
	b.figures = make([][5]int, len(figures))
	for id, pos := range subjRank {
		b.kinds[pos], b.figures[pos] = kinds[id], figures[id]
	}
	b.members = countKeys(members, subjRank, acctRank)
	b.persons = countKeys(persons, subjRank, personRank)
	b.days = countKeys(days, subjRank, nil)
	for _, kc := range b.persons {
		s, _ := unpackKey(kc.key)
		b.figures[s][0]++
	}
	b.contribs = make([]contribution, len(b.accounts))
	for i, id := range b.accounts {
		if f, ok := facts[id]; ok {
			b.contribs[i] = contribution{f.Currency, f.Contribution(st.asOf, st.window)}
		} else { // gone: counted as an account with nothing to add, as prefetch does
			b.contribs[i] = contribution{c: feedback.Contribution{Accounts: 1}}
		}
	}
	// Money per (subject, currency): members are sorted by subject, so each subject's
	// sums are complete when the next subject starts.
	for i := 0; i < len(b.members); {
		s, _ := unpackKey(b.members[i].key)
		sums := map[string]feedback.Contribution{}
		for ; i < len(b.members); i++ {
			s2, a := unpackKey(b.members[i].key)
			if s2 != s {
				break
			}
			c := b.contribs[a]
			sums[c.currency] = sums[c.currency].Add(c.c, 1)
		}
		for _, cur := range sortedKeys(sums) {
			c := sums[cur]
			b.totals = append(b.totals, []any{b.subjects[s], cur, c.Accounts, c.CAB, c.MRR, c.ChurnedMRR, c.AtRiskMRR})
		}
	}
	slices.SortFunc(b.items, func(x, y bulkItem) int { return strings.Compare(x.unit, y.unit) })
	return b, nil
}

// bulkAccounts reads every account's ranking facts and tier.
func bulkAccounts(ctx context.Context, rq q) (map[string]feedback.AccountFacts, map[string]string, error) {
	rows, err := rq.query(ctx, `SELECT id, COALESCE(mrr, 0), COALESCE(churned_mrr, 0), COALESCE(currency, ''), stage, renewal_date, cab, COALESCE(tier, '') FROM accounts`)
	if err != nil {
		return nil, nil, fmt.Errorf("read accounts: %w", err)
	}
	defer rows.Close()
	facts, tiers := map[string]feedback.AccountFacts{}, map[string]string{}
	for rows.Next() {
		var id, stage, tier string
		var f feedback.AccountFacts
		if err := rows.Scan(&id, &f.MRR, &f.ChurnedMRR, &f.Currency, &stage, &f.RenewalDate, &f.CAB, &tier); err != nil {
			return nil, nil, err
		}
		f.Churned = stage == "churned"
		facts[id], tiers[id] = f, tier
	}
	return facts, tiers, rows.Err()
}

// stringLists reads (key, value) pairs into key → values.
func stringLists(ctx context.Context, rq q, query string) (map[string][]string, error) {
	rows, err := rq.query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = append(out[k], v)
	}
	return out, rows.Err()
}

// rows is how many rows write will insert, for progress.
func (b *rankBulk) rows() int {
	return len(b.items) + len(b.members) + len(b.persons) + len(b.days) + len(b.subjects) + len(b.totals) + len(b.accounts)
}

// write replaces the ranking roll-ups with the counts, in the caller's transaction.
func (b *rankBulk) write(ctx context.Context, q q, progress func(done, total int)) error {
	// Not the marks: those made since the rebuild began are still to be applied.
	tables := []string{"rank_items", "rank_members", "rank_people", "rank_days", "rank_totals", "rank_subjects", "rank_accounts"}
	if err := emptyTables(ctx, q, tables); err != nil {
		return err
	}
	total, done := b.rows(), 0
	step := func(n int) {
		done += n
		if progress != nil {
			progress(min(done, total), max(total, done))
		}
	}
	return withoutIndexes(ctx, q, tables, func() error {
		if err := copyRows(ctx, q, "rank_items", "unit, account_id, person_id, day, subjects", 5, len(b.items), step, func(i int, r []any) {
			it := b.items[i]
			r[0], r[1], r[2], r[3], r[4] = it.unit, it.account, it.person, it.day, it.subjects
		}); err != nil {
			return fmt.Errorf("write rank_items: %w", err)
		}
		pairs := []struct {
			table, col string
			keys       []keyCount
			other      func(uint32) any
		}{
			{"rank_members", "account_id", b.members, func(o uint32) any { return b.accounts[o] }},
			{"rank_people", "person_id", b.persons, func(o uint32) any { return b.people[o] }},
			{"rank_days", "day", b.days, func(o uint32) any { return int64(o) - dayBias }},
		}
		for _, p := range pairs {
			if err := copyRows(ctx, q, p.table, "subject, "+p.col+", n", 3, len(p.keys), step, func(i int, r []any) {
				s, o := unpackKey(p.keys[i].key)
				r[0], r[1], r[2] = b.subjects[s], p.other(o), p.keys[i].n
			}); err != nil {
				return fmt.Errorf("write %s: %w", p.table, err)
			}
		}
		if err := copyRows(ctx, q, "rank_subjects", "subject, kind, people, total, last30, prior30, last90", 7, len(b.subjects), step, func(i int, r []any) {
			f := b.figures[i]
			r[0], r[1], r[2], r[3], r[4], r[5], r[6] = b.subjects[i], b.kinds[i], f[0], f[1], f[2], f[3], f[4]
		}); err != nil {
			return fmt.Errorf("write rank_subjects: %w", err)
		}
		if err := copyRows(ctx, q, "rank_totals", "subject, currency, accounts, cab, mrr, churned_mrr, at_risk_mrr", 7, len(b.totals), step, func(i int, r []any) {
			copy(r, b.totals[i])
		}); err != nil {
			return fmt.Errorf("write rank_totals: %w", err)
		}
		var counted []string // accounts that exist: a gone one is not recorded, as in prefetch
		for _, id := range b.accounts {
			if _, ok := b.facts[id]; ok {
				counted = append(counted, id)
			}
		}
		if err := copyRows(ctx, q, "rank_accounts", "account_id, currency, cab, mrr, churned_mrr, at_risk_mrr, renewal_date", 7, len(counted), step, func(i int, r []any) {
			id := counted[i]
			c := contribution{b.facts[id].Currency, b.facts[id].Contribution(b.st.asOf, b.st.window)}
			r[0], r[1], r[2], r[3], r[4], r[5], r[6] = id, c.currency, c.c.CAB, c.c.MRR, c.c.ChurnedMRR, c.c.AtRiskMRR, b.facts[id].RenewalDate
		}); err != nil {
			return fmt.Errorf("write rank_accounts: %w", err)
		}
		_, err := q.exec(ctx, `UPDATE rank_state SET as_of_day = ?, window_days = ? WHERE id = 1`, b.st.asOf, b.st.window)
		return err
	})
}

func (b *rankBulk) count() int { return b.units }
