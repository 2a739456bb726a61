package spec

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/seccomp"
)

// ExecProcess is the process "goC exec" is asked to run, as runc exec's
// flags describe it: File's (--process), or else a template — the
// container's own process, from its config.json — running Args, changed
// by the other fields. Errors name the flag at fault.
type ExecProcess struct {
	File            string   // --process: a runtime-spec process (JSON) in place of the template
	Args            []string // the command and its arguments
	Cwd             string   // --cwd
	User            string   // --user UID[:GID], numbers as runc takes them
	Env             []string // --env KEY=VALUE, added to the template's
	Caps            []string // --cap CAP_…, added to the bounding, effective and permitted sets
	AdditionalGids  []string // --additional-gids, numbers
	Terminal        bool     // --tty
	NoNewPrivileges bool     // --no-new-privs (without it, the template's setting)
	Cgroups         []string // --cgroup [CONTROLLER:]PATH: sub-cgroups to run it in (SubCgroups)
	unsupported     []string // --apparmor, --process-label: given, and refused by Process
}

// Flags registers runc exec's flags for the process on fs, to fill in e.
// Those goC does not support are accepted by the parser and refused by
// Process.
func (e *ExecProcess) Flags(fs *flag.FlagSet) {
	for _, name := range []string{"apparmor", "process-label"} {
		fs.Func(name, "", func(v string) error {
			if v != "" { // runc's default: no profile, no label
				e.unsupported = append(e.unsupported, name)
			}
			return nil
		})
	}
	fs.StringVar(&e.File, "process", "", "")
	fs.StringVar(&e.File, "p", "", "")
	fs.StringVar(&e.Cwd, "cwd", "", "")
	fs.StringVar(&e.User, "user", "", "")
	fs.StringVar(&e.User, "u", "", "")
	fs.Var((*strs)(&e.Env), "env", "")
	fs.Var((*strs)(&e.Env), "e", "")
	fs.Var((*strs)(&e.Caps), "cap", "")
	fs.Var((*strs)(&e.Caps), "c", "")
	fs.Var((*strs)(&e.AdditionalGids), "additional-gids", "")
	fs.Var((*strs)(&e.AdditionalGids), "g", "")
	fs.BoolVar(&e.Terminal, "tty", false, "")
	fs.BoolVar(&e.Terminal, "t", false, "")
	fs.BoolVar(&e.NoNewPrivileges, "no-new-privs", false, "")
	fs.Var((*strs)(&e.Cgroups), "cgroup", "")
}

// strs is a flag given any number of times.
type strs []string

func (s *strs) String() string     { return strings.Join(*s, ",") }
func (s *strs) Set(v string) error { *s = append(*s, v); return nil }

// Process returns the process to run. The template is left as it was.
func (e ExecProcess) Process(template *specs.Process) (specs.Process, error) {
	if len(e.unsupported) > 0 {
		return specs.Process{}, fmt.Errorf("--%s is not supported by goC", e.unsupported[0])
	}
	if e.File != "" {
		return readProcess(e.File)
	}
	pr := *template
	pr.Args = e.Args
	pr.Env = append(pr.Env[:len(pr.Env):len(pr.Env)], e.Env...)
	pr.Terminal = e.Terminal
	if e.Cwd != "" {
		pr.Cwd = e.Cwd
	}
	if e.User != "" {
		if err := parseUser(e.User, &pr.User); err != nil {
			return pr, err
		}
	}
	for _, gid := range e.AdditionalGids {
		n, err := strconv.ParseUint(gid, 10, 32)
		if err != nil {
			return pr, fmt.Errorf("--additional-gids %q: not a number", gid)
		}
		pr.User.AdditionalGids = append(pr.User.AdditionalGids, uint32(n))
	}
	if len(e.Caps) > 0 {
		c := specs.LinuxCapabilities{}
		if pr.Capabilities != nil {
			c = *pr.Capabilities
		}
		c.Bounding = append(c.Bounding, e.Caps...)
		c.Effective = append(c.Effective, e.Caps...)
		c.Permitted = append(c.Permitted, e.Caps...)
		pr.Capabilities = &c
	}
	if e.NoNewPrivileges {
		pr.NoNewPrivileges = true
	}
	return pr, nil
}

// Plan is what the exec'd process's init does: Process over config's
// process (the container's config.json), converted, with config's seccomp
// filter, as the container's own process has it.
func (e ExecProcess) Plan(config *specs.Spec) (Plan, error) {
	pr, err := e.Process(config.Process)
	if err != nil {
		return Plan{}, err
	}
	p, err := ProcessPlan(&pr)
	if err != nil {
		return p, err
	}
	if config.Linux != nil && config.Linux.Seccomp != nil {
		if p.Seccomp, err = seccomp.Compile(config.Linux.Seccomp); err != nil {
			return p, fmt.Errorf("config.json: %w", err)
		}
	}
	return p, nil
}

// readProcess reads a runtime-spec process (JSON); unknown properties are
// ignored, as in config.json and as runc does.
func readProcess(path string) (specs.Process, error) {
	f, err := os.Open(path)
	if err != nil {
		return specs.Process{}, fmt.Errorf("--process: %w", err)
	}
	defer f.Close()
	pr, err := decode[specs.Process](f, "--process")
	if err != nil {
		return pr, fmt.Errorf("--process %s: %w", path, err)
	}
	return pr, nil
}

// parseUser reads --user UID[:GID] into u.
func parseUser(s string, u *specs.User) error {
	uid, gid, hasGid := strings.Cut(s, ":")
	n, err := strconv.ParseUint(uid, 10, 32)
	if err != nil {
		return fmt.Errorf("--user %q: not uid[:gid]", s)
	}
	u.UID = uint32(n)
	if hasGid {
		m, err := strconv.ParseUint(gid, 10, 32)
		if err != nil {
			return fmt.Errorf("--user %q: not uid[:gid]", s)
		}
		u.GID = uint32(m)
	}
	return nil
}
