package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseMountinfo(t *testing.T) {
	in := `22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw
35 27 0:30 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory
36 27 0:31 / /sys/fs/cgroup/unified rw shared:16 - cgroup2 cgroup2 rw
90 1 0:50 / /tmp/goc\040oci/tmp/ocitest1/rootfs rw master:3 - tmpfs tmpfs rw
short line
`
	got, err := parseMountinfo(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []mountEntry{
		{"/sys", "sysfs"},
		{"/sys/fs/cgroup/memory", "cgroup"},
		{"/sys/fs/cgroup/unified", "cgroup2"},
		{"/tmp/goc oci/tmp/ocitest1/rootfs", "tmpfs"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseMountinfo:\n got %v\nwant %v", got, want)
	}
	for in, want := range map[string]string{`a\134b`: `a\b`, `tab\011`: "tab\t", `end\04`: `end\04`, `plain`: `plain`} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
