package container

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"syscall"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/hooks"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// Run creates and starts a container; in the foreground it then waits for
// it, relaying signals and the terminal, and deletes it (create.go has
// the protocol between goC and the container's init).
func Run(o Options) (res Result, retErr error) {
	if o.Foreground {
		reclaim(o.Root)
	}
	ct, err := create(o)
	if err != nil {
		return res, err
	}
	if ct.nw.IP.IsValid() {
		res.IP = ct.nw.IP.String()
	}
	if !o.Foreground {
		defer ct.cmd.Process.Release()
		defer ct.conn.Close()
		st := ct.st
		if err := startContainer(ct.c, st); err != nil {
			return res, err
		}
		hooks.Poststart(st.Hooks, st.OCI(state.Running))
		return res, nil
	}
	defer func() {
		if st, err := ct.cg.Stats(); err == nil {
			res.Stats = st
		}
		if o.Keep && retErr == nil {
			return // its poststop hooks run at delete
		} else if err := ct.destroy(); err != nil && retErr == nil {
			retErr = err
		}
	}()
	res.Status, err = supervise(ct, res.IP)
	return res, err
}

// createCgroup makes the container's cgroup with its limits, after
// removing any that goCs which died left behind. cloneDir is told the
// directory to clone the init into, where there is one, as soon as it is
// made (cgroups.CreateAnnouncing).
func createCgroup(parent, name string, r cgroups.Resources, bases map[string]string, cloneDir func(string)) (cgroups.Manager, error) {
	h, err := cgroups.Detect()
	if err != nil {
		return nil, err
	}
	h = h.Rebase(bases)
	if n, err := cgroups.Reclaim(h, parent); err != nil {
		slog.Warn("reclaiming cgroups left by earlier runs", "err", err)
	} else if n > 0 {
		slog.Info("reclaimed cgroups left by goCs that died", "count", n)
	}
	cg, err := cgroups.CreateAnnouncing(h, parent, name, cloneDir)
	if err != nil {
		return nil, err
	}
	if err := cg.Apply(r); err != nil {
		_ = cg.Destroy()
		return nil, err
	}
	slog.Debug("cgroup", "mode", h.Mode(), "path", cg.Path())
	return cg, nil
}

// supervise starts the created container and waits for its workload
// (run in the foreground), relaying the terminal.
func supervise(ct *container, ip string) (int, error) {
	var relayed <-chan struct{}
	if ct.master != nil {
		var restore func()
		var err error
		if relayed, restore, err = pty.RelayUser(ct.master); err != nil {
			return 0, err
		}
		defer restore()
	}
	st := ct.st
	if err := startContainer(ct.c, st); err != nil {
		return 0, err
	}
	if err := awaitExec(ct.conn); err != nil {
		return ExitStatus(err), err
	}
	hooks.Poststart(st.Hooks, st.OCI(state.Running))
	if !ct.o.Keep {
		defer hooks.PoststopInBundle(st.Hooks, st.OCI(state.Stopped)) // once the workload has ended, before Run's destroy
	}
	if ct.o.OnStart != nil {
		ct.o.OnStart(ip)
	}
	return wait(ct.cmd, relayed)
}

// wait waits for the workload, and for the last of its terminal's output
// when it is relayed, and returns its exit status.
func wait(cmd *exec.Cmd, relayed <-chan struct{}) (int, error) {
	err := cmd.Wait()
	if relayed != nil {
		<-relayed // the master reads EIO once the container's side is gone
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return process.StatusRuntimeError, fmt.Errorf("wait for workload: %w", err)
	}
	return process.ExitStatus(cmd.ProcessState.Sys().(syscall.WaitStatus)), nil
}

// awaitReady reads the init's messages up to "ready", keeping the
// terminal's master end if one is sent and running the parent's hooks
// when the init pauses for them.
func awaitReady(conn *syncsock.Conn, onHooks func() (syncsock.Message, error)) (*os.File, error) {
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
		case syncsock.Hooks:
			reply, err := onHooks()
			if err != nil {
				return nil, err
			}
			if err := conn.Send(reply); err != nil {
				return nil, err
			}
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

// ExitStatus is the status goC exits with for err: the workload's own
// statuses (126, 127) for a command that cannot run, else 125.
func ExitStatus(err error) int {
	var ie *initError
	if errors.As(err, &ie) && ie.m.Code != 0 {
		return ie.m.Code
	}
	return process.StatusRuntimeError
}

// await reads one message, which must be want.
func await(conn *syncsock.Conn, want string) error {
	var m syncsock.Message
	switch err := conn.Recv(&m); {
	case errors.Is(err, io.EOF):
		return errors.New("container init exited during setup")
	case err != nil:
		return err
	case m.Type == syncsock.Error:
		return &initError{m}
	case m.Type != want:
		return fmt.Errorf("unexpected message %q from container init", m.Type)
	}
	return nil
}

// Create creates the container and leaves it waiting for Start.
func Create(o Options) error {
	ct, err := create(o)
	if err != nil {
		return err
	}
	ct.conn.Close()
	if ct.master != nil {
		ct.master.Close()
	}
	// The cgroup and the network lease outlive this goC: delete removes
	// them. The init is no longer our business.
	_ = ct.cmd.Process.Release()
	return nil
}

// Start starts a created container.
func Start(root, cid string) error {
	c, st, unlock, err := state.LoadLocked(root, cid)
	if err != nil {
		return err
	}
	defer unlock()
	if s := c.Status(st); s != state.Created {
		return fmt.Errorf("cannot start a container that is %s", s)
	}
	if err := startContainer(c, st); err != nil {
		return err
	}
	hooks.Poststart(st.Hooks, st.OCI(state.Running))
	return nil
}

// startContainer lets the init exec, through the exec fifo. With
// startContainer or poststart hooks it returns once the workload is
// exec'd, so that start reports their failure and poststart follows the
// process's start; without, at once, as runc does (a manager attaching to
// the terminal after start loses less of a quick process's output).
func startContainer(c *state.Container, st *state.State) error {
	toExec := st.Hooks != nil && len(st.Hooks.StartContainer)+len(st.Hooks.Poststart) > 0
	return c.Release(toExec, func() bool { return process.Alive(st.Pid, st.Start) })
}

// reclaim deletes the containers of foreground runs whose goC died (killed
// with SIGKILL, it could not clean up; its container died with it).
func reclaim(root string) {
	for _, id := range state.Orphans(root) {
		if err := Delete(root, id, true); err != nil {
			slog.Warn("deleting a container left by a goC that died", "id", id, "err", err)
		}
	}
}
