package container

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// execNamespaces are joined in this order: the mount namespace last, as
// the paths to the others are the host's.
var execNamespaces = []string{"ipc", "uts", "net", "pid", "cgroup", "mnt"}

// Exec runs a process in a running container and, unless detached, waits
// for it and returns its exit status.
//
// The namespaces are joined by a goroutine locked to its own thread,
// which first unshares its filesystem attributes (setns to a mount
// namespace refuses a thread that shares them, as every Go thread does),
// then forks the process; the thread is never given back to the Go
// runtime and ends with the goroutine. The process is goC's sealed copy
// again ("goC init" in exec mode): in the container's namespaces and root
// from birth, it joins the cgroup, becomes the user and execs, as the init
// does for the container's first process.
func Exec(o ExecOptions) (int, error) {
	st, err := execTarget(o.Root, o.ID)
	if err != nil {
		return 0, err
	}
	nsFiles, err := execNamespaceFiles(st)
	defer closeAll(nsFiles)
	if err != nil {
		return 0, err
	}
	if !process.Alive(st.Pid, st.Start) { // the namespaces above are its, not a new PID's
		return 0, fmt.Errorf("cannot exec in container %s: it is stopped", o.ID)
	}
	cmd, conn, err := startExec(o, st, nsFiles)
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	defer conn.Close()
	stop := process.Forward(cmd.Process.Pid)
	defer stop()

	relayed, done, err := execTerminal(o, conn)
	defer done()
	if err == nil {
		err = execGo(o, cmd, conn)
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return ExitStatus(err), err
	}
	if o.Detach {
		_ = cmd.Process.Release() // the caller (a shim, conmon) reaps it as subreaper
		return 0, nil
	}
	return wait(cmd, relayed)
}

// execTarget reads the state of the container to exec in, which must be
// running (or created), not paused, and share goC's user namespace.
func execTarget(root, cid string) (*state.State, error) {
	c, st, err := load(root, cid)
	if err != nil {
		return nil, err
	}
	if s := c.Status(st); s != state.Running && s != state.Created {
		return nil, fmt.Errorf("cannot exec in container %s: it is %s", cid, s)
	}
	if frozen(st) {
		return nil, fmt.Errorf("cannot exec in container %s: it is paused", cid)
	}
	if same, err := sameNS(st.Pid, "user"); err != nil {
		return nil, err
	} else if !same {
		return nil, errors.New("exec into a container with a user namespace is not supported by goC")
	}
	return st, nil
}

// execNamespaceFiles opens the namespaces of the container's init that
// are not goC's own, in execNamespaces' order.
func execNamespaceFiles(st *state.State) ([]*os.File, error) {
	var nsFiles []*os.File
	for _, t := range execNamespaces {
		if same, err := sameNS(st.Pid, t); err != nil || same {
			continue // shared with the host (or not there): nothing to join
		}
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", st.Pid, t))
		if err != nil {
			return nsFiles, fmt.Errorf("exec: %s namespace: %w", t, err)
		}
		nsFiles = append(nsFiles, f)
	}
	return nsFiles, nil
}

// startExec starts the process, in the container's namespaces, and sends
// it its config: the sync socket, the cgroup files and the preserved
// descriptors are its (no exec fifo: it execs without waiting).
func startExec(o ExecOptions, st *state.State, nsFiles []*os.File) (*exec.Cmd, *syncsock.Conn, error) {
	cg, err := cgroupOf(st)
	if err != nil {
		return nil, nil, err
	}
	cmd, conn, p, err := newInit()
	if err != nil {
		return nil, nil, err
	}
	defer p.close()
	joins, err := cg.JoinFiles()
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	cfg := InitConfig{Plan: o.Plan, Exec: true, Fds: Fds{Cgroup: p.own(joins...), Preserved: p.pass(o.Preserved...)}}
	if o.Plan.Terminal && execForeground(o) && pty.IsTerminal(os.Stdin) {
		cfg.Winsize = pty.Size(os.Stdin)
	}
	cmd.ExtraFiles, cmd.SysProcAttr = p.extra, &syscall.SysProcAttr{Setsid: o.Plan.Terminal}
	if err := startIn(nsFiles, cmd); err != nil {
		conn.Close()
		return nil, nil, err
	}
	if err := conn.Send(cfg); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		conn.Close()
		return nil, nil, fmt.Errorf("send config: %w", err)
	}
	return cmd, conn, nil
}

// execTerminal waits for the process to be ready and hands its terminal
// on: to the console socket, or relayed to goC's own (in the foreground,
// raw if it is a terminal). done restores goC's terminal.
func execTerminal(o ExecOptions, conn *syncsock.Conn) (relayed <-chan struct{}, done func(), err error) {
	done = func() {}
	master, err := awaitReady(conn, nil)
	if err == nil {
		master, err = takeTerminal(master, o.ConsoleSocket, execForeground(o), "--tty needs --console-socket with --detach")
	}
	if err != nil || master == nil {
		return nil, done, err
	}
	restore, err := pty.MakeRaw(os.Stdin)
	if err != nil {
		restore = func() {}
	}
	return pty.Relay(master, os.Stdin, os.Stdout), func() { restore(); master.Close() }, nil
}

// execGo lets the process exec, and writes the pid file once it has.
func execGo(o ExecOptions, cmd *exec.Cmd, conn *syncsock.Conn) error {
	if err := conn.Send(syncsock.Message{Type: syncsock.Go}); err != nil {
		return err
	}
	if err := awaitExec(conn); err != nil {
		return err
	}
	if o.PidFile != "" {
		if err := state.WriteAtomic(o.PidFile, []byte(fmt.Sprint(cmd.Process.Pid)), 0o644); err != nil {
			return fmt.Errorf("pid file: %w", err)
		}
	}
	return nil
}

// execForeground: goC waits for the process and relays its terminal.
func execForeground(o ExecOptions) bool { return !o.Detach && o.ConsoleSocket == "" }

// startIn starts cmd from a thread that has joined the namespaces.
func startIn(nsFiles []*os.File, cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // for good: this thread is the container's now
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			errc <- os.NewSyscallError("unshare", err)
			return
		}
		for _, f := range nsFiles {
			if err := unix.Setns(int(f.Fd()), 0); err != nil {
				errc <- fmt.Errorf("join %s: %w", filepath.Base(f.Name()), err)
				return
			}
		}
		errc <- cmd.Start()
	}()
	return <-errc
}

// sameNS reports whether pid is in goC's own namespace of kind t.
func sameNS(pid int, t string) (bool, error) {
	theirs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, t))
	if err != nil {
		return false, fmt.Errorf("exec: %w", err)
	}
	ours, err := os.Readlink("/proc/self/ns/" + t)
	if err != nil {
		return false, err
	}
	return theirs == ours, nil
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
