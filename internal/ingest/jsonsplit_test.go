package ingest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSplitObject holds the splitter to encoding/json: for any valid JSON object,
// the members found are exactly the keys json.Unmarshal finds (a repeated key counting
// as its last value), each with the same value, and encodeObject writes an object
// that decodes to the same map. Arrays split into the elements encoding/json sees.
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : 1 , "b":[1,{"c":"}"}], "a":"x\"y" } `, `{"k\u00e9y":null,"\\":true,"n":-1.5e3}`,
		`{"s":"]}\\","o":{"p":{"q":[[],{}]}}}`, `[1, "two", {"3":[]}, null]`, `"str"`, `{"bad":"\xff"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		compact := func(b []byte) string {
			var buf bytes.Buffer
			if err := json.Compact(&buf, b); err != nil {
				t.Fatalf("not valid JSON: %q: %v", b, err)
			}
			return buf.String()
		}
		var want map[string]json.RawMessage
		isObj := json.Unmarshal(raw, &want) == nil && want != nil
		fs, ok := splitObject(raw)
		if ok != isObj {
			t.Fatalf("splitObject ok = %v, encoding/json object = %v, for %q", ok, isObj, raw)
		}
		if ok {
			seen := map[string]bool{}
			for _, m := range fs {
				seen[m.key] = true
			}
			if len(seen) != len(want) {
				t.Fatalf("%d keys, encoding/json %d, in %q", len(seen), len(want), raw)
			}
			for k, v := range want {
				if got := fs.get(k); got == nil || compact(got) != compact(v) {
					t.Fatalf("key %q: %q, encoding/json %q", k, got, v)
				}
			}
			var back map[string]json.RawMessage
			enc := encodeObject(fs)
			if err := json.Unmarshal(enc, &back); err != nil || len(back) != len(want) {
				t.Fatalf("encodeObject wrote %q (%v)", enc, err)
			}
			for k, v := range want {
				if compact(back[k]) != compact(v) {
					t.Fatalf("encodeObject: key %q is %q, want %q", k, back[k], v)
				}
			}
		}
		var wantArr []json.RawMessage
		isArr := json.Unmarshal(raw, &wantArr) == nil && wantArr != nil
		els, ok := splitArray(raw)
		if ok != isArr || len(els) != len(wantArr) {
			t.Fatalf("splitArray: ok %v, %d elements; encoding/json %v, %d; for %q", ok, len(els), isArr, len(wantArr), raw)
		}
		for i := range els {
			if compact(els[i]) != compact(wantArr[i]) {
				t.Fatalf("element %d: %q, encoding/json %q", i, els[i], wantArr[i])
			}
		}
	})
}
