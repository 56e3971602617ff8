package main

import (
	"context"
	"errors"
	"io"
	"strconv"
)

// runBenches dispatches closeloop bench to the bench named by its first argument.
func runBenches(ctx context.Context, args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		return errors.New("usage: closeloop bench ingest|load|soak [flags]")
	case args[0] == "load":
		return benchLoad(ctx, args[1:], stdout)
	case args[0] == "ingest":
		return benchIngest(ctx, args[1:], stdout)
	case args[0] == "soak":
		return benchSoak(ctx, args[1:], stdout)
	}
	return errors.New("usage: closeloop bench ingest|load|soak [flags] (unknown bench " + strconv.Quote(args[0]) + ")")
}
