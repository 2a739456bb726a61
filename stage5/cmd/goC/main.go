// Command goC is stage 5's low-level runtime: stage 4's command line (the
// package goc.dev/stage4/cli, imported) with one verb more, the shim that
// goCd runs per container.
package main

import (
	"os"
	"runtime"

	"goc.dev/stage4/cli"
)

const version = "0.5.0-stage5"

// The main goroutine stays on the main thread: the shim's exec of goC-shim
// (monitor.go) is then the leader's, and the shim never looks gone to goCd.
func init() { runtime.LockOSThread() }

func main() {
	os.Exit(cli.Main(version, append(cli.Verbs(), shimVerb), os.Args[1:]))
}
