package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/exe"
	"goc.dev/shared/hooks"
	"goc.dev/shared/namespace"
	"goc.dev/shared/network"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/spec"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// container is one container between create and the end of goC's part in
// it.
type container struct {
	o      Options
	c      *state.Container
	cmd    *exec.Cmd
	conn   *syncsock.Conn
	cg     cgroups.Manager
	nw     *network.Attachment
	master *os.File // the terminal, when goC relays it
	stop   func()   // signal forwarding
}

// create sets a container up and leaves its init waiting on the exec fifo:
//
//	parent (goC create / run)             init (goC init, in the namespaces)
//	  state dir, cgroup, network lease,
//	  exec fifo; start with clone flags ────▶
//	  config ───────────────────────────────▶ mounts, pivot_root, /dev, masked
//	                                           paths, hostname
//	          ◀─────────────────────────────── pty + master fd   (with a terminal)
//	          ◀─────────────────────────────── ready  | error{msg, code}
//	  wire its network namespace
//	  go ───────────────────────────────────▶ join the cgroup, rlimits, user,
//	                                           capabilities, cwd, find the command
//	          ◀─────────────────────────────── waiting | error
//	  state.json, pid file                    open the exec fifo: blocks until
//	                                           start opens it, then exec
//
// Every resource taken has its undo on the failure path.
func create(o Options) (_ *container, retErr error) {
	ct := &container{o: o}
	c, err := state.Create(o.Root, o.ID)
	if err != nil {
		return nil, err
	}
	ct.c = c
	unlock, err := c.Lock()
	if err != nil {
		c.Remove()
		return nil, err
	}
	defer unlock()
	defer func() {
		if retErr != nil {
			ct.destroy()
		}
	}()

	if o.Plan.Overlay != nil {
		for _, d := range []string{o.Plan.Overlay.Upper, o.Plan.Overlay.Work, o.Plan.Rootfs} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("writable layer: %w", err)
			}
		}
	}
	if ct.cg, err = createCgroup(o.Runtime); err != nil {
		return nil, err
	}
	if ct.nw, err = network.Reserve(o.Network, o.ID, o.Plan.Hostname); err != nil {
		return nil, err
	}
	cfg := InitConfig{Plan: o.Plan, Files: ct.nw.Files(), CgroupNS: o.Runtime.CgroupNS, PreserveFds: len(o.Preserved)}
	cfg.Plan.Mounts, cfg.DevTmpfs = cgroupMounts(o.Plan.Mounts, ct.cg)
	userns := hasNS(o.Runtime.Namespaces, namespace.User)
	if userns && cfg.DevTmpfs {
		// No mknod in a user namespace: bind the host's device nodes.
		cfg.Plan.Mounts = deviceBinds(cfg.Plan.Mounts)
	}
	if h := o.Runtime.Hooks; h != nil {
		cfg.PauseForHooks = len(h.Prestart)+len(h.CreateRuntime)+len(h.CreateContainer) > 0
		cfg.CreateContainer, cfg.StartContainer = h.CreateContainer, h.StartContainer
	}
	if o.Plan.Terminal && o.Foreground && pty.IsTerminal(os.Stdin) {
		cfg.Winsize = pty.Size(os.Stdin)
	}

	// 0622: the init opens it for writing after it has become the
	// container's user (the state directory, 0711, keeps others from
	// finding it).
	if err := unix.Mkfifo(c.Fifo(), 0o622); err != nil {
		return nil, &os.PathError{Op: "mkfifo", Path: c.Fifo(), Err: err}
	}
	if err := os.Chmod(c.Fifo(), 0o622); err != nil {
		return nil, err
	}
	fifo, err := os.OpenFile(c.Fifo(), unix.O_PATH, 0)
	if err != nil {
		return nil, err
	}
	defer fifo.Close()

	// The init runs from a sealed copy of goC, never from goC's file on disk.
	self, err := exe.Sealed()
	if err != nil {
		return nil, err
	}
	defer self.Close()
	parentEnd, childEnd, err := syncsock.Pair()
	if err != nil {
		return nil, err
	}
	ct.conn = syncsock.New(parentEnd)
	joins, err := ct.cg.JoinFiles()
	if err != nil {
		childEnd.Close()
		return nil, err
	}
	cfg.CgroupFds = len(joins)
	var nsFiles []*os.File
	defer func() {
		for _, f := range nsFiles {
			f.Close()
		}
	}()
	for _, t := range []namespace.Type{namespace.Network, namespace.UTS, namespace.IPC} {
		if p, ok := o.Runtime.Join[t]; ok {
			f, err := os.Open(p)
			if err != nil {
				childEnd.Close()
				return nil, fmt.Errorf("join %s namespace: %w", t, err)
			}
			nsFiles = append(nsFiles, f)
			cfg.Joins = append(cfg.Joins, t)
		}
	}

	ns := o.Runtime.Namespaces
	if o.Network.Mode != network.ModeHost && !hasNS(ns, namespace.Network) {
		ns = append(ns[:len(ns):len(ns)], namespace.Network)
	}
	flags, err := namespace.CloneFlags(ns...)
	if err != nil {
		return nil, err
	}
	attr := &syscall.SysProcAttr{Cloneflags: flags, Setsid: true}
	if userns {
		// Go writes the maps between clone and the init's exec.
		attr.UidMappings = idMaps(o.Runtime.UIDMappings)
		attr.GidMappings = idMaps(o.Runtime.GIDMappings)
		attr.GidMappingsEnableSetgroups = true
		// Become the namespace's root (host uid HostID of the mapping):
		// goC's own uid 0 is not mapped there, and only the namespace's
		// root gets its capabilities across the init's exec.
		attr.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
	}
	if o.Foreground {
		// The container does not outlive a goC run; Pdeathsig is tied
		// to the forking thread, so keep it.
		runtime.LockOSThread()
		attr.Pdeathsig = syscall.SIGKILL
	}
	ct.cmd = &exec.Cmd{
		Path:        exe.Path(self),
		Args:        []string{"goC", "init"},
		Env:         []string{}, // nothing of goC's environment reaches the container
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		ExtraFiles:  append(append(append([]*os.File{childEnd, fifo}, joins...), nsFiles...), o.Preserved...), // fds 3, 4, 5…
		SysProcAttr: attr,
	}
	err = ct.cmd.Start()
	childEnd.Close()
	for _, f := range joins {
		f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("start container init: %w", err)
	}
	if o.Foreground {
		// From here on goC's signals are the container's: during setup
		// they end the init (and goC with an error).
		ct.stop = process.Forward(ct.cmd.Process.Pid)
	}

	if err := ct.conn.Send(cfg); err != nil {
		return nil, fmt.Errorf("send config: %w", err)
	}
	master, err := awaitReady(ct.conn, ct.createHooks)
	if err != nil {
		return nil, err
	}
	if master != nil {
		if err := ct.takeTerminal(master); err != nil {
			return nil, err
		}
	}
	if err := ct.nw.Attach(ct.cmd.Process.Pid); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	goMsg := syncsock.Message{Type: syncsock.Go}
	if len(cfg.StartContainer) > 0 {
		if goMsg.State, err = json.Marshal(ct.ociState(state.Created)); err != nil {
			return nil, err
		}
	}
	if err := ct.conn.Send(goMsg); err != nil {
		return nil, fmt.Errorf("start workload: %w", err)
	}
	if err := await(ct.conn, syncsock.Waiting); err != nil {
		return nil, err
	}

	pid := ct.cmd.Process.Pid
	st := &state.State{
		OCIVersion: specs.Version, ID: o.ID, Pid: pid, Bundle: o.Bundle, Annotations: o.Annotations,
		Rootfs: o.Plan.Rootfs, Created: time.Now().UTC(),
		CgroupParent: o.Runtime.CgroupParent, CgroupName: o.Runtime.CgroupName,
		Image: o.Image, Layer: o.Layer, Hooks: o.Runtime.Hooks,
	}
	if st.Start, err = process.StartTime(pid); err != nil {
		return nil, err
	}
	if o.Foreground {
		me := &state.Owner{PID: os.Getpid()}
		if me.Start, err = process.StartTime(me.PID); err != nil {
			return nil, err
		}
		st.RunBy = me
	}
	if err := c.Save(st); err != nil {
		return nil, err
	}
	if o.PidFile != "" {
		if err := state.WriteAtomic(o.PidFile, []byte(fmt.Sprint(pid)), 0o644); err != nil {
			return nil, fmt.Errorf("pid file: %w", err)
		}
	}
	return ct, nil
}

// ociState is the state hooks get on their stdin.
func (ct *container) ociState(status string) specs.State {
	return specs.State{Version: specs.Version, ID: ct.o.ID, Status: specs.ContainerState(status), Pid: ct.cmd.Process.Pid,
		Bundle: ct.o.Bundle, Annotations: ct.o.Annotations}
}

// createHooks runs prestart and createRuntime hooks while the init waits
// before its pivot, and answers with the state for createContainer's.
func (ct *container) createHooks() (syncsock.Message, error) {
	st := ct.ociState(state.Creating)
	h := ct.o.Runtime.Hooks
	if err := hooks.Run("prestart", h.Prestart, st); err != nil {
		return syncsock.Message{}, err
	}
	if err := hooks.Run("createRuntime", h.CreateRuntime, st); err != nil {
		return syncsock.Message{}, err
	}
	b, err := json.Marshal(st)
	return syncsock.Message{Type: syncsock.HooksDone, State: b}, err
}

// started runs the poststart hooks once the process runs; their failure is
// a warning (runtime-spec).
func started(st *state.State) {
	if st.Hooks == nil {
		return
	}
	s := specs.State{Version: specs.Version, ID: st.ID, Status: specs.StateRunning, Pid: st.Pid, Bundle: st.Bundle, Annotations: st.Annotations}
	if err := hooks.Run("poststart", st.Hooks.Poststart, s); err != nil {
		slog.Warn(err.Error())
	}
}

// stopped runs the poststop hooks once the container is deleted; their
// failure is a warning.
func stopped(st *state.State) {
	if st == nil || st.Hooks == nil {
		return
	}
	s := specs.State{Version: specs.Version, ID: st.ID, Status: specs.StateStopped, Bundle: st.Bundle, Annotations: st.Annotations}
	if err := hooks.Run("poststop", st.Hooks.Poststop, s); err != nil {
		slog.Warn(err.Error())
	}
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

// takeTerminal sends the master end to the console socket, or keeps it to
// relay it to goC's own terminal (run in the foreground).
func (ct *container) takeTerminal(master *os.File) error {
	if ct.o.ConsoleSocket != "" {
		defer master.Close()
		return sendConsole(ct.o.ConsoleSocket, master)
	}
	if !ct.o.Foreground {
		master.Close()
		return errors.New("process.terminal is set: give --console-socket to receive the terminal")
	}
	ct.master = master
	return nil
}

// sendConsole passes the terminal's master end over a unix socket
// (SCM_RIGHTS), as runc does for container managers.
func sendConsole(path string, master *os.File) error {
	c, err := net.Dial("unix", path)
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	defer c.Close()
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("console socket %s is not a unix socket", path)
	}
	_, _, err = uc.WriteMsgUnix([]byte(master.Name()), unix.UnixRights(int(master.Fd())), nil)
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	return nil
}

// createCgroup makes the container's cgroup with its limits, after
// removing any that goCs which died left behind.
func createCgroup(rt spec.Runtime) (cgroups.Manager, error) {
	h, err := cgroups.Detect()
	if err != nil {
		return nil, err
	}
	if n, err := cgroups.Reclaim(h, rt.CgroupParent); err != nil {
		slog.Warn("reclaiming cgroups left by earlier runs", "err", err)
	} else if n > 0 {
		slog.Info("reclaimed cgroups left by goCs that died", "count", n)
	}
	cg, err := cgroups.Create(h, rt.CgroupParent, rt.CgroupName)
	if err != nil {
		return nil, err
	}
	if err := cg.Apply(rt.Resources); err != nil {
		_ = cg.Destroy()
		return nil, err
	}
	slog.Debug("cgroup", "mode", h.Mode(), "path", cg.Path())
	return cg, nil
}

// cgroupMounts replaces "cgroup" mounts with what the container may see of
// the cgroup tree: its own cgroup, read-only (v2: one bind; v1: a tmpfs with
// a bind per hierarchy). It also reports whether /dev is a fresh tmpfs.
func cgroupMounts(ms []spec.Mount, cg cgroups.Manager) (out []spec.Mount, devTmpfs bool) {
	for _, m := range ms {
		if m.Destination == "/dev" && m.Type == "tmpfs" {
			devTmpfs = true
		}
		if m.Type != "cgroup" && m.Type != "cgroup2" {
			out = append(out, m)
			continue
		}
		flags := (m.Flags | unix.MS_BIND | unix.MS_REC) &^ unix.MS_RELATIME
		dirs := cg.Dirs()
		if d, ok := dirs[""]; ok {
			out = append(out, spec.Mount{Source: d, Destination: m.Destination, Type: "bind", Flags: flags})
			continue
		}
		out = append(out, spec.Mount{Source: "tmpfs", Destination: m.Destination, Type: "tmpfs",
			Flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, Data: "mode=755"})
		for name, d := range dirs {
			out = append(out, spec.Mount{Source: d, Destination: filepath.Join(m.Destination, name), Type: "bind", Flags: flags})
		}
	}
	return out, devTmpfs
}

// deviceBinds adds, after the /dev tmpfs, binds of the host's standard
// device nodes (a user namespace may not mknod).
func deviceBinds(ms []spec.Mount) []spec.Mount {
	var out []spec.Mount
	for _, m := range ms {
		out = append(out, m)
		if m.Destination == "/dev" && m.Type == "tmpfs" {
			for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
				out = append(out, spec.Mount{Source: "/dev/" + d, Destination: "/dev/" + d, Type: "bind", Flags: unix.MS_BIND})
			}
		}
	}
	return out
}

func idMaps(ms []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(ms))
	for i, m := range ms {
		out[i] = syscall.SysProcIDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)}
	}
	return out
}

// startContainer lets the init exec: open the exec fifo for reading and
// read its byte. With startContainer or poststart hooks it then reads on to
// the end — the init's end closes when it execs the workload
// (close-on-exec), after its startContainer hooks; anything written before
// that end is why it failed — so that start reports their failure and
// poststart follows the process's start. Without hooks it returns at once,
// as runc does (a manager attaching to the terminal after start loses
// less of a quick process's output). pid is the init, watched so that a
// dead one is an error rather than a hang.
func startContainer(c *state.Container, st *state.State) error {
	pid, startTime := st.Pid, st.Start
	toExec := st.Hooks != nil && len(st.Hooks.StartContainer)+len(st.Hooks.Poststart) > 0
	f, err := os.OpenFile(c.Fifo(), os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("container is not waiting to start: %w", err)
	}
	defer f.Close()
	defer os.Remove(c.Fifo())
	buf := make([]byte, 4096)
	var got []byte
	for {
		n, err := unix.Read(int(f.Fd()), buf)
		switch {
		case n > 0:
			got = append(got, buf[:n]...)
			if !toExec {
				return nil
			}
			continue
		case n == 0 && err == nil && len(got) > 0: // the end, after the byte
			if len(got) > 1 {
				return errors.New(string(got[1:]))
			}
			return nil
		case err != nil && err != unix.EAGAIN:
			return fmt.Errorf("exec fifo: %w", err)
		}
		if len(got) == 0 && !process.Alive(pid, startTime) {
			return errors.New("container init exited before start")
		}
		fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
		_, _ = unix.Poll(fds, 50)
	}
}

// Start starts a created container.
func Start(root, cid string) error {
	c, st, unlock, err := loadLocked(root, cid)
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
	started(st)
	return nil
}

// Run creates and starts a container; in the foreground it then waits for
// it, relaying signals and the terminal, and deletes it.
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
		st, err := ct.c.Read()
		if err != nil {
			return res, err
		}
		if err := startContainer(ct.c, st); err != nil {
			return res, err
		}
		started(st)
		return res, nil
	}
	defer func() {
		if s, err := ct.cg.Stats(); err == nil {
			res.Stats = s
		}
		if err := ct.destroy(); err != nil && retErr == nil {
			retErr = err
		}
	}()

	var relayed <-chan struct{}
	if ct.master != nil {
		restore, err := pty.MakeRaw(os.Stdin)
		if err != nil {
			return res, err
		}
		defer restore()
		relayed = pty.Relay(ct.master, os.Stdin, os.Stdout)
	}
	st, err := ct.c.Read()
	if err != nil {
		return res, err
	}
	if err := startContainer(ct.c, st); err != nil {
		return res, err
	}
	if err := awaitExec(ct.conn); err != nil {
		return Result{Status: ExitStatus(err)}, err
	}
	started(st)
	defer stopped(st) // after the deferred destroy above: the container is gone
	if o.OnStart != nil {
		o.OnStart(res.IP)
	}
	err = ct.cmd.Wait()
	if relayed != nil {
		<-relayed // the master reads EIO once the container's side is gone
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return res, fmt.Errorf("wait for workload: %w", err)
	}
	res.Status = process.ExitStatus(ct.cmd.ProcessState.Sys().(syscall.WaitStatus))
	return res, nil
}

// reclaim deletes the containers of foreground runs whose goC died (killed
// with SIGKILL, it could not clean up; its container died with it).
func reclaim(root string) {
	cs, err := state.List(root)
	if err != nil {
		return
	}
	for _, c := range cs {
		if st, err := c.Read(); err == nil && st.Orphaned() {
			if err := Delete(root, c.ID, true); err != nil {
				slog.Warn("deleting a container left by a goC that died", "id", c.ID, "err", err)
			}
		}
	}
}

// destroy undoes create: kills what is left, removes the cgroup, releases
// the network and removes the state directory.
func (ct *container) destroy() error {
	var errs []error
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
	if ct.cg != nil {
		errs = append(errs, ct.cg.Destroy())
	}
	if ct.nw != nil {
		errs = append(errs, ct.nw.Release())
	}
	if ct.o.Layer != "" {
		errs = append(errs, os.RemoveAll(ct.o.Layer))
	}
	errs = append(errs, ct.c.Remove())
	return errors.Join(errs...)
}

// awaitReady reads the init's messages up to "ready", keeping the
// terminal's master end if one is sent.
func awaitReady(conn *syncsock.Conn, onHooks func() (syncsock.Message, error)) (*os.File, error) {
	var master *os.File
	for {
		var m syncsock.Message
		f, err := conn.RecvFile(&m)
		if err == io.EOF {
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

// await reads one message, which must be want.
func await(conn *syncsock.Conn, want string) error {
	var m syncsock.Message
	switch err := conn.Recv(&m); {
	case err == io.EOF:
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

// awaitExec returns once the init has exec'd the workload: the socket is
// close-on-exec there, so success reads as end-of-file.
func awaitExec(conn *syncsock.Conn) error {
	var m syncsock.Message
	switch err := conn.Recv(&m); {
	case err == io.EOF:
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

// ExitStatus is the status goC exits with for err.
func ExitStatus(err error) int {
	var ie *initError
	if errors.As(err, &ie) && ie.m.Code != 0 {
		return ie.m.Code
	}
	return process.StatusRuntimeError
}

func hasNS(ts []namespace.Type, t namespace.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}
