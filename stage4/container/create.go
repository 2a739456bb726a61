package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/console"
	"goc.dev/shared/exe"
	"goc.dev/shared/hooks"
	"goc.dev/shared/initproc"
	"goc.dev/shared/namespace"
	"goc.dev/shared/network"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/seccomp"
	"goc.dev/shared/spec"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// container is one container between create and the end of goC's part in
// it. It owns what create takes; destroy gives all of it back.
type container struct {
	o      Options
	c      *state.Container
	cmd    *exec.Cmd
	conn   *syncsock.Conn
	cg     cgroups.Manager
	cgp    *cgroups.Pending // the cgroup, made while the init starts
	nw     *network.Attachment
	master *os.File     // the terminal, when goC relays it
	st     *state.State // state.json as record wrote it
	// goC's signals, the container's in the foreground: caught from the
	// start of create, passed on once the init exists.
	signals *process.Forwarder
	bound   bool // the rootfs is bound on itself in goC's mount namespace
}

// create sets a container up and leaves its init waiting on the exec fifo:
//
//	parent (goC create / run)             init (goC-init, in the namespaces)
//	  reserve: state dir, network lease, exec fifo
//	  begin the cgroup, start the init ────▶ (its Go runtime starts)
//	  with clone flags; finish the cgroup
//	  config, cgroup files ─────────────────▶ mounts, pivot_root, /dev, masked
//	                                           paths, hostname
//	          ◀─────────────────────────────── pty + master fd   (with a terminal)
//	          ◀─────────────────────────────── ready  | error{msg, code}
//	  wire its network namespace
//	  go ───────────────────────────────────▶ join the cgroup, rlimits, user,
//	                                           capabilities, cwd, find the command
//	          ◀─────────────────────────────── waiting | error
//	  record: state.json, pid file            open the exec fifo: blocks until
//	                                           start opens it, then exec
//
// Each step keeps what it takes in ct; if one fails, destroy undoes them
// all. What the init or a hook reports goes out as it is: the user's
// problem, in its own words.
func create(o Options) (_ *container, retErr error) {
	c, err := state.Create(o.Root, o.ID)
	if err != nil {
		return nil, err
	}
	ct := &container{o: o, c: c}
	unlock, err := c.Lock()
	if err != nil {
		c.Remove()
		return nil, fmt.Errorf("create: %w", err)
	}
	defer unlock()
	defer func() {
		if retErr != nil {
			ct.destroy()
		}
	}()
	if o.Foreground {
		ct.signals = process.Catch()
	}
	if err := ct.reserve(); err != nil {
		return nil, err
	}
	fds, err := ct.startInit()
	if err != nil {
		return nil, err
	}
	if err := ct.handshake(fds); err != nil {
		return nil, err
	}
	if err := ct.record(); err != nil {
		return nil, fmt.Errorf("create: record: %w", err)
	}
	return ct, nil
}

// reserve takes what the container needs before its init exists: its
// writable layer, its network lease and the exec fifo. (Its cgroup comes
// with the init: startCgroup.)
func (ct *container) reserve() error {
	o := ct.o
	if o.Plan.Overlay != nil {
		for _, d := range []string{o.Plan.Overlay.Upper, o.Plan.Overlay.Work, o.Plan.Rootfs} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("create: writable layer: %w", err)
			}
		}
	}
	var err error
	if ct.nw, err = network.Reserve(o.Network, o.ID, o.Plan.Hostname); err != nil {
		return err // names the network, the port or the address
	}
	if err := ct.c.MakeFifo(); err != nil {
		return fmt.Errorf("create: exec fifo: %w", err)
	}
	if o.Runtime.NoMountNS { // its mounts on a bind, which destroy detaches
		if err := unix.Mount(o.Plan.Rootfs, o.Plan.Rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return &os.PathError{Op: "create: bind rootfs", Path: o.Plan.Rootfs, Err: err}
		}
		ct.bound = true
	}
	return nil
}

// startCgroup begins to make the container's cgroup: the init starts
// meanwhile (cgp.CloneInto), and handshake waits for the cgroup before it
// sends the config, which names its directories.
func (ct *container) startCgroup() {
	rt := ct.o.Runtime
	ct.cgp = cgroups.Begin(func(cloneDir func(string)) (cgroups.Manager, error) {
		return createCgroup(rt.CgroupParent, rt.CgroupName, rt.Resources, rt.CgroupBases, cloneDir)
	})
}

// cgroupFailed is err, for a step of startInit, unless the cgroup failed:
// then the cgroup2 directory that failure removed was no place to clone the
// init into (ENOENT), and the cgroup's error is the one to tell.
func (ct *container) cgroupFailed(err error) error {
	if cgErr := ct.cgroup(); cgErr != nil {
		return cgErr
	}
	return err
}

// cgroup waits for the cgroup startCgroup is making and sets ct.cg.
func (ct *container) cgroup() error {
	if ct.cgp == nil || ct.cg != nil {
		return nil
	}
	cg, err := ct.cgp.Wait()
	if err != nil {
		return fmt.Errorf("create: cgroup: %w", err)
	}
	ct.cg = cg
	return nil
}

// initConfig is what the init is told, but for the descriptors (startInit
// lays them out).
func (ct *container) initConfig() initproc.Config {
	o := ct.o
	cfg := initproc.Config{Plan: o.Plan, Files: ct.nw.Files(), CgroupNS: o.Runtime.CgroupNS, NoMountNS: ct.bound}
	cfg.Plan.Mounts = cgroups.Mounts(o.Plan.Mounts, ct.cg.Dirs())
	cfg.DevTmpfs = slices.ContainsFunc(cfg.Plan.Mounts, isDevTmpfs)
	if slices.Contains(o.Runtime.Namespaces, namespace.User) {
		if cfg.DevTmpfs { // no mknod in a user namespace: bind the host's device nodes
			cfg.Plan.Mounts = deviceBinds(cfg.Plan.Mounts)
		}
		cfg.Sources = rootfs.Binds(cfg.Plan.Mounts) // goC opens them: the init may not reach them
	}
	if h := o.Runtime.Hooks; h != nil {
		cfg.PauseForHooks = len(h.Prestart)+len(h.CreateRuntime)+len(h.CreateContainer) > 0
		cfg.CreateContainer, cfg.StartContainer = h.CreateContainer, h.StartContainer
	}
	cfg.Winsize = pty.StartSize(o.Foreground && o.ConsoleSocket == "", o.Plan.ConsoleSize)
	return cfg
}

// startInit starts the init in new namespaces, with the descriptors it
// needs, and returns where it finds them.
func (ct *container) startInit() (initproc.Fds, error) {
	cmd, conn, p, err := newInit()
	if err != nil {
		return initproc.Fds{}, fmt.Errorf("create: %w", err)
	}
	ct.conn = conn
	conn.Handle(syncsock.Seccomp, func(f *os.File) error {
		return seccomp.HandOff(ct.o.Plan.Seccomp, f, cmd.Process.Pid, ct.ociState(state.Creating))
	})
	defer p.close()
	fds, err := ct.initFds(p)
	if err != nil {
		return fds, fmt.Errorf("create: %w", err)
	}
	if cmd.SysProcAttr, err = ct.cloneAttr(); err != nil {
		return fds, fmt.Errorf("create: %w", err)
	}
	// Those named by path: the thread that forks enters them first, as
	// runc's nsexec does (a pid namespace is only ever a child's).
	joins, err := namespace.OpenPaths(ct.o.Runtime.Join)
	if err != nil {
		return fds, fmt.Errorf("create: %w", err)
	}
	defer joins.Close()
	// A hybrid host's cgroup2 is joined at clone, the rest late, through
	// files handshake sends.
	ct.startCgroup()
	into, err := ct.cgp.CloneInto(cmd.SysProcAttr)
	if p.owned = append(p.owned, into...); err != nil {
		return fds, ct.cgroupFailed(fmt.Errorf("create: cgroup: %w", err))
	}
	cmd.ExtraFiles = p.extra
	if err := joins.Start(cmd); err != nil {
		return fds, ct.cgroupFailed(fmt.Errorf("create: start container init: %w", err))
	}
	ct.cmd = cmd
	if ct.signals != nil {
		// From here on goC's signals are the container's: during setup
		// they end the init (and goC with an error).
		ct.signals.To(cmd.Process.Pid)
	}
	return fds, nil
}

// newInit prepares goC-init, the program beside goC, as exe opens it (not a
// writable file on disk), with goC's stdio and nothing of its environment,
// and the sync socket: the parent's end, and p, which passes the init's end
// (at initproc.SyncFd) and closes the parent's copies once the init has started.
func newInit() (*exec.Cmd, *syncsock.Conn, *passing, error) {
	self, err := exe.ProtectedBeside("goC-init")
	if err != nil {
		return nil, nil, nil, err
	}
	parentEnd, childEnd, err := syncsock.Pair()
	if err != nil {
		self.Close()
		return nil, nil, nil, err
	}
	p := newPassing(childEnd)
	p.owned = append(p.owned, self)
	cmd := &exec.Cmd{Path: exe.Path(self), Args: []string{"goC-init"}, Env: []string{},
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	return cmd, syncsock.New(parentEnd), p, nil
}

// initFds opens what the init is passed at clone besides the sync socket:
// the exec fifo and the caller's preserved descriptors. (The files to join
// the cgroup through come with the config: see handshake.)
func (ct *container) initFds(p *passing) (initproc.Fds, error) {
	var l initproc.Fds
	fifo, err := os.OpenFile(ct.c.Fifo(), unix.O_PATH, 0)
	if err != nil {
		return l, err
	}
	l.Fifo = p.own(fifo)[0]
	l.Preserved = p.pass(ct.o.Preserved...)
	return l, nil
}

// cloneAttr is how the init is cloned: its new namespaces, its user
// namespace's maps, the parent-death signal.
func (ct *container) cloneAttr() (*syscall.SysProcAttr, error) {
	rt := ct.o.Runtime
	ns := rt.Namespaces
	if ct.o.Network.Mode != network.ModeHost && !slices.Contains(ns, namespace.Network) {
		ns = append(ns[:len(ns):len(ns)], namespace.Network)
	}
	flags, err := namespace.CloneFlags(ns...)
	if err != nil {
		return nil, err
	}
	attr := &syscall.SysProcAttr{Cloneflags: flags, Setsid: true}
	if ct.o.Foreground {
		// The container does not outlive a goC run; the signal is tied
		// to the thread that forks the init: keep this goroutine on it
		// (namespace.Set's Start keeps its own, when it forks).
		runtime.LockOSThread()
		attr.Pdeathsig = syscall.SIGKILL
	}
	if slices.Contains(ns, namespace.User) {
		// Go writes the maps between clone and the init's exec.
		attr.UidMappings = namespace.IDMaps(rt.UIDMappings)
		attr.GidMappings = namespace.IDMaps(rt.GIDMappings)
		attr.GidMappingsEnableSetgroups = true
		// Become the namespace's root (host uid HostID of the mapping):
		// goC's own uid 0 is not mapped there, and only the namespace's
		// root gets its capabilities across the init's exec.
		attr.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
	}
	return attr, nil
}

// handshake takes the init from its config to waiting on the exec fifo.
// The config names the cgroup's directories (bound on the container's
// /sys/fs/cgroup) and the files to join it through follow it: it waits
// for the cgroup first, while the init starts.
func (ct *container) handshake(fds initproc.Fds) error {
	if err := ct.cgroup(); err != nil {
		return err
	}
	cfg := ct.initConfig()
	cfg.Fds = fds
	cfg.Pdeathsig = int(ct.cmd.SysProcAttr.Pdeathsig) // the init sets it (again) once it has its user
	if err := ct.sendConfig(cfg); err != nil {
		return err
	}
	if err := rootfs.SendSources(ct.conn, ct.cmd.Process.Pid, cfg.Plan.Mounts, cfg.Sources); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	master, err := awaitReady(ct.conn, ct.createHooks)
	if err != nil {
		return err
	}
	ct.master, err = takeTerminal(master, ct.o.ConsoleSocket, ct.o.Foreground,
		"process.terminal is set: give --console-socket to receive the terminal")
	if err != nil {
		return err
	}
	// The init's network namespace exists now: wire it before the
	// workload runs.
	if err := ct.nw.Attach(ct.cmd.Process.Pid); err != nil {
		return fmt.Errorf("create: network: %w", err)
	}
	goMsg := syncsock.Message{Type: syncsock.Go}
	if len(cfg.StartContainer) > 0 {
		if goMsg.State, err = json.Marshal(ct.ociState(state.Created)); err != nil {
			return fmt.Errorf("create: %w", err)
		}
	}
	if err := ct.conn.Send(goMsg); err != nil {
		return fmt.Errorf("create: start workload: %w", err)
	}
	return await(ct.conn, syncsock.Waiting)
}

// sendConfig sends the init its config and the files it joins the cgroup
// through (it cannot reach the host's cgroupfs once it has pivoted).
func (ct *container) sendConfig(cfg initproc.Config) error {
	late, err := cgroups.LateJoinFiles(ct.cg)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if err := cfg.Send(ct.conn, late); err != nil {
		return fmt.Errorf("create: send config: %w", err)
	}
	return nil
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

// takeTerminal hands on the terminal's master end the init sent (nil
// without a terminal): to the console socket if there is one, else it
// returns it for goC to relay to its own terminal (in the foreground).
// noSocket says what is missing when neither can be.
func takeTerminal(master *os.File, socket string, foreground bool, noSocket string) (*os.File, error) {
	switch {
	case master == nil:
		return nil, nil
	case socket != "":
		defer master.Close()
		return nil, console.Send(socket, master)
	case !foreground:
		master.Close()
		return nil, errors.New(noSocket)
	}
	return master, nil
}

// record writes state.json, which makes the container "created", and the
// pid file.
func (ct *container) record() error {
	o, pid := ct.o, ct.cmd.Process.Pid
	st := &state.State{
		OCIVersion: specs.Version, ID: o.ID, Pid: pid, Bundle: o.Bundle, Annotations: o.Annotations,
		Rootfs: o.Plan.Rootfs, Created: time.Now().UTC(),
		CgroupParent: o.Runtime.CgroupParent, CgroupName: o.Runtime.CgroupName, CgroupBases: o.Runtime.CgroupBases,
		Image: o.Image, Layer: o.Layer, Hooks: o.Runtime.Hooks, Bound: ct.bound,
	}
	var err error
	if st.Start, err = process.StartTime(pid); err != nil {
		return err
	}
	if o.Foreground && !o.Keep { // a kept container outlives its goC run: no orphan
		if st.RunBy, err = state.Self(); err != nil {
			return err
		}
	}
	if err := ct.c.Save(st); err != nil {
		return err
	}
	ct.st = st
	if o.PidFile != "" {
		if err := state.WriteAtomic(o.PidFile, []byte(fmt.Sprint(pid)), 0o644); err != nil {
			return fmt.Errorf("pid file: %w", err)
		}
	}
	return nil
}

// destroy undoes create: kills what is left, removes the cgroup, releases
// the network and removes the state directory.
func (ct *container) destroy() error {
	var errs []error
	if ct.signals != nil {
		ct.signals.Stop()
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
	_ = ct.cgroup() // what failed is made no more, and reported already
	if ct.cg != nil {
		errs = append(errs, ct.cg.Destroy())
	}
	if ct.bound {
		errs = append(errs, unix.Unmount(ct.o.Plan.Rootfs, unix.MNT_DETACH))
	}
	if ct.nw != nil {
		errs = append(errs, ct.nw.Release())
	}
	if ct.o.Layer != "" {
		errs = append(errs, os.RemoveAll(ct.o.Layer))
	}
	errs = append(errs, ct.c.Discard())
	return errors.Join(errs...)
}

// isDevTmpfs: a fresh tmpfs on /dev, which the init fills.
func isDevTmpfs(m spec.Mount) bool { return m.Destination == "/dev" && m.Type == "tmpfs" }

// deviceBinds adds, after the /dev tmpfs, binds of the host's standard
// device nodes (a user namespace may not mknod).
func deviceBinds(ms []spec.Mount) []spec.Mount {
	var out []spec.Mount
	for _, m := range ms {
		out = append(out, m)
		if isDevTmpfs(m) {
			for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
				out = append(out, spec.Mount{Source: "/dev/" + d, Destination: "/dev/" + d, Type: "bind", Flags: unix.MS_BIND})
			}
		}
	}
	return out
}
