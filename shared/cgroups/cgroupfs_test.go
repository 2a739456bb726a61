package cgroups

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"goc.dev/shared/rootfs"
)

func TestMounts(t *testing.T) {
	ro := uintptr(unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV | unix.MS_RELATIME | unix.MS_RDONLY)
	bindRO := uintptr(unix.MS_NOSUID|unix.MS_NOEXEC|unix.MS_NODEV|unix.MS_RDONLY) | unix.MS_BIND | unix.MS_REC
	proc := rootfs.Mount{Source: "proc", Destination: "/proc", Type: "proc"}
	dev := rootfs.Mount{Source: "tmpfs", Destination: "/dev", Type: "tmpfs", Data: "mode=755"}
	cgroupfs := rootfs.Mount{Source: "cgroup", Destination: "/sys/fs/cgroup", Type: "cgroup", Flags: ro}
	v2 := map[string]string{"": "/sys/fs/cgroup/goC/c1"}
	v1 := map[string]string{"pids": "/sys/fs/cgroup/pids/goC/c1", "memory": "/sys/fs/cgroup/memory/goC/c1", "cpu,cpuacct": "/sys/fs/cgroup/cpu,cpuacct/goC/c1"}
	for _, tc := range []struct {
		name string
		in   []rootfs.Mount
		dirs map[string]string
		want []rootfs.Mount
	}{
		{"nothing to rewrite", []rootfs.Mount{proc, dev}, v2, []rootfs.Mount{proc, dev}},
		{"v2: one read-only bind of the container's cgroup", []rootfs.Mount{proc, cgroupfs, dev}, v2, []rootfs.Mount{
			proc,
			{Source: "/sys/fs/cgroup/goC/c1", Destination: "/sys/fs/cgroup", Type: "bind", Flags: bindRO},
			dev,
		}},
		{"cgroup2 is rewritten too", []rootfs.Mount{{Source: "cgroup2", Destination: "/sys/fs/cgroup", Type: "cgroup2"}}, v2, []rootfs.Mount{
			{Source: "/sys/fs/cgroup/goC/c1", Destination: "/sys/fs/cgroup", Type: "bind", Flags: unix.MS_BIND | unix.MS_REC},
		}},
		{"v1: a tmpfs, then a bind per hierarchy, by name", []rootfs.Mount{cgroupfs}, v1, []rootfs.Mount{
			{Source: "tmpfs", Destination: "/sys/fs/cgroup", Type: "tmpfs", Flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, Data: "mode=755"},
			{Source: "/sys/fs/cgroup/cpu,cpuacct/goC/c1", Destination: "/sys/fs/cgroup/cpu,cpuacct", Type: "bind", Flags: bindRO},
			{Source: "/sys/fs/cgroup/memory/goC/c1", Destination: "/sys/fs/cgroup/memory", Type: "bind", Flags: bindRO},
			{Source: "/sys/fs/cgroup/pids/goC/c1", Destination: "/sys/fs/cgroup/pids", Type: "bind", Flags: bindRO},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Mounts(tc.in, tc.dirs)
			eq := func(a, b rootfs.Mount) bool {
				return a.Source == b.Source && a.Destination == b.Destination && a.Type == b.Type && a.Flags == b.Flags && a.Data == b.Data
			}
			if !slices.EqualFunc(got, tc.want, eq) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
