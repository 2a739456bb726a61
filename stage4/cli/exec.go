package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/seccomp"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
)

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
	processFile := fs.String("process", "", "")
	fs.StringVar(processFile, "p", "", "")
	consoleSocket := fs.String("console-socket", "", "")
	tty := fs.Bool("tty", false, "")
	fs.BoolVar(tty, "t", false, "")
	detach := fs.Bool("detach", false, "")
	fs.BoolVar(detach, "d", false, "")
	pidFile := fs.String("pid-file", "", "")
	cwd := fs.String("cwd", "", "")
	user := fs.String("user", "", "")
	fs.StringVar(user, "u", "", "")
	noNewPrivs := fs.Bool("no-new-privs", false, "")
	var env, caps, gids strs
	fs.Var(&env, "env", "")
	fs.Var(&env, "e", "")
	fs.Var(&caps, "cap", "")
	fs.Var(&caps, "c", "")
	fs.Var(&gids, "additional-gids", "")
	fs.Var(&gids, "g", "")
	apparmor := fs.String("apparmor", "", "")
	label := fs.String("process-label", "", "")
	preserveFds := fs.Int("preserve-fds", 0, "")
	fs.Bool("ignore-paused", false, "")
	if err := parse(fs, args); err != nil {
		return Fail(err)
	}
	if fs.NArg() < 1 || (fs.NArg() < 2 && *processFile == "") {
		return Fail(errors.New("exec: need a container ID and a command (or --process)"))
	}
	switch {
	case *apparmor != "":
		return Fail(errors.New("exec: --apparmor is not supported by goC"))
	case *label != "":
		return Fail(errors.New("exec: --process-label is not supported by goC"))
	}
	preserved, err := g.preservedFds(*preserveFds)
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

	var pr specs.Process
	if *processFile != "" {
		if pr, err = readProcess(*processFile); err != nil {
			return Fail(err)
		}
	} else {
		pr = *s.Process
		pr.Args = fs.Args()[1:]
		pr.Env = append(pr.Env[:len(pr.Env):len(pr.Env)], env...)
		pr.Terminal = *tty
		if *cwd != "" {
			pr.Cwd = *cwd
		}
		if *user != "" {
			if err := parseUser(*user, &pr.User); err != nil {
				return Fail(err)
			}
		}
		for _, gid := range gids {
			n, err := strconv.ParseUint(gid, 10, 32)
			if err != nil {
				return Fail(fmt.Errorf("exec: --additional-gids %q: not a number", gid))
			}
			pr.User.AdditionalGids = append(pr.User.AdditionalGids, uint32(n))
		}
		if len(caps) > 0 {
			c := specs.LinuxCapabilities{}
			if pr.Capabilities != nil {
				c = *pr.Capabilities
			}
			c.Bounding = append(c.Bounding, caps...)
			c.Effective = append(c.Effective, caps...)
			c.Permitted = append(c.Permitted, caps...)
			pr.Capabilities = &c
		}
		if *noNewPrivs {
			pr.NoNewPrivileges = true
		}
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
	status, err := container.Exec(container.ExecOptions{Root: g.Root, ID: id, Plan: plan, Detach: *detach,
		PidFile: *pidFile, ConsoleSocket: *consoleSocket, Preserved: preserved})
	if err != nil {
		Fail(err)
		if status == 0 {
			status = container.ExitStatus(err)
		}
	}
	return status
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
