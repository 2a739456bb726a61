package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/seccomp"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
)

// execFlags are exec's flags.
type execFlags struct {
	processFile, consoleSocket, pidFile, cwd, user, apparmor, label string
	tty, detach, noNewPrivs                                         bool
	env, caps, gids                                                 strs
	preserveFds                                                     int
}

func (f *execFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.processFile, "process", "", "")
	fs.StringVar(&f.processFile, "p", "", "")
	fs.StringVar(&f.consoleSocket, "console-socket", "", "")
	fs.BoolVar(&f.tty, "tty", false, "")
	fs.BoolVar(&f.tty, "t", false, "")
	fs.BoolVar(&f.detach, "detach", false, "")
	fs.BoolVar(&f.detach, "d", false, "")
	fs.StringVar(&f.pidFile, "pid-file", "", "")
	fs.StringVar(&f.cwd, "cwd", "", "")
	fs.StringVar(&f.user, "user", "", "")
	fs.StringVar(&f.user, "u", "", "")
	fs.BoolVar(&f.noNewPrivs, "no-new-privs", false, "")
	fs.Var(&f.env, "env", "")
	fs.Var(&f.env, "e", "")
	fs.Var(&f.caps, "cap", "")
	fs.Var(&f.caps, "c", "")
	fs.Var(&f.gids, "additional-gids", "")
	fs.Var(&f.gids, "g", "")
	fs.StringVar(&f.apparmor, "apparmor", "", "")
	fs.StringVar(&f.label, "process-label", "", "")
	fs.IntVar(&f.preserveFds, "preserve-fds", 0, "")
	fs.Bool("ignore-paused", false, "")
}

// cmdExec is runc's exec:
//
//	goC exec [--process FILE] [--tty] [--console-socket S] [--detach] [--pid-file F]
//	         [--cwd D] [--env K=V]… [--user U[:G]] [--additional-gids G]… [--cap C]…
//	         [--no-new-privs] ID [CMD…]
//
// Without --process the container's config.json process is the template
// and the flags change it.
func cmdExec(g *Globals, args []string) int {
	fs := newFlags("exec")
	var f execFlags
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return Fail(err)
	}
	if fs.NArg() < 1 || (fs.NArg() < 2 && f.processFile == "") {
		return Fail(errors.New("exec: need a container ID and a command (or --process)"))
	}
	switch {
	case f.apparmor != "":
		return Fail(errors.New("exec: --apparmor is not supported by goC"))
	case f.label != "":
		return Fail(errors.New("exec: --process-label is not supported by goC"))
	}
	preserved, err := g.preservedFds(f.preserveFds)
	if err != nil {
		return Fail(err)
	}
	id := fs.Arg(0)
	info, err := container.State(g.Root, id)
	if err != nil {
		return Fail(err)
	}
	s, err := spec.Load(info.Bundle)
	if err != nil {
		return Fail(err)
	}
	pr, err := f.process(s.Process, fs.Args()[1:])
	if err != nil {
		return Fail(err)
	}
	plan, err := spec.ProcessPlan(&pr)
	if err != nil {
		return Fail(fmt.Errorf("exec: %w", err))
	}
	if s.Linux != nil && s.Linux.Seccomp != nil {
		if plan.Seccomp, err = seccomp.Compile(s.Linux.Seccomp); err != nil {
			return Fail(fmt.Errorf("config.json: %w", err))
		}
	}
	status, err := container.Exec(container.ExecOptions{Root: g.Root, ID: id, Plan: plan, Detach: f.detach,
		PidFile: f.pidFile, ConsoleSocket: f.consoleSocket, Preserved: preserved})
	if err != nil {
		Fail(err)
		if status == 0 {
			status = container.ExitStatus(err)
		}
	}
	return status
}

// process is the process to run: --process's, or else the template (the
// container's own, from config.json) with args and changed by the flags.
func (f *execFlags) process(template *specs.Process, args []string) (specs.Process, error) {
	if f.processFile != "" {
		return readProcess(f.processFile)
	}
	pr := *template
	pr.Args = args
	pr.Env = append(pr.Env[:len(pr.Env):len(pr.Env)], f.env...)
	pr.Terminal = f.tty
	if f.cwd != "" {
		pr.Cwd = f.cwd
	}
	if f.user != "" {
		if err := parseUser(f.user, &pr.User); err != nil {
			return pr, err
		}
	}
	for _, gid := range f.gids {
		n, err := strconv.ParseUint(gid, 10, 32)
		if err != nil {
			return pr, fmt.Errorf("exec: --additional-gids %q: not a number", gid)
		}
		pr.User.AdditionalGids = append(pr.User.AdditionalGids, uint32(n))
	}
	if len(f.caps) > 0 {
		c := specs.LinuxCapabilities{}
		if pr.Capabilities != nil {
			c = *pr.Capabilities
		}
		c.Bounding = append(c.Bounding, f.caps...)
		c.Effective = append(c.Effective, f.caps...)
		c.Permitted = append(c.Permitted, f.caps...)
		pr.Capabilities = &c
	}
	if f.noNewPrivs {
		pr.NoNewPrivileges = true
	}
	return pr, nil
}

// readProcess reads a runtime-spec process (JSON), strictly.
func readProcess(path string) (specs.Process, error) {
	var pr specs.Process
	f, err := os.Open(path)
	if err != nil {
		return pr, fmt.Errorf("exec: --process: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pr); err != nil {
		return pr, fmt.Errorf("exec: --process %s: %w", path, err)
	}
	return pr, nil
}

// parseUser reads --user uid[:gid] (numbers, as runc takes them).
func parseUser(s string, u *specs.User) error {
	uid, gid, hasGid := strings.Cut(s, ":")
	n, err := strconv.ParseUint(uid, 10, 32)
	if err != nil {
		return fmt.Errorf("exec: --user %q: not uid[:gid]", s)
	}
	u.UID = uint32(n)
	if hasGid {
		m, err := strconv.ParseUint(gid, 10, 32)
		if err != nil {
			return fmt.Errorf("exec: --user %q: not uid[:gid]", s)
		}
		u.GID = uint32(m)
	}
	return nil
}

// strs is a flag given any number of times.
type strs []string

func (s *strs) String() string     { return strings.Join(*s, ",") }
func (s *strs) Set(v string) error { *s = append(*s, v); return nil }
