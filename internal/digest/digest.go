// Package digest is the daily email digest: each member's day — tasks due and
// overdue, accounts overdue for contact, red accounts, renewals in the next 30 days —
// from the same query as the Today page (store.TodayFor), emailed once a day through
// the outbox. The store claims each member's day in the transaction that queues the
// email (store.ClaimDigest), so two instances or a restart never send it twice.
package digest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/store"
)

// SendHour is the UTC hour from which a day's digest goes out; the job looks every
// few minutes, so a server that was down at that hour sends it when it is back.
const SendHour = 6

// renewalDays is how far ahead the digest lists renewals.
const renewalDays = 30

// Digest is one member's day as the email tells it.
type Digest struct {
	Day      string
	Tasks    []store.Task // due today or overdue
	Overdue  []store.AccountRow
	Red      []store.RedAccount
	Renewals []store.Deadline // renewals (not notice deadlines) in the next 30 days
}

// Items counts what the digest lists; a day with none sends no email.
func (d Digest) Items() int { return len(d.Tasks) + len(d.Overdue) + len(d.Red) + len(d.Renewals) }

// FromToday picks the digest's part of a member's Today on day (YYYY-MM-DD).
func FromToday(t store.Today, day string) Digest {
	d := Digest{Day: day, Overdue: t.Overdue, Red: t.Red}
	for _, tk := range t.Tasks {
		if tk.DueDate <= day {
			d.Tasks = append(d.Tasks, tk)
		}
	}
	for _, dl := range t.Deadlines {
		if dl.Kind == "renewal" && dl.Days <= renewalDays {
			d.Renewals = append(d.Renewals, dl)
		}
	}
	return d
}

// Message renders the digest as a plain-text email to m; baseURL links to Today.
func (d Digest) Message(m auth.Member, baseURL string) notify.Message {
	var b strings.Builder
	name := m.Name
	if name == "" {
		name = m.Email
	}
	day, _ := time.Parse(time.DateOnly, d.Day)
	fmt.Fprintf(&b, "Good morning %s, here is your day (%s).\n", name, day.Format("Mon 2 Jan 2006"))
	section := func(title string, n int, line func(i int) string) {
		if n == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", title, n)
		for i := range n {
			b.WriteString("- " + line(i) + "\n")
		}
	}
	section("Tasks due and overdue", len(d.Tasks), func(i int) string {
		t := d.Tasks[i]
		due := "due today"
		if t.DueDate < d.Day {
			due = "overdue since " + t.DueDate
		}
		s := t.Title
		if !strings.Contains(s, t.AccountName) {
			s = t.AccountName + ": " + s // a playbook step's title does not name the account
		}
		s += " (" + due + ")"
		if t.Reason != "" {
			s += ": " + t.Reason
		}
		return s
	})
	section("Overdue for contact", len(d.Overdue), func(i int) string {
		return d.Overdue[i].Name + " (" + d.Overdue[i].Tier + ")"
	})
	section("Red accounts", len(d.Red), func(i int) string {
		return fmt.Sprintf("%s: health %d", d.Red[i].Name, d.Red[i].Score)
	})
	section(fmt.Sprintf("Renewals in the next %d days", renewalDays), len(d.Renewals), func(i int) string {
		r := d.Renewals[i]
		return fmt.Sprintf("%s renews on %s (in %d days)", r.Name, r.Date, r.Days)
	})
	fmt.Fprintf(&b, "\nWork through it: %s/today\nTo stop these emails, turn the daily digest off on that page.\n", strings.TrimRight(baseURL, "/"))
	var parts []string
	if n := len(d.Tasks); n > 0 {
		parts = append(parts, plural(n, "task"))
	}
	if n := len(d.Red); n > 0 {
		parts = append(parts, plural(n, "red account"))
	}
	if n := len(d.Overdue); n > 0 {
		parts = append(parts, plural(n, "contact")+" overdue")
	}
	if n := len(d.Renewals); n > 0 {
		parts = append(parts, plural(n, "renewal"))
	}
	return notify.Message{ToName: m.Name, ToEmail: m.Email, Subject: "Your day: " + strings.Join(parts, ", "), Text: b.String()}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Sender sends the day's digests.
type Sender struct {
	Store   *store.Store
	BaseURL string
	Log     *slog.Logger
}

// Run sends every recipient's digest for the day of now, unless it is before
// SendHour or the digest was already claimed. It returns how many it queued.
func (s *Sender) Run(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	if now.Hour() < SendHour {
		return 0, nil
	}
	day := now.Format(time.DateOnly)
	members, err := s.Store.DigestRecipients(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range members {
		if ctx.Err() != nil {
			return sent, nil
		}
		if done, err := s.Store.DigestClaimed(ctx, m.ID, day); err != nil || done {
			if err != nil {
				return sent, err
			}
			continue
		}
		t, err := s.Store.TodayFor(ctx, m.ID, now)
		if err != nil {
			return sent, fmt.Errorf("digest for %s: %w", m.ID, err)
		}
		d := FromToday(t, day)
		var o *store.OutboxItem
		if d.Items() > 0 {
			raw, err := notify.EmailPayload{Message: d.Message(m, s.BaseURL)}.Marshal()
			if err != nil {
				// A member whose address cannot take mail: say so once a day, go on.
				s.log().Warn("daily digest not sent", "member", m.ID, "err", err)
				continue
			}
			o = &store.OutboxItem{Kind: store.OutboxEmail, Ref: "digest:" + m.ID + ":" + day, Payload: raw}
		}
		claimed, err := s.Store.ClaimDigest(ctx, m.ID, day, d.Items(), o)
		if err != nil {
			return sent, err
		}
		if claimed && o != nil {
			sent++
		}
	}
	return sent, nil
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Job runs the sender every 10 minutes on one instance at a time; the claim keeps
// even overlapping runs from sending twice.
func (s *Sender) Job(now func() time.Time) jobs.Job {
	return jobs.Job{Name: "daily-digest", Help: fmt.Sprintf("emails each member their day once a day, from %02d:00 UTC (tasks, cadence, red accounts, renewals)", SendHour),
		Schedule: jobs.Every(10 * time.Minute), Lease: 30 * time.Minute, Run: func(ctx context.Context, _ string) error {
			n, err := s.Run(ctx, now())
			if n > 0 {
				s.log().Info("daily digests queued", "count", n)
			}
			return err
		}}
}
