package main_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/closeloop/closeloop/internal/store/storetest"
)

var soakLine = regexp.MustCompile(`(\d+) kills in \S+: (\d+) events sent, (\d+) acknowledged, (\d+) stored .*, (\d+) acknowledged but missing, (\d+) stored twice`)

// TestSIGKILLDuringIngestionLosesNoAcknowledgedEvent is the durability soak of issue
// 14, through the command that runs it (closeloop bench soak): clients send batches to
// the real server; it is killed with SIGKILL at a random moment of sustained
// ingestion, restarted, and every event whose request was answered 200 must be stored
// — 20 times in a row, on each dialect. The command fails on any loss; the test also
// reads the database itself: no messageId stored twice, and at least every
// acknowledged event there.
func TestSIGKILLDuringIngestionLosesNoAcknowledgedEvent(t *testing.T) {
	eachBinary(t, "warn", func(t *testing.T, b binaryDB) {
		out := mustRun(t, b.env, "bench", "soak", "--kills", "20", "--db", b.dsn)
		m := soakLine.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("bench soak printed no figures:\n%s", out)
		}
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		if n(1) != 20 || n(3) == 0 || n(5) != 0 || n(6) != 0 {
			t.Errorf("bench soak: %s", m[0])
		}
		s := storetest.OpenDSN(t, b.dsn)
		st, err := s.UsageStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Events != st.MessageIDs || st.Events < n(3) || st.Events != n(4) {
			t.Errorf("the database holds %d events for %d messageIds; the soak acknowledged %d and counted %d stored", st.Events, st.MessageIDs, n(3), n(4))
		}
		t.Log(m[0])
	})
}
