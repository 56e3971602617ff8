package main

import (
	"context"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/suggest"
)

const evalUsage = `usage: closeloop eval suggest --train FILE --test FILE [--k-shot N --seeds S]
       closeloop eval similar --index FILE --query FILE [--k K]
       closeloop eval sentiment --test FILE [--train FILE]`

func runEval(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", evalUsage)
	}
	switch args[0] {
	case "suggest":
		return suggest.EvalMain(args[1:], stdout)
	case "similar":
		return suggest.EvalSimilarMain(args[1:], stdout)
	case "sentiment":
		return evalSentiment(args[1:], stdout)
	}
	return fmt.Errorf("%s", evalUsage)
}
