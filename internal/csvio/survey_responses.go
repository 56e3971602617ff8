package csvio

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/survey"
)

// ResponseColumns are the columns a survey-response import reads. Who answered is
// email, person_external_id, account_id or account_external_id (at least one).
var ResponseColumns = []string{"responded_at", "score", "comment", "email", "name", "person_external_id", "account_id", "account_external_id"}

// responseExportOnly are columns an export adds that an import reads past.
var responseExportOnly = []string{"id", "segment", "account_name", "tier", "channel"}

// ResponseExportColumns are the columns of a survey's response export, in order.
var ResponseExportColumns = append(append([]string{}, ResponseColumns...), responseExportOnly...)

var knownResponse = set(set(map[string]bool{}, ResponseColumns), responseExportOnly)

// ParseResponses reads a survey-response CSV, checking every cell against the
// survey's kind. lines[i] is the source line of ins[i].
func ParseResponses(r io.Reader, kind survey.Kind) (ins []survey.Input, lines []int, err error) {
	t, err := readTable(r, knownResponse, []string{"score"}, false)
	if e, ok := err.(*Error); ok && e.Line == 1 && strings.HasPrefix(e.Msg, "unknown column") {
		e.Msg = fmt.Sprintf("unknown column %q (known: %s)", e.Column, strings.Join(ResponseExportColumns, ", "))
	}
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	return parseRows(t, func(i int, fail rowFail) (survey.Input, error) {
		var in survey.Input
		var err error
		if in.Score, err = t.score(i, fail); err != nil {
			return in, err
		}
		in.Comment, _ = t.cell(i, "comment")
		in.Email, _ = t.cell(i, "email")
		in.Name, _ = t.cell(i, "name")
		in.PersonExternalID, _ = t.cell(i, "person_external_id")
		in.AccountID, _ = t.cell(i, "account_id")
		in.AccountExternalID, _ = t.cell(i, "account_external_id")
		if v, ok := t.cell(i, "responded_at"); ok {
			if in.RespondedAt, err = parseWhen(v); err != nil {
				return in, fail("responded_at", "%v", err)
			}
		}
		in.Normalize(now)
		if err := in.Validate(kind, now); err != nil {
			return in, fail.field(err)
		}
		return in, nil
	})
}

// ImportResponses parses r and records every row as a response of the survey in one
// transaction; a problem names its line and column and nothing is written.
func ImportResponses(ctx context.Context, s *store.Store, surveyID string, r io.Reader) (int, error) {
	v, err := s.GetSurvey(ctx, surveyID)
	if err != nil {
		return 0, err
	}
	ins, lines, err := ParseResponses(r, v.Kind)
	if err != nil {
		return 0, err
	}
	if len(ins) == 0 {
		return 0, &Error{Line: 2, Msg: "no rows to import"}
	}
	rs, err := s.AddSurveyResponses(ctx, v.ID, survey.ChannelCSV, ins)
	if err != nil {
		return 0, fromRowError(err, lines, func(f string) string { return f })
	}
	return len(rs), nil
}

// ExportResponses writes a survey's responses as CSV, newest first, a page at a time.
// The file imports back (into another survey of the same kind) with ImportResponses.
func ExportResponses(ctx context.Context, s *store.Store, surveyID string, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(ResponseExportColumns); err != nil {
		return 0, err
	}
	n := 0
	f := store.ResponseFilter{SurveyID: surveyID, Limit: 500}
	for {
		page, err := s.ListSurveyResponses(ctx, f)
		if err != nil {
			return n, err
		}
		for _, r := range page.Responses {
			rec := []string{r.RespondedAt.UTC().Format(time.RFC3339Nano), strconv.Itoa(r.Score), r.Comment, r.PersonEmail, r.PersonName, "",
				r.AccountID, "", r.ID, string(r.Segment), r.AccountName, r.Tier, r.Channel}
			if err := cw.Write(defuse(rec)); err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil || page.Next == "" {
			return n, err
		}
		f.Cursor = page.Next
	}
}
