package initproc

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/creds"
	"goc.dev/shared/hooks"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// Run is the container's first process: goC-init's main. It only returns
// by exec'ing the workload; on failure it tells the parent and exits.
func Run() {
	// Keep this goroutine on one thread until exec replaces the process:
	// what is per thread (namespaces entered with setns or unshare,
	// credentials, capabilities, the parent-death signal, a seccomp
	// filter, a cgroup v1 membership) must be set on the thread that execs. Mounts and
	// pivot_root need no such care: Go's threads share one mount
	// namespace, root and working directory.
	runtime.LockOSThread()

	conn := syncsock.New(os.NewFile(SyncFd, "sync"))
	err := start(conn)

	m := syncsock.Message{Type: syncsock.Error, Error: err.Error()}
	var ee *process.ExecError
	if errors.As(err, &ee) {
		m.Code = ee.Status
	}
	if conn.Send(m) != nil {
		fmt.Fprintln(os.Stderr, "goC-init:", err)
	}
	os.Exit(1)
}

// start sets the container up, one step after the other, waits for
// "goC start" and execs the workload. It returns only on failure.
func start(conn *syncsock.Conn) error {
	var cfg Config
	if err := conn.Recv(&cfg); err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	if err := cfg.recvCgroup(conn); err != nil {
		return err
	}
	if err := rootfs.RecvSources(conn, cfg.Plan.Mounts, cfg.Sources); err != nil {
		return err
	}
	if cfg.Exec {
		// goC exec: the parent made this process in the container's
		// namespaces, root included; only the process is left to set up.
		// It holds host descriptors (the cgroup files) among the
		// container's processes until it execs: not dumpable, so that
		// none of them may ptrace it or open its /proc files (exec makes
		// the workload dumpable again).
		if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
			return os.NewSyscallError("prctl", err)
		}
		if cfg.Plan.Terminal {
			if err := attachTerminal(conn, &cfg); err != nil {
				return err
			}
		}
	} else if err := setup(conn, &cfg); err != nil {
		return err
	}

	if err := conn.Send(syncsock.Message{Type: syncsock.Ready}); err != nil {
		return err
	}
	var m syncsock.Message
	if err := conn.Recv(&m); err != nil {
		return fmt.Errorf("wait for go: %w", err)
	}
	if m.Type != syncsock.Go {
		return fmt.Errorf("wait for go: unexpected message %q", m.Type)
	}
	return become(conn, &cfg, m.State)
}

// setup makes the container: the filesystem, the pivot, /dev, sysctls,
// masked paths, the hostname, lo, a terminal.
func setup(conn *syncsock.Conn, cfg *Config) error {
	p := cfg.Plan
	if err := prepareRootfs(conn, cfg); err != nil {
		return err
	}
	if err := enterRootfs(cfg); err != nil {
		return err
	}

	// After the pivot, the rootfs is the whole world.
	if cfg.DevTmpfs {
		if err := rootfs.PopulateDev(); err != nil {
			return err
		}
	}
	if err := rootfs.MakeDevices(p.Devices); err != nil {
		return err
	}
	for k, v := range p.Sysctl {
		path := "/proc/sys/" + strings.ReplaceAll(k, ".", "/")
		if err := os.WriteFile(path, []byte(v), 0o644); err != nil {
			return fmt.Errorf("sysctl %s: %w", k, err)
		}
	}
	if err := rootfs.MaskPaths(p.MaskedPaths); err != nil {
		return err
	}
	if err := rootfs.ReadonlyPaths(p.ReadonlyPaths); err != nil {
		return err
	}
	if err := rootfs.Finish(p.RootReadonly, p.RootPropagation); err != nil {
		return err
	}
	if p.Hostname != "" {
		if err := unix.Sethostname([]byte(p.Hostname)); err != nil {
			return os.NewSyscallError("sethostname", err)
		}
	}
	if p.Loopback {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	if p.Terminal {
		return attachTerminal(conn, cfg)
	}
	return nil
}

// enterRootfs pivots into the rootfs; without a mount namespace, chroots
// (as runc does): pivot_root in goC's would move every host process.
func enterRootfs(cfg *Config) error {
	if !cfg.NoMountNS {
		return rootfs.PivotInto(cfg.Plan.Rootfs)
	}
	if err := unix.Chroot(cfg.Plan.Rootfs); err != nil {
		return &os.PathError{Op: "chroot", Path: cfg.Plan.Rootfs, Err: err}
	}
	return unix.Chdir("/")
}

// prepareRootfs does, before the pivot, everything a host path is needed
// for (binds, /etc/hosts), each destination resolved inside the rootfs;
// then the createContainer hooks, after the parent's.
func prepareRootfs(conn *syncsock.Conn, cfg *Config) error {
	p := cfg.Plan
	if !cfg.NoMountNS { // else goC's / stays as it is (the parent bound the rootfs)
		if err := rootfs.Prepare(p.Rootfs, p.RootPropagation, p.Overlay); err != nil {
			return err
		}
	}
	for target, src := range cfg.Files {
		if err := rootfs.BindFile(p.Rootfs, src, target); err != nil {
			return err
		}
	}
	for _, m := range p.Mounts {
		if err := rootfs.MountInto(p.Rootfs, m); err != nil {
			return err
		}
	}
	if !cfg.PauseForHooks {
		return nil
	}
	if err := conn.Send(syncsock.Message{Type: syncsock.Hooks}); err != nil {
		return err
	}
	var m syncsock.Message
	if err := conn.Recv(&m); err != nil {
		return fmt.Errorf("wait for hooks: %w", err)
	}
	if m.Type != syncsock.HooksDone {
		return fmt.Errorf("wait for hooks: unexpected message %q", m.Type)
	}
	if err := unix.Chdir(p.Rootfs); err != nil { // the hooks' cwd, as in runc
		return &os.PathError{Op: "chdir", Path: p.Rootfs, Err: err}
	}
	return hooks.RunJSON("createContainer", cfg.CreateContainer, m.State)
}

// become turns this process into the workload: cgroup, cwd, limits,
// seccomp, user and capabilities; then (a new container) waits for start, and
// execs.
func become(conn *syncsock.Conn, cfg *Config, startState json.RawMessage) error {
	p := cfg.Plan

	// Join the cgroup as late as possible: after the setup above, so the
	// Go runtime's memory stays charged to goC, and before the workload's
	// first instruction. (v1 moves only this thread, the one that execs.)
	// A cgroup namespace made now has that cgroup as its root.
	if err := cgroups.Join(cfg.cgroup); err != nil {
		return err
	}
	if cfg.CgroupNS {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return os.NewSyscallError("unshare cgroup namespace", err)
		}
	}
	// Nothing of goC's but 0-2 may reach the workload: all from 3 up is
	// close-on-exec before a profile that may deny close_range loads.
	if err := unix.CloseRange(SyncFd, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return os.NewSyscallError("close_range", err)
	}
	chdirAgain, err := process.Chdir(p.Cwd) // still root, as in runc
	if err != nil {
		return err
	}
	if err := identity(conn, cfg); err != nil {
		return err
	}
	if err := chdirAgain(); err != nil {
		return err
	}
	path, err := process.LookPath(p.Args[0], lookup(p.Env, "PATH"))
	if err != nil {
		return err
	}
	env := p.Env
	if !process.HasEnv(env, "HOME") { // as runc: the user's home from the container's passwd
		env = append(env[:len(env):len(env)], "HOME="+creds.Home("/etc/passwd", p.UID))
	}

	// With no_new_privs, as late as can be — before the startContainer
	// hooks, which run under it (as runc).
	if err := p.Seccomp.LoadIf(p.NoNewPrivileges, conn.SendSeccomp); err != nil {
		return err
	}
	var fifo *os.File
	if !cfg.Exec {
		if fifo, err = waitStart(conn, cfg, startState); err != nil {
			return err
		}
	}

	if err := process.DefaultSignals(); err != nil {
		return err
	}
	// The caller's descriptors go to 3, 4, … (not close-on-exec).
	if err := cfg.Fds.handOn(conn); err != nil {
		return err
	}
	err = unix.Exec(path, p.Args, env)
	runtime.KeepAlive(fifo) // open until exec: start reads on to its end
	return &process.ExecError{Name: p.Args[0], Status: process.ExecStatus(err), Err: err}
}

// identity gives the process its limits, user and privileges, last: after
// them the init may no longer be able to do what came before.
func identity(conn *syncsock.Conn, cfg *Config) error {
	p := cfg.Plan
	if err := creds.SetRlimits(p.Rlimits); err != nil {
		return err
	}
	if p.OOMScoreAdj != nil {
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(fmt.Sprint(*p.OOMScoreAdj)), 0o644); err != nil {
			return fmt.Errorf("oom_score_adj: %w", err)
		}
	}
	if p.Umask != nil {
		unix.Umask(int(*p.Umask))
	}
	// Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it
	// while the init still has it (the profile must allow what follows).
	if err := p.Seccomp.LoadIf(!p.NoNewPrivileges, conn.SendSeccomp); err != nil {
		return err
	}
	if err := creds.Apply(creds.User{UID: p.UID, GID: p.GID, AdditionalGids: p.AdditionalGids}, p.Caps, p.NoNewPrivileges); err != nil {
		return err
	}
	if cfg.Pdeathsig == 0 {
		return nil
	}
	// A new uid or gid cleared the parent-death signal: set it again, on
	// this thread, the one that execs. Had goC died in between, none
	// would come; its end of the sync socket, closed then, tells.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(cfg.Pdeathsig), 0, 0, 0); err != nil {
		return os.NewSyscallError("prctl PR_SET_PDEATHSIG", err)
	}
	if conn.PeerClosed() {
		return errors.New("goC exited while its container was being set up")
	}
	return nil
}

// waitStart blocks until "goC start" opens the exec fifo, then runs the
// startContainer hooks. The fifo it returns stays open until exec (it is
// close-on-exec): start reads on to its end, so it returns once the
// workload is exec'd — or with what went wrong, written here.
func waitStart(conn *syncsock.Conn, cfg *Config, startState json.RawMessage) (*os.File, error) {
	if err := conn.Send(syncsock.Message{Type: syncsock.Waiting}); err != nil {
		return nil, err
	}
	// Above every descriptor passed in: the preserved ones go to 3, 4, …
	fifo, err := state.AwaitStart(fmt.Sprintf("/proc/self/fd/%d", cfg.Fds.Fifo), cfg.Fds.Top()+1)
	if err != nil {
		return nil, err
	}
	if err := hooks.RunJSON("startContainer", cfg.StartContainer, startState); err != nil {
		_, _ = fifo.WriteString(err.Error())
		return nil, err
	}
	return fifo, nil
}

// attachTerminal opens a terminal in the container's devpts, sends its
// master end to the parent and makes the slave the workload's stdio,
// owned by its user.
func attachTerminal(conn *syncsock.Conn, cfg *Config) error {
	master, slave, err := pty.Open()
	if err != nil {
		return err
	}
	defer master.Close()
	if err := pty.Resize(master, cfg.Winsize); err != nil {
		return err
	}
	if err := pty.Own(slave, cfg.Plan.UID); err != nil {
		return err
	}
	if err := conn.SendFile(syncsock.Message{Type: syncsock.Pty}, master); err != nil {
		return err
	}
	return pty.Attach(slave)
}

// lookup returns the value of key in env (the last one wins, as in execve).
func lookup(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}
