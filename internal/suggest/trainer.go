package suggest

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Trainer retrains a model in the background whenever the team's tagging
// changes, and serves the latest finished model. Requests that arrive while
// a training run is in progress are coalesced: only the newest example set
// is trained next, so a burst of tagging costs at most two runs.
type Trainer struct {
	opts    Options
	model   atomic.Pointer[Model]
	mu      sync.Mutex
	pending []Example
	popts   Options
	queued  bool
	running bool
	done    *sync.Cond
	lastErr error
	// OnTrained, if set before the first Retrain, is called after each
	// run (for logging or persisting the model).
	OnTrained func(*Model, error)
}

// NewTrainer returns a Trainer with no model yet.
func NewTrainer(opts Options) *Trainer {
	t := &Trainer{opts: opts}
	t.done = sync.NewCond(&t.mu)
	return t
}

// Model returns the latest trained model, or nil before the first run ends.
func (t *Trainer) Model() *Model { return t.model.Load() }

// SetModel installs a model, e.g. one loaded from disk at start-up.
func (t *Trainer) SetModel(m *Model) { t.model.Store(m) }

// Retrain schedules training on examples and returns at once. The caller
// must not modify examples afterwards.
func (t *Trainer) Retrain(examples []Example) { t.RetrainWith(examples, t.opts) }

// RetrainWith is Retrain with options for this run, for callers whose taxonomy and
// tag names change between runs.
func (t *Trainer) RetrainWith(examples []Example, opts Options) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending, t.popts, t.queued = examples, opts, true
	if !t.running {
		t.running = true
		go t.loop()
	}
}

func (t *Trainer) loop() {
	for {
		t.mu.Lock()
		if !t.queued {
			t.running = false
			t.done.Broadcast()
			t.mu.Unlock()
			return
		}
		ex, opts := t.pending, t.popts
		t.pending, t.queued = nil, false
		t.mu.Unlock()

		m, err := safeTrain(ex, opts)
		if err == nil {
			t.model.Store(m)
		}
		t.mu.Lock()
		t.lastErr = err
		t.mu.Unlock()
		if t.OnTrained != nil {
			t.OnTrained(m, err)
		}
	}
}

// Wait blocks until no training is running or queued and returns the last
// run's error.
func (t *Trainer) Wait() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.running {
		t.done.Wait()
	}
	return t.lastErr
}

// safeTrain turns a panic in training into an error: training runs in the
// background of a server, and a bug in it must cost suggestions, not the process.
func safeTrain(ex []Example, opts Options) (m *Model, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("suggest: training panicked: %v", p)
		}
	}()
	return Train(ex, opts)
}
