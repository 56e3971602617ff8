package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Slack alerts (the message itself is delivered by notify.Worker): a consumer of the
// event log that turns each health.changed into red into one outbox row of kind
// slack, in the transaction that advances its checkpoint, so each account turning red
// is posted once. While no Slack webhook is set, events are passed over: setting one
// later does not post old news.

// SlackConsumer is the event-log consumer of the Slack alerts.
const SlackConsumer = "slack"

// OutboxSlack is the outbox kind of a Slack message; its payload is the body posted,
// Slack's incoming-webhook JSON ({"text": …}).
const OutboxSlack = "slack"

// SlackMessage is the JSON an incoming webhook takes.
type SlackMessage struct {
	Text string `json:"text"`
}

// QueueSlackAlerts reads the next batch (limit) of events after the Slack consumer's
// checkpoint and, when enabled, queues a message for each account that turned red,
// linking to its page under baseURL. It returns how many events it read and messages
// it queued.
func (s *Store) QueueSlackAlerts(ctx context.Context, limit int, enabled bool, baseURL string) (events, queued int, err error) {
	events, err = s.consumeTx(ctx, SlackConsumer, limit, func(q q, evs []Event) error {
		queued = 0
		if !enabled {
			return nil
		}
		for _, ev := range evs {
			if ev.Kind != EventHealthChanged {
				continue
			}
			var d struct {
				Score        int    `json:"score"`
				Band         string `json:"band"`
				PreviousBand string `json:"previous_band"`
			}
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				return fmt.Errorf("event %d: %w", ev.Seq, err)
			}
			if d.Band != "red" || d.PreviousBand == "red" {
				continue
			}
			var name, owner string
			err := q.row(ctx, `SELECT a.name, COALESCE(m.name, '') FROM accounts a LEFT JOIN team_members m ON m.id = a.owner_id WHERE a.id = ?`,
				ev.AccountID).Scan(&name, &owner)
			if err != nil {
				continue // the account was deleted since
			}
			msg := SlackMessage{Text: slackText(name, owner, d.Score, d.PreviousBand, baseURL, ev.AccountID)}
			if err := s.queueJSON(ctx, q, OutboxSlack, ev.AccountID, msg); err != nil {
				return fmt.Errorf("queue slack message for event %d: %w", ev.Seq, err)
			}
			queued++
		}
		return nil
	})
	return events, queued, wrapf(err, "store: slack alerts")
}

// slackEscape escapes the three characters Slack's mrkdwn gives a meaning to, so an
// account called "<!channel>" does not notify a whole channel.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackText(name, owner string, score int, prev, baseURL, accountID string) string {
	t := fmt.Sprintf(":red_circle: %s turned red: health %d", slackEscape.Replace(name), score)
	if prev != "" {
		t += " (was " + prev + ")"
	}
	t += "."
	if owner != "" {
		t += " Owner: " + slackEscape.Replace(owner) + "."
	} else {
		t += " Nobody owns it."
	}
	if baseURL != "" {
		t += " <" + strings.TrimRight(baseURL, "/") + "/accounts/" + accountID + "|Open the account>"
	}
	return t
}
