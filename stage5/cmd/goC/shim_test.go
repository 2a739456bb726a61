package main

import (
	"testing"

	"goc.dev/shared/process"
	"goc.dev/stage4/cli"
)

// The verb refuses a command line it does not know, before it touches
// anything, with goC's own failure status.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"--dir", "/tmp/x", "--"},
		{"--dir", "", "--", "run"},
		{"--result", "/tmp/r", "--", "run"},
		{"--dir", "/tmp/x", "run", "img"},
		{"--dir", "/tmp/x", "--", "exec"},
	} {
		if got := shimVerb.Run(&cli.Globals{}, args); got != process.StatusRuntimeError {
			t.Errorf("shim %q = %d, want %d", args, got, process.StatusRuntimeError)
		}
	}
}
