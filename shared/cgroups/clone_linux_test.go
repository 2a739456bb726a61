package cgroups

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestCloneIntoHybrid(t *testing.T) {
	f := newFakeV1(t)
	f.h.Unified = filepath.Join(t.TempDir(), "unified")
	if err := os.Mkdir(f.h.Unified, 0o755); err != nil {
		t.Fatal(err)
	}
	f.install()
	m, err := Create(f.h, DefaultParent, "c1")
	if err != nil {
		t.Fatal(err)
	}
	f.populate()
	var attr syscall.SysProcAttr
	into, err := CloneInto(m, &attr)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(into)
	if len(into) != 1 || !attr.UseCgroupFD || attr.CgroupFD != int(into[0].Fd()) {
		t.Fatalf("CloneInto = %v, attr %+v: want the cgroup2 directory as the CgroupFD", into, attr)
	}
	if got, _ := os.Readlink(fdPath(into[0])); got != filepath.Join(f.h.Unified, DefaultParent, "c1") {
		t.Errorf("clones into %s", got)
	}
	late, err := LateJoinFiles(m)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(late)
	all, err := m.JoinFiles()
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(all)
	if len(late) != len(all)-1 {
		t.Fatalf("LateJoinFiles = %s, JoinFiles = %s: want all but cgroup2's", names(late), names(all))
	}
	for _, f := range late {
		if filepath.Base(f.Name()) != "tasks" {
			t.Errorf("late join of %s", f.Name())
		}
	}
}

func TestCloneIntoElsewhere(t *testing.T) {
	for name, fake := range map[string]func(*testing.T) *fakeFS{"v1": newFakeV1, "v2": newFakeV2} {
		t.Run(name, func(t *testing.T) {
			f := fake(t)
			f.install()
			m, err := Create(f.h, DefaultParent, "c1")
			if err != nil {
				t.Fatal(err)
			}
			f.populate()
			var attr syscall.SysProcAttr
			into, err := CloneInto(m, &attr)
			if err != nil || into != nil || attr.UseCgroupFD {
				t.Fatalf("CloneInto = %v, %v, attr %+v: want nothing", into, err, attr)
			}
			late, err := LateJoinFiles(m)
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll(late)
			all, err := m.JoinFiles()
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll(all)
			if names(late) != names(all) {
				t.Errorf("LateJoinFiles = %s, want JoinFiles' %s", names(late), names(all))
			}
		})
	}
}

func fdPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

func names(fs []*os.File) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Name())
	}
	return strings.Join(s, " ")
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// CreateAnnouncing says when the init may be cloned: on a hybrid host as
// soon as the cgroup2 directory exists, before any of the v1 ones (goC
// clones the init into it while they are made); elsewhere before it makes
// anything.
func TestCreateAnnouncing(t *testing.T) {
	hybrid := func(t *testing.T) *fakeFS {
		f := newFakeV1(t)
		f.h.Unified = filepath.Join(t.TempDir(), "unified")
		if err := os.Mkdir(f.h.Unified, 0o755); err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		fake   func(*testing.T) *fakeFS
		hybrid bool
	}{
		{"v2", newFakeV2, false},
		{"v1", newFakeV1, false},
		{"hybrid", hybrid, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fake(t)
			f.install()
			dirs := []string{filepath.Join(f.h.V2, DefaultParent, "c1")}
			if f.h.V2 == "" {
				dirs = openV1(f.h, DefaultParent, "c1", nil).allDirs()
			}
			var calls []string
			var existing []string // the cgroup's directories at the call
			m, err := CreateAnnouncing(f.h, DefaultParent, "c1", func(dir string) {
				calls = append(calls, dir)
				for _, d := range dirs {
					if _, err := os.Stat(d); err == nil {
						existing = append(existing, d)
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Destroy()
			want, wantExisting := "", []string(nil)
			if tc.hybrid {
				want = filepath.Join(f.h.Unified, DefaultParent, "c1")
				wantExisting = []string{want}
			}
			if len(calls) != 1 || calls[0] != want {
				t.Errorf("cloneDir called with %q, want once with %q", calls, want)
			}
			if strings.Join(existing, " ") != strings.Join(wantExisting, " ") {
				t.Errorf("at the call, %q existed; want %q", existing, wantExisting)
			}
			for _, d := range dirs {
				if _, err := os.Stat(d); err != nil {
					t.Errorf("after Create: %v", err)
				}
			}
		})
	}
}
