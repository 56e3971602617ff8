// Command suggesteval runs suggest.EvalMain; it is a stand-in for
// `closeloop eval suggest` so the evaluation can be run from this package.
package main

import (
	"fmt"
	"os"

	"github.com/closeloop/closeloop/internal/suggest"
)

func main() {
	if err := suggest.EvalMain(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
