package container

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/exe"
	"goc.dev/shared/namespace"
	"goc.dev/shared/network"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/syncsock"
)

// Namespaces are the namespaces every container gets; with --network it
// gets a network namespace too.
var Namespaces = []namespace.Type{namespace.PID, namespace.Mount, namespace.UTS, namespace.IPC}

// Run starts the container described by cfg under its limits, waits for
// its workload and returns how it ended.
//
// The parent and the init talk over a socket pair (shared/syncsock):
//
//	parent (goC run)                      init (goC init, in the namespaces)
//	  start with clone flags ───────────────▶
//	  config ───────────────────────────────▶ /etc/hosts, pivot_root, /proc, /dev, /sys,
//	                                           hostname, cwd, find the command
//	          ◀─────────────────────────────── pty + master fd   (with a terminal)
//	          ◀─────────────────────────────── ready  | error{msg, code}
//	  wire its network namespace (veth, eth0, routes, ports)
//	  go ───────────────────────────────────▶ join the cgroup, close fds,
//	                                           exec the workload
//	          ◀─────────────────────────────── EOF (close-on-exec) | error
//	  wait for the workload, forwarding signals
func Run(cfg Config) (res Result, retErr error) {
	// Pdeathsig is tied to the thread that forks the init: keep it alive.
	runtime.LockOSThread()

	cg, err := createCgroup(cfg)
	if err != nil {
		return res, err
	}
	defer func() {
		if err := cg.Destroy(); err != nil && retErr == nil {
			retErr = err
		}
	}()

	nw, err := network.Reserve(cfg.Network, cfg.ID, cfg.Hostname)
	if err != nil {
		return res, err
	}
	defer func() {
		if err := nw.Release(); err != nil && retErr == nil {
			retErr = err
		}
	}()
	cfg.Files = nw.Files()
	if nw.IP.IsValid() {
		res.IP = nw.IP.String()
	}

	// The init runs from a sealed copy of goC, never from goC's file on disk.
	self, err := exe.Sealed()
	if err != nil {
		return res, err
	}
	defer self.Close()

	parentEnd, childEnd, err := syncsock.Pair()
	if err != nil {
		return res, err
	}
	conn := syncsock.New(parentEnd)
	defer conn.Close()

	// The init joins its cgroup itself, through files opened here (it
	// cannot reach the host's cgroupfs once it has pivoted).
	joins, err := cg.JoinFiles()
	if err != nil {
		return res, err
	}
	cfg.CgroupFds = len(joins)

	ns := Namespaces
	if cfg.Network.Mode != network.ModeHost {
		ns = append(ns[:len(ns):len(ns)], namespace.Network)
	}
	flags, err := namespace.CloneFlags(ns...)
	if err != nil {
		return res, err
	}
	cmd := &exec.Cmd{
		Path:       exe.Path(self),
		Args:       []string{"goC", "init"},
		Env:        []string{}, // nothing of goC's environment reaches the container
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		ExtraFiles: append([]*os.File{childEnd}, joins...), // fds 3, 4… in the init
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: flags,
			Pdeathsig:  syscall.SIGKILL, // the container does not outlive goC
		},
	}
	err = cmd.Start()
	childEnd.Close()
	for _, f := range joins {
		f.Close()
	}
	if err != nil {
		return res, fmt.Errorf("start container init: %w", err)
	}

	// From here on, goC's signals are the container's: during setup they
	// end the init (and goC with an error), afterwards the workload decides.
	stop := process.Forward(cmd.Process.Pid)
	defer stop()

	res.Status, err = supervise(cmd, conn, nw, cfg)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	if st, serr := cg.Stats(); serr == nil {
		res.Stats = st
	}
	return res, err
}

// createCgroup makes the container's cgroup with its limits, after
// removing any that goCs which died left behind.
func createCgroup(cfg Config) (cgroups.Manager, error) {
	h, err := cgroups.Detect()
	if err != nil {
		return nil, err
	}
	if n, err := cgroups.Reclaim(h, cfg.CgroupParent); err != nil {
		slog.Warn("reclaiming cgroups left by earlier runs", "err", err)
	} else if n > 0 {
		slog.Info("reclaimed cgroups left by goCs that died", "count", n)
	}
	cg, err := cgroups.Create(h, cfg.CgroupParent, cfg.ID)
	if err != nil {
		return nil, err
	}
	if err := cg.Apply(cfg.Resources); err != nil {
		_ = cg.Destroy()
		return nil, err
	}
	slog.Debug("cgroup", "mode", h.Mode(), "path", cg.Path())
	return cg, nil
}

// supervise takes the init from config to exec and then waits for the
// workload.
func supervise(cmd *exec.Cmd, conn *syncsock.Conn, nw *network.Attachment, cfg Config) (int, error) {
	if err := conn.Send(cfg); err != nil {
		return 0, fmt.Errorf("send config: %w", err)
	}
	master, err := awaitReady(conn)
	if err != nil {
		return initFailed(err)
	}
	if master != nil {
		defer master.Close()
	}

	// The init's network namespace exists now: wire it before the
	// workload runs.
	if err := nw.Attach(cmd.Process.Pid); err != nil {
		return 0, fmt.Errorf("network: %w", err)
	}

	var relayed <-chan struct{}
	if master != nil {
		restore, err := pty.MakeRaw(os.Stdin)
		if err != nil {
			return 0, err
		}
		defer restore()
		relayed = pty.Relay(master, os.Stdin, os.Stdout)
	}

	if err := conn.Send(syncsock.Message{Type: syncsock.Go}); err != nil {
		return 0, fmt.Errorf("start workload: %w", err)
	}
	if err := awaitExec(conn); err != nil {
		return initFailed(err)
	}

	err = cmd.Wait()
	if relayed != nil {
		<-relayed // the master reads EIO once the container's side is gone
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return 0, fmt.Errorf("wait for workload: %w", err)
	}
	return process.ExitStatus(cmd.ProcessState.Sys().(syscall.WaitStatus)), nil
}

// awaitReady reads the init's messages up to "ready", keeping the
// terminal's master end if one is sent.
func awaitReady(conn *syncsock.Conn) (*os.File, error) {
	var master *os.File
	for {
		var m syncsock.Message
		f, err := conn.RecvFile(&m)
		if errors.Is(err, io.EOF) {
			return nil, errors.New("container init exited during setup")
		}
		if err != nil {
			return nil, err
		}
		switch m.Type {
		case syncsock.Pty:
			master = f
		case syncsock.Ready:
			return master, nil
		case syncsock.Error:
			return nil, &initError{m}
		default:
			return nil, fmt.Errorf("unexpected message %q from container init", m.Type)
		}
	}
}

// awaitExec returns once the init has exec'd the workload: the socket is
// close-on-exec there, so success reads as end-of-file.
func awaitExec(conn *syncsock.Conn) error {
	var m syncsock.Message
	switch err := conn.Recv(&m); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return err
	case m.Type == syncsock.Error:
		return &initError{m}
	default:
		return fmt.Errorf("unexpected message %q from container init", m.Type)
	}
}

// initError is a failure the init reported.
type initError struct{ m syncsock.Message }

func (e *initError) Error() string { return e.m.Error }

// initFailed turns a setup failure into goC's status and error: the
// workload's own statuses (126, 127) for a command that cannot run.
func initFailed(err error) (int, error) {
	var ie *initError
	if errors.As(err, &ie) && ie.m.Code != 0 {
		return ie.m.Code, err
	}
	return 0, err
}
