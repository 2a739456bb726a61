package spec

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/rootfs"
)

// The recursive options (runc 1.1's and the runtime-spec's rro, rnosuid,
// …) become mount_setattr(2) attributes applied to the mount and every
// mount below it; they are neither mount flags nor filesystem data.
func TestRecursiveMountOptions(t *testing.T) {
	tests := []struct {
		opts []string
		want *rootfs.MountAttr
	}{
		{[]string{"rbind", "ro"}, nil},
		{[]string{"rbind", "rro"}, &rootfs.MountAttr{Set: unix.MOUNT_ATTR_RDONLY}},
		{[]string{"rro", "rnosuid", "rnodev", "rnoexec"}, &rootfs.MountAttr{Set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC}},
		{[]string{"rrw", "rsuid"}, &rootfs.MountAttr{Clear: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID}},
		// The last of two opposites wins.
		{[]string{"rro", "rrw"}, &rootfs.MountAttr{Clear: unix.MOUNT_ATTR_RDONLY}},
		{[]string{"rrw", "rro"}, &rootfs.MountAttr{Set: unix.MOUNT_ATTR_RDONLY}},
		// An access-time setting also clears the others (mount_setattr(2)).
		{[]string{"rnoatime"}, &rootfs.MountAttr{Set: unix.MOUNT_ATTR_NOATIME, Clear: unix.MOUNT_ATTR__ATIME}},
		{[]string{"rstrictatime"}, &rootfs.MountAttr{Set: unix.MOUNT_ATTR_STRICTATIME, Clear: unix.MOUNT_ATTR__ATIME}},
		{[]string{"rnosymfollow", "rnodiratime"}, &rootfs.MountAttr{Set: unix.MOUNT_ATTR_NOSYMFOLLOW | unix.MOUNT_ATTR_NODIRATIME}},
	}
	b := bundle(t)
	for _, tt := range tests {
		m, err := convertMount(specs.Mount{Destination: "/data", Source: "rootfs", Type: "bind", Options: tt.opts}, b)
		if err != nil {
			t.Fatalf("%v: %v", tt.opts, err)
		}
		if d := cmp.Diff(tt.want, m.Attr); d != "" {
			t.Errorf("%v: attributes (-want +got):\n%s", tt.opts, d)
		}
		if m.Data != "" {
			t.Errorf("%v: data %q", tt.opts, m.Data)
		}
	}
	m, err := convertMount(specs.Mount{Destination: "/t", Source: "tmpfs", Type: "tmpfs", Options: []string{"rro", "size=1m"}}, b)
	if err != nil || m.Data != "size=1m" || m.Attr == nil || m.Attr.Set != unix.MOUNT_ATTR_RDONLY {
		t.Errorf("tmpfs rro: %+v, %v", m, err)
	}
	if opts := Features().MountOptions; !slices.Contains(opts, "rro") || !slices.Contains(opts, "rnosymfollow") {
		t.Errorf("features: mount options %v lack the recursive ones", opts)
	}
}
