package main_test

// End-to-end: build the real closeloop binary and drive it as a user would — CLI
// commands, then a running server over HTTP.

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "closeloop-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "closeloop")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build failed: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type env []string

func run(t *testing.T, e env, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), e...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func mustRun(t *testing.T, e env, args ...string) string {
	t.Helper()
	out, err := run(t, e, "", args...)
	if err != nil {
		t.Fatalf("closeloop %v: %v\n%s", args, err, out)
	}
	return out
}

// binaryEnv is the environment of the real binary on a fresh database of dialect: a
// data folder of its own and an address to listen on (addr), and the database's DSN
// for the test to open it directly (on SQLite, the file the binary makes in the folder).
func binaryEnv(t *testing.T, dialect, logLevel string) (e env, addr, dsn string) {
	t.Helper()
	dataDir := t.TempDir()
	addr = freeAddr(t)
	e = env{"CLOSELOOP_DATA_DIR=" + dataDir, "CLOSELOOP_ADDR=" + addr, "CLOSELOOP_LOG_LEVEL=" + logLevel}
	dsn = "sqlite:" + dataDir + "/closeloop.db"
	if dialect == "postgres" {
		dsn = storetest.DSN(t, "postgres")
		return append(e, "DATABASE_URL="+dsn), addr, dsn
	}
	return append(e, "DATABASE_URL="), addr, dsn
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServer runs cmd in the background and waits until /readyz answers.
func startServer(t *testing.T, e env, addr string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), e...)
	out := &bytes.Buffer{}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	lines := make(chan struct{}, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "API key:") || strings.Contains(sc.Text(), "is running at") {
				select {
				case lines <- struct{}{}:
				default:
				}
			}
		}
	}()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); pw.Close() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, out
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server never became ready:\n%s", out.String())
	return nil, nil
}

const badCSV = `external_id,name,tier,seats,mrr,currency
acme,Acme Inc,strategic,25,1200,USD
globex,Globex,standard,lots,300,USD
`

const feedbackCSV = `text,email,name,account_external_id,occurred_at,tags
"Formulas, again",ann@acme.com,Ann,acme,2025-03-02T10:00:00Z,Editor › Tables › Formulas
Dark mode please,,,globex,2025-03-03,
`

func TestBinaryEndToEnd(t *testing.T) {
	eachBinary(t, "warn", func(t *testing.T, b binaryDB) {
		e, addr := b.env, b.addr
		// Bad config is refused, naming the setting.
		if out, err := run(t, append(e, "CLOSELOOP_LOG_FORMAT=xml"), "", "migrate"); err == nil || !strings.Contains(out, "CLOSELOOP_LOG_FORMAT") {
			t.Fatalf("bad config accepted: %v %s", err, out)
		}
		if out := mustRun(t, e, "migrate"); !strings.Contains(out, "applied migrations") {
			t.Fatalf("migrate: %s", out)
		}
		if out := mustRun(t, e, "serve", "--help"); !strings.Contains(out, "Runs the web UI") {
			t.Fatalf("serve --help: %s", out)
		}
		out := mustRun(t, e, "user", "create", "--email", "ada@example.com", "--name", "Ada", "--role", "admin", "--password", "correct horse battery")
		if !strings.Contains(out, "created ada@example.com (admin)") {
			t.Fatalf("user create: %s", out)
		}
		key := apiKey(t, e, "--name", "e2e", "--scopes", "read,write")

		// CSV import: one bad row fails with line and column and imports nothing.
		csvPath := filepath.Join(t.TempDir(), "accounts.csv")
		os.WriteFile(csvPath, []byte(badCSV), 0o600)
		out, err := run(t, e, "", "import", "accounts", csvPath)
		if err == nil || !strings.Contains(out, "line 3, column seats") || !strings.Contains(out, "nothing was imported") {
			t.Fatalf("bad import: %v %s", err, out)
		}
		os.WriteFile(csvPath, []byte(strings.Replace(badCSV, "lots", "4", 1)), 0o600)
		if out := mustRun(t, e, "import", "accounts", csvPath); !strings.Contains(out, "2 created, 0 updated, 0 unchanged") {
			t.Fatalf("good import: %s", out)
		}
		if out := mustRun(t, e, "import", "accounts", csvPath); !strings.Contains(out, "0 created, 0 updated, 2 unchanged") {
			t.Fatalf("second import: %s", out)
		}

		// Feedback: import, export, and the export imports back as duplicates.
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "tags.csv"), []byte("path\nEditor › Tables › Formulas\n"), 0o600)
		mustRun(t, e, "import", "tags", filepath.Join(dir, "tags.csv"))
		os.WriteFile(filepath.Join(dir, "feedback.csv"), []byte(feedbackCSV), 0o600)
		if out := mustRun(t, e, "import", "feedback", filepath.Join(dir, "feedback.csv")); !strings.Contains(out, "feedback: 2 created, 0 duplicates") {
			t.Fatalf("import feedback: %s", out)
		}
		exported := filepath.Join(dir, "export.csv")
		if out := mustRun(t, e, "export", "feedback", "--out", exported); !strings.Contains(out, "exported 2 feedback to") {
			t.Fatalf("export feedback: %s", out)
		}
		data, _ := os.ReadFile(exported)
		for _, want := range []string{"id,occurred_at,source,kind,status,account_external_id,account_name,", ",acme,Acme Inc,",
			"ann@acme.com", "Editor › Tables › Formulas", `"Formulas, again"`, "2025-03-02T10:00:00Z"} {
			if !strings.Contains(string(data), want) {
				t.Fatalf("export lacks %q:\n%s", want, data)
			}
		}
		if out := mustRun(t, e, "import", "feedback", exported); !strings.Contains(out, "feedback: 0 created, 2 duplicates") {
			t.Fatalf("import of the export: %s", out)
		}
		if out := mustRun(t, e, "export", "feedback"); out != string(data) {
			t.Fatalf("export to standard output differs from the file:\n%s", out)
		}

		srv, logs := startServer(t, e, addr, "serve")
		base := "http://" + addr

		// A person signs in through the form and sees the imported accounts.
		code, body := signIn(t, base, "ada@example.com", "correct horse battery")
		if code != 200 || !strings.Contains(body, "Acme Inc") || !strings.Contains(body, "Globex") {
			t.Fatalf("accounts after sign-in: %d\n%s", code, body)
		}

		// The API answers with the key from the CLI.
		_, _, body = httpGet(t, base+"/api/v1/accounts?sort=mrr&order=desc", key)
		var page struct {
			Items []struct {
				Name string `json:"name"`
				MRR  int64  `json:"mrr"`
			} `json:"items"`
			Total int `json:"total"`
		}
		json.Unmarshal([]byte(body), &page)
		if page.Total != 2 || page.Items[0].Name != "Acme Inc" || page.Items[0].MRR != 120000 {
			t.Fatalf("api accounts: %+v", page)
		}
		if code, _, _ := httpGet(t, base+"/healthz", ""); code != 200 {
			t.Fatalf("healthz %d", code)
		}
		// /metrics wants a key with the metrics scope; a read key is not enough.
		mkey := apiKey(t, e, "--name", "prometheus", "--scopes", "metrics")
		if code, _, _ := httpGet(t, base+"/metrics", ""); code != 401 {
			t.Fatalf("anonymous /metrics: %d", code)
		}
		if code, _, _ := httpGet(t, base+"/metrics", key); code != 403 {
			t.Fatalf("/metrics with a read/write key: %d", code)
		}
		if code, _, body := httpGet(t, base+"/metrics", mkey); code != 200 || !strings.Contains(body, "closeloop_http_request_duration_seconds") {
			t.Fatalf("/metrics with metrics key: %d %.300s", code, body)
		}
		// Unknown URLs: JSON under the API, a page elsewhere.
		if code, ct, _ := httpGet(t, base+"/api/v1/nope", key); code != 404 || !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("unknown API path: %d %s", code, ct)
		}
		if code, ct, _ := httpGet(t, base+"/no/such/page", ""); code != 404 || !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("unknown page: %d %s", code, ct)
		}

		if b.dialect == "sqlite" {
			// A backup taken while the server runs is a complete database.
			bk := filepath.Join(t.TempDir(), "snap.db")
			if out := mustRun(t, e, "backup", "--out", bk); !strings.Contains(out, "backup written") {
				t.Fatalf("backup: %s", out)
			}
			db, err := sql.Open("sqlite", bk)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil || n != 2 {
				t.Fatalf("backup holds %d accounts: %v", n, err)
			}
			db.Close()
		}

		// SIGTERM drains and exits cleanly.
		srv.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- srv.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("server exit: %v\n%s", err, logs)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("server did not stop on SIGTERM")
		}
	})
}

// The README's first command: closeloop demo prints a URL, a sign-in and an API key,
// and serves a populated instance.
func TestDemoCommand(t *testing.T) {
	addr := freeAddr(t)
	e := env{"CLOSELOOP_ADDR=" + addr, "CLOSELOOP_LOG_LEVEL=warn", "DATABASE_URL=postgres://ignored.invalid/x"}
	_, out := startServer(t, e, addr, "demo", "--data-dir", t.TempDir())
	var key, email, password string
	deadline := time.Now().Add(10 * time.Second)
	for key == "" && time.Now().Before(deadline) {
		if m := regexp.MustCompile(`(?m)^API key: (\S+)$`).FindStringSubmatch(out.String()); m != nil {
			key = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m := regexp.MustCompile(`(?m)^Sign in: (\S+) / (\S+)$`).FindStringSubmatch(out.String()); m != nil {
		email, password = m[1], m[2]
	}
	if key == "" || email == "" || !strings.Contains(out.String(), "closeloop demo is running at http://") {
		t.Fatalf("demo output:\n%s", out.String())
	}
	var page struct{ Total int }
	_, _, body := httpGet(t, "http://"+addr+"/api/v1/accounts?limit=1", key)
	json.Unmarshal([]byte(body), &page)
	if page.Total != 300 {
		t.Fatalf("demo has %d accounts, want 300", page.Total)
	}
	if code, body := signIn(t, "http://"+addr, email, password); code != 200 || !strings.Contains(body, "300") {
		t.Fatalf("demo sign-in: %d\n%.2000s", code, body)
	}
}
