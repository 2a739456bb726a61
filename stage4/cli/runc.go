package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/process"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
)

// The verbs below are runc's, for container managers: ps, update, events,
// features, checkpoint (answered, not done) and the --version lines.

// printVersion prints runc's --version layout (Docker parses it).
func printVersion(version string) {
	commit := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
		}
	}
	fmt.Printf("goC version %s\ncommit: %s\nspec: %s\ngo: %s\n", version, commit, specs.Version, runtime.Version())
}

// cmdPs lists the container's processes: host PIDs (--format json, as
// containerd asks) or, as runc ps, ps(1)'s lines of them, with its
// arguments after the ID (default -ef).
func cmdPs(g *Globals, args []string) error {
	fs := newFlags("ps")
	format := fs.String("format", "table", "")
	fs.StringVar(format, "f", "table", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return errors.New("ps: need a container ID")
	}
	pids, err := container.Pids(g.Root, fs.Arg(0))
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return json.NewEncoder(os.Stdout).Encode(pids) // null for none, as runc's
	case "table":
		return process.PsTable(os.Stdout, pids, fs.Args()[1:])
	}
	return fmt.Errorf("ps: --format %q: use table or json", *format)
}

// cmdUpdate changes a running container's limits, from flags or a
// runtime-spec resources JSON (--resources FILE, "-" for stdin).
func cmdUpdate(g *Globals, args []string) error {
	fs := newFlags("update")
	var u spec.Update
	u.Flags(fs)
	return withID(fs, args, func(id string) error {
		res, err := u.Resources(os.Stdin)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		return container.Update(g.Root, id, res)
	})
}

// cmdEvents prints the container's statistics as JSON lines: once with
// --stats, else every --interval, with an "oom" event whenever the OOM
// killer struck, until the container stops.
func cmdEvents(g *Globals, args []string) error {
	fs := newFlags("events")
	once := fs.Bool("stats", false, "")
	interval := fs.Duration("interval", 5*time.Second, "")
	return withID(fs, args, func(id string) error {
		if *interval <= 0 {
			return errors.New("events: --interval must be positive")
		}
		return cgroups.WriteEvents(os.Stdout, id, *once, *interval, func() (cgroups.Usage, cgroups.Stats, error) {
			return container.Usage(g.Root, id)
		})
	})
}

const checkpointUsage = `usage: goC checkpoint [flags] ID

checkpoint saves a running container to disk (CRIU). goC does not
support it: the command exists so that managers probing for it get an
answer, and fails.
`

func cmdCheckpoint(verb string, args []string) error {
	for _, a := range args {
		if a == "--help" || a == "-h" {
			fmt.Print(strings.Replace(checkpointUsage, "checkpoint", verb, 2))
			return nil
		}
	}
	return fmt.Errorf("%s is not supported by goC", verb)
}
