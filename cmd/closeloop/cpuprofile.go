package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of what follows to path ("" for none) until
// stop is called, for the bench commands' --cpuprofile.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
