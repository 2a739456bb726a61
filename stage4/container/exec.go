package container

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"goc.dev/shared/initproc"
	"goc.dev/shared/namespace"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/seccomp"
	"goc.dev/shared/spec"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// execNamespaces are joined in this order: the mount namespace last, as
// the paths to the others are the host's; the user namespace by the process.
var execNamespaces = []namespace.Type{namespace.IPC, namespace.UTS, namespace.Network, namespace.PID, namespace.Cgroup, namespace.Mount, namespace.User}

// Exec runs a process in a running container and, unless detached, waits
// for it and returns its exit status.
//
// The process is started from a thread that has joined the container's
// namespaces (namespace.Set's Start). It is goC's sealed copy again ("goC
// init" in exec mode): in the container's namespaces and root from birth,
// it joins the cgroup, becomes the user and execs, as the init does for
// the container's first process.
func Exec(o ExecOptions) (int, error) {
	st, err := execTarget(o.Root, o.ID, o.IgnorePaused)
	if err != nil {
		return 0, err
	}
	ns, err := namespace.Open(st.Pid, execNamespaces...)
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	defer ns.Close()
	if !process.Alive(st.Pid, st.Start) { // the namespaces above are its, not a new PID's
		return 0, fmt.Errorf("cannot exec in container %s: it is stopped", o.ID)
	}
	cmd, conn, err := startExec(o, st, ns)
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
// running (or created), and not paused (unless ignorePaused).
func execTarget(root, cid string, ignorePaused bool) (*state.State, error) {
	c, st, err := state.LoadState(root, cid)
	if err != nil {
		return nil, err
	}
	if s := c.Status(st); s != state.Running && s != state.Created {
		return nil, fmt.Errorf("cannot exec in container %s: it is %s", cid, s)
	}
	if st.Frozen() && !ignorePaused {
		return nil, fmt.Errorf("cannot exec in container %s: it is paused (use --ignore-paused to override)", cid)
	}
	return st, nil
}

// startExec starts the process, in the container's namespaces, and sends
// it its config and the files to join the cgroup through, as create does:
// the sync socket and the preserved descriptors are passed at clone (no
// exec fifo: it execs without waiting).
func startExec(o ExecOptions, st *state.State, ns namespace.Set) (*exec.Cmd, *syncsock.Conn, error) {
	cg, err := st.Cgroup()
	if err != nil {
		return nil, nil, err
	}
	cmd, conn, p, err := newInit()
	if err != nil {
		return nil, nil, err
	}
	conn.Handle(syncsock.Seccomp, func(f *os.File) error {
		return seccomp.HandOff(o.Plan.Seccomp, f, cmd.Process.Pid, st.OCI(state.Running))
	})
	defer p.close()
	joins, err := spec.ExecCgroupJoins(cg, o.Cgroups)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	cfg := initproc.Config{Plan: o.Plan, Exec: true, Fds: initproc.Fds{Preserved: p.pass(o.Preserved...)}}
	cfg.Winsize = pty.StartSize(execForeground(o), o.Plan.ConsoleSize)
	cmd.ExtraFiles, cmd.SysProcAttr = p.extra, &syscall.SysProcAttr{Setsid: o.Plan.Terminal}
	if err := ns.Start(cmd); err != nil {
		for _, f := range joins {
			f.Close()
		}
		conn.Close()
		return nil, nil, err
	}
	if err := cfg.Send(conn, joins); err != nil {
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
	relayed, restore, err := pty.RelayUser(master)
	if err != nil {
		return nil, func() { master.Close() }, err
	}
	return relayed, func() { restore(); master.Close() }, nil
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
