package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Whiteouts, as OCI image layers spell them.
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
)

// Unpack extracts a layer's tar stream into dir as an overlayfs layer:
// files as they are, a whiteout ".wh.NAME" as the character device 0:0
// overlayfs reads as "deleted", and an opaque-directory marker as the
// trusted.overlay.opaque xattr. Entries that would land outside dir — an
// absolute or ".." name, a path through a symlink, a hard link to outside,
// a relative symlink whose target climbs above the root — are refused.
func Unpack(r io.Reader, dir string) (files int, err error) {
	root, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(root)
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return files, fmt.Errorf("read layer: %w", err)
		}
		name, err := cleanName(h.Name)
		if err != nil {
			return files, err
		}
		if name == "." {
			continue
		}
		if err := extract(root, name, h, tr); err != nil {
			return files, fmt.Errorf("layer entry %q: %w", h.Name, err)
		}
		files++
	}
}

// cleanName refuses names that leave the layer and returns the rest
// cleaned, relative.
func cleanName(name string) (string, error) {
	if path.IsAbs(name) {
		return "", fmt.Errorf("layer entry %q: absolute path refused", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("layer entry %q: \"..\" refused", name)
		}
	}
	return path.Clean(name), nil
}

// parentFd opens the directory that will hold name, never through a
// symlink, creating missing directories.
func parentFd(root int, name string) (int, error) {
	dir := path.Dir(name)
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS}
	fd, err := unix.Openat2(root, dir, how)
	if errors.Is(err, unix.ENOENT) {
		if dir == "." {
			return -1, err
		}
		p, perr := parentFd(root, dir)
		if perr != nil {
			return -1, perr
		}
		merr := unix.Mkdirat(p, path.Base(dir), 0o755)
		unix.Close(p)
		if merr != nil && !errors.Is(merr, unix.EEXIST) {
			return -1, merr
		}
		fd, err = unix.Openat2(root, dir, how)
	}
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EXDEV) {
		return -1, fmt.Errorf("%s: path through a symlink refused", dir)
	}
	return fd, err
}

func extract(root int, name string, h *tar.Header, r io.Reader) error {
	parent, err := parentFd(root, name)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	base := path.Base(name)

	// Whiteouts become what overlayfs understands.
	if base == opaqueMarker {
		return setOpaque(parent)
	}
	if strings.HasPrefix(base, whiteoutPrefix) {
		target := strings.TrimPrefix(base, whiteoutPrefix)
		if target == "" || target == "." || target == ".." {
			return fmt.Errorf("whiteout of %q refused", target)
		}
		removeAt(parent, target)
		return unix.Mknodat(parent, target, unix.S_IFCHR, 0)
	}

	// What is there is replaced, a directory only by a non-directory:
	// chmod below follows a symlink, so a symlink is never kept.
	var st unix.Stat_t
	if h.Typeflag != tar.TypeDir || unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
		removeAt(parent, base)
	}
	mode := uint32(h.Mode & 0o7777)
	switch h.Typeflag {
	case tar.TypeDir:
		if err := unix.Mkdirat(parent, base, mode); err != nil && !errors.Is(err, unix.EEXIST) {
			return err
		}
	case tar.TypeReg:
		fd, err := unix.Openat(parent, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
		if err != nil {
			return err
		}
		f := os.NewFile(uintptr(fd), name)
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	case tar.TypeSymlink:
		if !path.IsAbs(h.Linkname) {
			if t := path.Join(path.Dir(name), h.Linkname); t == ".." || strings.HasPrefix(t, "../") {
				return fmt.Errorf("symlink to %q points out of the layer", h.Linkname)
			}
		}
		if err := unix.Symlinkat(h.Linkname, parent, base); err != nil {
			return err
		}
	case tar.TypeLink:
		target, err := cleanName(h.Linkname)
		if err != nil {
			return err
		}
		tp, err := parentFd(root, target)
		if err != nil {
			return err
		}
		err = unix.Linkat(tp, path.Base(target), parent, base, 0)
		unix.Close(tp)
		// A hard link shares its target's owner, mode and times: setting
		// them here would follow it if the target is a symlink.
		return err
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		typ := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[h.Typeflag]
		if err := unix.Mknodat(parent, base, typ|mode, int(unix.Mkdev(uint32(h.Devmajor), uint32(h.Devminor)))); err != nil {
			return err
		}
	default:
		return nil // pax headers and the like carry nothing to extract
	}
	if err := unix.Fchownat(parent, base, h.Uid, h.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if h.Typeflag != tar.TypeSymlink {
		if err := unix.Fchmodat(parent, base, mode, 0); err != nil {
			return err
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(h.AccessTime.UnixNano()), unix.NsecToTimespec(h.ModTime.UnixNano())}
	if h.AccessTime.IsZero() {
		ts[0] = ts[1]
	}
	_ = unix.UtimesNanoAt(parent, base, ts, unix.AT_SYMLINK_NOFOLLOW)
	return nil
}

func setOpaque(dirfd int) error {
	// xattrs need a path; the directory's fd gives one that is not
	// resolved again through the layer.
	p := fmt.Sprintf("/proc/self/fd/%d", dirfd)
	if err := unix.Setxattr(p, "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		return fmt.Errorf("mark opaque: %w", err)
	}
	return nil
}

// removeAt removes what is at parent/name, a directory tree included (a
// later layer replaces it).
func removeAt(parent int, name string) {
	if err := unix.Unlinkat(parent, name, 0); err == nil || errors.Is(err, unix.ENOENT) {
		return
	}
	p := fmt.Sprintf("/proc/self/fd/%d/%s", parent, name)
	_ = os.RemoveAll(p)
}
