package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

// VoCOptions control voice-of-the-customer generation on top of existing accounts.
type VoCOptions struct {
	Tags      int // taxonomy size when the database has no tags yet
	Items     int // feedback items
	Requests  int // feature requests
	Seed      uint64
	Now       time.Time
	BatchSize int // items per transaction; default 5,000
	Progress  func(done, total int)
}

// VoCSummary counts what was written.
type VoCSummary struct {
	Tags, Items, Requests, Links, Votes, Untriaged int
}

type sender struct{ person, account string }

// GenerateVoC writes a taxonomy (when there is none), feature requests across every
// status (one shipped yesterday, ready to close the loop), feedback items from every
// channel tagged against the taxonomy and linked to requests, and votes. Popular tags
// get most feedback (a Zipf-like spread), as in real data.
func GenerateVoC(ctx context.Context, s *store.Store, opts VoCOptions) (VoCSummary, error) {
	var sum VoCSummary
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	rng := rand.New(rand.NewPCG(opts.Seed^0x5eed, opts.Seed+17))
	next := func() uint64 { return rng.Uint64() }

	tags, err := s.ListTags(ctx)
	if err != nil {
		return sum, err
	}
	if len(tags) == 0 && opts.Tags > 0 {
		var b store.Batch
		for _, t := range taxonomy.Sample(opts.Tags, opts.Seed) {
			b.Tags = append(b.Tags, store.Tag{ID: t.ID, ParentID: t.ParentID, Name: t.Name, Description: t.Description, Archived: t.Archived})
		}
		if err := s.BulkLoad(ctx, &b); err != nil {
			return sum, fmt.Errorf("taxonomy: %w", err)
		}
		sum.Tags = len(b.Tags)
		tags = b.Tags
	}
	if len(tags) == 0 {
		return sum, fmt.Errorf("no tags: give --tags")
	}
	byID := map[string]store.Tag{}
	hasChild := map[string]bool{}
	for _, t := range tags {
		byID[t.ID] = t
		hasChild[t.ParentID] = true
	}
	var leaves []store.Tag // feedback is tagged with the deepest tag that fits
	for _, t := range tags {
		if !hasChild[t.ID] && !t.Archived {
			leaves = append(leaves, t)
		}
	}
	path := func(id string) []string {
		var p []string
		for id != "" {
			t := byID[id]
			p = append([]string{t.Name}, p...)
			id = t.ParentID
		}
		return p
	}

	var senders []sender
	after := ""
	for {
		ps, nextCursor, err := s.ListPeople(ctx, store.PersonFilter{After: after, Limit: 500})
		if err != nil {
			return sum, err
		}
		for _, p := range ps {
			senders = append(senders, sender{p.ID, p.AccountID})
		}
		if nextCursor == "" {
			break
		}
		after = nextCursor
	}
	if len(senders) == 0 {
		return sum, fmt.Errorf("no people: generate accounts first")
	}

	// Requests, each about one leaf topic.
	topicRequest := map[string]string{}
	var reqBatch store.Batch
	statuses := []feedback.RequestStatus{feedback.Open, feedback.UnderReview, feedback.Planned, feedback.InProgress, feedback.Shipped, feedback.Declined}
	for i, tries := 0, 0; i < opts.Requests && tries < 20*opts.Requests; tries++ {
		leaf := leaves[zipf(rng, len(leaves))]
		if _, taken := topicRequest[leaf.ID]; taken {
			continue // one request per topic; popular topics are picked first
		}
		p := path(leaf.ID)
		created := opts.Now.AddDate(0, 0, -30-rng.IntN(300))
		r := feedback.Request{ID: idSeeded(created, next), Title: requestTitle(rng, p), Description: "Customers ask for " + strings.ToLower(strings.Join(p, " › ")) + ".",
			Status: statuses[weighted(rng, []float64{0.45, 0.15, 0.12, 0.08, 0.14, 0.06})], Public: rng.Float64() < 0.8,
			StrategicScore: rng.IntN(11), CreatedAt: created}
		if i == 0 {
			// Shipped yesterday: ready to close the loop in the demo.
			r.Status, r.Public = feedback.Shipped, true
		}
		switch r.Status {
		case feedback.Planned, feedback.InProgress:
			q := opts.Now.AddDate(0, 3*rng.IntN(3), 0)
			r.Quarter = fmt.Sprintf("%d-Q%d", q.Year(), (int(q.Month())-1)/3+1)
		case feedback.Shipped:
			r.ShippedAt = opts.Now.AddDate(0, 0, -1-rng.IntN(120))
			if i == 0 {
				r.ShippedAt = opts.Now.AddDate(0, 0, -1)
			}
			r.ReleaseNote = fmt.Sprintf("%s is live: find it under %s. Thanks to everyone who asked for it.", r.Title, p[0])
		}
		topicRequest[leaf.ID] = r.ID
		reqBatch.Requests = append(reqBatch.Requests, r)
		i++
	}
	// Votes: a few dozen people per request at most, each once.
	for _, r := range reqBatch.Requests {
		seen := map[string]bool{}
		for n := rng.IntN(12); n > 0; n-- {
			sd := senders[rng.IntN(len(senders))]
			if seen[sd.person] {
				continue
			}
			seen[sd.person] = true
			src := feedback.VotePortal
			if rng.Float64() < 0.3 {
				src = feedback.VoteTeam
			}
			reqBatch.Votes = append(reqBatch.Votes, feedback.Vote{RequestID: r.ID, PersonID: sd.person, AccountID: sd.account, Source: src,
				CreatedAt: r.CreatedAt.Add(time.Duration(rng.Int64N(int64(opts.Now.Sub(r.CreatedAt)))))})
		}
	}
	if err := s.BulkLoad(ctx, &reqBatch); err != nil {
		return sum, fmt.Errorf("requests: %w", err)
	}
	sum.Requests, sum.Votes = len(reqBatch.Requests), len(reqBatch.Votes)

	sources := []feedback.Source{feedback.SourceEmail, feedback.SourceIntercom, feedback.SourceZendesk, feedback.SourceCall, feedback.SourceSlack,
		feedback.SourceSurvey, feedback.SourcePortal, feedback.SourceAPI, feedback.SourceHelpScout, feedback.SourceWeb}
	sourceW := []float64{0.25, 0.15, 0.15, 0.10, 0.10, 0.08, 0.07, 0.05, 0.03, 0.02}
	kinds := []feedback.Kind{feedback.FeatureRequest, feedback.Bug, feedback.Usability, feedback.Pricing, feedback.Content,
		feedback.JobToBeDone, feedback.ChurnReason, feedback.Praise, feedback.Other}
	kindW := []float64{0.45, 0.2, 0.1, 0.05, 0.03, 0.05, 0.03, 0.06, 0.03}
	for start := 0; start < opts.Items; start += opts.BatchSize {
		n := min(opts.BatchSize, opts.Items-start)
		var b store.Batch
		for i := 0; i < n; i++ {
			leaf := leaves[zipf(rng, len(leaves))]
			sd := senders[rng.IntN(len(senders))]
			kind := kinds[weighted(rng, kindW)]
			// Recent feedback is denser: ages drawn from an exponential with a 120-day mean.
			age := time.Duration(math.Min(rng.ExpFloat64()*120, 720) * float64(24*time.Hour))
			at := opts.Now.Add(-age)
			p := path(leaf.ID)
			it := feedback.Item{ID: idSeeded(at, next), Text: feedbackText(rng, kind, p), Source: sources[weighted(rng, sourceW)], Kind: kind,
				AccountID: sd.account, PersonID: sd.person, OccurredAt: at, Status: feedback.Triaged}
			if start+i >= opts.Items-opts.Items/15 || rng.Float64() < 0.05 {
				it.Status, it.Kind = feedback.New, feedback.Other // the untriaged tail for the inbox
				sum.Untriaged++
			} else {
				it.TagIDs = []string{leaf.ID}
				if rng.Float64() < 0.15 {
					other := leaves[zipf(rng, len(leaves))]
					if other.ID != leaf.ID {
						it.TagIDs = append(it.TagIDs, other.ID)
					}
				}
				if rid, ok := topicRequest[leaf.ID]; ok && kind == feedback.FeatureRequest && rng.Float64() < 0.6 {
					it.RequestIDs = []string{rid}
					sum.Links++
				}
			}
			b.Feedback = append(b.Feedback, it)
		}
		if err := s.BulkLoad(ctx, &b); err != nil {
			return sum, fmt.Errorf("feedback: %w", err)
		}
		sum.Items += n
		if opts.Progress != nil {
			opts.Progress(start+n, opts.Items)
		}
	}
	return sum, nil
}

// zipf picks an index in [0, n) with probability falling off like 1/(rank+1): a few
// topics get most of the feedback.
func zipf(r *rand.Rand, n int) int {
	// Inverse-CDF of a continuous 1/x density on [1, n+1].
	x := math.Exp(r.Float64() * math.Log(float64(n)+1))
	return min(int(x)-1, n-1)
}

func requestTitle(r *rand.Rand, p []string) string {
	leaf := p[len(p)-1]
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s in %s", leaf, p[0])
	case 1:
		return fmt.Sprintf("Better %s", strings.ToLower(leaf))
	case 2:
		return fmt.Sprintf("%s: %s", p[0], leaf)
	default:
		return fmt.Sprintf("Support %s", strings.ToLower(leaf))
	}
}

var kindTemplates = map[feedback.Kind][]string{
	feedback.FeatureRequest: {
		"It would be great if we could use %[1]s in %[2]s. Right now we export everything to spreadsheets.",
		"Any plans for %[1]s? Our team keeps asking for it every week.",
		"We'd happily pay more for %[1]s in %[2]s.",
		"%[3]s is the one thing missing from %[2]s for us. Can you add it?",
		"Please add %[1]s — our managers need it for the monthly review.",
	},
	feedback.Bug: {
		"%[3]s in %[2]s fails when we save with more than a few hundred rows.",
		"Since the last update %[1]s shows the wrong numbers.",
		"Getting an error every time I open %[1]s in %[2]s.",
	},
	feedback.Usability:   {"Took me ages to find %[1]s under %[2]s.", "%[3]s is confusing: the buttons don't say what they do."},
	feedback.Pricing:     {"%[3]s should be on our plan, not only on Enterprise.", "Paying per seat for %[1]s doesn't work for our team."},
	feedback.Content:     {"The docs for %[1]s are out of date.", "Is there a guide for setting up %[1]s?"},
	feedback.JobToBeDone: {"Every Monday we have to prepare numbers for the board; %[1]s in %[2]s would do it for us.", "We need to get %[1]s done before our customers log in."},
	feedback.ChurnReason: {"We're moving to another tool because %[1]s never arrived.", "Cancelling: %[2]s doesn't cover %[1]s and we can't wait any longer."},
	feedback.Praise:      {"Love the new %[1]s! Saved us hours.", "%[3]s works great, thank you."},
	feedback.Other:       {"Question about %[1]s in %[2]s.", "Can someone call me about %[1]s?"},
}

func feedbackText(r *rand.Rand, k feedback.Kind, p []string) string {
	ts := kindTemplates[k]
	leaf := p[len(p)-1]
	area := p[0]
	if len(p) > 1 {
		area = p[len(p)-2]
	}
	return fmt.Sprintf(ts[r.IntN(len(ts))], strings.ToLower(leaf), strings.ToLower(area), leaf)
}
