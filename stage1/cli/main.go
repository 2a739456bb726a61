// Package cli is stage 1's command line: goC run, its one verb, whose flags
// (run.go) describe the container to run.
//
//	goC run [flags] <rootfs> <cmd> [args…]
//	goC --help | --version
package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"goc.dev/shared/process"
	"goc.dev/stage1/container"
)

// Main runs goC's command line and returns the exit status. "goC init" is
// the container's init (the re-exec'd goC): none of the command line runs
// there.
func Main(version string, args []string) int {
	if len(args) > 0 && args[0] == "init" {
		container.Init()
		return process.StatusRuntimeError // Init does not return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, runUsage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:])
	case "-h", "--help", "help":
		fmt.Print(runUsage)
		return 0
	case "-v", "--version", "version":
		fmt.Printf("goC version %s\n", version)
		return 0
	}
	return fail(fmt.Errorf("unknown command %q (see goC --help)", args[0]))
}

// fail reports err on stderr and returns the status goC exits with when it
// fails itself.
func fail(err error) int {
	fmt.Fprintln(os.Stderr, "goC:", err)
	return process.StatusRuntimeError
}

// newFlags makes a verb's flag set; verbs take --flag value and --flag=value.
func newFlags(verb string) *flag.FlagSet {
	fs := flag.NewFlagSet(verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}
