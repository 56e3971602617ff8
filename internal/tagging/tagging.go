// Package tagging runs tag suggestion for the app: it trains internal/suggest models
// from the tags the team has applied (merged tags followed, archived ones never
// suggested), retrains in the background when tagging changes, and answers the triage
// inbox's requests for suggestions.
package tagging

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/closeloop/closeloop/internal/jobs"
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
	similar atomic.Pointer[similarity]
	version string
	Poll    time.Duration // how often to look for tagging changes; default 30 s
	// ModelPath, if set, is where each trained model is saved and where LoadSaved
	// looks for one at start: with hundreds of tags a model takes tens of
	// seconds to train, and without the saved one the inbox would have no
	// suggestions for that long after every restart.
	ModelPath string
	known     atomic.Pointer[map[string]string] // tag id → name, as of the last refresh
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
		if err := sv.saveModel(m, sv.trainer.ModelLabel()); err != nil {
			log.Warn("saving the tag suggestion model failed", "path", sv.ModelPath, "err", err)
		}
	}
	return sv
}

// saveModel writes m to ModelPath (if set), then the tagging version it was trained
// from to ModelPath+".version". Each goes through a temporary file, so a crash never
// leaves a truncated model, and a version file is never newer than its model.
func (sv *Service) saveModel(m *suggest.Model, version string) error {
	if sv.ModelPath == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(sv.ModelPath), 0o700); err != nil {
		return err
	}
	os.Remove(sv.ModelPath + ".version") // stale until rewritten below
	if err := writeFileAtomic(sv.ModelPath, func(f *os.File) error { _, err := m.WriteTo(f); return err }); err != nil {
		return err
	}
	return writeFileAtomic(sv.ModelPath+".version", func(f *os.File) error { _, err := f.WriteString(version); return err })
}

// writeFileAtomic writes path (mode 0600) through a temporary file in its directory.
func writeFileAtomic(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".suggest-model-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename there is nothing left to remove
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// LoadSaved installs the model saved at ModelPath by an earlier run, and the current
// taxonomy, so suggestions are served at once. When the tagging it was trained from
// is still the database's (same version, every tag still there) and the model is of
// this build's kind, Refresh does not train again until tagging changes. A missing file is
// normal (first start); an unreadable one (corrupt, or written by a build with another
// format) is logged and ignored.
func (sv *Service) LoadSaved(ctx context.Context) error {
	if sv.ModelPath == "" || sv.trainer.Model() != nil {
		return nil
	}
	f, err := os.Open(sv.ModelPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		sv.log.Warn("saved tag suggestion model unreadable; retraining", "path", sv.ModelPath, "err", err)
		return nil
	}
	defer f.Close()
	var m suggest.Model
	if _, err := m.ReadFrom(f); err != nil {
		sv.log.Warn("saved tag suggestion model unreadable; retraining", "path", sv.ModelPath, "err", err)
		return nil
	}
	_, names, err := sv.loadTaxonomy(ctx)
	if err != nil {
		return err
	}
	version := ""
	if b, err := os.ReadFile(sv.ModelPath + ".version"); err == nil {
		version = string(b)
	}
	for _, tag := range m.Tags() {
		if _, ok := names[tag]; !ok {
			version = "" // trained on another database (or on merged tags): retrain
			break
		}
	}
	if m.Outdated() {
		version = "" // an older build's kind of model: serve it, but retrain
	}
	sv.trainer.SetModel(&m, version)
	if version != "" {
		sv.version = version
	}
	sv.log.Info("tag suggestion model loaded", "path", sv.ModelPath, "tags", len(m.Tags()))
	return nil
}

// Job retrains whenever tagging changes, looking every Poll. Every instance runs it:
// each serves suggestions from its own model in memory. Call LoadSaved first so the
// saved model is served while the first refresh runs.
func (sv *Service) Job() jobs.Job {
	return jobs.Job{Name: "tagging", Help: "retrains tag suggestions when tagging changed", Scope: jobs.Instance,
		Schedule: jobs.Every(sv.Poll), Run: func(ctx context.Context, _ string) error { return sv.Refresh(ctx) }}
}

// Refresh rebuilds the similarity index, reloads the taxonomy and schedules training
// when tagging changed since the last call. Training happens in the background; Wait
// blocks until it is done.
func (sv *Service) Refresh(ctx context.Context) error {
	if err := sv.refreshSimilar(ctx); err != nil {
		return err
	}
	v, err := sv.store.TaggingVersion(ctx)
	if err != nil || v == sv.version {
		return err
	}
	tax, names, err := sv.loadTaxonomy(ctx)
	if err != nil {
		return err
	}
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
	// The taxonomy folds merged tags and implied ancestors out of the labels; tag names
	// (with their ancestors') teach each tag its own vocabulary, which matters most for
	// tags with only a few examples.
	sv.trainer.RetrainLabelled(ex, suggest.Options{Seed: 1, Taxonomy: tax, TagNames: names}, v)
	return nil
}

// loadTaxonomy reads the taxonomy and tag names and makes them the ones predictions
// are mapped through.
func (sv *Service) loadTaxonomy(ctx context.Context) (suggest.Taxonomy, map[string]string, error) {
	tax, names, err := sv.taxonomy(ctx)
	if err != nil {
		return tax, nil, err
	}
	sv.tax.Store(&tax)
	sv.known.Store(&names)
	return tax, names, nil
}

// Wait blocks until queued training has finished.
func (sv *Service) Wait() error { return sv.trainer.Wait() }

func (sv *Service) taxonomy(ctx context.Context) (suggest.Taxonomy, map[string]string, error) {
	tree, err := sv.store.TagTree(ctx)
	if err != nil {
		return suggest.Taxonomy{}, nil, err
	}
	merges, err := sv.store.TagMerges(ctx)
	if err != nil {
		return suggest.Taxonomy{}, nil, err
	}
	tax := suggest.Taxonomy{Parent: map[string]string{}, Archived: map[string]bool{}, MergedInto: merges}
	names := map[string]string{}
	tree.Walk(func(t taxonomy.Tag, depth int) bool {
		names[t.ID] = t.Name
		if t.ParentID != "" {
			tax.Parent[t.ID] = t.ParentID
		}
		if tree.IsArchived(t.ID) { // archived itself or under an archived branch
			tax.Archived[t.ID] = true
		}
		return true
	})
	return tax, names, nil
}

// Suggestion is a proposed tag.
type Suggestion struct {
	TagID string
	Score float64
}

// Suggest returns up to k tags for text, best first; none before a model exists.
func (sv *Service) Suggest(ctx context.Context, text string, k int) ([]Suggestion, error) {
	m := sv.trainer.Model()
	tax, known := sv.tax.Load(), sv.known.Load()
	if m == nil || tax == nil || known == nil {
		return nil, nil
	}
	var out []Suggestion
	for _, s := range m.Predict(text, k, *tax) {
		// A saved model may know a tag this database does not (a data directory
		// reused with another database).
		if _, ok := (*known)[s.Tag]; ok {
			out = append(out, Suggestion{TagID: s.Tag, Score: s.Score})
		}
	}
	return out, nil
}

// SimilarItems is how many recent feedback items the duplicate search looks through.
const SimilarItems = 5000

// similarity holds the indexes for duplicate detection.
type similarity struct {
	requests, items *suggest.Index
	itemRequest     map[string]string // feedback id → the request it is linked to
}

func (sv *Service) refreshSimilar(ctx context.Context) error {
	reqs, items, err := sv.store.SimilarityCorpus(ctx, SimilarItems)
	if err != nil {
		return err
	}
	sim := &similarity{requests: suggest.NewIndex(), items: suggest.NewIndex(), itemRequest: map[string]string{}}
	for _, d := range reqs {
		sim.requests.Add(d.ID, d.Text)
	}
	for _, d := range items {
		sim.items.Add(d.ID, d.Text)
		if d.Ref != "" {
			sim.itemRequest[d.ID] = d.Ref
		}
	}
	sv.similar.Store(sim)
	return nil
}

// Match is a similar request or feedback item. For an item, RequestID is the request
// it is linked to ("" when none).
type Match struct {
	ID        string
	RequestID string
	Score     float64
}

// Similar returns the open requests and the recent feedback items most like text
// (excluding the item itself), best first, so the team can link instead of creating a
// duplicate request. Weak matches (cosine below minScore) are left out.
func (sv *Service) Similar(ctx context.Context, text, excludeID string, k int) (requests, items []Match) {
	const minScore = 0.3
	sim := sv.similar.Load()
	if sim == nil {
		return nil, nil
	}
	for _, m := range sim.requests.Similar(text, k) {
		if m.Score >= minScore {
			requests = append(requests, Match{ID: m.ID, RequestID: m.ID, Score: m.Score})
		}
	}
	for _, m := range sim.items.Similar(text, k+1) {
		if m.ID != excludeID && m.Score >= minScore && len(items) < k {
			items = append(items, Match{ID: m.ID, RequestID: sim.itemRequest[m.ID], Score: m.Score})
		}
	}
	return requests, items
}
