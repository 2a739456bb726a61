package container

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/syncsock"
)

// Init is the container's first process. goC's main calls it, before doing
// anything else, when it is started as "goC init". It only returns by
// exec'ing the workload; on failure it tells the parent and exits.
func Init() {
	// Keep this goroutine on one thread until exec replaces the process:
	// what is per thread (namespaces entered with setns or unshare,
	// credentials, capabilities, a seccomp filter, a cgroup v1
	// membership) must be set on the thread that execs. Mounts and
	// pivot_root need no such care: Go's threads share one mount
	// namespace, root and working directory.
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

// start sets the container up, one step after the other, and execs the
// workload. It returns only on failure.
func start(conn *syncsock.Conn) error {
	var cfg Config
	if err := conn.Recv(&cfg); err != nil {
		return fmt.Errorf("read config: %w", err)
	}

	// The filesystem, before the pivot: everything a host path is needed
	// for (binds, /etc/hosts), each destination resolved inside the rootfs.
	if err := rootfs.Prepare(cfg.Rootfs, 0, nil); err != nil {
		return err
	}
	for target, src := range cfg.Files {
		if err := rootfs.BindFile(cfg.Rootfs, src, target); err != nil {
			return err
		}
	}
	for _, m := range rootfs.DefaultMounts() {
		if err := rootfs.MountInto(cfg.Rootfs, m); err != nil {
			return err
		}
	}
	if err := rootfs.PivotInto(cfg.Rootfs); err != nil {
		return err
	}

	// After the pivot, the rootfs is the whole world.
	if err := rootfs.PopulateDev(); err != nil {
		return err
	}
	if err := unix.Sethostname([]byte(cfg.Hostname)); err != nil {
		return os.NewSyscallError("sethostname", err)
	}

	if cfg.Tty {
		if err := attachTerminal(conn, cfg.Winsize); err != nil {
			return err
		}
	}

	if err := os.MkdirAll(cfg.Cwd, 0o755); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	if err := unix.Chdir(cfg.Cwd); err != nil {
		return &os.PathError{Op: "chdir", Path: cfg.Cwd, Err: err}
	}
	path, err := process.LookPath(cfg.Args[0], lookup(cfg.Env, "PATH"))
	if err != nil {
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

	// Join the cgroup as late as possible: after the setup above, so the
	// Go runtime's memory stays charged to goC, and before the workload's
	// first instruction. (v1 moves only this thread, the one that execs.)
	if err := cgroups.Join(files(cfg.CgroupFds)); err != nil {
		return err
	}

	if err := process.DefaultSignals(); err != nil {
		return err
	}
	// Nothing of goC's but 0-2 may reach the workload: whatever goC
	// inherited is closed by exec, and the sync socket is close-on-exec
	// so the parent reads EOF when exec succeeds.
	if err := unix.CloseRange(syncFd, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return os.NewSyscallError("close_range", err)
	}
	err = unix.Exec(path, cfg.Args, cfg.Env)
	return &process.ExecError{Name: cfg.Args[0], Status: process.ExecStatus(err), Err: err}
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
