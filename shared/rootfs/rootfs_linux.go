// Package rootfs turns a directory into a container's root: it makes the
// mount namespace private, pivots into the directory and mounts the
// pseudo-filesystems a process expects (/proc, /dev, /sys).
//
// Paths inside a rootfs belong to whoever built it. Everything after Pivot
// happens with the rootfs as the whole world, so a symlink in it can only
// point somewhere else inside it; the mount points themselves must still be
// real directories (dir refuses symlinks).
package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// MakePrivate stops mount events from travelling between the new mount
// namespace and the host's: without it, the mounts below would appear on the
// host (and the host's unmounts inside the container) on any system where /
// is shared, as systemd makes it.
func MakePrivate() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return &os.PathError{Op: "make / private", Path: "/", Err: err}
	}
	return nil
}

// Pivot makes dir the root of the calling process's mount namespace and
// detaches the old root, so nothing of the host's tree stays reachable.
// pivot_root needs dir to be a mount point, hence the bind mount onto
// itself; "pivot_root . ." stacks the old root on the new one, where a lazy
// unmount removes it without needing a directory for it.
func Pivot(dir string) error {
	if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "bind rootfs", Path: dir, Err: err}
	}
	return PivotInto(dir)
}

// MountProc mounts a procfs for the caller's PID namespace on /proc.
func MountProc() error {
	return mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
}

// MountSys mounts a read-only sysfs on /sys.
func MountSys() error {
	return mount("sysfs", "/sys", "sysfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
}

// Device nodes every container gets, as in runc's and Docker's defaults.
var devices = []struct {
	name         string
	major, minor uint32
}{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7},
	{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

var devLinks = [][2]string{
	{"/proc/self/fd", "/dev/fd"},
	{"/proc/self/fd/0", "/dev/stdin"},
	{"/proc/self/fd/1", "/dev/stdout"},
	{"/proc/self/fd/2", "/dev/stderr"},
	{"pts/ptmx", "/dev/ptmx"},
}

// SetupDev mounts a small tmpfs on /dev with the standard device nodes, a
// devpts instance of the container's own (so it sees only its terminals),
// /dev/shm and /dev/mqueue.
func SetupDev() error {
	if err := mount("tmpfs", "/dev", "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k"); err != nil {
		return err
	}
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, d := range devices {
		p := "/dev/" + d.name
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil {
			return &os.PathError{Op: "mknod", Path: p, Err: err}
		}
	}
	mounts := []struct {
		target, fstype string
		flags          uintptr
		data           string
	}{
		{"/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
		{"/dev/shm", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "mode=1777,size=65536k"},
		{"/dev/mqueue", "mqueue", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	}
	for _, m := range mounts {
		if err := mount(m.fstype, m.target, m.fstype, m.flags, m.data); err != nil {
			return err
		}
	}
	for _, l := range devLinks {
		if err := os.Symlink(l[0], l[1]); err != nil {
			return fmt.Errorf("link %s: %w", l[1], err)
		}
	}
	return nil
}

// mount mounts onto target after making sure it is a real directory.
func mount(source, target, fstype string, flags uintptr, data string) error {
	if err := dir(target); err != nil {
		return err
	}
	if err := unix.Mount(source, target, fstype, flags, data); err != nil {
		return &os.PathError{Op: "mount " + fstype, Path: target, Err: err}
	}
	return nil
}

// dir creates path if it is missing and refuses anything but a directory:
// the kernel would follow a symlink, and a rootfs is not to be trusted.
func dir(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := dir(filepath.Dir(path)); err != nil {
			return err
		}
		if err := os.Mkdir(path, 0o755); err != nil {
			return fmt.Errorf("create mount point: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("mount point: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("mount point %s is a symlink; refusing to mount over it", path)
	case !fi.IsDir():
		return fmt.Errorf("mount point %s is not a directory", path)
	}
	return nil
}

// BindFile bind-mounts the host file src over target inside the directory
// root, before the pivot. target is resolved inside root (openat2 with
// RESOLVE_IN_ROOT: a symlink in the rootfs cannot lead out of it), created
// empty if missing, and must be a regular file; the mount goes onto the
// descriptor that resolution gave, never onto a path resolved again.
func BindFile(root, src, target string) error {
	dirfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open rootfs", Path: root, Err: err}
	}
	defer unix.Close(dirfd)
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	fd, err := unix.Openat2(dirfd, target, how)
	if errors.Is(err, unix.ENOENT) {
		create := &unix.OpenHow{Flags: unix.O_CREAT | unix.O_WRONLY | unix.O_CLOEXEC, Mode: 0o644, Resolve: how.Resolve}
		if fd, err = unix.Openat2(dirfd, target, create); err == nil {
			unix.Close(fd)
			fd, err = unix.Openat2(dirfd, target, how)
		}
	}
	if err != nil {
		return &os.PathError{Op: "resolve in rootfs", Path: target, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: target, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%s in the rootfs is not a regular file", target)
	}
	if err := unix.Mount(src, fmt.Sprintf("/proc/self/fd/%d", fd), "", unix.MS_BIND, ""); err != nil {
		return &os.PathError{Op: "bind " + src, Path: target, Err: err}
	}
	return nil
}
