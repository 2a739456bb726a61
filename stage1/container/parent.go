package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"goc.dev/shared/namespace"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/syncsock"
)

// Namespaces are the namespaces every stage-1 container gets.
var Namespaces = []namespace.Type{namespace.PID, namespace.Mount, namespace.UTS, namespace.IPC}

// Run starts the container described by cfg, waits for its workload and
// returns the status goC should exit with (create.go has the protocol
// between goC and the container's init).
func Run(cfg Config) (int, error) {
	ct, err := create(cfg)
	if err != nil {
		return ExitStatus(err), err
	}
	defer ct.destroy()
	return supervise(ct)
}

// supervise lets the created container's init exec the workload and
// waits for it, relaying the terminal.
func supervise(ct *container) (int, error) {
	var relayed <-chan struct{}
	if ct.master != nil {
		restore, err := pty.MakeRaw(os.Stdin)
		if err != nil {
			return 0, err
		}
		defer restore()
		relayed = pty.Relay(ct.master, os.Stdin, os.Stdout)
	}
	if err := ct.conn.Send(syncsock.Message{Type: syncsock.Go}); err != nil {
		return 0, fmt.Errorf("start workload: %w", err)
	}
	if err := awaitExec(ct.conn); err != nil {
		return ExitStatus(err), err
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

// ExitStatus is the status goC exits with for err: the workload's own
// statuses (126, 127) for a command that cannot run, else 125.
func ExitStatus(err error) int {
	var ie *initError
	if errors.As(err, &ie) && ie.m.Code != 0 {
		return ie.m.Code
	}
	return process.StatusRuntimeError
}
