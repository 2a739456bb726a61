package rootfs

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// procfs and sysfs go on a real directory only: a rootfs whose /proc or
// /sys is a symlink, or not a directory, is refused (as runc refuses it,
// CVE-2019-19921's class) with one line saying so; other mounts follow a
// symlink inside the rootfs.
func TestMountTarget(t *testing.T) {
	tests := []struct {
		name   string
		rootfs []entry
		m      Mount
		want   string // the directory the target names, inside the rootfs
		err    string // or the error
	}{
		{name: "proc on a directory", rootfs: []entry{dirE("/proc")}, m: Mount{Type: "proc", Destination: "/proc"}, want: "/proc"},
		{name: "proc on a missing directory", m: Mount{Type: "proc", Destination: "/proc"}, want: "/proc"},
		{name: "proc on a symlink to /tmp", rootfs: []entry{dirE("/tmp"), link("/proc", "/tmp")}, m: Mount{Type: "proc", Destination: "/proc"},
			err: "mount proc /proc: /proc is a symlink; proc and sysfs are mounted on real directories only"},
		{name: "sysfs on a symlink to a host path", rootfs: []entry{link("/sys", "$OUT")}, m: Mount{Type: "sysfs", Destination: "/sys"},
			err: "mount sysfs /sys: /sys is a symlink; proc and sysfs are mounted on real directories only"},
		{name: "sysfs below a symlink", rootfs: []entry{dirE("/real"), link("/host", "/real")}, m: Mount{Type: "sysfs", Destination: "/host/sys"},
			err: "mount sysfs /host/sys: /host is a symlink; proc and sysfs are mounted on real directories only"},
		{name: "sysfs on a regular file", rootfs: []entry{fileE("/sys")}, m: Mount{Type: "sysfs", Destination: "/sys"},
			err: "mount sysfs /sys: not a directory; proc and sysfs are mounted on real directories only"},
		{name: "tmpfs follows a symlink in the rootfs", rootfs: []entry{dirE("/real"), link("/run", "/real")}, m: Mount{Type: "tmpfs", Destination: "/run"}, want: "/real"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, _ := makeRootfs(t, tt.rootfs)
			fd, err := mountTarget(root, tt.m, false)
			if tt.err != "" {
				if err == nil {
					unix.Close(fd)
					t.Fatalf("mountTarget succeeded, want %q", tt.err)
				}
				if err.Error() != tt.err {
					t.Fatalf("mountTarget: %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			if got, _ := os.Readlink(fdPath(fd)); got != filepath.Join(root, tt.want) {
				t.Errorf("target %s, want %s", got, filepath.Join(root, tt.want))
			}
		})
	}
}

// A kernel without mount_setattr(2) cannot apply rro: an error that says
// so, never a mount left writable.
func TestSetAttrWithoutMountSetattr(t *testing.T) {
	real := mountSetattr
	defer func() { mountSetattr = real }()
	mountSetattr = func(int, string, uint, *unix.MountAttr) error { return unix.ENOSYS }
	err := setAttr(0, Mount{Destination: "/data", Attr: &MountAttr{Set: unix.MOUNT_ATTR_RDONLY}})
	want := "mount /data: recursive options (rro, …) need mount_setattr(2), Linux 5.12 or later"
	if err == nil || err.Error() != want {
		t.Errorf("setAttr = %v, want %s", err, want)
	}
	if err := setAttr(0, Mount{Destination: "/data"}); err != nil {
		t.Errorf("setAttr without options: %v", err)
	}
}
