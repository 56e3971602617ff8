package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

func TestWithoutNUL(t *testing.T) {
	s := "a\x00b"
	now := time.Now()
	args := []any{"x\x00", feedback.Source("ap\x00i"), &s, (*string)(nil), 7, int64(8), true, nil, []byte("c\x00d"), now}
	got := withoutNUL(args)
	if got[0] != "x" || got[1] != "api" || got[2] != "ab" {
		t.Errorf("strings not cleaned: %#v", got[:3])
	}
	if got[3] != (*string)(nil) || got[4] != 7 || got[5] != int64(8) || got[6] != true || got[7] != nil || string(got[8].([]byte)) != "c\x00d" || got[9] != now {
		t.Errorf("non-string arguments changed: %#v", got[3:])
	}
	if args[0] != "x\x00" || s != "a\x00b" {
		t.Error("the caller's arguments were modified in place")
	}
	clean := []any{"a", 1}
	if out := withoutNUL(clean); &out[0] != &clean[0] {
		t.Error("arguments without a NUL were copied")
	}
}

// TestEveryQueryGoesThroughTheNULBoundary keeps the NUL rule in one place: every
// ExecContext, QueryContext and QueryRowContext in the store is called on the pools
// (s.w, s.r) or inside q, both of which drop NULs. A raw *sql.Tx or *sql.Conn call
// would bypass them; wrap it in q{tx, s.d} instead.
func TestEveryQueryGoesThroughTheNULBoundary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// prepared and t.Tx are the statement cache's calls (stmtcache.go), reached only
	// through pool and q.
	allowed := map[string]bool{"s.w": true, "s.r": true, "q.ex": true, "p.DB": true, "prepared": true, "t.Tx": true}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "ExecContext", "QueryContext", "QueryRowContext", "Exec", "Query", "QueryRow":
			default:
				return true
			}
			recv := string(src[fset.Position(sel.X.Pos()).Offset:fset.Position(sel.X.End()).Offset])
			if !allowed[recv] {
				t.Errorf("%s: %s.%s bypasses the NUL boundary; use q", fset.Position(call.Pos()), recv, sel.Sel.Name)
			}
			return true
		})
	}
}
