package process

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exe := write("tool", 0o755)
	write("data", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, cmd, path string
		want            string
		status          int
	}{
		{"found on PATH", "tool", "/nonexistent:" + dir, exe, 0},
		{"absolute", exe, "", exe, 0},
		{"missing", "nope", dir, "", StatusNotFound},
		{"missing absolute", filepath.Join(dir, "nope"), dir, "", StatusNotFound},
		{"not executable", "data", dir, "", StatusCannotExecute},
		{"directory", filepath.Join(dir, "sub"), dir, "", StatusCannotExecute},
		{"empty", "", dir, "", StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LookPath(tc.cmd, tc.path)
			if tc.status == 0 {
				if err != nil || got != tc.want {
					t.Fatalf("LookPath(%q) = %q, %v; want %q", tc.cmd, got, err, tc.want)
				}
				return
			}
			var ee *ExecError
			if !errors.As(err, &ee) || ee.Status != tc.status {
				t.Fatalf("LookPath(%q) error = %v, want status %d", tc.cmd, err, tc.status)
			}
		})
	}
}

func TestExitStatus(t *testing.T) {
	cases := []struct {
		name string
		ws   syscall.WaitStatus
		want int
	}{
		{"exit 0", 0, 0},
		{"exit 7", 7 << 8, 7},
		{"SIGTERM", syscall.WaitStatus(syscall.SIGTERM), 143},
		{"SIGKILL", syscall.WaitStatus(syscall.SIGKILL), 137},
	}
	for _, tc := range cases {
		if got := ExitStatus(tc.ws); got != tc.want {
			t.Errorf("%s: ExitStatus = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestMergeEnv(t *testing.T) {
	got := MergeEnv([]string{"PATH=/bin", "HOME=/root"}, "PATH=/x", "A=1", "A=2")
	want := []string{"PATH=/x", "HOME=/root", "A=2"}
	if len(got) != len(want) {
		t.Fatalf("MergeEnv = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("MergeEnv = %q, want %q", got, want)
		}
	}
}

func TestStartTime(t *testing.T) {
	st, err := StartTime(os.Getpid())
	if err != nil || st == 0 {
		t.Fatalf("StartTime(self) = %d, %v", st, err)
	}
	if !Alive(os.Getpid(), st) {
		t.Fatal("Alive(self) = false")
	}
	if Alive(os.Getpid(), st+1) {
		t.Fatal("Alive with another start time = true")
	}
	if Alive(1<<30, st) {
		t.Fatal("Alive of a PID that cannot exist = true")
	}
}

func TestInherited(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	first := int(r.Fd())
	if int(w.Fd()) != first+1 {
		t.Skip("the pipe's ends are not adjacent descriptors here")
	}
	// os.Pipe's ends are close-on-exec: goC's own, not passed on.
	if _, err := Inherited(first, 2); err == nil || !strings.Contains(err.Error(), "was not passed to goC") {
		t.Fatalf("Inherited of close-on-exec descriptors = %v, want an error", err)
	}
	for _, f := range []*os.File{r, w} {
		if _, err := unix.FcntlInt(f.Fd(), unix.F_SETFD, 0); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Inherited(first, 2)
	if err != nil || len(files) != 2 || files[1].Fd() != w.Fd() {
		t.Fatalf("Inherited(%d, 2) = %v, %v", first, files, err)
	}
	if _, err := Inherited(first, 1000); err == nil || !strings.Contains(err.Error(), "was not passed to goC") {
		t.Fatalf("Inherited past the open descriptors = %v, want an error", err)
	}
}

func TestPreservedFirst(t *testing.T) {
	p := Preserved{os.Stdin, os.Stdout}
	for n := 0; n <= 2; n++ {
		got, err := p.First(n)
		if err != nil || len(got) != n {
			t.Errorf("First(%d) = %d files, %v", n, len(got), err)
		}
	}
	for _, n := range []int{-1, 3} {
		if _, err := p.First(n); err == nil || err.Error() != fmt.Sprintf("--preserve-fds %d: not that many descriptors open", n) {
			t.Errorf("First(%d): error %v", n, err)
		}
	}
}

func TestPreserveFds(t *testing.T) {
	for _, tc := range []struct {
		args string
		want int
	}{
		{"", 0},
		{"run --preserve-fds 2 ctr", 2},
		{"run --preserve-fds=3 ctr", 3},
		{"--root /r exec --preserve-fds 1 ctr sh", 1},
		{"run --preserve-fds", 0},           // no value
		{"run --preserve-fds x ctr", 0},     // not a number: the verb's parser says so
		{"run --preserve-fds=-1 ctr", 0},    // negative
		{"run --preserve-fds 65536 ctr", 0}, // more than any process has
		{"run --preserve-fds 0 --preserve-fds 4 ctr", 4},
		{"run -preserve-fds 2 ctr", 0}, // only the spelling runc's callers use
	} {
		if got := PreserveFds(strings.Fields(tc.args)); got != tc.want {
			t.Errorf("PreserveFds(%q) = %d, want %d", tc.args, got, tc.want)
		}
	}
}

func TestHasEnv(t *testing.T) {
	env := []string{"PATH=/bin", "HOME=/root", "EMPTY=", "PATH=/usr/bin:/bin", "NOEQUALS"}
	for key, want := range map[string]bool{"HOME": true, "EMPTY": true, "NOEQUALS": true, "HOM": false, "MISSING": false} {
		if got := HasEnv(env, key); got != want {
			t.Errorf("HasEnv(%s) = %v, want %v", key, got, want)
		}
	}
}
