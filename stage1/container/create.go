package container

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"goc.dev/shared/exe"
	"goc.dev/shared/namespace"
	"goc.dev/shared/process"
	"goc.dev/shared/syncsock"
)

// container is one container between create and the end of goC's part in
// it. It owns what create takes; destroy gives all of it back.
type container struct {
	cfg    Config
	cmd    *exec.Cmd
	conn   *syncsock.Conn
	master *os.File // the terminal, when goC relays it
	stop   func()   // signal forwarding
}

// create sets a container up and leaves its init ready to exec the
// workload. The parent and the init talk over a socket pair
// (shared/syncsock):
//
//	parent (goC run)                      init (goC init, in the namespaces)
//	  start the init with clone flags ─────▶
//	  config ───────────────────────────────▶ pivot_root, /proc, /dev, /sys,
//	                                           hostname, cwd, find the command
//	          ◀─────────────────────────────── pty + master fd   (with a terminal)
//	          ◀─────────────────────────────── ready  | error{msg, code}
//	  go ───────────────────────────────────▶ close fds, exec the workload
//	          ◀─────────────────────────────── EOF (close-on-exec) | error
//	  wait for the workload, forwarding signals
//
// create takes the steps up to ready, supervise the rest.
//
// Each step keeps what it takes in ct; if one fails, destroy undoes them
// all. What the init reports goes out as it is: the user's problem, in
// its own words.
func create(cfg Config) (_ *container, retErr error) {
	ct := &container{cfg: cfg}
	defer func() {
		if retErr != nil {
			ct.destroy()
		}
	}()
	if err := ct.startInit(); err != nil {
		return nil, err
	}
	if err := ct.handshake(cfg); err != nil {
		return nil, err
	}
	return ct, nil
}

// startInit starts the init in new namespaces, with the one descriptor it
// needs: its end of the sync socket.
func (ct *container) startInit() error {
	cmd, conn, closeOurs, err := newInit()
	if err != nil {
		return err
	}
	ct.conn = conn
	defer closeOurs()
	if cmd.SysProcAttr, err = cloneAttr(); err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start container init: %w", err)
	}
	ct.cmd = cmd
	// From here on goC's signals are the container's: during setup they
	// end the init (and goC with an error), afterwards the workload decides.
	ct.stop = process.Forward(cmd.Process.Pid)
	return nil
}

// syncFd is where the init finds its end of the sync socket: ExtraFiles[0]
// is descriptor 3 in the child.
const syncFd = 3

// newInit prepares "goC init", from a sealed copy of goC (never goC's
// file on disk), with goC's stdio and nothing of its environment, and
// the sync socket: the parent's end, and the init's end at syncFd.
// closeOurs closes goC's copies of what the init is given, once it has
// started.
func newInit() (cmd *exec.Cmd, conn *syncsock.Conn, closeOurs func(), err error) {
	self, err := exe.Sealed()
	if err != nil {
		return nil, nil, nil, err
	}
	parentEnd, childEnd, err := syncsock.Pair()
	if err != nil {
		self.Close()
		return nil, nil, nil, err
	}
	cmd = &exec.Cmd{Path: exe.Path(self), Args: []string{"goC", "init"}, Env: []string{},
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, ExtraFiles: []*os.File{childEnd}}
	return cmd, syncsock.New(parentEnd), func() { childEnd.Close(); self.Close() }, nil
}

// cloneAttr is how the init is cloned: its new namespaces, the
// parent-death signal.
func cloneAttr() (*syscall.SysProcAttr, error) {
	flags, err := namespace.CloneFlags(Namespaces...)
	if err != nil {
		return nil, err
	}
	// The container does not outlive goC; the signal is tied to the
	// thread that forks the init: keep this goroutine on it.
	runtime.LockOSThread()
	return &syscall.SysProcAttr{Cloneflags: flags, Pdeathsig: syscall.SIGKILL}, nil
}

// handshake takes the init from its config to ready.
func (ct *container) handshake(cfg Config) error {
	if err := ct.conn.Send(cfg); err != nil {
		return fmt.Errorf("send config: %w", err)
	}
	var err error
	if ct.master, err = awaitReady(ct.conn); err != nil {
		return err
	}
	return nil
}

// destroy undoes create: kills what is left.
func (ct *container) destroy() {
	if ct.stop != nil {
		ct.stop()
	}
	if ct.cmd != nil && ct.cmd.Process != nil {
		_ = ct.cmd.Process.Kill()
		_ = ct.cmd.Wait()
	}
	if ct.conn != nil {
		ct.conn.Close()
	}
	if ct.master != nil {
		ct.master.Close()
	}
}
