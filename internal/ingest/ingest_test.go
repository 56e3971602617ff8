package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/ingest"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// server runs the real application on s and returns its URL and an ingest key.
func server(t *testing.T, s *store.Store) (string, string) {
	t.Helper()
	a := app.New(config.Default(), s, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	_, key, err := s.CreateAPIKey(context.Background(), "ingest test", []auth.Scope{auth.ScopeIngest}, "")
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, key
}

type call struct {
	path        string
	body        []byte
	user        string // basic-auth user ("" = none)
	contentType string // default application/json
	gzip        bool
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func send(t *testing.T, base string, c call) answer {
	t.Helper()
	body := c.body
	if c.gzip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		body = b.Bytes()
	}
	req, err := http.NewRequest(http.MethodPost, base+c.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ct := c.contentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	if c.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, "")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	json.Unmarshal(raw, &a.body)
	return a
}

func stats(t *testing.T, s *store.Store) store.UsageStats {
	t.Helper()
	st, err := s.UsageStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func js(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

type obj = map[string]any

// TestEveryCallIsStoredOnceAndResendsAddNothing sends each call type, by each way of
// giving the key, and resends them.
func TestEveryCallIsStoredOnceAndResendsAddNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		base, key := server(t, s)
		calls := []call{
			{path: "/v1/track", user: key, body: js(obj{"messageId": "t1", "userId": "u1", "event": "Signed Up", "properties": obj{"plan": "pro"}})},
			{path: "/v1/identify", user: key, body: js(obj{"messageId": "i1", "userId": "u1", "traits": obj{"email": "Ann@Acme.test", "name": "Ann"}})},
			{path: "/v1/group", user: key, body: js(obj{"messageId": "g1", "userId": "u1", "groupId": "acme", "traits": obj{"name": "Acme"}})},
			{path: "/v1/page", user: key, body: js(obj{"messageId": "p1", "anonymousId": "a1", "name": "Pricing"})},
			{path: "/v1/screen", body: js(obj{"writeKey": key, "messageId": "s1", "userId": 42, "name": "Home"})},
			{path: "/v1/page", gzip: true, body: js(obj{"writeKey": key, "messageId": "p2", "userId": "u2", "name": "Docs"})},
			{path: "/v1/alias", user: key, gzip: true, body: js(obj{"messageId": "al1", "userId": "u1", "previousId": "a1"})},
			{path: "/v1/batch", body: js(obj{"writeKey": key, "batch": []obj{
				{"type": "track", "messageId": "b1", "userId": "u1", "event": "Clicked"},
				{"type": "page", "messageId": "b2", "userId": "u1"},
			}})},
			{path: "/v1/import", user: key, gzip: true, body: js(obj{"batch": []obj{{"type": "track", "messageId": "b3", "userId": "u1", "event": "Clicked"}}})},
		}
		for round := 0; round < 2; round++ {
			for _, c := range calls {
				a := send(t, base, c)
				if a.status != 200 || a.body["success"] != true {
					t.Fatalf("round %d %s: %d %s", round, c.path, a.status, a.raw)
				}
				if round == 1 && a.body["accepted"] != 0.0 {
					t.Errorf("resend of %s: %s, want nothing accepted", c.path, a.raw)
				}
			}
		}
		if st := stats(t, s); st.Events != 10 || st.MessageIDs != 10 {
			t.Fatalf("stored %+v, want 10 events with 10 messageIds", st)
		}
		// Numeric userIds are kept as their text, and writeKey is never stored.
		p, _, err := s.UsagePayload(context.Background(), "s1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(p), `"userId":42`) || strings.Contains(string(p), key) {
			t.Errorf("screen payload %s", p)
		}
	})
}

// TestBatchContextMergesAndTimestampIsCorrected: batch-level context and integrations
// go into every message (the message's own keys win), a missing messageId gets one,
// and timestamp = receivedAt − (sentAt − timestamp).
func TestBatchContextMergesAndTimestampIsCorrected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		received := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return received }
		base, key := server(t, s)
		a := send(t, base, call{path: "/v1/batch", user: key, body: js(obj{
			"context":      obj{"library": obj{"name": "batchlib"}, "ip": "10.0.0.1"},
			"integrations": obj{"All": false},
			"sentAt":       "2020-01-01T00:10:00Z", // the device clock is years behind
			"batch": []obj{
				{"type": "track", "messageId": "m1", "userId": "u", "event": "E", "timestamp": "2020-01-01T00:00:00Z",
					"context": obj{"ip": "10.0.0.2"}},
				{"type": "track", "userId": "u", "event": "F", "timestamp": "2020-01-01T00:09:00Z", "sentAt": "2020-01-01T00:09:30Z"},
				{"type": "track", "messageId": "m3", "userId": "u", "event": "G"},
			},
		})})
		if a.status != 200 || a.body["accepted"] != 3.0 {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		p, ts, err := s.UsagePayload(context.Background(), "m1")
		if err != nil {
			t.Fatal(err)
		}
		if want := received.Add(-10 * time.Minute); !ts.Equal(want) {
			t.Errorf("m1 timestamp %s, want %s (received − 10 min)", ts, want)
		}
		var m struct {
			Context      map[string]any `json:"context"`
			Integrations map[string]any `json:"integrations"`
			Original     string         `json:"originalTimestamp"`
		}
		json.Unmarshal(p, &m)
		if m.Context["ip"] != "10.0.0.2" || m.Context["library"] == nil || m.Integrations["All"] != false || m.Original != "2020-01-01T00:00:00Z" {
			t.Errorf("m1 payload %s", p)
		}
		if _, ts, _ := s.UsagePayload(context.Background(), "m3"); !ts.Equal(received) {
			t.Errorf("m3 without a timestamp: %s, want receivedAt %s", ts, received)
		}
		if st := stats(t, s); st.Events != 3 || st.MessageIDs != 3 {
			t.Errorf("stored %+v", st)
		}
		// The message's own sentAt wins over the batch's: received − 30 s.
		accts, err := s.UsageAccounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for mid := range accts {
			if strings.HasPrefix(mid, "cl-") {
				found = true
				if _, ts, _ := s.UsagePayload(context.Background(), mid); !ts.Equal(received.Add(-30 * time.Second)) {
					t.Errorf("F timestamp %s, want received − 30 s", ts)
				}
			}
		}
		if !found {
			t.Errorf("the message without a messageId was not given one: %v", accts)
		}
	})
}

// TestBadInputGetsItsDocumentedAnswer: 400 only for what cannot be read or is too big,
// 401 for a missing or wrong key, 415 for a body that is not JSON by its type, and 200
// with the problem named for a bad message (the batch's good messages are stored).
func TestBadInputGetsItsDocumentedAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		base, key := server(t, s)
		_, readKey, err := s.CreateAPIKey(context.Background(), "read", []auth.Scope{auth.ScopeRead}, "")
		if err != nil {
			t.Fatal(err)
		}
		big := strings.Repeat("x", ingest.MaxEventBytes)
		many := make([]obj, ingest.MaxBatchEvents+1)
		for i := range many {
			many[i] = obj{"type": "track", "userId": "u", "event": "E"}
		}
		huge := make([]obj, 2000)
		for i := range huge {
			huge[i] = obj{"type": "track", "userId": "u", "event": "E", "properties": obj{"pad": strings.Repeat("y", 300)}}
		}
		for _, tc := range []struct {
			name   string
			c      call
			status int
			field  string // of the first problem, for 200s
		}{
			{"no key", call{path: "/v1/track", body: js(obj{"userId": "u", "event": "E"})}, 401, ""},
			{"wrong key", call{path: "/v1/track", user: "cl_nope_nope", body: js(obj{"userId": "u", "event": "E"})}, 401, ""},
			{"wrong writeKey", call{path: "/v1/track", body: js(obj{"writeKey": "cl_x_y", "userId": "u", "event": "E"})}, 401, ""},
			{"key without the ingest scope", call{path: "/v1/track", user: readKey, body: js(obj{"userId": "u", "event": "E"})}, 403, ""},
			{"not JSON", call{path: "/v1/track", user: key, body: []byte("userId=u&event=E")}, 400, ""},
			{"JSON but not an object", call{path: "/v1/track", user: key, body: []byte(`[1,2]`)}, 400, ""},
			{"batch not an array", call{path: "/v1/batch", user: key, body: js(obj{"batch": "x"})}, 400, ""},
			{"not gzip", call{path: "/v1/track", user: key, body: []byte(`{}`), contentType: "application/json"}, 0, ""}, // replaced below
			{"wrong content type", call{path: "/v1/track", user: key, contentType: "application/x-www-form-urlencoded", body: js(obj{"userId": "u", "event": "E"})}, 415, ""},
			{"single message over 32 KB", call{path: "/v1/track", user: key, body: js(obj{"userId": "u", "event": "E", "properties": obj{"p": big}})}, 400, ""},
			{"batch over 500 KB", call{path: "/v1/batch", user: key, body: js(obj{"batch": huge})}, 400, ""},
			{"batch over 500 KB gzipped", call{path: "/v1/batch", user: key, gzip: true, body: js(obj{"batch": huge})}, 400, ""},
			{"batch over 2,500 messages", call{path: "/v1/batch", user: key, body: js(obj{"batch": many})}, 400, ""},
			{"no user", call{path: "/v1/track", user: key, body: js(obj{"event": "E"})}, 200, "userId"},
			{"no event", call{path: "/v1/track", user: key, body: js(obj{"userId": "u"})}, 200, "event"},
			{"bad type", call{path: "/v1/batch", user: key, body: js(obj{"batch": []obj{{"type": "purchase", "userId": "u"}}})}, 200, "type"},
			{"properties not an object", call{path: "/v1/track", user: key, body: js(obj{"userId": "u", "event": "E", "properties": []int{1}})}, 200, "properties"},
			{"bad timestamp", call{path: "/v1/track", user: key, body: js(obj{"userId": "u", "event": "E", "timestamp": "yesterday"})}, 200, "timestamp"},
			{"group without groupId", call{path: "/v1/group", user: key, body: js(obj{"userId": "u"})}, 200, "groupId"},
			{"alias without previousId", call{path: "/v1/alias", user: key, body: js(obj{"userId": "u"})}, 200, "previousId"},
			{"message over 32 KB in a batch", call{path: "/v1/batch", user: key, body: js(obj{"batch": []obj{{"type": "track", "userId": "u", "event": "E", "properties": obj{"p": big}}}})}, 200, ""},
		} {
			if tc.name == "not gzip" {
				req, _ := http.NewRequest(http.MethodPost, base+"/v1/track", strings.NewReader(`{"userId":"u","event":"E"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Content-Encoding", "gzip")
				req.SetBasicAuth(key, "")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != 400 {
					t.Errorf("not gzip: %d, want 400", res.StatusCode)
				}
				continue
			}
			a := send(t, base, tc.c)
			if a.status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, a.status, a.raw, tc.status)
				continue
			}
			if !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Errorf("%s: Content-Type %q", tc.name, a.header.Get("Content-Type"))
			}
			if tc.status != 200 {
				if a.body["error"] == nil {
					t.Errorf("%s: no error in %s", tc.name, a.raw)
				}
				continue
			}
			probs, _ := a.body["problems"].([]any)
			if len(probs) != 1 || a.body["accepted"] != 0.0 {
				t.Errorf("%s: %s, want one problem and nothing accepted", tc.name, a.raw)
				continue
			}
			if f, _ := probs[0].(map[string]any)["field"].(string); f != tc.field {
				t.Errorf("%s: problem field %q, want %q (%s)", tc.name, f, tc.field, a.raw)
			}
		}
		// A batch with one bad message stores the others.
		a := send(t, base, call{path: "/v1/batch", user: key, body: js(obj{"batch": []obj{
			{"type": "track", "messageId": "ok1", "userId": "u", "event": "E"},
			{"type": "track", "messageId": "bad", "userId": "u"},
			{"type": "track", "messageId": "ok2", "userId": "u", "event": "E"},
		}})})
		probs, _ := a.body["problems"].([]any)
		if a.status != 200 || a.body["accepted"] != 2.0 || len(probs) != 1 || probs[0].(map[string]any)["index"] != 1.0 {
			t.Errorf("mixed batch: %d %s", a.status, a.raw)
		}
		if st := stats(t, s); st.Events != 2 {
			t.Errorf("stored %+v, want only the 2 good messages of the mixed batch", st)
		}
		// The server still serves.
		if a := send(t, base, call{path: "/v1/track", user: key, body: js(obj{"userId": "u", "event": "After"})}); a.status != 200 {
			t.Errorf("after bad input: %d %s", a.status, a.raw)
		}
		// Refused messages and requests are counted in the metrics.
		_, metricsKey, err := s.CreateAPIKey(context.Background(), "prometheus", []auth.Scope{auth.ScopeMetrics}, "")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+metricsKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, want := range []string{`closeloop_ingest_invalid_total{field="event"} 2`, `closeloop_ingest_invalid_total{field="userId"} 1`,
			`closeloop_ingest_events_total{outcome="invalid"} 9`, `closeloop_ingest_events_total{outcome="stored"} 3`,
			`closeloop_ingest_requests_refused_total{reason="too_large"} 4`, `closeloop_ingest_requests_refused_total{reason="content_type"} 1`,
			// SQLite holds the window's ids in memory too: the three stored ones.
			map[string]string{"sqlite": "closeloop_ingest_dedup_memory_ids 3", "postgres": "closeloop_ingest_dedup_memory_ids 0"}[s.Dialect()],
			"closeloop_ingest_dedup_evicted_total 0"} {
			if !strings.Contains(string(m), want) {
				t.Errorf("no %s in /metrics", want)
			}
		}
	})
}

// TestIdentityAttributesEvents walks identify, group, alias and track through to the
// accounts and people they make and the events they attribute.
func TestIdentityAttributesEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base, key := server(t, s)
		post := func(path string, m obj) {
			t.Helper()
			if a := send(t, base, call{path: path, user: key, body: js(m)}); a.status != 200 || a.body["accepted"] != 1.0 {
				t.Fatalf("%s %v: %d %s", path, m, a.status, a.raw)
			}
		}
		// Before anything is known: kept, unattributed.
		post("/v1/track", obj{"messageId": "early", "userId": "u1", "event": "Opened"})
		post("/v1/page", obj{"messageId": "anon", "anonymousId": "anon-1", "name": "Pricing"})
		post("/v1/track", obj{"messageId": "ctx", "userId": "u9", "event": "E", "context": obj{"groupId": "globex"}})
		if st := stats(t, s); st.Pending != 3 {
			t.Fatalf("%+v, want 3 pending", st)
		}
		// group creates the account with its traits, and attributes its events.
		post("/v1/group", obj{"messageId": "g", "userId": "u9", "groupId": "globex", "traits": obj{
			"name": "Globex", "plan": "enterprise", "employees": 250, "website": "https://www.globex.test/", "industry": "energy"}})
		acc, err := s.GetAccountByExternalID(ctx, "globex")
		if err != nil {
			t.Fatal(err)
		}
		if acc.Name != "Globex" || acc.Plan != "enterprise" || acc.CompanySize != 250 || acc.Domain != "globex.test" || !strings.Contains(string(acc.Traits), `"industry":"energy"`) {
			t.Errorf("group made %+v", acc.Account)
		}
		// identify with a company trait makes the person on a new account.
		post("/v1/identify", obj{"messageId": "i", "userId": "u1", "anonymousId": "anon-1", "traits": obj{
			"email": "Ann@Initech.test", "firstName": "Ann", "lastName": "Lee", "title": "CTO", "company": obj{"id": "initech", "name": "Initech"}, "theme": "dark"}})
		ini, err := s.GetAccountByExternalID(ctx, "initech")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.GetPersonByEmail(ctx, "ann@initech.test")
		if err != nil {
			t.Fatal(err)
		}
		if p.ExternalID != "u1" || p.Name != "Ann Lee" || p.Title != "CTO" || p.AccountID != ini.ID || !strings.Contains(string(p.Traits), `"theme":"dark"`) {
			t.Errorf("identify made %+v", p)
		}
		// alias: the old id's events follow the user.
		post("/v1/track", obj{"messageId": "old", "userId": "legacy-7", "event": "E"})
		post("/v1/alias", obj{"messageId": "al", "userId": "u1", "previousId": "legacy-7"})
		post("/v1/track", obj{"messageId": "later", "userId": "legacy-7", "event": "E"})
		post("/v1/screen", obj{"messageId": "u9s", "userId": "u9", "name": "Home"})

		got, err := s.UsageAccounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"early": ini.ID, "anon": ini.ID, "ctx": acc.ID, "g": acc.ID, "i": ini.ID,
			"old": ini.ID, "al": ini.ID, "later": ini.ID, "u9s": acc.ID}
		for mid, w := range want {
			if got[mid] != w {
				t.Errorf("event %s attributed to %q, want %q", mid, got[mid], w)
			}
		}
		if st := stats(t, s); st.Pending != 0 {
			t.Errorf("%+v, want nothing pending", st)
		}
		// An identify the person rules refuse is stored, reported, and changes nothing.
		a := send(t, base, call{path: "/v1/identify", user: key, body: js(obj{"messageId": "badmail", "userId": "u1", "traits": obj{"email": "not an email"}})})
		probs, _ := a.body["problems"].([]any)
		if a.status != 200 || a.body["accepted"] != 1.0 || len(probs) != 1 || probs[0].(map[string]any)["field"] != "email" || probs[0].(map[string]any)["stored"] != true {
			t.Errorf("bad identify: %d %s", a.status, a.raw)
		}
		if p2, _ := s.GetPersonByEmail(ctx, "ann@initech.test"); p2.ID != p.ID {
			t.Errorf("the refused identify changed the person")
		}
		// Custom traits past the account rules' 16 KB: the group call is stored and
		// reported, the account keeps its traits.
		a = send(t, base, call{path: "/v1/group", user: key, body: js(obj{"messageId": "bigtraits", "userId": "u9", "groupId": "globex",
			"traits": obj{"notes": strings.Repeat("n", 17<<10)}})})
		probs, _ = a.body["problems"].([]any)
		if a.status != 200 || a.body["accepted"] != 1.0 || len(probs) != 1 || probs[0].(map[string]any)["field"] != "traits" {
			t.Errorf("oversized traits: %d %.300s", a.status, a.raw)
		}
		if acc2, _ := s.GetAccountByExternalID(ctx, "globex"); strings.Contains(string(acc2.Traits), "notes") {
			t.Errorf("the refused traits were stored on the account")
		}
	})
}

// TestConcurrentResendsStoreOnce: the same batch sent by many clients at once — so
// copies meet in one group commit and across consecutive ones — is stored once.
func TestConcurrentResendsStoreOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		base, key := server(t, s)
		msgs := make([]obj, 200)
		for i := range msgs {
			msgs[i] = obj{"type": "track", "messageId": "race-" + strconv.Itoa(i), "userId": "u", "event": "E"}
		}
		body := js(obj{"batch": msgs})
		var wg sync.WaitGroup
		var accepted atomic.Int64
		for c := 0; c < 16; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, base+"/v1/batch", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth(key, "")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer res.Body.Close()
				var r ingest.Response
				if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&r) != nil {
					t.Errorf("status %d", res.StatusCode)
					return
				}
				accepted.Add(int64(r.Accepted))
				if r.Accepted+r.Duplicates != len(msgs) {
					t.Errorf("accepted %d + duplicates %d, want %d", r.Accepted, r.Duplicates, len(msgs))
				}
			}()
		}
		wg.Wait()
		if st := stats(t, s); st.Events != len(msgs) || st.MessageIDs != len(msgs) || accepted.Load() != int64(len(msgs)) {
			t.Errorf("%+v, %d accepted in all, want %d of each", st, accepted.Load(), len(msgs))
		}
	})
}
