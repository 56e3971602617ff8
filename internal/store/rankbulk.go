package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
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
// after the rows are in. Every name is written as its rank_keys key (rankkeys.go):
// the dictionary is written afresh, keys numbered in name order, so that each table's
// rows go in sorted by primary key.

// rankBulk is everything a ranking rebuild writes.
type rankBulk struct {
	st       rankState
	subjects []string // subject names, sorted; the keys below index into them
	kinds    []string // per subject
	accounts []string // account ids counted, sorted
	people   []string // person ids counted, sorted
	names    []string // rank_keys: every name above, sorted; key i+1 is names[i]
	subjKey  []int64  // rank_keys key per subject, account, person
	acctKey  []int64
	persKey  []int64
	items    []bulkItem
	arena    []uint32      // every item's subjects (positions in subjects), item by item
	members  []windowCount // subject × account
	persons  []windowCount // subject × person
	days     []keyCount    // subject × (day + dayBias)
	figures  [][5]int      // per subject: people, total, last30, prior30, last90
	contribs []contribution
	totals   [][]any                          // rank_totals rows, sorted
	facts    map[string]feedback.AccountFacts // accounts that exist
}

// bulkItem is a unit as rank_items records it; account and person are positions in
// rankBulk's (−1: none), its subjects arena[off:off+n].
type bulkItem struct {
	unit            string
	account, person int32
	day             int64
	off, n          uint32
}

// keyCount is a (subject, other) key packed into one integer, and its count.
type keyCount struct {
	key uint64
	n   int
}

// windowCount is a (subject, other) key and its counts overall and in each "last N
// days" window, as rank_members and rank_people hold them (the window subjects have no
// rows of their own). While counting, the window is the other half's two low bits.
type windowCount struct {
	key uint64
	n   [3]int
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

// countKeys renumbers both halves of every key (other only when set), sorts the keys
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

// countWindowKeys renumbers both halves of every key (subject, other << 2 | window),
// sorts them and counts each (subject, other) overall and per window.
func countWindowKeys(keys []uint64, subj, other []uint32) []windowCount {
	for i, k := range keys {
		s, o := unpackKey(k)
		keys[i] = packKey(subj[s], other[o>>2]<<2|o&3)
	}
	slices.Sort(keys)
	var out []windowCount
	for _, k := range keys {
		s, o := unpackKey(k)
		pair := packKey(s, o>>2)
		if len(out) == 0 || out[len(out)-1].key != pair {
			out = append(out, windowCount{key: pair})
		}
		out[len(out)-1].n[o&3]++
	}
	return out
}

// expansion is what one base subject (a tag or request root) counts for, as interned
// subjects, for a unit of one tier, kind and set of "last N days" windows: the same for
// every such unit, so it is worked out once (by addSegments and addWindows, the
// functions the marked path uses) and reused.
type expansion struct {
	base       uint32
	tier, kind uint32
	windows    uint8
}

type rankCounter struct {
	st                     rankState
	bases, values          *interner // tag ids and request roots; tiers and kinds
	baseKind               []string
	subj, accounts, people *interner
	subjKind               []string
	subjWin                []uint32 // per subject: the subject it narrows << 2 | its window (0: none)
	figures                [][5]int
	cache                  map[expansion][]uint32
	items                  []bulkItem
	arena                  []uint32
	members, persons, days []uint64
}

// unit counts one unit of bases (deduplicated here), as rankDelta.unit would one by
// one for each of its subjects.
func (c *rankCounter) unit(unit, account, person string, day int64, tier, kind string, bases []uint32) {
	slices.Sort(bases)
	bases = slices.Compact(bases)
	var win uint8
	for i, n := range rankWindows {
		if inWindow(day, c.st.asOf, n) {
			win |= 1 << i
		}
	}
	it := bulkItem{unit: unit, account: -1, person: -1, day: day, off: uint32(len(c.arena))}
	if account != "" {
		it.account = int32(c.accounts.id(account))
	}
	if person != "" {
		it.person = int32(c.people.id(person))
	}
	l30, p30, l90 := feedback.Windows(day, c.st.asOf)
	tierID, kindID := c.values.id(tier), c.values.id(kind)
	for _, b := range bases {
		key := expansion{b, tierID, kindID, win}
		subjects, ok := c.cache[key]
		if !ok {
			m := map[string]string{c.bases.names[b]: c.baseKind[b]}
			addSegments(m, tier, kind)
			addWindows(m, day, c.st.asOf)
			names := sortedKeys(m)
			for _, name := range names {
				s := c.subj.id(name)
				if int(s) == len(c.subjKind) {
					c.subjKind = append(c.subjKind, m[name])
					c.subjWin = append(c.subjWin, 0)
					c.figures = append(c.figures, [5]int{})
				}
				subjects = append(subjects, s)
			}
			for i, name := range names { // what it narrows is in m too, so interned above
				narrows, w := windowOf(name)
				c.subjWin[subjects[i]] = c.subj.id(narrows)<<2 | uint32(w)
			}
			c.cache[key] = subjects
		}
		for _, s := range subjects {
			c.arena = append(c.arena, s)
			sw := c.subjWin[s]
			if it.account >= 0 {
				c.members = append(c.members, packKey(sw>>2, uint32(it.account)<<2|sw&3))
			}
			if it.person >= 0 {
				c.persons = append(c.persons, packKey(sw>>2, uint32(it.person)<<2|sw&3))
			}
			c.days = append(c.days, packKey(s, uint32(day+dayBias)))
			f := &c.figures[s]
			f[1]++
			f[2] += l30
			f[3] += p30
			f[4] += l90
		}
	}
	it.n = uint32(len(c.arena)) - it.off
	c.items = append(c.items, it)
}

// bulkCount reads the evidence from rq, one snapshot, and counts every result table.
// progress is told how many of the evidence rows have been read.
func (d *rankDerivation) bulkCount(ctx context.Context, rq q, progress func(done, total int)) (bulkResult, error) {
	c := &rankCounter{st: d.want, bases: newInterner(), values: newInterner(), subj: newInterner(),
		accounts: newInterner(), people: newInterner(), cache: map[expansion][]uint32{}}
	var nItems, nVotes int
	if err := rq.row(ctx, `SELECT (SELECT COUNT(*) FROM feedback), (SELECT COUNT(*) FROM votes)`).Scan(&nItems, &nVotes); err != nil {
		return nil, fmt.Errorf("count evidence: %w", err)
	}
	total := nItems + nVotes
	facts, tiers, err := bulkAccounts(ctx, rq)
	if err != nil {
		return nil, err
	}
	base := func(id, kind string) uint32 {
		b := c.bases.id(id)
		if int(b) == len(c.baseKind) {
			c.baseKind = append(c.baseKind, kind)
		}
		return b
	}
	closure := map[string][]uint32{} // tag → the base subjects it counts for
	if err := eachPair(ctx, rq, `SELECT descendant_id, ancestor_id FROM tag_closure`, func(tag, anc string) {
		closure[tag] = append(closure[tag], base(anc, rankTag))
	}); err != nil {
		return nil, fmt.Errorf("read tag closure: %w", err)
	}
	roots := map[string]uint32{}
	if err := eachPair(ctx, rq, `SELECT id, root_id FROM requests`, func(id, root string) { roots[id] = base(root, rankRequest) }); err != nil {
		return nil, fmt.Errorf("read requests: %w", err)
	}
	// Each item's base subjects, as currentUnitsChunk joins them (tags, then requests).
	itemBases := map[string][]uint32{}
	if err := eachPair(ctx, rq, `SELECT feedback_id, tag_id FROM feedback_tags`, func(item, tag string) {
		if bs := closure[tag]; len(bs) > 0 {
			itemBases[item] = append(itemBases[item], bs...)
		}
	}); err != nil {
		return nil, fmt.Errorf("read feedback tags: %w", err)
	}
	if err := eachPair(ctx, rq, `SELECT feedback_id, request_id FROM request_links`, func(item, req string) {
		if b, ok := roots[req]; ok {
			itemBases[item] = append(itemBases[item], b)
		}
	}); err != nil {
		return nil, fmt.Errorf("read request links: %w", err)
	}

	rows, err := rq.query(ctx, `SELECT id, COALESCE(account_id, ''), COALESCE(person_id, ''), occurred_at, kind FROM feedback`)
	if err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}
	done := 0
	for rows.Next() {
		var id, account, person, kind sql.RawBytes
		var at int64
		if err := rows.Scan(&id, &account, &person, &at, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		if done++; done%50000 == 0 && progress != nil {
			progress(done, total)
		}
		bases := itemBases[string(id)]
		if len(bases) == 0 {
			continue
		}
		c.unit(string(id), string(account), string(person), feedback.Day(fromMS(at)), tiers[string(account)], string(kind), bases)
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
		var req, person, account string
		var at int64
		if err := rows.Scan(&req, &person, &account, &at); err != nil {
			rows.Close()
			return nil, err
		}
		done++
		if b, ok := roots[req]; ok {
			c.unit("v:"+req+":"+person, account, person, feedback.Day(fromMS(at)), tiers[account], "", []uint32{b})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read votes: %w", err)
	}
	if progress != nil {
		progress(done, total)
	}
	return c.finish(facts), nil
}

// finish renumbers every key in text order, so that sorting the integers sorts the
// rows by their primary keys, and counts.
func (c *rankCounter) finish(facts map[string]feedback.AccountFacts) *rankBulk {
	b := &rankBulk{st: c.st, facts: facts, arena: c.arena}
	var subjRank, acctRank, personRank []uint32
	b.subjects, subjRank = c.subj.sorted()
	b.accounts, acctRank = c.accounts.sorted()
	b.people, personRank = c.people.sorted()
	b.kinds = make([]string, len(c.subjKind))
	b.figures = make([][5]int, len(c.figures))
	for id, pos := range subjRank {
		b.kinds[pos], b.figures[pos] = c.subjKind[id], c.figures[id]
	}
	for i := range b.arena {
		b.arena[i] = subjRank[b.arena[i]]
	}
	b.items = c.items
	for i := range b.items {
		it := &b.items[i]
		if it.account >= 0 {
			it.account = int32(acctRank[it.account])
		}
		if it.person >= 0 {
			it.person = int32(personRank[it.person])
		}
		slices.Sort(b.arena[it.off : it.off+it.n])
	}
	slices.SortFunc(b.items, func(x, y bulkItem) int { return strings.Compare(x.unit, y.unit) })
	b.members = countWindowKeys(c.members, subjRank, acctRank)
	b.persons = countWindowKeys(c.persons, subjRank, personRank)
	b.days = countKeys(c.days, subjRank, nil)
	// Each subject's "last N days" subjects, by position: they take their people and
	// money from its rows' window counts.
	win := make([][3]int32, len(b.subjects))
	for p := range b.subjects {
		win[p] = [3]int32{int32(p), -1, -1}
	}
	for p, name := range b.subjects {
		if narrows, w := windowOf(name); w > 0 {
			win[sort.SearchStrings(b.subjects, narrows)][w] = int32(p)
		}
	}
	for _, wc := range b.persons {
		s, _ := unpackKey(wc.key)
		for w, n := range wc.n {
			if n > 0 {
				b.figures[win[s][w]][0]++
			}
		}
	}
	b.names, b.subjKey, b.acctKey, b.persKey = dictionary(b.subjects, b.accounts, b.people)
	b.contribs = make([]contribution, len(b.accounts))
	for i, id := range b.accounts {
		if f, ok := facts[id]; ok {
			b.contribs[i] = contribution{f.Currency, f.Contribution(c.st.asOf, c.st.window)}
		} else { // gone: counted as an account with nothing to add, as prefetch does
			b.contribs[i] = contribution{c: feedback.Contribution{Accounts: 1}}
		}
	}
	// Money per (subject, currency), a window subject's from its rows' window counts.
	sums := make([]map[string]feedback.Contribution, len(b.subjects))
	for _, wc := range b.members {
		s, a := unpackKey(wc.key)
		ct := b.contribs[a]
		for w, n := range wc.n {
			if n > 0 {
				t := win[s][w]
				if sums[t] == nil {
					sums[t] = map[string]feedback.Contribution{}
				}
				sums[t][ct.currency] = sums[t][ct.currency].Add(ct.c, 1)
			}
		}
	}
	for s, m := range sums {
		for _, cur := range sortedKeys(m) {
			ct := m[cur]
			b.totals = append(b.totals, []any{b.subjKey[s], cur, ct.Accounts, ct.CAB, ct.MRR, ct.ChurnedMRR, ct.AtRiskMRR})
		}
	}
	return b
}

// dictionary merges sorted lists of names into one sorted list without repeats (the
// rank_keys rows, key i+1 for name i) and returns each list's keys.
func dictionary(lists ...[]string) ([]string, []int64, []int64, []int64) {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	keys := make([][]int64, len(lists))
	for i, l := range lists {
		keys[i] = make([]int64, len(l))
		at := 0
		for j, name := range l { // l is sorted: search on from the last one found
			at += sort.SearchStrings(all[at:], name)
			keys[i][j] = int64(at + 1)
		}
	}
	return all, keys[0], keys[1], keys[2]
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

// eachPair calls fn with every row of a two-column text query.
func eachPair(ctx context.Context, rq q, query string, fn func(a, b string)) error {
	rows, err := rq.query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// rows is how many rows write will insert, for progress.
func (b *rankBulk) rows() int {
	return len(b.names) + len(b.items) + len(b.members) + len(b.persons) + len(b.days) + len(b.subjects) + len(b.totals) + len(b.accounts)
}

// write replaces the ranking roll-ups with the counts, in the caller's transaction.
func (b *rankBulk) write(ctx context.Context, q q, progress func(done, total int)) error {
	// Not the marks: those made since the rebuild began are still to be applied.
	tables := []string{"rank_keys", "rank_items", "rank_members", "rank_people", "rank_days", "rank_totals", "rank_subjects", "rank_accounts"}
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
		if err := copyRows(ctx, q, "rank_keys", "id, name", 2, len(b.names), step, func(i int, r []any) {
			r[0], r[1] = int64(i+1), b.names[i]
		}); err != nil {
			return fmt.Errorf("write rank_keys: %w", err)
		}
		var sb strings.Builder
		if err := copyRows(ctx, q, "rank_items", "unit, account, person, day, subjects", 5, len(b.items), step, func(i int, r []any) {
			it := b.items[i]
			sb.Reset()
			for j, s := range b.arena[it.off : it.off+it.n] {
				if j > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(strconv.FormatInt(b.subjKey[s], 10))
			}
			r[0], r[1], r[2], r[3], r[4] = it.unit, pickKey(b.acctKey, it.account), pickKey(b.persKey, it.person), it.day, sb.String()
		}); err != nil {
			return fmt.Errorf("write rank_items: %w", err)
		}
		pairs := []struct {
			table, col string
			keys       []windowCount
			other      []int64
		}{
			{"rank_members", "account", b.members, b.acctKey},
			{"rank_people", "person", b.persons, b.persKey},
		}
		for _, p := range pairs {
			if err := copyRows(ctx, q, p.table, "subject, "+p.col+", n, n30, n90", 5, len(p.keys), step, func(i int, r []any) {
				s, o := unpackKey(p.keys[i].key)
				n := p.keys[i].n
				r[0], r[1], r[2], r[3], r[4] = b.subjKey[s], p.other[o], n[0], n[1], n[2]
			}); err != nil {
				return fmt.Errorf("write %s: %w", p.table, err)
			}
		}
		if err := copyRows(ctx, q, "rank_days", "subject, day, n", 3, len(b.days), step, func(i int, r []any) {
			s, o := unpackKey(b.days[i].key)
			r[0], r[1], r[2] = b.subjKey[s], int64(o)-dayBias, b.days[i].n
		}); err != nil {
			return fmt.Errorf("write rank_days: %w", err)
		}
		if err := copyRows(ctx, q, "rank_subjects", "subject, kind, people, total, last30, prior30, last90", 7, len(b.subjects), step, func(i int, r []any) {
			f := b.figures[i]
			r[0], r[1], r[2], r[3], r[4], r[5], r[6] = b.subjKey[i], b.kinds[i], f[0], f[1], f[2], f[3], f[4]
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

func (b *rankBulk) count() int { return len(b.items) }

// pickKey is keys[i], or 0 (none) for −1.
func pickKey(keys []int64, i int32) int64 {
	if i < 0 {
		return 0
	}
	return keys[i]
}
