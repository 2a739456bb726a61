package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/creds"
	"goc.dev/shared/hooks"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/syncsock"
)

// Init is the container's first process. goC's main calls it, before doing
// anything else, when it is started as "goC init". It only returns by
// exec'ing the workload; on failure it tells the parent and exits.
func Init() {
	// Mounts, credentials and capabilities act on the calling thread;
	// keep this goroutine on one thread until exec replaces the process.
	runtime.LockOSThread()

	conn := syncsock.New(os.NewFile(syncFd, "sync"))
	err := start(conn)

	m := syncsock.Message{Type: syncsock.Error, Error: err.Error()}
	var ee *process.ExecError
	if errors.As(err, &ee) {
		m.Code = ee.Status
	}
	if conn.Send(m) != nil {
		fmt.Fprintln(os.Stderr, "goC init:", err)
	}
	os.Exit(1)
}

// start sets the container up, one step after the other, waits for
// "goC start" and execs the workload. It returns only on failure.
func start(conn *syncsock.Conn) error {
	var cfg InitConfig
	if err := conn.Recv(&cfg); err != nil {
		return fmt.Errorf("read config: %w", err)
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
			if err := attachTerminal(conn, cfg.Winsize); err != nil {
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
	if err := conn.Recv(&m); err != nil || m.Type != syncsock.Go {
		return fmt.Errorf("wait for go: %v %v", m.Type, err)
	}
	return become(conn, &cfg, m.State)
}

// setup makes the container: namespaces joined, the filesystem, the pivot,
// /dev, sysctls, masked paths, the hostname, a terminal.
func setup(conn *syncsock.Conn, cfg *InitConfig) error {
	p := cfg.Plan

	// Namespaces joined by path (network, uts, ipc) are entered first:
	// they are per thread, and this thread is the one that execs.
	for i, t := range cfg.Joins {
		flag, err := t.Flag()
		if err != nil {
			return err
		}
		if err := unix.Setns(cgroupX+cfg.CgroupFds+i, int(flag)); err != nil {
			return fmt.Errorf("join %s namespace: %w", t, err)
		}
	}

	// The filesystem, before the pivot: everything a host path is needed
	// for (binds, /etc/hosts), each destination resolved inside the rootfs.
	if err := rootfs.Prepare(p.Rootfs, p.RootPropagation, p.Overlay); err != nil {
		return err
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
	if cfg.PauseForHooks {
		if err := conn.Send(syncsock.Message{Type: syncsock.Hooks}); err != nil {
			return err
		}
		var m syncsock.Message
		if err := conn.Recv(&m); err != nil || m.Type != syncsock.HooksDone {
			return fmt.Errorf("wait for hooks: %v %v", m.Type, err)
		}
		if err := runHooks("createContainer", cfg.CreateContainer, m.State); err != nil {
			return err
		}
	}
	if err := rootfs.PivotInto(p.Rootfs); err != nil {
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
	if p.RootReadonly {
		if err := rootfs.RemountRootReadonly(); err != nil {
			return err
		}
	}
	if p.Hostname != "" {
		if err := unix.Sethostname([]byte(p.Hostname)); err != nil {
			return os.NewSyscallError("sethostname", err)
		}
	}
	if p.Terminal {
		if err := attachTerminal(conn, cfg.Winsize); err != nil {
			return err
		}
	}

	return nil
}

// become turns this process into the workload: cgroup, limits, seccomp,
// user and capabilities, cwd; then (a new container) waits for start, and
// execs.
func become(conn *syncsock.Conn, cfg *InitConfig, startState json.RawMessage) error {
	p := cfg.Plan

	// Join the cgroup as late as possible: after the setup above, so the
	// Go runtime's memory stays charged to goC, and before the workload's
	// first instruction. A cgroup namespace made now has that cgroup as
	// its root.
	if err := cgroups.Join(inherited(cgroupX, cfg.CgroupFds)); err != nil {
		return err
	}
	if cfg.CgroupNS {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return os.NewSyscallError("unshare cgroup namespace", err)
		}
	}

	// Identity and privileges, last: after them the init may no longer be
	// able to do what came before.
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
	if p.Seccomp != nil && !p.NoNewPrivileges {
		if err := p.Seccomp.Load(); err != nil {
			return err
		}
	}
	if err := creds.Apply(creds.User{UID: p.UID, GID: p.GID, AdditionalGids: p.AdditionalGids}, p.Caps, p.NoNewPrivileges); err != nil {
		return err
	}
	// A missing working directory is created, as Docker does.
	if err := unix.Chdir(p.Cwd); errors.Is(err, unix.ENOENT) {
		if err := os.MkdirAll(p.Cwd, 0o755); err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
	}
	if err := unix.Chdir(p.Cwd); err != nil {
		return &os.PathError{Op: "chdir", Path: p.Cwd, Err: err}
	}
	path, err := process.LookPath(p.Args[0], lookup(p.Env, "PATH"))
	if err != nil {
		return err
	}
	env := p.Env
	if !hasKey(env, "HOME") { // as runc: the user's home from the container's passwd
		env = append(env[:len(env):len(env)], "HOME="+homeOf(p.UID))
	}

	if !cfg.Exec {
		if err := waitStart(conn, cfg, startState); err != nil {
			return err
		}
	}

	if err := process.DefaultSignals(); err != nil {
		return err
	}
	// The caller's descriptors go to 3, 4, … (the sync socket moves out
	// of their way first: it must stay open until exec); nothing else of
	// goC's but 0-2 may reach the workload.
	if n := cfg.PreserveFds; n > 0 {
		first := cgroupX + cfg.CgroupFds + len(cfg.Joins)
		if err := conn.MoveAbove(first + n); err != nil {
			return err
		}
		for i := 0; i < n; i++ { // upwards: a source is never a target still to come
			if err := unix.Dup3(first+i, 3+i, 0); err != nil {
				return os.NewSyscallError("dup3", err)
			}
		}
	}
	if err := unix.CloseRange(uint(3+cfg.PreserveFds), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return os.NewSyscallError("close_range", err)
	}
	if p.Seccomp != nil && p.NoNewPrivileges {
		if err := p.Seccomp.Load(); err != nil {
			return err
		}
	}
	err = unix.Exec(path, p.Args, env)
	return &process.ExecError{Name: p.Args[0], Status: process.ExecStatus(err), Err: err}
}

// waitStart blocks until "goC start": opening the exec fifo for writing
// blocks until start opens it for reading. Then the startContainer hooks.
func waitStart(conn *syncsock.Conn, cfg *InitConfig, startState json.RawMessage) error {
	if err := conn.Send(syncsock.Message{Type: syncsock.Waiting}); err != nil {
		return err
	}
	fifo, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fifoFd), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "exec fifo", Err: err}
	}
	if _, err := unix.Write(fifo, []byte{0}); err != nil {
		return &os.PathError{Op: "write", Path: "exec fifo", Err: err}
	}
	// The fifo stays open (close-on-exec): "goC start" reads on to its
	// end, so it returns once the workload is exec'd — or with what went
	// wrong, written here.
	if err := runHooks("startContainer", cfg.StartContainer, startState); err != nil {
		_, _ = unix.Write(fifo, []byte(err.Error()))
		return err
	}
	return nil
}

// runHooks runs hooks from inside the container with the state the parent
// sent.
func runHooks(kind string, hs []specs.Hook, state json.RawMessage) error {
	if len(hs) == 0 {
		return nil
	}
	var st specs.State
	if err := json.Unmarshal(state, &st); err != nil {
		return fmt.Errorf("%s hooks: state: %w", kind, err)
	}
	return hooks.Run(kind, hs, st)
}

// attachTerminal opens a terminal in the container's devpts, sends its
// master end to the parent and makes the slave the workload's stdio.
func attachTerminal(conn *syncsock.Conn, ws pty.Winsize) error {
	master, slave, err := pty.Open()
	if err != nil {
		return err
	}
	defer master.Close()
	if err := pty.Resize(master, ws); err != nil {
		return err
	}
	if err := conn.SendFile(syncsock.Message{Type: syncsock.Pty}, master); err != nil {
		return err
	}
	return pty.Attach(slave)
}

// inherited wraps the n descriptors from first on that the parent passed.
func inherited(first, n int) []*os.File {
	files := make([]*os.File, n)
	for i := range files {
		files[i] = os.NewFile(uintptr(first+i), fmt.Sprintf("fd %d", first+i))
	}
	return files
}

func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

// homeOf reads uid's home directory from the container's /etc/passwd, "/"
// if it has none.
func homeOf(uid uint32) string {
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return "/"
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 6 && f[2] == fmt.Sprint(uid) && f[5] != "" {
			return f[5]
		}
	}
	return "/"
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
