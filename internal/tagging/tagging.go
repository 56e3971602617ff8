// Package tagging runs tag suggestion for the app: it trains internal/suggest models
// from the tags the team has applied (merged tags followed, archived ones never
// suggested), retrains in the background when tagging changes, and answers the triage
// inbox's requests for suggestions.
package tagging

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/suggest"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

// MinExamples is how many tagged items there must be before suggestions are offered:
// below it a model would mostly guess.
const MinExamples = 20

// MaxExamples bounds training to the most recent tagged items, so training time stays
// bounded as history grows (and recent tagging habits count most).
const MaxExamples = 10000

// Service trains and serves suggestions.
type Service struct {
	store   *store.Store
	log     *slog.Logger
	trainer *suggest.Trainer
	tax     atomic.Pointer[suggest.Taxonomy]
	version string
	Poll    time.Duration // how often to look for tagging changes; default 30 s
}

// New makes a service; call Refresh (or Run) to train.
func New(s *store.Store, log *slog.Logger) *Service {
	sv := &Service{store: s, log: log, trainer: suggest.NewTrainer(suggest.Options{Seed: 1}), Poll: 30 * time.Second}
	sv.trainer.OnTrained = func(m *suggest.Model, err error) {
		if err != nil {
			log.Warn("tag suggestion training failed", "err", err)
			return
		}
		log.Info("tag suggestion model trained", "tags", len(m.Tags()))
	}
	return sv
}

// Run retrains whenever tagging changes, until ctx ends.
func (sv *Service) Run(ctx context.Context) {
	t := time.NewTicker(sv.Poll)
	defer t.Stop()
	for {
		if err := sv.Refresh(ctx); err != nil && ctx.Err() == nil {
			sv.log.Warn("tag suggestion refresh failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh reloads the taxonomy and schedules training when tagging changed since the
// last call. Training happens in the background; Wait blocks until it is done.
func (sv *Service) Refresh(ctx context.Context) error {
	v, err := sv.store.TaggingVersion(ctx)
	if err != nil || v == sv.version {
		return err
	}
	tax, err := sv.taxonomy(ctx)
	if err != nil {
		return err
	}
	sv.tax.Store(&tax)
	rows, err := sv.store.TrainingExamples(ctx, MaxExamples)
	if err != nil {
		return err
	}
	sv.version = v
	if len(rows) < MinExamples {
		return nil
	}
	ex := make([]suggest.Example, len(rows))
	for i, r := range rows {
		ex[i] = suggest.Example{Text: r.Text, Tags: r.TagIDs}
	}
	sv.trainer.Retrain(ex)
	return nil
}

// Wait blocks until queued training has finished.
func (sv *Service) Wait() error { return sv.trainer.Wait() }

func (sv *Service) taxonomy(ctx context.Context) (suggest.Taxonomy, error) {
	tree, err := sv.store.TagTree(ctx)
	if err != nil {
		return suggest.Taxonomy{}, err
	}
	merges, err := sv.store.TagMerges(ctx)
	if err != nil {
		return suggest.Taxonomy{}, err
	}
	tax := suggest.Taxonomy{Parent: map[string]string{}, Archived: map[string]bool{}, MergedInto: merges}
	tree.Walk(func(t taxonomy.Tag, depth int) bool {
		if t.ParentID != "" {
			tax.Parent[t.ID] = t.ParentID
		}
		if tree.IsArchived(t.ID) { // archived itself or under an archived branch
			tax.Archived[t.ID] = true
		}
		return true
	})
	return tax, nil
}

// Suggestion is a proposed tag.
type Suggestion struct {
	TagID string
	Score float64
}

// Suggest returns up to k tags for text, best first; none before a model exists.
func (sv *Service) Suggest(ctx context.Context, text string, k int) ([]Suggestion, error) {
	m := sv.trainer.Model()
	tax := sv.tax.Load()
	if m == nil || tax == nil {
		return nil, nil
	}
	var out []Suggestion
	for _, s := range m.Predict(text, k, *tax) {
		out = append(out, Suggestion{TagID: s.Tag, Score: s.Score})
	}
	return out, nil
}
