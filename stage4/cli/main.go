// Package cli is stage 4's command line: runc's verbs, so that container
// managers can drive goC as they drive runc, and goC run ROOTFS|IMAGE CMD.
// Each verb is an entry of Verbs(); a later stage adds its own entries.
//
//	goC [--root DIR] [--log FILE] [--log-format text|json] [--debug] VERB …
//	goC spec | create | start | state | kill | delete | list | run | …
//	goC run [flags] <rootfs> <cmd> [args…]
//	goC --help | --version
//
// goC run's rootfs form (stages 1–3) builds a spec from its flags and goes
// through the same create/start/delete code.
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"goc.dev/shared/exe"
	"goc.dev/shared/image"
	"goc.dev/shared/logging"
	"goc.dev/shared/process"
	"goc.dev/shared/spec"
	"goc.dev/shared/state"
	"goc.dev/stage4/container"
)

const globalUsage = `
global flags:
  --root DIR            state directory (default /run/goC)
  --data-root DIR       images and writable layers (default /var/lib/goC)
  --log FILE            also log to FILE
  --log-format FORMAT   text or json (default text)
  --debug               log debug messages
  --systemd-cgroup      accepted for compatibility; systemd cgroups are not supported
  -v, --version         print the version
`

// Globals are the flags before the verb.
type Globals struct {
	Root, DataRoot string // --root (state), --data-root (images, layers)
	log            logging.Options
	systemdCgroup  bool
	preserved      process.Preserved // --preserve-fds
	usage          string            // goC --help
}

// Verb is one command of goC's command line. A later stage extends the
// command line by adding entries to Verbs().
type Verb struct {
	Name  string
	Usage string // its lines in goC --help ("" keeps it out of the help)
	Root  bool   // it needs root
	Run   func(g *Globals, args []string) int
}

// errVerb adapts a verb that only succeeds or fails: with status 1, as
// runc's verbs fail.
func errVerb(f func(g *Globals, args []string) error) func(*Globals, []string) int {
	return func(g *Globals, args []string) int {
		if err := f(g, args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Print(g.usage)
				return 0
			}
			return logging.Fail(err, 1)
		}
		return 0
	}
}

// Verbs are stage 4's commands: runc's, and image.
func Verbs() []Verb {
	return []Verb{
		{"spec", "  spec [--bundle DIR]                       write a default config.json\n", false, errVerb(func(_ *Globals, a []string) error { return cmdSpec(a) })},
		{"create", "  create [--bundle DIR] [--pid-file F] [--console-socket S] ID [BUNDLE]\n", true, errVerb(cmdCreate)},
		{"start", "  start ID                                  run the created container's process\n", true, errVerb(func(g *Globals, a []string) error {
			return withID(newFlags("start"), a, func(id string) error { return container.Start(g.Root, id) })
		})},
		{"state", "  state ID                                  print the container's state (JSON)\n", true, errVerb(cmdState)},
		{"kill", "  kill [--all] ID [SIGNAL]                  signal it (default TERM)\n", true, errVerb(cmdKill)},
		{"delete", "  delete [--force] ID                       remove it\n", true, errVerb(cmdDelete)},
		{"list", "  list [--format table|json] [-q]           list containers\n", false, errVerb(cmdList)},
		{"run", "  run [--bundle DIR] [--pid-file F] [-d] [--keep] ID  create, start, wait, delete (not with --keep)\n" +
			"  run [flags] ROOTFS|IMAGE CMD [ARG…]       the same from a rootfs or an image, and flags (goC run --help)\n", false, cmdRun},
		{"exec", "  exec [flags] ID CMD [ARG…]                run one more process in the container (--process F, --tty,\n" +
			"                                            --console-socket S, --detach, --pid-file F, --cwd, --env, --user)\n", true, cmdExec},
		{"ps", "  ps [--format table|json] ID [PS-ARGS…]   its processes: ps(1)'s lines of them, or host PIDs\n", true, errVerb(cmdPs)},
		{"pause", "  pause ID | resume ID                      freeze and thaw every process in it\n", true, errVerb(func(g *Globals, a []string) error {
			return withID(newFlags("pause"), a, func(id string) error { return container.Pause(g.Root, id) })
		})},
		{"resume", "", true, errVerb(func(g *Globals, a []string) error {
			return withID(newFlags("resume"), a, func(id string) error { return container.Resume(g.Root, id) })
		})},
		{"update", "  update [--resources F|-] [--memory M] [--memory-reservation M] [--cpu-quota N] [--cpu-period N] [--cpu-shares N] [--cpuset-cpus L] [--cpuset-mems L] [--blkio-weight N] [--pids-limit N] ID\n", true, errVerb(cmdUpdate)},
		{"events", "  events [--stats] [--interval D] ID        its statistics as JSON lines (once with --stats)\n", true, errVerb(cmdEvents)},
		{"features", "  features                                  what goC supports of the runtime-spec (JSON)\n", false, errVerb(func(*Globals, []string) error { return printJSON(spec.Features()) })},
		{"checkpoint", "", false, errVerb(func(_ *Globals, a []string) error { return cmdCheckpoint("checkpoint", a) })},
		{"restore", "", false, errVerb(func(_ *Globals, a []string) error { return cmdCheckpoint("restore", a) })},
		{"image", "  image import NAME SOURCE                  import a rootfs dir, a tar(.gz) or an OCI image layout\n" +
			"  image pull [--platform P] [--insecure-registry HOST] [--certs-dir DIR] REF   pull from a registry (docker.io/… by default)\n" +
			"  image ls | rm IMAGE | tag IMAGE REF | push [--insecure-registry HOST] REF   list, remove, name, push\n", true, errVerb(cmdImage)},
	}
}

// usageText is goC --help for these verbs.
func usageText(verbs []Verb) string {
	var b strings.Builder
	b.WriteString("usage: goC [global flags] VERB [flags] …\n\nverbs:\n")
	for _, v := range verbs {
		b.WriteString(v.Usage)
	}
	b.WriteString(globalUsage)
	return b.String()
}

// Main runs goC's command line and returns the exit status. verbs are the
// commands it knows. (The container's init is goC-init, a program of its own.)
func Main(version string, verbs []Verb, args []string) int {
	// Descriptors passed on with --preserve-fds are taken before goC
	// opens anything of its own (a --log file could fill a gap).
	preserved, preserveErr := process.Inherited(3, process.PreserveFds(args))
	g := &Globals{usage: usageText(verbs)}
	fs, showVersion := g.flags()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(g.usage)
			return 0
		}
		return Fail(fmt.Errorf("%w (see goC --help)", err))
	}
	closeLog, err := logging.Setup(g.log)
	if err != nil {
		return Fail(err)
	}
	defer closeLog()
	switch {
	case *showVersion:
		printVersion(version)
		return 0
	case fs.NArg() == 0:
		fmt.Fprint(os.Stderr, g.usage)
		return 2
	case preserveErr != nil:
		return Fail(preserveErr)
	}
	g.preserved = preserved
	if g.systemdCgroup {
		slog.Debug("--systemd-cgroup accepted; goC manages cgroupfs directly")
	}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	if verb == "help" || verb == "-h" || verb == "--help" {
		fmt.Print(g.usage)
		return 0
	}
	for _, v := range verbs {
		if v.Name != verb {
			continue
		}
		if v.Root && os.Geteuid() != 0 {
			return Fail(errors.New("must run as root: namespaces and mounts need CAP_SYS_ADMIN"))
		}
		return v.Run(g, rest)
	}
	return Fail(fmt.Errorf("unknown command %q (see goC --help)", verb))
}

// flags are the global flags, before the verb.
func (g *Globals) flags() (fs *flag.FlagSet, showVersion *bool) {
	fs = newFlags("goC")
	fs.StringVar(&g.Root, "root", state.DefaultRoot, "")
	fs.StringVar(&g.DataRoot, "data-root", image.DefaultRoot, "")
	g.log.Flags(fs)
	fs.BoolVar(&g.systemdCgroup, "systemd-cgroup", false, "")
	showVersion = fs.Bool("version", false, "")
	fs.BoolVar(showVersion, "v", false, "")
	return fs, showVersion
}

// Fail reports err on stderr (and as an error line in the --log file) and
// returns the status goC exits with when it fails itself.
func Fail(err error) int { return logging.Fail(err, process.StatusRuntimeError) }

// newFlags makes a verb's flag set; verbs take --flag value and --flag=value.
func newFlags(verb string) *flag.FlagSet {
	fs := flag.NewFlagSet(verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return nil
}

// withID parses a verb's flags (fs) and its one argument, a container ID,
// and calls f with the ID.
func withID(fs *flag.FlagSet, args []string, f func(id string) error) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%s: need exactly one container ID", fs.Name())
	}
	return f(fs.Arg(0))
}

func cmdSpec(args []string) error {
	fs := newFlags("spec")
	bundle := fs.String("bundle", ".", "")
	fs.StringVar(bundle, "b", ".", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := spec.WriteDefault(*bundle); err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	return nil
}

// bundleFlags are create's and run's (bundle form).
type bundleFlags struct {
	bundle, pidFile, consoleSocket string
	preserveFds                    int
	noPivot, noNewKeyring          bool
}

func (b *bundleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.bundle, "bundle", ".", "")
	fs.StringVar(&b.bundle, "b", ".", "")
	fs.StringVar(&b.pidFile, "pid-file", "", "")
	fs.StringVar(&b.consoleSocket, "console-socket", "", "")
	fs.IntVar(&b.preserveFds, "preserve-fds", 0, "")
	fs.BoolVar(&b.noPivot, "no-pivot", false, "")
	fs.BoolVar(&b.noNewKeyring, "no-new-keyring", false, "")
}

// options loads the bundle's config.json for container id.
func (b *bundleFlags) options(g *Globals, id string) (container.Options, error) {
	if b.noPivot {
		return container.Options{}, errors.New("--no-pivot is not supported: goC always pivots")
	}
	bun, err := spec.LoadBundle(b.bundle, id, image.Store{Root: g.DataRoot})
	if err != nil {
		return container.Options{}, err
	}
	o := container.Options{ID: id, Bundle: bun.Dir, Root: g.Root, Plan: bun.Plan, Runtime: bun.Runtime, Annotations: bun.Config.Annotations,
		ConsoleSocket: b.consoleSocket, Image: bun.Image, Layer: bun.Layer}
	if o.Preserved, err = g.preserved.First(b.preserveFds); err != nil {
		return o, err
	}
	if b.pidFile != "" {
		if o.PidFile, err = filepath.Abs(b.pidFile); err != nil {
			return o, err
		}
	}
	return o, nil
}

func cmdCreate(g *Globals, args []string) error {
	fs := newFlags("create")
	var b bundleFlags
	b.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 1:
	case 2: // the seed's "create ID BUNDLE"
		b.bundle = fs.Arg(1)
	default:
		return errors.New("create: need a container ID (and optionally the bundle)")
	}
	o, err := b.options(g, fs.Arg(0))
	if err != nil {
		return err
	}
	return container.Create(o)
}

func cmdState(g *Globals, args []string) error {
	return withID(newFlags("state"), args, func(id string) error {
		i, err := container.State(g.Root, id)
		if err != nil {
			return err
		}
		return printJSON(i)
	})
}

func cmdKill(g *Globals, args []string) error {
	fs := newFlags("kill")
	all := fs.Bool("all", false, "")
	fs.BoolVar(all, "a", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return errors.New("kill: need a container ID and optionally a signal")
	}
	sigName := "TERM"
	if fs.NArg() == 2 {
		sigName = fs.Arg(1)
	}
	sig, err := process.ParseSignal(sigName)
	if err != nil {
		return fmt.Errorf("kill: %w", err)
	}
	return container.Kill(g.Root, fs.Arg(0), sig, *all)
}

func cmdDelete(g *Globals, args []string) error {
	fs := newFlags("delete")
	force := fs.Bool("force", false, "")
	fs.BoolVar(force, "f", false, "")
	return withID(fs, args, func(id string) error { return container.Delete(g.Root, id, *force) })
}

func cmdList(g *Globals, args []string) error {
	fs := newFlags("list")
	format := fs.String("format", "table", "")
	fs.StringVar(format, "f", "table", "")
	quiet := fs.Bool("quiet", false, "")
	fs.BoolVar(quiet, "q", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	infos, err := container.List(g.Root)
	if err != nil {
		return err
	}
	switch {
	case *quiet:
		for _, i := range infos {
			fmt.Println(i.ID)
		}
	case *format == "json":
		return json.NewEncoder(os.Stdout).Encode(infos) // one line, as runc's
	case *format == "table":
		w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
		fmt.Fprintln(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED")
		for _, i := range infos {
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", i.ID, i.Pid, i.Status, i.Bundle, i.Created.Format(time.RFC3339Nano))
		}
		return w.Flush()
	default:
		return fmt.Errorf("list: --format %q: use table or json", *format)
	}
	return nil
}

// cmdImage runs goC-image, the program beside goC, in goC's place: the
// image command's registry client (HTTP, TLS, zstd) is linked there, not
// into every goC a container's start or a manager's state runs.
func cmdImage(g *Globals, args []string) error {
	path, err := exe.Beside("goC-image")
	if err != nil {
		return err
	}
	argv := append([]string{"goC-image", "--root", g.Root, "--data-root", g.DataRoot}, args...)
	return fmt.Errorf("image: %w", syscall.Exec(path, argv, os.Environ()))
}

func printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
