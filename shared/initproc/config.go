// Package initproc is the container's init: the process goC starts in
// the container's namespaces, which sets the container up and execs the
// workload (Run). It is a program of its own, goC-init, installed beside
// goC: linking only this package and what it needs (no image, registry,
// network or seccomp compiler), it starts in a fraction of goC's time, and
// it starts once for every container and every exec.
//
// Config and Plan are what the parent sends it; Fds where it finds the
// descriptors the parent passed.
package initproc

import (
	"fmt"
	"os"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/creds"
	"goc.dev/shared/pty"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/seccomp/filter"
	"goc.dev/shared/syncsock"
)

// Config is what the init receives.
type Config struct {
	Plan     Plan        `json:"plan"`
	Fds      Fds         `json:"fds"` // where the parent's descriptors are
	CgroupNS bool        `json:"cgroupNS,omitempty"`
	DevTmpfs bool        `json:"devTmpfs,omitempty"` // a tmpfs is mounted on /dev: fill it
	Winsize  pty.Winsize `json:"winsize"`
	Sources  []int       `json:"sources,omitempty"` // mounts whose sources goC sends
	// CgroupFiles is how many files to join the cgroup through goC sends
	// right after the config (syncsock.Cgroup): for a new container, goC
	// makes them while the init starts; for goC exec, they are the
	// container's.
	CgroupFiles int `json:"cgroupFiles,omitempty"`
	cgroup      []*os.File
	// NoMountNS: in goC's mount namespace, on the parent's bind: chroot.
	NoMountNS bool `json:"noMountNS,omitempty"`

	// Files are host files bind-mounted over paths of the rootfs
	// (/etc/hosts, /etc/resolv.conf): target → source.
	Files map[string]string `json:"files,omitempty"`

	// Pdeathsig is the signal the init was started to get when goC dies
	// (run in the foreground), to set again once it has changed user.
	Pdeathsig int `json:"pdeathsig,omitempty"`
	// PauseForHooks: stop before the pivot for the parent's prestart and
	// createRuntime hooks, then run CreateContainer (in the container's
	// namespaces, paths still the host's). StartContainer run inside the
	// container once it is started, before the process.
	PauseForHooks   bool         `json:"pauseForHooks,omitempty"`
	CreateContainer []specs.Hook `json:"createContainer,omitempty"`
	StartContainer  []specs.Hook `json:"startContainer,omitempty"`
	// Exec: goC exec's process, in a container that exists.
	Exec bool `json:"exec,omitempty"`
}

// Plan is what the init does, in order.
type Plan struct {
	Rootfs          string            `json:"rootfs"`
	RootReadonly    bool              `json:"rootReadonly,omitempty"`
	RootPropagation uintptr           `json:"rootPropagation,omitempty"`
	Overlay         *rootfs.Overlay   `json:"overlay,omitempty"` // an image's layers under Rootfs
	Hostname        string            `json:"hostname,omitempty"`
	Mounts          []rootfs.Mount    `json:"mounts"`
	Devices         []rootfs.Device   `json:"devices,omitempty"`
	MaskedPaths     []string          `json:"maskedPaths,omitempty"`
	ReadonlyPaths   []string          `json:"readonlyPaths,omitempty"`
	Sysctl          map[string]string `json:"sysctl,omitempty"`
	Loopback        bool              `json:"loopback,omitempty"` // bring lo up: the network namespace is new

	Args            []string       `json:"args"`
	Env             []string       `json:"env"`
	Cwd             string         `json:"cwd"`
	UID             uint32         `json:"uid"`
	GID             uint32         `json:"gid"`
	AdditionalGids  []uint32       `json:"additionalGids,omitempty"`
	Umask           *uint32        `json:"umask,omitempty"`
	Terminal        bool           `json:"terminal,omitempty"`
	Rlimits         []creds.Rlimit `json:"rlimits,omitempty"`
	Caps            *creds.Caps    `json:"caps,omitempty"`
	NoNewPrivileges bool           `json:"noNewPrivileges,omitempty"`
	OOMScoreAdj     *int           `json:"oomScoreAdj,omitempty"`
	// Seccomp is linux.seccomp, compiled: loaded just before exec (before
	// the switch of user and capabilities without no_new_privs).
	Seccomp *filter.Program `json:"seccomp,omitempty"`
	// ConsoleSize is process.consoleSize: the terminal's size when goC
	// relays it to no terminal of its caller's (--console-socket).
	ConsoleSize pty.Winsize `json:"consoleSize"`
}

// SyncFd is where the init finds its end of the sync socket (ExtraFiles[0]):
// the one descriptor it knows before it has read its config.
const SyncFd = 3

// Fds says where the init finds the other descriptors the parent passed
// it: the parent fills it as it lines the files up (passing), and sends it
// in Config.
type Fds struct {
	Fifo      int   `json:"fifo,omitempty"`      // the exec fifo, O_PATH (none for exec)
	Preserved []int `json:"preserved,omitempty"` // for the process, at 3, 4, …
}

// Top is the highest descriptor of the layout.
func (l Fds) Top() int {
	return slices.Max(slices.Concat([]int{SyncFd, l.Fifo}, l.Preserved))
}

// Send sends cfg on conn and after it, one per message, the files to join
// the cgroup through (cfg.CgroupFiles, for recvCgroup); it closes them.
func (cfg Config) Send(conn *syncsock.Conn, cgroup []*os.File) error {
	defer func() {
		for _, f := range cgroup {
			f.Close()
		}
	}()
	cfg.CgroupFiles = len(cgroup)
	if err := conn.Send(cfg); err != nil {
		return err
	}
	for _, f := range cgroup {
		if err := conn.SendFile(syncsock.Message{Type: syncsock.Cgroup}, f); err != nil {
			return err
		}
	}
	return nil
}

// recvCgroup receives the CgroupFiles that follow the config.
func (cfg *Config) recvCgroup(conn *syncsock.Conn) error {
	for range cfg.CgroupFiles {
		var m syncsock.Message
		f, err := conn.RecvFile(&m)
		if err == nil && (m.Type != syncsock.Cgroup || f == nil) {
			err = fmt.Errorf("unexpected message %q", m.Type)
		}
		if err != nil {
			return fmt.Errorf("read cgroup files: %w", err)
		}
		cfg.cgroup = append(cfg.cgroup, f)
	}
	return nil
}

// handOn puts the preserved descriptors at 3, 4, … for the workload. The
// sync socket moves out of their way first: it must stay open until exec.
func (l Fds) handOn(conn *syncsock.Conn) error {
	if len(l.Preserved) == 0 {
		return nil
	}
	if err := conn.MoveAbove(l.Top() + 1); err != nil {
		return err
	}
	// Upwards: the preserved come last, so a source is never a target
	// still to come.
	for i, fd := range l.Preserved {
		if err := unix.Dup3(fd, 3+i, 0); err != nil {
			return os.NewSyscallError("dup3", err)
		}
	}
	return nil
}
