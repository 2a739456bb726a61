package container

import (
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"goc.dev/shared/spec"
)

func TestIsDevTmpfs(t *testing.T) {
	for _, tc := range []struct {
		m    spec.Mount
		want bool
	}{
		{spec.Mount{Source: "tmpfs", Destination: "/dev", Type: "tmpfs"}, true},
		{spec.Mount{Source: "/dev", Destination: "/dev", Type: "bind"}, false},
		{spec.Mount{Source: "tmpfs", Destination: "/dev/shm", Type: "tmpfs"}, false},
		{spec.Mount{Source: "proc", Destination: "/proc", Type: "proc"}, false},
	} {
		if got := isDevTmpfs(tc.m); got != tc.want {
			t.Errorf("isDevTmpfs(%+v) = %v", tc.m, got)
		}
	}
}

func TestDeviceBinds(t *testing.T) {
	devTmpfs := spec.Mount{Source: "tmpfs", Destination: "/dev", Type: "tmpfs"}
	proc := spec.Mount{Source: "proc", Destination: "/proc", Type: "proc"}
	pts := spec.Mount{Source: "devpts", Destination: "/dev/pts", Type: "devpts"}
	bind := func(d string) spec.Mount {
		return spec.Mount{Source: "/dev/" + d, Destination: "/dev/" + d, Type: "bind", Flags: unix.MS_BIND}
	}
	eq := func(a, b spec.Mount) bool {
		return a.Source == b.Source && a.Destination == b.Destination && a.Type == b.Type && a.Flags == b.Flags && a.Data == b.Data
	}
	for _, tc := range []struct {
		name     string
		in, want []spec.Mount
	}{
		{"no /dev tmpfs: nothing added", []spec.Mount{proc, pts}, []spec.Mount{proc, pts}},
		{"right after the /dev tmpfs", []spec.Mount{proc, devTmpfs, pts}, []spec.Mount{
			proc, devTmpfs, bind("null"), bind("zero"), bind("full"), bind("random"), bind("urandom"), bind("tty"), pts,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := deviceBinds(tc.in); !slices.EqualFunc(got, tc.want, eq) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	// The binds' sources are device nodes on the host.
	for _, m := range deviceBinds([]spec.Mount{devTmpfs})[1:] {
		if fi, err := os.Stat(m.Source); err != nil || fi.Mode()&os.ModeDevice == 0 {
			t.Errorf("%s is not a device: %v", m.Source, err)
		}
	}
}
