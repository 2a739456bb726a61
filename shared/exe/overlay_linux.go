package exe

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Protected returns a close-on-exec descriptor of the running binary that
// no one can write through, to execute as Sealed's is (see Path). It does
// not copy the binary: it opens it through a private overlayfs whose only
// layers are read-only lower ones, mounted nowhere (see readOnlyView). A
// lower-only overlay has no upper layer to write into, and remounting it
// read-write is refused, so a container that gets hold of /proc/<pid>/exe
// can no more write through it than through a sealed memfd
// (CVE-2019-5736). Where no such overlay can be made (no overlayfs, no
// privilege to mount, the binary replaced since it started), it falls
// back to Sealed's copy.
func Protected() (*os.File, error) {
	return protect("/proc/self/exe")
}

// ProtectedBeside is Protected for the program name in the running
// binary's directory (goC-init beside goC): found there, never on PATH.
func ProtectedBeside(name string) (*os.File, error) {
	path, err := Beside(name)
	if err != nil {
		return nil, err
	}
	return protect(path)
}

// Beside is the path of the program name in the running binary's
// directory (goC-init, goC-image beside goC), or an error that says it
// is missing.
func Beside(name string) (string, error) {
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return "", err
	}
	path := filepath.Join(filepath.Dir(strings.TrimSuffix(self, " (deleted)")), name)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s is missing: install it beside %s", path, filepath.Base(self))
	}
	return path, nil
}

// protect opens path, then its read-only view, or else a sealed copy of
// what it opened.
func protect(path string) (*os.File, error) {
	src, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if f, err := readOnlyView(src); err == nil {
		return f, nil
	}
	return sealed(src, filepath.Base(path))
}

// readOnlyView opens the program open at src again, through a detached
// overlayfs of two lower layers: the program's directory on top, and an
// empty directory of its own below (overlayfs is read-only only with two
// lower layers and no upper one). The mount is attached to no namespace:
// no mount event, nothing to unmount; it goes with its last descriptor.
func readOnlyView(src *os.File) (*os.File, error) {
	self, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", src.Fd()))
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(self, " (deleted)") {
		return nil, errors.New(src.Name() + " deleted")
	}
	dir, name := filepath.Split(self)
	empty, err := emptyDirBeside(dir)
	if err != nil {
		return nil, err
	}
	defer os.Remove(empty) // the overlay keeps what it needs of it
	mnt, err := lowerOnlyOverlay(dir, empty)
	if err != nil {
		return nil, err
	}
	defer unix.Close(mnt)
	fd, err := unix.Openat(mnt, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s in the overlay: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), "overlay:"+name)
	if err := sameFile(f, src); err != nil {
		f.Close()
		return nil, err
	}
	return high(f)
}

// emptyDirBeside makes an empty directory outside dir, and dir outside it:
// overlayfs refuses layers nested in one another. /run (a tmpfs, where a
// runtime keeps its state) first, else the temporary directory.
func emptyDirBeside(dir string) (string, error) {
	for _, parent := range []string{"/run", os.TempDir()} {
		if nested(dir, parent) {
			continue
		}
		if d, err := os.MkdirTemp(parent, "goC-exe-"); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no directory for an empty overlay layer")
}

// nested reports whether directory a is inside b, b inside a, or both the
// same (either may end in a slash).
func nested(a, b string) bool {
	dir := func(p string) string { return strings.TrimSuffix(filepath.Clean(p), "/") + "/" }
	a, b = dir(a), dir(b)
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// lowerOnlyOverlay creates the overlayfs of lower layers top and bottom,
// read-only, nodev and nosuid, and returns its detached mount.
func lowerOnlyOverlay(top, bottom string) (int, error) {
	ctx, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("fsopen overlay", err)
	}
	defer unix.Close(ctx)
	lower := escapeLower(top) + ":" + escapeLower(bottom)
	if err := unix.FsconfigSetString(ctx, "lowerdir", lower); err != nil {
		return -1, fmt.Errorf("overlay lowerdir=%s: %w", lower, err)
	}
	// Inode number mapping is of no use here; off, it logs nothing when
	// the layers are on different filesystems.
	_ = unix.FsconfigSetString(ctx, "xino", "off")
	if err := unix.FsconfigCreate(ctx); err != nil {
		return -1, os.NewSyscallError("fsconfig create overlay", err)
	}
	const attrs = unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOSUID
	mnt, err := unix.Fsmount(ctx, unix.FSMOUNT_CLOEXEC, attrs)
	if err != nil {
		return -1, os.NewSyscallError("fsmount overlay", err)
	}
	return mnt, nil
}

// escapeLower escapes what lowerdir= treats as separators: ":" (and the
// escape character itself).
func escapeLower(p string) string {
	return strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), `:`, `\:`)
}

// sameFile checks that f, found by name, is still the file open at src
// (same size, mode and modification time): not a newer one put in its
// place since.
func sameFile(f, src *os.File) error {
	var got, want unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &got); err != nil {
		return os.NewSyscallError("stat overlay file", err)
	}
	if err := unix.Fstat(int(src.Fd()), &want); err != nil {
		return os.NewSyscallError("stat "+src.Name(), err)
	}
	if got.Size != want.Size || got.Mode != want.Mode || got.Mtim != want.Mtim {
		return errors.New(src.Name() + " changed since it was opened")
	}
	return nil
}
