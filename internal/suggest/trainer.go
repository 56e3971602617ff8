package suggest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Trainer retrains a model in the background whenever the team's tagging
// changes, and serves the latest finished model. Requests that arrive while
// a training run is in progress are coalesced: only the newest example set
// is trained next, so a burst of tagging costs at most two runs. Between
// back-to-back runs the trainer rests (Rest), so that a large taxonomy, whose
// training takes tens of seconds, cannot keep the server's cores busy for as
// long as the team keeps tagging.
type Trainer struct {
	// Rest is how long the trainer waits before a queued run, as a
	// multiple of the previous run's duration (0: defaultRest; <0: no
	// rest). With the default, training takes at most half of the time.
	Rest float64
	// sleep waits (time.Sleep; replaced in tests).
	sleep func(time.Duration)

	opts    Options
	served  atomic.Pointer[servedModel]
	mu      sync.Mutex
	pending []Example
	popts   Options
	plabel  string
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
	t := &Trainer{opts: opts, sleep: time.Sleep}
	t.done = sync.NewCond(&t.mu)
	return t
}

// servedModel is a model with the label of the examples it was trained from.
type servedModel struct {
	m     *Model
	label string
}

// Model returns the latest trained model, or nil before the first run ends.
func (t *Trainer) Model() *Model {
	if s := t.served.Load(); s != nil {
		return s.m
	}
	return nil
}

// ModelLabel is the label given with the examples the current model was trained
// from (RetrainLabelled), or with SetModel.
func (t *Trainer) ModelLabel() string {
	if s := t.served.Load(); s != nil {
		return s.label
	}
	return ""
}

// SetModel installs a model, e.g. one loaded from disk at start-up, with the label
// of the examples it was trained from.
func (t *Trainer) SetModel(m *Model, label string) { t.served.Store(&servedModel{m, label}) }

// Retrain schedules training on examples and returns at once. The caller
// must not modify examples afterwards.
func (t *Trainer) Retrain(examples []Example) { t.RetrainWith(examples, t.opts) }

// RetrainWith is Retrain with options for this run, for callers whose taxonomy and
// tag names change between runs.
func (t *Trainer) RetrainWith(examples []Example, opts Options) {
	t.RetrainLabelled(examples, opts, "")
}

// RetrainLabelled is RetrainWith with a label of the caller's choosing (say, the
// version of the data the examples were read from), which ModelLabel reports once
// the model trained from them is served.
func (t *Trainer) RetrainLabelled(examples []Example, opts Options, label string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending, t.popts, t.plabel, t.queued = examples, opts, label, true
	if !t.running {
		t.running = true
		go t.loop()
	}
}

// defaultRest: see Trainer.Rest.
const defaultRest = 1.0

func (t *Trainer) loop() {
	var last time.Duration // the previous run's duration (0: none yet)
	for {
		if last > 0 {
			rest := t.Rest
			if rest == 0 {
				rest = defaultRest
			}
			t.mu.Lock()
			queued := t.queued
			t.mu.Unlock()
			if queued && rest > 0 {
				// Requests arriving meanwhile coalesce into the one queued run.
				t.sleep(time.Duration(rest * float64(last)))
			}
		}
		t.mu.Lock()
		if !t.queued {
			t.running = false
			t.done.Broadcast()
			t.mu.Unlock()
			return
		}
		ex, opts, label := t.pending, t.popts, t.plabel
		t.pending, t.queued = nil, false
		t.mu.Unlock()

		start := time.Now()
		m, err := safeTrain(ex, opts)
		last = max(time.Since(start), time.Nanosecond)
		if err == nil {
			t.SetModel(m, label)
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
