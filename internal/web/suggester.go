package web

import "context"

// Suggester proposes tags for a piece of feedback text. It is optional: the inbox
// shows a "Suggested tags" section only when Deps.Suggest is set, so the UI does not
// depend on a trained model being present.
type Suggester interface {
	// Suggest returns at most k tags for text, best first. Scores are shown to the
	// team as they are (a probability-like number in [0, 1] reads best).
	Suggest(ctx context.Context, text string, k int) ([]Suggestion, error)
}

// Suggestion is one proposed tag with the model's confidence.
type Suggestion struct {
	TagID string
	Score float64
}
