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

	"goc.dev/shared/cgroups"
	"goc.dev/shared/exe"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/spec"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// ExecOptions describe one more process for a running container.
type ExecOptions struct {
	Root, ID      string
	Plan          spec.Plan // the process: args, env, cwd, user, capabilities, seccomp…
	Detach        bool
	PidFile       string
	ConsoleSocket string
	Preserved     []*os.File // handed on at 3, 4, … (--preserve-fds)
}

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
	c, err := state.Load(o.Root, o.ID)
	if err != nil {
		return 0, err
	}
	st, err := c.Read()
	if err != nil {
		return 0, fmt.Errorf("container %s is still being created", o.ID)
	}
	if s := c.Status(st); s != state.Running && s != state.Created {
		return 0, fmt.Errorf("cannot exec in container %s: it is %s", o.ID, s)
	}
	if frozen(st) {
		return 0, fmt.Errorf("cannot exec in container %s: it is paused", o.ID)
	}
	if same, err := sameNS(st.Pid, "user"); err != nil {
		return 0, err
	} else if !same {
		return 0, errors.New("exec into a container with a user namespace is not supported by goC")
	}

	h, err := cgroups.Detect()
	if err != nil {
		return 0, err
	}
	cg, err := cgroups.Open(h, st.CgroupParent, st.CgroupName)
	if err != nil {
		return 0, err
	}
	joins, err := cg.JoinFiles()
	if err != nil {
		return 0, err
	}
	defer closeAll(joins)
	var nsFiles []*os.File
	defer func() { closeAll(nsFiles) }()
	for _, t := range execNamespaces {
		if same, err := sameNS(st.Pid, t); err != nil || same {
			continue // shared with the host (or not there): nothing to join
		}
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", st.Pid, t))
		if err != nil {
			return 0, fmt.Errorf("exec: %s namespace: %w", t, err)
		}
		nsFiles = append(nsFiles, f)
	}
	if !process.Alive(st.Pid, st.Start) { // the namespaces above are its, not a new PID's
		return 0, fmt.Errorf("cannot exec in container %s: it is stopped", o.ID)
	}

	self, err := exe.Sealed()
	if err != nil {
		return 0, err
	}
	defer self.Close()
	parentEnd, childEnd, err := syncsock.Pair()
	if err != nil {
		return 0, err
	}
	conn := syncsock.New(parentEnd)
	defer conn.Close()
	cfg := InitConfig{Plan: o.Plan, CgroupFds: len(joins), Exec: true, PreserveFds: len(o.Preserved)}
	foreground := !o.Detach && o.ConsoleSocket == ""
	if o.Plan.Terminal && foreground && pty.IsTerminal(os.Stdin) {
		cfg.Winsize = pty.Size(os.Stdin)
	}
	cmd := &exec.Cmd{
		Path:        exe.Path(self),
		Args:        []string{"goC", "init"},
		Env:         []string{},
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		ExtraFiles:  append(append([]*os.File{childEnd, childEnd}, joins...), o.Preserved...), // 3: sync, 4: (no fifo), 5…: cgroup, preserved
		SysProcAttr: &syscall.SysProcAttr{Setsid: o.Plan.Terminal},
	}
	err = startIn(nsFiles, cmd)
	childEnd.Close()
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	stop := process.Forward(cmd.Process.Pid)
	defer stop()
	failed := func(err error) (int, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return ExitStatus(err), err
	}

	if err := conn.Send(cfg); err != nil {
		return failed(fmt.Errorf("send config: %w", err))
	}
	master, err := awaitReady(conn, nil)
	if err != nil {
		return failed(err)
	}
	var relayed <-chan struct{}
	if master != nil {
		if o.ConsoleSocket != "" {
			err = sendConsole(o.ConsoleSocket, master)
			master.Close()
		} else if !foreground {
			master.Close()
			err = errors.New("--tty needs --console-socket with --detach")
		} else {
			defer master.Close()
			restore, rerr := pty.MakeRaw(os.Stdin)
			if rerr == nil {
				defer restore()
			}
			relayed = pty.Relay(master, os.Stdin, os.Stdout)
		}
		if err != nil {
			return failed(err)
		}
	}
	if err := conn.Send(syncsock.Message{Type: syncsock.Go}); err != nil {
		return failed(err)
	}
	if err := awaitExec(conn); err != nil {
		return failed(err)
	}
	if o.PidFile != "" {
		if err := state.WriteAtomic(o.PidFile, []byte(fmt.Sprint(cmd.Process.Pid)), 0o644); err != nil {
			return failed(fmt.Errorf("pid file: %w", err))
		}
	}
	if o.Detach {
		_ = cmd.Process.Release() // the caller (a shim, conmon) reaps it as subreaper
		return 0, nil
	}
	err = cmd.Wait()
	if relayed != nil {
		<-relayed
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return process.StatusRuntimeError, err
	}
	return process.ExitStatus(cmd.ProcessState.Sys().(syscall.WaitStatus)), nil
}

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
