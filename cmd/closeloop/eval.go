package main

import (
	"context"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/suggest"
)

func runEval(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "suggest" {
		return fmt.Errorf("usage: closeloop eval suggest --train FILE --test FILE [--k-shot N --seeds S]")
	}
	return suggest.EvalMain(args[1:], stdout)
}
