package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mount is one mount the init makes inside the rootfs, as config.json
// describes it (see shared/spec).
type Mount struct {
	Source      string    `json:"source"`
	Destination string    `json:"destination"`
	Type        string    `json:"type"`
	Flags       uintptr   `json:"flags"`
	Propagation []uintptr `json:"propagation,omitempty"`
	Data        string    `json:"data,omitempty"`
	// NoSymlinks refuses a destination that is, or goes through, a
	// symlink (even one that stays inside the rootfs).
	NoSymlinks bool `json:"noSymlinks,omitempty"`
	// Attr, the recursive options (rro, rnosuid, …), is applied last to
	// the mount and every mount below it (mount_setattr(2), AT_RECURSIVE).
	Attr *MountAttr `json:"attr,omitempty"`
}

// MountAttr is what mount_setattr(2) sets and clears: MOUNT_ATTR_* bits.
type MountAttr struct {
	Set   uint64 `json:"set,omitempty"`
	Clear uint64 `json:"clear,omitempty"`
}

// Overlay stacks read-only image layers (Lower, overlayfs's lowerdir: top
// first, colon-separated) under a container's writable layer.
type Overlay struct {
	Lower string `json:"lower"`
	Upper string `json:"upper"`
	Work  string `json:"work"`
}

// DefaultMounts is the mount table of a container made without a
// config.json (stages 1–3, and "goC run ROOTFS"): a procfs for its PID
// namespace, a small tmpfs on /dev with a devpts instance of its own (so it
// sees only its own terminals), /dev/shm and /dev/mqueue, and a read-only
// sysfs. Each entry comes after the one it is mounted in. The mount points
// must be real directories: a rootfs whose /proc, /dev or /sys is a symlink
// is refused.
func DefaultMounts() []Mount {
	const nsnd = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	return []Mount{
		{Source: "proc", Destination: "/proc", Type: "proc", Flags: nsnd, NoSymlinks: true},
		{Source: "tmpfs", Destination: "/dev", Type: "tmpfs", Flags: unix.MS_NOSUID | unix.MS_STRICTATIME, Data: "mode=755,size=65536k", NoSymlinks: true},
		{Source: "devpts", Destination: "/dev/pts", Type: "devpts", Flags: unix.MS_NOSUID | unix.MS_NOEXEC, Data: "newinstance,ptmxmode=0666,mode=0620,gid=5", NoSymlinks: true},
		{Source: "tmpfs", Destination: "/dev/shm", Type: "tmpfs", Flags: nsnd, Data: "mode=1777,size=65536k", NoSymlinks: true},
		{Source: "mqueue", Destination: "/dev/mqueue", Type: "mqueue", Flags: nsnd, NoSymlinks: true},
		{Source: "sysfs", Destination: "/sys", Type: "sysfs", Flags: unix.MS_RDONLY | nsnd, NoSymlinks: true},
	}
}

// Prepare readies dir to become the root: the whole mount namespace gets
// propagation prop (MS_PRIVATE|MS_REC when 0, so nothing travels to or from
// the host), and dir becomes a mount point, as pivot_root needs — the
// overlay of an image's layers if ov is set (mounted in the container's own
// mount namespace, so it goes away with it), else a bind of dir onto itself.
// An unbindable prop waits for Finish: until then the mounts are private,
// as what is unbindable cannot be bound (the rootfs, config.json's binds).
func Prepare(dir string, prop uintptr, ov *Overlay) error {
	if prop == 0 {
		prop = unix.MS_PRIVATE | unix.MS_REC
	}
	now := prop
	if prop&unix.MS_UNBINDABLE != 0 {
		now = unix.MS_PRIVATE | prop&unix.MS_REC
	}
	if err := unix.Mount("", "/", "", now, ""); err != nil {
		return &os.PathError{Op: "set propagation of /", Path: "/", Err: err}
	}
	// With any other propagation the mount dir is on may still be shared
	// (with the host's, even): the mount below would appear in its peers,
	// and pivot_root refuses a new root whose parent mount is shared.
	if err := stopSharing(dir, prop); err != nil {
		return err
	}
	if ov != nil {
		data := "lowerdir=" + ov.Lower + ",upperdir=" + ov.Upper + ",workdir=" + ov.Work
		if err := unix.Mount("overlay", dir, "overlay", 0, data); err != nil {
			return &os.PathError{Op: "mount overlay", Path: dir, Err: err}
		}
	} else if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "bind rootfs", Path: dir, Err: err}
	}
	// pivot_root refuses a shared new root, too.
	return stopSharing(dir, prop)
}

// stopSharing makes the mount that holds dir (that mount only: what is
// mounted below it keeps its propagation) send no mount events, if it is
// shared: a slave if prop asks for one — the host's mounts still reach it —
// else private, as runc does. One that is not shared stays as it is: a
// slave keeps receiving (rootfsPropagation "rslave").
func stopSharing(dir string, prop uintptr) error {
	if prop == unix.MS_PRIVATE|unix.MS_REC {
		return nil // nothing is shared
	}
	mp, err := mountPoint(dir)
	if err != nil {
		return fmt.Errorf("rootfs %s: %w", dir, err)
	}
	if shared, err := isShared(mp); err != nil || !shared {
		return err
	}
	to := uintptr(unix.MS_PRIVATE)
	if prop&unix.MS_SLAVE != 0 {
		to = unix.MS_SLAVE
	}
	if err := unix.Mount("", mp, "", to, ""); err != nil {
		return &os.PathError{Op: "stop sharing the rootfs's mount", Path: mp, Err: err}
	}
	return nil
}

// isShared reports whether the mount at mp is shared: its line in
// /proc/self/mountinfo has a shared:N tag among the optional fields
// (the 7th on, up to "-").
func isShared(mp string) (bool, error) {
	id, err := mountID(mp)
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 || f[0] != strconv.FormatUint(id, 10) {
			continue
		}
		for _, tag := range f[6:] {
			if tag == "-" {
				break
			}
			if strings.HasPrefix(tag, "shared:") {
				return true, nil
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("mount %s (%d) is not in /proc/self/mountinfo", mp, id)
}

// Finish completes the root once every mount is made in it: read-only if
// readonly, then rootfsPropagation prop (0: private, as Prepare made it)
// for / itself, so that the container's mount table shows it. Last: an
// unbindable mount can no longer be bound (MaskPaths, ReadonlyPaths).
func Finish(readonly bool, prop uintptr) error {
	if readonly {
		if err := RemountRootReadonly(); err != nil {
			return err
		}
	}
	if prop == 0 || prop == unix.MS_PRIVATE|unix.MS_REC {
		return nil
	}
	if err := unix.Mount("", "/", "", prop, ""); err != nil {
		return &os.PathError{Op: "set propagation of /", Path: "/", Err: err}
	}
	return nil
}

// mountPoint returns where the mount that holds path is mounted: path
// itself, or its nearest ancestor, whose parent directory is on another
// mount (or "/").
func mountPoint(path string) (string, error) {
	path, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	id, err := mountID(path)
	if err != nil {
		return "", err
	}
	for path != "/" {
		up := filepath.Dir(path)
		upID, err := mountID(up)
		if err != nil {
			return "", err
		}
		if upID != id {
			break
		}
		path = up
	}
	return path, nil
}

// mountID is the ID of the mount path is on (mountinfo's first field).
func mountID(path string) (uint64, error) {
	var st unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_MNT_ID, &st); err != nil {
		return 0, &os.PathError{Op: "statx", Path: path, Err: err}
	}
	return st.Mnt_id, nil
}

// PivotInto makes dir (prepared with Prepare) the root and detaches the old
// one, so nothing of the host's tree stays reachable. "pivot_root . ."
// stacks the old root on the new one, where a lazy unmount removes it
// without needing a directory for it.
func PivotInto(dir string) error {
	oldRoot, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open old root", Path: "/", Err: err}
	}
	defer unix.Close(oldRoot)
	if err := unix.Chdir(dir); err != nil {
		return &os.PathError{Op: "chdir", Path: dir, Err: err}
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return &os.PathError{Op: "pivot_root", Path: dir, Err: err}
	}
	// "." is where the two roots are stacked: name the old one through
	// the descriptor opened before the pivot (as runc does).
	if err := unix.Fchdir(oldRoot); err != nil {
		return &os.PathError{Op: "fchdir", Path: "old root", Err: err}
	}
	// Its mounts may still be shared (rootfsPropagation "rshared"), with
	// peers on the host: unmounting them would unmount those too. Slaves
	// send no events, the unmount included (runc does the same; private
	// mounts would not even receive them).
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "make old root a slave", Path: dir, Err: err}
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return &os.PathError{Op: "unmount old root", Path: dir, Err: err}
	}
	return unix.Chdir("/")
}

// MountInto makes m inside root, before the pivot. The destination is
// resolved inside root (openat2 RESOLVE_IN_ROOT: symlinks in the rootfs
// cannot lead out of it), created if missing — a directory, or an empty
// file for a bind of a file — and the mount is made onto the descriptor
// that resolution returned.
func MountInto(root string, m Mount) error {
	isFile := false
	if m.Flags&unix.MS_BIND != 0 {
		fi, err := os.Stat(m.Source)
		if err != nil {
			return fmt.Errorf("mount %s: %w", m.Destination, err)
		}
		isFile = !fi.IsDir()
	}
	fd, err := mountTarget(root, m, isFile)
	if err != nil {
		return err
	}
	target := fdPath(fd)
	flags := m.Flags
	if flags&unix.MS_BIND != 0 {
		err = unix.Mount(m.Source, target, "", flags&(unix.MS_BIND|unix.MS_REC), "")
	} else {
		err = unix.Mount(m.Source, target, m.Type, flags, m.Data)
	}
	unix.Close(fd)
	if err != nil {
		return &os.PathError{Op: "mount " + m.Type, Path: m.Destination, Err: err}
	}
	// Options a bind mount takes only on a remount (ro, nosuid, …),
	// propagation and the recursive options apply to the new mount:
	// resolve the path again, now through it.
	remount := flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT)
	if m.Flags&unix.MS_BIND == 0 {
		remount = 0
	}
	if remount == 0 && len(m.Propagation) == 0 && m.Attr == nil {
		return nil
	}
	fd, err = mountTarget(root, m, isFile)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if remount != 0 {
		remount |= lockedFlags(fdPath(fd))
		if err := unix.Mount("", fdPath(fd), "", unix.MS_REMOUNT|unix.MS_BIND|remount, ""); err != nil {
			return &os.PathError{Op: "remount", Path: m.Destination, Err: err}
		}
	}
	for _, p := range m.Propagation {
		if err := unix.Mount("", fdPath(fd), "", p, ""); err != nil {
			return &os.PathError{Op: "set propagation", Path: m.Destination, Err: err}
		}
	}
	return setAttr(fd, m)
}

var mountSetattr = unix.MountSetattr // tests replace it

// setAttr applies m's recursive options to the mount at fd and to every
// mount below it. A kernel without mount_setattr(2) (before Linux 5.12)
// cannot: an error, never a mount left writable.
func setAttr(fd int, m Mount) error {
	if m.Attr == nil {
		return nil
	}
	attr := unix.MountAttr{Attr_set: m.Attr.Set, Attr_clr: m.Attr.Clear}
	err := mountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr)
	if errors.Is(err, unix.ENOSYS) {
		return fmt.Errorf("mount %s: recursive options (rro, …) need mount_setattr(2), Linux 5.12 or later", m.Destination)
	}
	if err != nil {
		return &os.PathError{Op: "mount_setattr (recursive options)", Path: m.Destination, Err: err}
	}
	return nil
}

// mountTarget resolves m's destination inside root (openIn) for the
// mount. procfs and sysfs go on a real directory only, as in runc: a
// rootfs whose /proc or /sys is a symlink would have them mounted where it
// points — over a directory the workload trusts (CVE-2019-19921's class).
func mountTarget(root string, m Mount, isFile bool) (int, error) {
	kernelFS := m.Type == "proc" || m.Type == "sysfs"
	fd, err := openIn(root, m.Destination, isFile, m.NoSymlinks || kernelFS)
	if !kernelFS {
		return fd, err
	}
	const only = "proc and sysfs are mounted on real directories only"
	var se *symlinkError
	if errors.As(err, &se) {
		return -1, fmt.Errorf("mount %s %s: %s is a symlink; %s", m.Type, m.Destination, se.path, only)
	}
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "stat", Path: m.Destination, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		unix.Close(fd)
		return -1, fmt.Errorf("mount %s %s: not a directory; %s", m.Type, m.Destination, only)
	}
	return fd, nil
}

// symlinkError: a mount point is, or goes through, a symlink, where none
// may be.
type symlinkError struct{ path string }

func (e *symlinkError) Error() string {
	return fmt.Sprintf("mount point %s is a symlink; refusing to mount over it", e.path)
}

// openIn resolves path inside root and returns an O_PATH descriptor,
// creating the directories on the way and the last element (a directory,
// or a file if isFile) when missing. A symlink on the way whose target is
// missing has its target created, inside root too; with noSymlinks, any
// symlink on the way is an error.
func openIn(root, path string, isFile, noSymlinks bool) (int, error) {
	resolve := uint64(unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS)
	if noSymlinks {
		resolve |= unix.RESOLVE_NO_SYMLINKS
	}
	fd, err := openInDepth(root, path, isFile, resolve, 0)
	var pe *os.PathError
	if noSymlinks && errors.As(err, &pe) && errors.Is(pe.Err, unix.ELOOP) {
		return -1, &symlinkError{pe.Path}
	}
	return fd, err
}

func openInDepth(root, path string, isFile bool, resolve uint64, depth int) (int, error) {
	if depth > 40 {
		return -1, &os.PathError{Op: "resolve in rootfs", Path: path, Err: unix.ELOOP}
	}
	rootfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open rootfs", Path: root, Err: err}
	}
	defer unix.Close(rootfd)
	cur := "/"
	parts := strings.Split(strings.Trim(filepath.Clean(path), "/"), "/")
	for i := 0; i < len(parts); i++ {
		part := parts[i]
		if part == "" {
			continue
		}
		cur = filepath.Join(cur, part)
		last := i == len(parts)-1
		fd, err := unix.Openat2(rootfd, cur, &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: resolve})
		if err == nil {
			if last {
				return fd, nil
			}
			unix.Close(fd)
			continue
		}
		if !errors.Is(err, unix.ENOENT) {
			return -1, &os.PathError{Op: "resolve in rootfs", Path: cur, Err: err}
		}
		// Create the missing element in its (resolved) parent.
		parent, err := unix.Openat2(rootfd, filepath.Dir(cur), &unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: resolve})
		if err != nil {
			return -1, &os.PathError{Op: "resolve in rootfs", Path: filepath.Dir(cur), Err: err}
		}
		if target, lerr := readlinkat(parent, part); lerr == nil {
			// A dangling symlink: make what it points to, inside root.
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(cur), target)
			}
			unix.Close(parent)
			fd, err := openInDepth(root, target, last && isFile, resolve, depth+1)
			if err != nil {
				return -1, err
			}
			unix.Close(fd)
			i-- // resolve this element again, now that it leads somewhere
			cur = filepath.Dir(cur)
			continue
		}
		if last && isFile {
			var f int
			f, err = unix.Openat(parent, part, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o644)
			if err == nil {
				unix.Close(f)
			}
		} else {
			err = unix.Mkdirat(parent, part, 0o755)
		}
		unix.Close(parent)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return -1, &os.PathError{Op: "create mount point", Path: cur, Err: err}
		}
		fd, err = unix.Openat2(rootfd, cur, &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: resolve})
		if err != nil {
			return -1, &os.PathError{Op: "resolve in rootfs", Path: cur, Err: err}
		}
		if last {
			return fd, nil
		}
		unix.Close(fd)
	}
	return unix.Openat2(rootfd, "/", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: resolve})
}

func readlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func fdPath(fd int) string { return fmt.Sprintf("/proc/self/fd/%d", fd) }

// lockedFlags are the flags of the mount at path that a remount must keep:
// in a user namespace the kernel refuses to clear nosuid, nodev, noexec or
// the atime flags of a mount it inherited (they are "locked").
func lockedFlags(path string) uintptr {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0
	}
	// statfs's ST_* bits are the MS_* ones for these flags.
	return uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME)
}

// RemountRootReadonly makes / read-only, after the pivot.
func RemountRootReadonly() error {
	flags := lockedFlags("/")
	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|flags, ""); err != nil {
		return &os.PathError{Op: "remount read-only", Path: "/", Err: err}
	}
	return nil
}

// PopulateDev fills a fresh /dev tmpfs with the standard device nodes and
// links, after the pivot.
func PopulateDev() error {
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, d := range devices {
		p := "/dev/" + d.name
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil && !errors.Is(err, unix.EEXIST) {
			return &os.PathError{Op: "mknod", Path: p, Err: err}
		}
	}
	links := devLinks
	if _, err := os.Stat("/proc/kcore"); err == nil {
		links = append(links[:len(links):len(links)], [2]string{"/proc/kcore", "/dev/core"}) // as runc
	}
	for _, l := range links {
		if err := os.Symlink(l[0], l[1]); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("link %s: %w", l[1], err)
		}
	}
	return nil
}

// Device is a device node config.json asks for.
type Device struct {
	Path         string `json:"path"`
	Type         uint32 `json:"type"` // S_IFCHR, S_IFBLK, S_IFIFO
	Major, Minor uint32
	Mode         uint32 `json:"mode"`
	UID, GID     uint32
}

// MakeDevices creates device nodes under /dev, after the pivot.
func MakeDevices(devs []Device) error {
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, d := range devs {
		if err := dir(filepath.Dir(d.Path)); err != nil {
			return err
		}
		_ = unix.Unlink(d.Path)
		if err := unix.Mknod(d.Path, d.Type|d.Mode, int(unix.Mkdev(d.Major, d.Minor))); err != nil {
			return &os.PathError{Op: "mknod", Path: d.Path, Err: err}
		}
		if err := unix.Chown(d.Path, int(d.UID), int(d.GID)); err != nil {
			return &os.PathError{Op: "chown", Path: d.Path, Err: err}
		}
	}
	return nil
}

// MaskPaths hides paths from the container, after the pivot: a directory
// under an empty read-only tmpfs, a file under /dev/null. Missing paths are
// skipped.
func MaskPaths(paths []string) error {
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.IsDir() {
			err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "size=0")
		} else {
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		}
		if err != nil {
			return &os.PathError{Op: "mask", Path: p, Err: err}
		}
	}
	return nil
}

// ReadonlyPaths makes paths read-only, after the pivot. Missing paths are
// skipped.
func ReadonlyPaths(paths []string) error {
	for _, p := range paths {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return &os.PathError{Op: "bind", Path: p, Err: err}
		}
		flags := lockedFlags(p) | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
		if err := unix.Mount("", p, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|flags, ""); err != nil {
			return &os.PathError{Op: "remount read-only", Path: p, Err: err}
		}
	}
	return nil
}
