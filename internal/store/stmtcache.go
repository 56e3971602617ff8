package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// SQLite parses a statement's text on every call unless it is prepared: under load
// (bench load, 200 clients) parsing was 38% of the process's CPU, more than running
// the queries. stmtCache keeps one prepared statement per query text and pool;
// database/sql prepares it once per connection and re-prepares it on a new one.
// PostgreSQL needs none of this: pgx caches prepared statements per connection.
//
// A query is kept the second time it is seen, at most stmtCacheMax of them, and none
// with more than stmtCacheMaxArgs placeholders: the store's query texts are a fixed
// set except for IN lists, whose length follows the batch, so a one-off list is not
// kept and a long one (whose parse is small beside its run) never is. Nothing is
// ever evicted, so a statement handed out is never closed under a caller.
type stmtCache struct {
	db   *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	seen map[string]bool // queries run once, unprepared
}

const (
	stmtCacheMax     = 1000
	stmtCacheMaxArgs = 100
	stmtCacheMaxSeen = 10000
)

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, seen: map[string]bool{}}
}

// get returns the prepared statement for query, preparing it on first use; nil when
// the query is not kept (or cannot be prepared: the caller then runs it unprepared
// and gets the real error from that).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	st, ok := c.lookup(query)
	if !ok {
		return nil
	}
	if st != nil {
		return st
	}
	return c.prepare(ctx, query)
}

// lookup returns query's statement if prepared, and whether it should be prepared
// now (the second time it is seen, while there is room).
func (c *stmtCache) lookup(query string) (*sql.Stmt, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, true
	}
	if len(c.m) >= stmtCacheMax || strings.Count(query, "?") > stmtCacheMaxArgs {
		return nil, false
	}
	if !c.seen[query] {
		if len(c.seen) >= stmtCacheMaxSeen {
			clear(c.seen)
		}
		c.seen[query] = true
		return nil, false
	}
	return nil, true
}

// prepare prepares query on the pool and keeps it. It takes a connection of the
// pool, so it must not be called while holding one (inside a transaction on
// SQLite's single writer it would wait for itself).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	// Prepared without the caller's context: the statement outlives the request.
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok { // another caller prepared it meanwhile
		st.Close()
		return old
	}
	c.m[query] = st
	delete(c.seen, query)
	return st
}

// cachedTx runs a transaction's queries through its pool's prepared statements. A
// query not prepared yet runs unprepared and is noted; the store prepares the noted
// ones after the transaction has given the connection back (Store.tx).
type cachedTx struct {
	*sql.Tx
	c     *stmtCache
	noted *[]string
}

func (t cachedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	st, ok := t.c.lookup(query)
	if st != nil {
		return t.StmtContext(ctx, st)
	}
	if ok {
		*t.noted = append(*t.noted, query)
	}
	return nil
}

// prepareAll prepares the queries a transaction ran unprepared.
func (c *stmtCache) prepareAll(ctx context.Context, queries []string) {
	for _, query := range queries {
		if st, ok := c.lookup(query); st == nil && ok {
			c.prepare(ctx, query)
		}
	}
}

func (t cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if prepared := t.stmt(ctx, query); prepared != nil {
		return prepared.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if prepared := t.stmt(ctx, query); prepared != nil {
		return prepared.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if prepared := t.stmt(ctx, query); prepared != nil {
		return prepared.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// readSnapshot begins a read-only transaction on the read pool, for reads that must
// see one consistent state; end rolls it back and then prepares what it ran
// unprepared (not before: with every read connection taken, preparing inside would
// wait for itself).
func (s *Store) readSnapshot(ctx context.Context) (rq q, end func(), err error) {
	tx, err := s.r.BeginTx(ctx, s.d.snapshot())
	if err != nil {
		return q{}, nil, err
	}
	if s.r.c == nil {
		return q{tx, s.d}, func() { tx.Rollback() }, nil
	}
	var noted []string
	return q{cachedTx{tx, s.r.c, &noted}, s.d}, func() {
		tx.Rollback()
		s.r.c.prepareAll(ctx, noted)
	}, nil
}
