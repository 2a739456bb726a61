// Package rootfs turns a directory into a container's root, in the order
// the init calls it: Prepare (propagation, the rootfs a mount point),
// MountInto for each entry of a mount table (DefaultMounts, or config.json's
// mounts) and BindFile, PivotInto, then PopulateDev and the rest of /dev.
//
// Paths inside a rootfs belong to whoever built it. Before the pivot each
// destination is resolved inside the rootfs (openat2 RESOLVE_IN_ROOT), so a
// symlink in it cannot lead out of it; after the pivot the rootfs is the
// whole world.
package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

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
