package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"goc.dev/shared/id"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/stage1/container"
)

const runUsage = `usage: goC run [flags] <rootfs> <cmd> [args…]

Runs cmd in new PID, mount, UTS and IPC namespaces with rootfs as /.

flags:
  --hostname NAME   the container's hostname (default: its 12-character ID)
  -e KEY=VALUE      set an environment variable (repeatable; -e KEY copies goC's)
  -w DIR            working directory inside the container (default /)
`

// cmdRun is goC run: it runs the container its arguments describe and
// returns the status goC exits with.
func cmdRun(args []string) int {
	fs := newFlags("run")
	r := registerRootfsFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(runUsage)
			return 0
		}
		return fail(fmt.Errorf("run: %w (see goC run --help)", err))
	}

	cfg, err := r.config(fs.Args(), os.LookupEnv)
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
		fail(err)
		if status == 0 {
			status = process.StatusRuntimeError
		}
	}
	return status
}

// rootfsFlags are run's flags: what to make of the rootfs.
type rootfsFlags struct {
	hostname, cwd *string
	env           []string
}

func registerRootfsFlags(fs *flag.FlagSet) *rootfsFlags {
	r := &rootfsFlags{
		hostname: fs.String("hostname", "", ""),
		cwd:      fs.String("w", "/", ""),
	}
	fs.Func("e", "", func(kv string) error {
		k, _, _ := strings.Cut(kv, "=")
		if k == "" || strings.ContainsRune(kv, 0) {
			return fmt.Errorf("invalid environment variable %q", kv)
		}
		r.env = append(r.env, kv)
		return nil
	})
	return r
}

// config builds the container of run's arguments (the rootfs and the
// command) and flags. getenv resolves "-e KEY" without a value.
func (r *rootfsFlags) config(args []string, getenv func(string) (string, bool)) (container.Config, error) {
	var c container.Config
	if len(args) < 2 {
		return c, errors.New("run: need a rootfs and a command (see goC run --help)")
	}
	root, err := filepath.Abs(args[0])
	if err != nil {
		return c, err
	}
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return c, fmt.Errorf("rootfs %s: not a directory", args[0])
	} else if err != nil {
		return c, fmt.Errorf("rootfs %s: %w", args[0], errors.Unwrap(err))
	}
	if !filepath.IsAbs(*r.cwd) {
		return c, fmt.Errorf("run: working directory %q must be absolute", *r.cwd)
	}
	hostname := *r.hostname
	if hostname == "" {
		hostname = id.Short(id.New())
	}
	if len(hostname) > 64 || strings.ContainsAny(hostname, "/\x00 ") {
		return c, fmt.Errorf("run: invalid hostname %q", hostname)
	}
	var env []string
	for _, kv := range r.env {
		if !strings.Contains(kv, "=") { // as Docker: -e KEY copies goC's value, if any
			v, ok := getenv(kv)
			if !ok {
				continue
			}
			kv += "=" + v
		}
		env = append(env, kv)
	}
	defaults := []string{"PATH=" + process.DefaultPath, "HOME=/root", "HOSTNAME=" + hostname}
	return container.Config{
		Rootfs:   root,
		Args:     args[1:],
		Env:      process.MergeEnv(defaults, env...),
		Cwd:      *r.cwd,
		Hostname: hostname,
	}, nil
}
