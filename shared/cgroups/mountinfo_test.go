package cgroups

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMountinfo(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Hierarchies
		err  error
	}{
		{
			name: "pure v2",
			in: `24 1 0:22 / /sys rw - sysfs sysfs rw
30 24 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate
`,
			want: Hierarchies{V2: "/sys/fs/cgroup"},
		},
		{
			name: "hybrid (this project's development hosts)",
			in: `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`,
			want: Hierarchies{V1: map[string]string{
				"cpu": "/sys/fs/cgroup/cpu", "cpuacct": "/sys/fs/cgroup/cpuacct", "memory": "/sys/fs/cgroup/memory",
				"freezer": "/sys/fs/cgroup/freezer", "pids": "/sys/fs/cgroup/pids",
			}, Unified: "/sys/fs/cgroup/unified"},
		},
		{
			name: "v1 with co-mounted controllers (Debian)",
			in: `32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw shared:10 - cgroup cgroup rw,cpu,cpuacct
33 31 0:30 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio
34 31 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
`,
			want: Hierarchies{V1: map[string]string{
				"cpu": "/sys/fs/cgroup/cpu,cpuacct", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct",
				"net_cls": "/sys/fs/cgroup/net_cls,net_prio", "net_prio": "/sys/fs/cgroup/net_cls,net_prio",
				"memory": "/sys/fs/cgroup/memory",
			}},
		},
		{
			name: "escaped mount point",
			in:   "30 24 0:26 / /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n",
			want: Hierarchies{V2: "/mnt/my cgroup"},
		},
		{
			name: "none",
			in:   "24 1 0:22 / /sys rw - sysfs sysfs rw\n",
			err:  ErrNoCgroups,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMountinfo(strings.NewReader(tc.in))
			if !errors.Is(err, tc.err) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Fatalf("mismatch (-want +got):\n%s", d)
			}
		})
	}
}
