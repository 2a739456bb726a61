package cgroups

import (
	"maps"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"

	"goc.dev/shared/rootfs"
)

// Mounts replaces a container's "cgroup" and "cgroup2" mounts with what it
// may see of the cgroup tree: its own cgroup's directories, dirs (see
// Manager.Dirs), bound read-only as the mount asks — v2: one bind; v1: a
// tmpfs with a bind per hierarchy, in the order of their names.
func Mounts(ms []rootfs.Mount, dirs map[string]string) []rootfs.Mount {
	var out []rootfs.Mount
	for _, m := range ms {
		if m.Type != "cgroup" && m.Type != "cgroup2" {
			out = append(out, m)
			continue
		}
		flags := (m.Flags | unix.MS_BIND | unix.MS_REC) &^ unix.MS_RELATIME
		if d, ok := dirs[""]; ok {
			out = append(out, rootfs.Mount{Source: d, Destination: m.Destination, Type: "bind", Flags: flags})
			continue
		}
		out = append(out, rootfs.Mount{Source: "tmpfs", Destination: m.Destination, Type: "tmpfs",
			Flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, Data: "mode=755"})
		for _, name := range slices.Sorted(maps.Keys(dirs)) {
			out = append(out, rootfs.Mount{Source: dirs[name], Destination: filepath.Join(m.Destination, name), Type: "bind", Flags: flags})
		}
	}
	return out
}
