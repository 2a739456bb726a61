// Package cli is stage 4's command line: runc's verbs, so that container
// managers can drive goC as they drive runc, and goC run ROOTFS|IMAGE CMD.
// Each verb is an entry of Verbs(); a later stage adds its own entries.
//
//	goC [--root DIR] [--log FILE] [--log-format text|json] [--debug] VERB …
//	goC spec | create | start | state | kill | delete | list | run | …
//
// "goC run [flags] ROOTFS CMD…" (stages 1–3) builds a spec from its flags
// and goes through the same create/start/delete code.
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
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/image"
	"goc.dev/shared/process"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/spec"
	"goc.dev/shared/state"
	"goc.dev/stage4/container"
)

// ImageAnnotation in a bundle's config.json names the image to run from.
const ImageAnnotation = "org.goc.image"

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
	Root, DataRoot       string // --root (state), --data-root (images, layers)
	logFile, logFormat   string
	debug, systemdCgroup bool
	preserved            []*os.File // --preserve-fds
	usage                string     // goC --help
}

// preservedFds are the first n descriptors passed on: a verb's own
// --preserve-fds decides how many (the scan in run only took them early).
func (g *Globals) preservedFds(n int) ([]*os.File, error) {
	if n < 0 || n > len(g.preserved) {
		return nil, fmt.Errorf("--preserve-fds %d: not that many descriptors open", n)
	}
	return g.preserved[:n], nil
}

// preserveFds finds the value of --preserve-fds among a command line's
// arguments (0 without it, or when it is not a number: the flag parser
// reports that).
func preserveFds(args []string) int {
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--preserve-fds=")
		if !ok && a == "--preserve-fds" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if n, err := strconv.Atoi(v); ok && err == nil && n > 0 && n < 1<<16 {
			return n
		}
	}
	return 0
}

// Verb is one command of goC's command line. A later stage extends the
// command line by adding entries to Verbs().
type Verb struct {
	Name  string
	Usage string // its lines in goC --help ("" keeps it out of the help)
	Root  bool   // it needs root
	Run   func(g *Globals, args []string) int
}

// errVerb adapts a verb that only succeeds or fails.
func errVerb(f func(g *Globals, args []string) error) func(*Globals, []string) int {
	return func(g *Globals, args []string) int {
		if err := f(g, args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Print(g.usage)
				return 0
			}
			return Fail(err)
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
			return withID("start", a, func(id string) error { return container.Start(g.Root, id) })
		})},
		{"state", "  state ID                                  print the container's state (JSON)\n", true, errVerb(cmdState)},
		{"kill", "  kill [--all] ID [SIGNAL]                  signal it (default TERM)\n", true, errVerb(cmdKill)},
		{"delete", "  delete [--force] ID                       remove it\n", true, errVerb(cmdDelete)},
		{"list", "  list [--format table|json] [-q]           list containers\n", false, errVerb(cmdList)},
		{"run", "  run [--bundle DIR] [--pid-file F] [-d] ID create, start, wait, delete\n" +
			"  run [flags] ROOTFS|IMAGE CMD [ARG…]       the same from a rootfs or an image, and flags (goC run --help)\n", false, cmdRun},
		{"exec", "  exec [flags] ID CMD [ARG…]                run one more process in the container (--process F, --tty,\n" +
			"                                            --console-socket S, --detach, --pid-file F, --cwd, --env, --user)\n", true, cmdExec},
		{"ps", "  ps [--format table|json] ID               its processes (host PIDs)\n", true, errVerb(cmdPs)},
		{"pause", "  pause ID | resume ID                      freeze and thaw every process in it\n", true, errVerb(func(g *Globals, a []string) error {
			return withID("pause", a, func(id string) error { return container.Pause(g.Root, id) })
		})},
		{"resume", "", true, errVerb(func(g *Globals, a []string) error {
			return withID("resume", a, func(id string) error { return container.Resume(g.Root, id) })
		})},
		{"update", "  update [--resources F|-] [--memory M] [--cpu-quota N] [--cpu-period N] [--cpu-shares N] [--pids-limit N] ID\n", true, errVerb(cmdUpdate)},
		{"events", "  events [--stats] [--interval D] ID        its statistics as JSON lines (once with --stats)\n", true, errVerb(cmdEvents)},
		{"features", "  features                                  what goC supports of the runtime-spec (JSON)\n", false, errVerb(func(*Globals, []string) error { return printJSON(spec.Features()) })},
		{"checkpoint", "", false, errVerb(func(_ *Globals, a []string) error { return cmdCheckpoint("checkpoint", a) })},
		{"restore", "", false, errVerb(func(_ *Globals, a []string) error { return cmdCheckpoint("restore", a) })},
		{"image", "  image import NAME SOURCE                  import a rootfs dir, a tar(.gz) or an OCI image layout\n" +
			"  image ls | image rm NAME                  list images, remove one\n", true, errVerb(cmdImage)},
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

// Main runs goC's command line with these verbs and returns the exit
// status. "goC init" is the container's init (the re-exec'd goC): none of
// the command line runs there.
func Main(version string, verbs []Verb, args []string) int {
	if len(args) > 0 && args[0] == "init" {
		container.Init()
		return process.StatusRuntimeError // Init does not return
	}
	// Descriptors passed on with --preserve-fds are taken before goC
	// opens anything of its own (a --log file could fill a gap).
	preserved, preserveErr := process.Inherited(3, preserveFds(args))
	g := &Globals{usage: usageText(verbs)}
	fs, showVersion := g.flags()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(g.usage)
			return 0
		}
		return Fail(fmt.Errorf("%w (see goC --help)", err))
	}
	closeLog, err := setupLogging(g)
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
	fs = flag.NewFlagSet("goC", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.Root, "root", state.DefaultRoot, "")
	fs.StringVar(&g.DataRoot, "data-root", image.DefaultRoot, "")
	fs.StringVar(&g.logFile, "log", "", "")
	fs.StringVar(&g.logFormat, "log-format", "text", "")
	fs.BoolVar(&g.debug, "debug", false, "")
	fs.BoolVar(&g.systemdCgroup, "systemd-cgroup", false, "")
	showVersion = fs.Bool("version", false, "")
	fs.BoolVar(showVersion, "v", false, "")
	return fs, showVersion
}

// setupLogging logs to stderr, and to --log in --log-format: container
// managers read the last "error" line of that file as the reason a command
// failed.
func setupLogging(g *Globals) (func(), error) {
	level := slog.LevelWarn
	if g.debug {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if g.logFormat != "text" && g.logFormat != "json" {
		return func() {}, fmt.Errorf("--log-format %q: use text or json", g.logFormat)
	}
	if g.logFile == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, opts)))
		return func() {}, nil
	}
	f, err := os.OpenFile(g.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return func() {}, fmt.Errorf("--log: %w", err)
	}
	var h slog.Handler = slog.NewTextHandler(f, opts)
	if g.logFormat == "json" {
		// {"time":…,"level":"error","msg":…}: lower-case levels, as runc
		// (logrus) writes them and containerd's shim matches them.
		jsonOpts := *opts
		jsonOpts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey {
				return slog.String(slog.LevelKey, strings.ToLower(a.Value.String()))
			}
			return a
		}
		h = slog.NewJSONHandler(f, &jsonOpts)
	}
	slog.SetDefault(slog.New(h))
	logFile = true
	return func() { f.Close() }, nil
}

// logFile is set when --log names a file: errors go there too.
var logFile bool

// Fail reports err on stderr (and as an error line in the --log file) and
// returns the status goC exits with when it fails itself.
func Fail(err error) int {
	fmt.Fprintln(os.Stderr, "goC:", err)
	if logFile {
		slog.Error(err.Error())
	}
	return process.StatusRuntimeError
}

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

func withID(verb string, args []string, f func(string) error) error {
	fs := newFlags(verb)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%s: need exactly one container ID", verb)
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
	p := filepath.Join(*bundle, "config.json")
	if _, err := os.Stat(p); err == nil {
		return fmt.Errorf("spec: %s exists; remove it first", p)
	}
	b, err := json.MarshalIndent(spec.Default(), "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(b, '\n'), 0o644)
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
	bundle, err := filepath.Abs(b.bundle)
	if err != nil {
		return container.Options{}, err
	}
	s, err := spec.Load(bundle)
	if err != nil {
		return container.Options{}, err
	}
	layer, overlay, err := g.bundleImage(s, id)
	if err != nil {
		return container.Options{}, err
	}
	plan, rt, err := spec.Convert(s, bundle, id)
	if err != nil {
		if layer != "" {
			os.RemoveAll(layer)
		}
		return container.Options{}, err
	}
	plan.Overlay = overlay
	o := container.Options{ID: id, Bundle: bundle, Root: g.Root, Plan: plan, Runtime: rt, Annotations: s.Annotations,
		ConsoleSocket: b.consoleSocket, Image: s.Annotations[ImageAnnotation], Layer: layer}
	if o.Preserved, err = g.preservedFds(b.preserveFds); err != nil {
		return o, err
	}
	if b.pidFile != "" {
		if o.PidFile, err = filepath.Abs(b.pidFile); err != nil {
			return o, err
		}
	}
	return o, nil
}

// bundleImage roots container id in a writable layer over the image its
// bundle names (annotation org.goc.image) instead of a root directory: s's
// root becomes the layer's merged directory. Without the annotation it
// returns no layer and leaves s alone.
func (g *Globals) bundleImage(s *specs.Spec, id string) (layer string, overlay *rootfs.Overlay, err error) {
	name := s.Annotations[ImageAnnotation]
	if name == "" {
		return "", nil, nil
	}
	store := image.Store{Root: g.DataRoot}
	img, err := store.Get(name)
	if err != nil {
		return "", nil, fmt.Errorf("config.json: annotation %s: %w", ImageAnnotation, err)
	}
	layer, overlay = g.imageLayer(store, img, id)
	readonly := s.Root != nil && s.Root.Readonly
	s.Root = &specs.Root{Path: filepath.Join(layer, "merged"), Readonly: readonly}
	if err := os.MkdirAll(s.Root.Path, 0o755); err != nil {
		return "", nil, err
	}
	return layer, overlay, nil
}

// imageLayer is container id's writable layer over img (upper, work, and
// merged where the overlay is mounted) and the overlay that mounts it.
func (g *Globals) imageLayer(store image.Store, img *image.Image, id string) (string, *rootfs.Overlay) {
	layer := filepath.Join(g.DataRoot, "containers", id)
	return layer, &rootfs.Overlay{Lower: store.Lower(img), Upper: filepath.Join(layer, "upper"), Work: filepath.Join(layer, "work")}
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
	return withID("state", args, func(id string) error {
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
	sig, err := container.ParseSignal(sigName)
	if err != nil {
		return fmt.Errorf("kill: %w", err)
	}
	return container.Kill(g.Root, fs.Arg(0), sig, *all)
}

func cmdDelete(g *Globals, args []string) error {
	fs := newFlags("delete")
	force := fs.Bool("force", false, "")
	fs.BoolVar(force, "f", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("delete: need exactly one container ID")
	}
	return container.Delete(g.Root, fs.Arg(0), *force)
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
		return printJSON(infos)
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

func cmdImage(g *Globals, args []string) error {
	store := image.Store{Root: g.DataRoot}
	if len(args) == 0 {
		return errors.New("image: need import, ls or rm")
	}
	switch args[0] {
	case "import":
		if len(args) != 3 {
			return errors.New("image import: need NAME and SOURCE")
		}
		var progress io.Writer
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			progress = os.Stderr
		}
		img, err := store.Import(args[1], args[2], progress)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d layer(s), %.1f MB\n", img.Name, len(img.Layers), float64(img.Size)/1e6)
	case "ls":
		imgs, err := store.List()
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 8, 1, 3, ' ', 0)
		fmt.Fprintln(w, "NAME\tLAYERS\tSIZE\tCREATED")
		for _, i := range imgs {
			fmt.Fprintf(w, "%s\t%d\t%.1f MB\t%s\n", i.Name, len(i.Layers), float64(i.Size)/1e6, i.Created.Format(time.RFC3339))
		}
		return w.Flush()
	case "rm":
		if len(args) != 2 {
			return errors.New("image rm: need NAME")
		}
		return store.Remove(args[1], func(n string) bool { return container.ImageInUse(g.Root, n) })
	default:
		return fmt.Errorf("image: unknown command %q (import, ls, rm)", args[0])
	}
	return nil
}

func printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
