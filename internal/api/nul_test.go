package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestNULIsStrippedEverywhere is issue 13, defect 3: on PostgreSQL a U+0000 anywhere in
// a request answered 500 ("invalid byte sequence for encoding UTF8: 0x00"), and a
// signed webhook carrying one was never stored while the vendor retried the same bytes
// for ever; SQLite stored the NUL. The store now drops U+0000 from every string it
// sends to either database, so every channel behaves the same on both: the request
// succeeds and the text is kept without the NUL.
func TestNULIsStrippedEverywhere(t *testing.T) {
	const intercomSecret, emailSecret = "intercom-client-secret", "email-relay-token"
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cfg := config.Default()
		cfg.Channels.Intercom, cfg.Channels.Email = intercomSecret, emailSecret
		e := newEnvWith(t, s, cfg)
		ctx := context.Background()

		// step runs a subtest with e's helpers failing that subtest, not the parent.
		step := func(name string, fn func(t *testing.T)) {
			t.Run(name, func(t *testing.T) {
				parent := e.t
				e.t = t
				defer func() { e.t = parent }()
				fn(t)
			})
		}
		send := func(t *testing.T, method, path, contentType string, body []byte, headers map[string]string) (int, string) {
			t.Helper()
			req, err := http.NewRequest(method, e.url+path, strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			for k, v := range headers {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		storedText := func(t *testing.T, source, text string) {
			t.Helper()
			var list struct {
				Items []fbItem `json:"items"`
			}
			e.call(e.rw, "GET", "/api/v1/feedback?source="+source, nil, 200, &list)
			for _, it := range list.Items {
				if it.Text == text {
					return
				}
				if strings.ContainsRune(it.Text, 0) {
					t.Fatalf("%s item stored with a NUL: %q", source, it.Text)
				}
			}
			t.Fatalf("no %s item with text %q among %+v", source, text, list.Items)
		}

		step("API feedback and names", func(t *testing.T) {
			e.call(e.rw, "POST", "/api/v1/feedback", `{"text": "Dark\u0000 mode", "email": "nul@acme.example", "name": "Nu\u0000l Person"}`, 201, nil)
			storedText(t, "api", "Dark mode")
			p, err := s.GetPersonByEmail(ctx, "nul@acme.example")
			if err != nil || p.Name != "Nul Person" {
				t.Errorf("person %+v %v, want name without the NUL", p, err)
			}
			var acc struct {
				Name string `json:"name"`
			}
			e.call(e.rw, "POST", "/api/v1/accounts", `{"name": "Ac\u0000me", "external_id": "nul-1"}`, 201, &acc)
			if acc.Name != "Acme" {
				t.Errorf("account name %q, want the NUL dropped", acc.Name)
			}
		})

		step("searches", func(t *testing.T) {
			if st, body := send(t, "GET", "/portal?q=a%00b", "", nil, nil); st != http.StatusOK {
				t.Errorf("portal search: status %d: %.300s", st, body)
			}
			for _, path := range []string{"/api/v1/feedback?q=a%00b", "/api/v1/accounts?q=Ac%00me", "/api/v1/people?q=a%00b"} {
				e.call(e.rw, "GET", path, nil, 200, nil)
			}
			var list struct {
				Items []struct {
					Name string `json:"name"`
				} `json:"items"`
			}
			e.call(e.rw, "GET", "/api/v1/accounts?q=Ac%00me", nil, 200, &list)
			if len(list.Items) != 1 || list.Items[0].Name != "Acme" {
				t.Errorf("search with a NUL found %+v, want Acme (the query is stripped too)", list.Items)
			}
		})

		step("sign-in", func(t *testing.T) {
			form := url.Values{"email": {"a\x00b@acme.example"}, "password": {"correct horse battery"}}
			st, body := send(t, "POST", "/signin", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
			if st != http.StatusUnauthorized {
				t.Errorf("sign-in with a NUL in the email: status %d, want 401: %.300s", st, body)
			}
		})

		step("signed Intercom delivery", func(t *testing.T) {
			body := []byte(`{"type":"notification_event","topic":"conversation.user.created","data":{"item":{"type":"conversation","id":"nul-conv-1","created_at":1571080402,` +
				`"source":{"type":"conversation","id":"1","body":"<p>Export\u0000 to CSV please</p>","author":{"type":"user","id":"u1","name":"Ja\u0000ne","email":"jane@acme.example"}}}}}`)
			m := hmac.New(sha1.New, []byte(intercomSecret))
			m.Write(body)
			st, resp := send(t, "POST", "/hooks/intercom", "application/json", body, map[string]string{"X-Hub-Signature": "sha1=" + hex.EncodeToString(m.Sum(nil))})
			if st != http.StatusOK {
				t.Fatalf("Intercom delivery with U+0000: status %d: %s", st, resp)
			}
			storedText(t, "intercom", "Export to CSV please")
		})

		step("signed email delivery", func(t *testing.T) {
			raw := "From: Tom Baker <tom@globex.example>\r\nTo: support@closeloop.example\r\nSubject: Search\r\n" +
				"Date: Wed, 4 Mar 2026 09:00:00 +0000\r\nMessage-ID: <nul-1@globex.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
				"Search ignores\x00 archived items.\r\n"
			st, resp := send(t, "POST", "/hooks/email", "message/rfc822", []byte(raw), map[string]string{"X-Closeloop-Secret": emailSecret})
			if st != http.StatusOK {
				t.Fatalf("email delivery with a NUL: status %d: %s", st, resp)
			}
			storedText(t, "email", "Search ignores archived items.")
		})
	})
}
