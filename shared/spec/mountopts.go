package spec

import (
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/rootfs"
)

// mountFlags are the mount(2) flags an OCI mount option sets (true) or
// clears (false).
var mountFlags = map[string]struct {
	clear bool
	flag  uintptr
}{
	"ro": {false, unix.MS_RDONLY}, "rw": {true, unix.MS_RDONLY},
	"nosuid": {false, unix.MS_NOSUID}, "suid": {true, unix.MS_NOSUID},
	"nodev": {false, unix.MS_NODEV}, "dev": {true, unix.MS_NODEV},
	"noexec": {false, unix.MS_NOEXEC}, "exec": {true, unix.MS_NOEXEC},
	"sync": {false, unix.MS_SYNCHRONOUS}, "async": {true, unix.MS_SYNCHRONOUS},
	"dirsync": {false, unix.MS_DIRSYNC}, "remount": {false, unix.MS_REMOUNT},
	"mand": {false, unix.MS_MANDLOCK}, "nomand": {true, unix.MS_MANDLOCK},
	"atime": {true, unix.MS_NOATIME}, "noatime": {false, unix.MS_NOATIME},
	"diratime": {true, unix.MS_NODIRATIME}, "nodiratime": {false, unix.MS_NODIRATIME},
	"relatime": {false, unix.MS_RELATIME}, "norelatime": {true, unix.MS_RELATIME},
	"strictatime": {false, unix.MS_STRICTATIME}, "nostrictatime": {true, unix.MS_STRICTATIME},
	"bind": {false, unix.MS_BIND}, "rbind": {false, unix.MS_BIND | unix.MS_REC},
}

var propagationFlags = map[string]uintptr{
	"private": unix.MS_PRIVATE, "rprivate": unix.MS_PRIVATE | unix.MS_REC,
	"shared": unix.MS_SHARED, "rshared": unix.MS_SHARED | unix.MS_REC,
	"slave": unix.MS_SLAVE, "rslave": unix.MS_SLAVE | unix.MS_REC,
	"unbindable": unix.MS_UNBINDABLE, "runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// recursiveFlags are the mount_setattr(2) attributes a recursive mount
// option (runc 1.1's, the runtime-spec's) sets (true) or clears (false) on
// a mount and every mount below it: "rro" makes the submounts of an rbind
// read-only too, where "ro" reaches only the top one.
var recursiveFlags = map[string]struct {
	clear bool
	attr  uint64
}{
	"rro": {false, unix.MOUNT_ATTR_RDONLY}, "rrw": {true, unix.MOUNT_ATTR_RDONLY},
	"rnosuid": {false, unix.MOUNT_ATTR_NOSUID}, "rsuid": {true, unix.MOUNT_ATTR_NOSUID},
	"rnodev": {false, unix.MOUNT_ATTR_NODEV}, "rdev": {true, unix.MOUNT_ATTR_NODEV},
	"rnoexec": {false, unix.MOUNT_ATTR_NOEXEC}, "rexec": {true, unix.MOUNT_ATTR_NOEXEC},
	"rnodiratime": {false, unix.MOUNT_ATTR_NODIRATIME}, "rdiratime": {true, unix.MOUNT_ATTR_NODIRATIME},
	"rrelatime": {false, unix.MOUNT_ATTR_RELATIME}, "rnorelatime": {true, unix.MOUNT_ATTR_RELATIME},
	"rnoatime": {false, unix.MOUNT_ATTR_NOATIME}, "ratime": {true, unix.MOUNT_ATTR_NOATIME},
	"rstrictatime": {false, unix.MOUNT_ATTR_STRICTATIME}, "rnostrictatime": {true, unix.MOUNT_ATTR_STRICTATIME},
	"rnosymfollow": {false, unix.MOUNT_ATTR_NOSYMFOLLOW}, "rsymfollow": {true, unix.MOUNT_ATTR_NOSYMFOLLOW},
}

// recursiveAttr gathers the recursive options of opts (nil: none); of two
// opposites, the last wins. Setting an access-time mode clears the others,
// as mount_setattr(2) requires.
func recursiveAttr(opts []string) *rootfs.MountAttr {
	var a *rootfs.MountAttr
	for _, o := range opts {
		f, ok := recursiveFlags[o]
		if !ok {
			continue
		}
		if a == nil {
			a = &rootfs.MountAttr{}
		}
		if f.clear {
			a.Set &^= f.attr
			a.Clear |= f.attr
			continue
		}
		a.Clear &^= f.attr
		a.Set |= f.attr
		if f.attr&unix.MOUNT_ATTR__ATIME == f.attr {
			a.Clear |= unix.MOUNT_ATTR__ATIME
		}
	}
	return a
}

// parseMountOptions splits OCI mount options into mount flags,
// propagation changes (applied after the mount) and the data string passed
// to the filesystem (mode=755, size=…); the recursive options are left to
// recursiveAttr.
func parseMountOptions(opts []string) (flags uintptr, propagation []uintptr, data string) {
	var d []string
	for _, o := range opts {
		if f, ok := mountFlags[o]; ok {
			if f.clear {
				flags &^= f.flag
			} else {
				flags |= f.flag
			}
			continue
		}
		if p, ok := propagationFlags[o]; ok {
			propagation = append(propagation, p)
			continue
		}
		if _, ok := recursiveFlags[o]; !ok {
			d = append(d, o)
		}
	}
	return flags, propagation, strings.Join(d, ",")
}

// PropagationFlag returns the flag of a rootfsPropagation value.
func PropagationFlag(s string) (uintptr, bool) {
	p, ok := propagationFlags[s]
	return p, ok
}
