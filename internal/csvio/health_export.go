package csvio

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
)

// Exports of the health loop: the daily health history, tasks and the signals firing
// now. Each streams from the store and defuses formula-like cells (account names and
// reasons are customer text).

// HealthHistoryColumns are the history export's columns: the day's score, the weight
// set's version and the profile of it that scored the day (a backtest compares
// versions on them), then per
// component its score, effective weight and contribution (all three empty when the
// component's input was missing that day).
func HealthHistoryColumns() []string {
	cols := []string{"account_id", "account_name", "day", "score", "band", "weights_version", "weights_profile"}
	for _, c := range health.Components {
		cols = append(cols, c+"_score", c+"_weight", c+"_contribution")
	}
	return cols
}

// ExportHealthHistory writes the recorded days f selects, by account then day.
func ExportHealthHistory(ctx context.Context, s *store.Store, w io.Writer, f store.HealthHistoryFilter) (int, error) {
	cw := csv.NewWriter(w)
	cols := HealthHistoryColumns()
	cw.Write(cols)
	n := 0
	err := s.EachHealthHistory(ctx, f, func(r store.HealthHistoryRow) error {
		rec := make([]string, 0, len(cols))
		rec = append(rec, r.AccountID, r.AccountName, r.Day, strconv.Itoa(r.Score), r.Band, r.Weights, r.Profile)
		parts := map[string]health.Part{}
		for _, p := range r.Parts {
			parts[p.Name] = p
		}
		for _, c := range health.Components {
			p, ok := parts[c]
			if !ok || p.Missing {
				rec = append(rec, "", "", "")
				continue
			}
			rec = append(rec, strconv.Itoa(p.Score), strconv.FormatFloat(p.Weight, 'f', -1, 64), strconv.FormatFloat(p.Contribution, 'f', -1, 64))
		}
		n++
		return cw.Write(defuse(rec))
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

// TaskColumns are the task export's columns.
var TaskColumns = []string{"id", "account_id", "account_name", "owner_id", "signal", "title", "reason", "due_date", "status",
	"created_at", "done_at", "done_by", "done_note"}

// ExportTasks writes every task f selects (its Limit is ignored), soonest due first.
func ExportTasks(ctx context.Context, s *store.Store, w io.Writer, f store.TaskFilter) (int, error) {
	cw := csv.NewWriter(w)
	cw.Write(TaskColumns)
	f.Limit = 0
	n := 0
	err := s.EachTask(ctx, f, func(t store.Task) error {
		done := ""
		if t.DoneAt != nil {
			done = t.DoneAt.UTC().Format(time.RFC3339)
		}
		n++
		return cw.Write(defuse([]string{t.ID, t.AccountID, t.AccountName, t.OwnerID, t.Signal, t.Title, t.Reason, t.DueDate, t.Status,
			t.CreatedAt.UTC().Format(time.RFC3339), done, t.DoneBy, t.DoneNote}))
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

// SignalColumns are the signal export's columns.
var SignalColumns = []string{"account_id", "account_name", "rule", "reason", "since", "task_id", "fired_at"}

// ExportSignals writes every signal firing now (one account's when accountID is
// set), newest first.
func ExportSignals(ctx context.Context, s *store.Store, w io.Writer, accountID string) (int, error) {
	cw := csv.NewWriter(w)
	cw.Write(SignalColumns)
	n := 0
	err := s.EachSignal(ctx, accountID, 0, func(sg store.Signal) error {
		n++
		return cw.Write(defuse([]string{sg.AccountID, sg.AccountName, sg.Rule, sg.Reason, sg.Since, sg.TaskID, sg.FiredAt.UTC().Format(time.RFC3339)}))
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}
