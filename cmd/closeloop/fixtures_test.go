package main_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// eachDialect runs fn as a subtest on each database the binary supports.
func eachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// binaryDB is the real binary pointed at a fresh database of one dialect (binaryEnv):
// env for run and mustRun, addr for startServer, dsn for the test to open the same
// database.
type binaryDB struct {
	dialect   string
	env       env
	addr, dsn string
}

// eachBinary runs fn as a subtest per dialect, each with the binary on a fresh
// database of its own, logging at logLevel.
func eachBinary(t *testing.T, logLevel string, fn func(t *testing.T, b binaryDB)) {
	t.Helper()
	eachDialect(t, func(t *testing.T, dialect string) {
		e, addr, dsn := binaryEnv(t, dialect, logLevel)
		fn(t, binaryDB{dialect: dialect, env: e, addr: addr, dsn: dsn})
	})
}

// migrated runs closeloop migrate and opens the binary's database for the test to set
// up and check (closed when the test ends): the schema is the binary's own, as a user
// would have it.
func (b binaryDB) migrated(t *testing.T) *store.Store {
	t.Helper()
	mustRun(t, b.env, "migrate")
	return storetest.OpenDSN(t, b.dsn)
}

var apiKeyLine = regexp.MustCompile(`API key: (\S+)`)

// apiKey runs closeloop apikey create with args and returns the key it printed,
// failing the test when it prints none.
func apiKey(t *testing.T, e env, args ...string) string {
	t.Helper()
	out := mustRun(t, e, append([]string{"apikey", "create"}, args...)...)
	m := apiKeyLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("apikey create %v printed no key:\n%s", args, out)
	}
	return m[1]
}

// bench runs closeloop bench with args through the binary and returns its output; on
// PostgreSQL it adds pg(), the flags naming the database to measure.
func bench(t *testing.T, dialect string, e env, pg func() []string, args ...string) string {
	t.Helper()
	if dialect == "postgres" {
		args = append(args, pg()...)
	}
	return mustRun(t, e, append([]string{"bench"}, args...)...)
}

// signIn posts the sign-in form at base as a browser would, following the redirect
// to /accounts, and returns the status and body of the page it lands on.
func signIn(t *testing.T, base, email, password string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.PostForm(base+"/signin", url.Values{"email": {email}, "password": {password}, "next": {"/accounts"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// httpGet requests u, with bearer as the API key unless it is empty, and returns the
// status, the Content-Type and the body.
func httpGet(t *testing.T, u, bearer string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}
