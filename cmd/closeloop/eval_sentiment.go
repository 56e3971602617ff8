package main

import (
	"io"

	"github.com/closeloop/closeloop/internal/sentiment"
)

// evalSentiment is `closeloop eval sentiment`: the feedback sentiment labeller's
// macro-averaged recall and accuracy on a labelled CSV.
func evalSentiment(args []string, stdout io.Writer) error { return sentiment.EvalMain(args, stdout) }
