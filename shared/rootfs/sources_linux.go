package rootfs

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"goc.dev/shared/namespace"
	"goc.dev/shared/syncsock"
)

// A container's init in a user namespace is root there but no one on the
// host: the source of a bind mount below a directory only the host's root
// may enter (0700) is out of its reach. So goC, the host's root, opens
// such sources for it (O_PATH), from within the init's mount namespace —
// a bind mount takes its source from the caller's mount namespace only —
// and sends them over the sync socket; the init binds from the
// descriptors (/proc/self/fd/N). runc 1.1 does the same (nsexec's
// send_mountsources).

// sourceMsg is the message each source travels with.
const sourceMsg = "mount-source"

// Binds returns the indexes in ms of the bind mounts: those whose
// sources goC opens for an init in a user namespace.
func Binds(ms []Mount) []int {
	var idx []int
	for i, m := range ms {
		if m.Flags&unix.MS_BIND != 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

// SendSources opens the sources of the mounts of ms at idx in the mount
// namespace of process pid (the init, waiting for them) and sends them
// over conn, in order.
func SendSources(conn *syncsock.Conn, pid int, ms []Mount, idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	files, err := openSources(pid, ms, idx)
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := conn.SendFile(syncsock.Message{Type: sourceMsg}, f); err != nil {
			return fmt.Errorf("send mount source: %w", err)
		}
	}
	return nil
}

// openSources opens, O_PATH, the sources of ms at idx, as process pid's
// mount namespace has them.
func openSources(pid int, ms []Mount, idx []int) ([]*os.File, error) {
	ns, err := namespace.Open(pid, namespace.Mount)
	if err != nil {
		return nil, fmt.Errorf("mount sources: %w", err)
	}
	defer ns.Close()
	var files []*os.File
	err = ns.Run(func() error {
		for _, i := range idx {
			f, err := os.OpenFile(ms[i].Source, unix.O_PATH, 0)
			if err != nil {
				return fmt.Errorf("mount %s: %w", ms[i].Destination, err)
			}
			files = append(files, f)
		}
		return nil
	})
	return files, err
}

// RecvSources receives the sources SendSources sends, for the mounts of
// ms at idx, and points those mounts at them. The descriptors stay open
// (close-on-exec) until the init execs.
func RecvSources(conn *syncsock.Conn, ms []Mount, idx []int) error {
	for _, i := range idx {
		var m syncsock.Message
		f, err := conn.RecvFile(&m)
		if err != nil {
			return fmt.Errorf("receive mount source: %w", err)
		}
		if m.Type != sourceMsg || f == nil {
			return fmt.Errorf("receive mount source: unexpected message %q", m.Type)
		}
		// A descriptor of its own, which no finalizer closes.
		fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
		f.Close()
		if err != nil {
			return os.NewSyscallError("dup mount source", err)
		}
		ms[i].Source = fdPath(fd)
	}
	return nil
}
