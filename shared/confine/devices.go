package confine

import (
	"errors"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"

	"goc.dev/shared/rootfs"
)

// skipDev are what HostDevices leaves out, as runc's host device list does:
// the container has its own terminals (and ptmx), shm and mqueue, and no
// console.
var skipDev = map[string]bool{"pts": true, "shm": true, "mqueue": true, "fuse": true, ".lxc": true,
	".lxd-mounts": true, ".udev": true, "console": true, "ptmx": true}

// HostDevices are the device nodes under dir (the host's /dev), for a
// privileged container to have them all, as Docker's.
func HostDevices(dir string) ([]rootfs.Device, error) {
	var out []rootfs.Device
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while walking
			}
			return err
		}
		if path != dir && skipDev[d.Name()] {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&(fs.ModeDevice|fs.ModeCharDevice) == 0 {
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			return nil // gone while walking
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, rootfs.Device{
			Path: filepath.Join("/dev", rel), Type: st.Mode & unix.S_IFMT, Mode: st.Mode &^ unix.S_IFMT,
			Major: unix.Major(st.Rdev), Minor: unix.Minor(st.Rdev), UID: st.Uid, GID: st.Gid,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
