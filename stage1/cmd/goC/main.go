// Command goC is stage 1 of the goC container runtime:
//
//	goC run [flags] <rootfs> <cmd> [args…]
//
// runs cmd as PID 1 of new PID, mount, UTS and IPC namespaces, with rootfs as
// its root directory.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"goc.dev/shared/id"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/stage1/container"
)

const version = "0.1.0-stage1"

const usage = `usage: goC run [flags] <rootfs> <cmd> [args…]

Runs cmd in new PID, mount, UTS and IPC namespaces with rootfs as /.

flags:
  --hostname NAME   the container's hostname (default: its 12-character ID)
  -e KEY=VALUE      set an environment variable (repeatable; -e KEY copies goC's)
  -w DIR            working directory inside the container (default /)
`

func main() {
	// The re-exec'd container init must not run any of the CLI below.
	if len(os.Args) > 1 && os.Args[1] == "init" {
		container.Init()
		return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
	case "-h", "--help", "help":
		fmt.Print(usage)
		return 0
	case "-v", "--version", "version":
		fmt.Printf("goC version %s\n", version)
		return 0
	default:
		return fail(fmt.Errorf("unknown command %q (see goC --help)", args[0]))
	}

	cfg, err := parseRun(args[1:], os.LookupEnv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(usage)
		return 0
	}
	if err != nil {
		return fail(err)
	}
	if os.Geteuid() != 0 {
		return fail(errors.New("must run as root: namespaces and mounts need CAP_SYS_ADMIN"))
	}
	if cfg.Tty = pty.IsTerminal(os.Stdin); cfg.Tty {
		cfg.Winsize = pty.Size(os.Stdin)
		cfg.Env = process.MergeEnv([]string{"TERM=xterm"}, cfg.Env...)
	}
	status, err := container.Run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goC:", err)
		if status == 0 {
			status = process.StatusRuntimeError
		}
	}
	return status
}

// parseRun turns run's arguments into a container config. getenv resolves
// "-e KEY" without a value.
func parseRun(args []string, getenv func(string) (string, bool)) (container.Config, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	hostname := fs.String("hostname", "", "")
	cwd := fs.String("w", "/", "")
	var env []string
	fs.Func("e", "", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if k == "" || strings.ContainsRune(kv, 0) {
			return fmt.Errorf("invalid environment variable %q", kv)
		}
		if !ok {
			if v, ok = getenv(k); !ok {
				return nil // as Docker: -e KEY with KEY unset sets nothing
			}
		}
		env = append(env, k+"="+v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return container.Config{}, err
		}
		return container.Config{}, fmt.Errorf("run: %w (see goC run --help)", err)
	}
	if fs.NArg() < 2 {
		return container.Config{}, errors.New("run: need a rootfs and a command (see goC run --help)")
	}

	root, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return container.Config{}, err
	}
	if fi, err := os.Stat(root); err != nil {
		return container.Config{}, fmt.Errorf("rootfs %s: %w", fs.Arg(0), errors.Unwrap(err))
	} else if !fi.IsDir() {
		return container.Config{}, fmt.Errorf("rootfs %s: not a directory", fs.Arg(0))
	}
	if !filepath.IsAbs(*cwd) {
		return container.Config{}, fmt.Errorf("run: working directory %q must be absolute", *cwd)
	}
	if *hostname == "" {
		*hostname = id.Short(id.New())
	}
	if len(*hostname) > 64 || strings.ContainsAny(*hostname, "/\x00 ") {
		return container.Config{}, fmt.Errorf("run: invalid hostname %q", *hostname)
	}

	defaults := []string{"PATH=" + process.DefaultPath, "HOME=/root", "HOSTNAME=" + *hostname}
	return container.Config{
		Rootfs:   root,
		Args:     fs.Args()[1:],
		Env:      process.MergeEnv(defaults, env...),
		Cwd:      *cwd,
		Hostname: *hostname,
	}, nil
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "goC:", err)
	return process.StatusRuntimeError
}
