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
