package main_test

import (
	"strings"
	"testing"
)

// closeloop import subscriptions through the real binary: a file with an overlap, a
// gap and a return imports once, the same file again changes nothing, and a bad row
// names its line and column and writes nothing.
func TestImportSubscriptionsCommand(t *testing.T) {
	dir := t.TempDir()
	e := env{"CLOSELOOP_DATA_DIR=" + dir, "CLOSELOOP_LOG_LEVEL=warn", "DATABASE_URL="}
	mustRun(t, e, "migrate")
	if _, err := run(t, e, "external_id,name,tier\nacme,Acme,standard\n", "import", "accounts", "-"); err != nil {
		t.Fatal(err)
	}
	// 1 Jan new 100.00; 1 Feb +50.00 (overlap); 1 Mar −150.00 (both end); 1 May 80.00 back.
	file := "account_external_id,subscription_id,start,end,mrr,currency\n" +
		"acme,s1,2026-01-01,2026-03-01,100,USD\nacme,s2,2026-02-01,2026-03-01,50,USD\nacme,s3,2026-05-01,,80,USD\n"
	out, err := run(t, e, file, "import", "subscriptions", "-")
	if err != nil || !strings.Contains(out, "subscriptions: 3 created, 0 updated, 0 unchanged; 1 accounts re-derived, 4 movements written") {
		t.Fatalf("first import: %v\n%s", err, out)
	}
	out, err = run(t, e, file, "import", "subscriptions", "-")
	if err != nil || !strings.Contains(out, "0 created, 0 updated, 3 unchanged; 0 accounts re-derived, 0 movements written") {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	bad := strings.Replace(file, "2026-05-01,,80", "2026-05-01,,eighty", 1)
	out, err = run(t, e, bad, "import", "subscriptions", "-")
	if err == nil || !strings.Contains(out, "line 4, column mrr") || !strings.Contains(out, "nothing was imported") {
		t.Fatalf("bad row: %v\n%s", err, out)
	}
}
